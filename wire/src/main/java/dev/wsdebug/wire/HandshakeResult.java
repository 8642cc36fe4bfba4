package dev.wsdebug.wire;

import java.util.List;

/**
 * What an HTTP/1.1 opening handshake negotiated and what is wrong with it.
 *
 * @param valid          status 101 and no problems: both sides should now speak WebSocket
 * @param status         the response status code, -1 if unparseable
 * @param expectedAccept Sec-WebSocket-Accept the request's key requires, null without a key
 * @param actualAccept   Sec-WebSocket-Accept the server sent, or null
 * @param subprotocol    Sec-WebSocket-Protocol of the response, or null
 * @param extensions     Sec-WebSocket-Extensions of the response as sent, or null
 * @param deflate        permessage-deflate parameters in force, or null when not negotiated
 * @param problems       one sentence per problem, empty for a valid handshake
 */
public record HandshakeResult(boolean valid, int status, String expectedAccept, String actualAccept,
                              boolean acceptValid, String subprotocol, String extensions, DeflateParams deflate,
                              List<String> problems) {

    /** The server switched protocols (status 101), whatever else went wrong. */
    public boolean upgraded() {
        return status == 101;
    }
}
