package dev.wsdebug.wire;

import java.util.List;

/**
 * What an opening handshake negotiated and what is wrong with it: an HTTP/1.1 upgrade (RFC 6455), or
 * an HTTP/2 extended CONNECT (RFC 8441, {@code h2}).
 *
 * @param valid          upgraded and no problems: both sides should now speak WebSocket
 * @param status         the response status code, -1 if unparseable
 * @param expectedAccept Sec-WebSocket-Accept the request's key requires, null without a key
 * @param actualAccept   Sec-WebSocket-Accept the server sent, or null
 * @param subprotocol    Sec-WebSocket-Protocol of the response, or null
 * @param extensions     Sec-WebSocket-Extensions of the response as sent, or null
 * @param deflate        permessage-deflate parameters in force, or null when not negotiated
 * @param problems       one sentence per problem, empty for a valid handshake
 * @param h2             an extended CONNECT on an HTTP/2 stream: no accept check, 2xx is success
 */
public record HandshakeResult(boolean valid, int status, String expectedAccept, String actualAccept,
                              boolean acceptValid, String subprotocol, String extensions, DeflateParams deflate,
                              List<String> problems, boolean h2) {

    /** An HTTP/1.1 upgrade's result. */
    public HandshakeResult(boolean valid, int status, String expectedAccept, String actualAccept, boolean acceptValid,
                           String subprotocol, String extensions, DeflateParams deflate, List<String> problems) {
        this(valid, status, expectedAccept, actualAccept, acceptValid, subprotocol, extensions, deflate, problems, false);
    }

    /** The server switched protocols (101; over HTTP/2 a 2xx answer), whatever else went wrong. */
    public boolean upgraded() {
        return h2 ? status >= 200 && status < 300 : status == 101;
    }
}
