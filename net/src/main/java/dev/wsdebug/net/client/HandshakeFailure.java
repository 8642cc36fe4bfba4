package dev.wsdebug.net.client;

import dev.wsdebug.wire.HttpHead;

/** The server answered the upgrade, but not with a valid 101: what it sent, and why it fails. */
public final class HandshakeFailure extends ClientFailure {
    private final HttpHead response;
    private final String bodyExcerpt;

    public HandshakeFailure(String sentence, HttpHead response, String bodyExcerpt) {
        super("handshake", -1, sentence, null);
        this.response = response;
        this.bodyExcerpt = bodyExcerpt;
    }

    public HttpHead response() {
        return response;
    }

    /** The start of the response body (UTF-8, control characters kept), or "". */
    public String bodyExcerpt() {
        return bodyExcerpt;
    }
}
