package dev.wsdebug.capture.decode;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * What an application protocol decoder made of one message.
 *
 * @param protocol the protocol's name as shown ({@code socket.io}, {@code stomp}, {@code mqtt}, {@code json}…)
 * @param summary  one line: the packet type and the fields that tell messages apart
 *                 ({@code EVENT "chat" ns=/ ack=12}), without the protocol's name
 * @param value    the decoded structure (a JSON tree), or null when the message did not parse
 * @param problem  one sentence saying why the message does not parse as {@code protocol}, else null;
 *                 such a message is still shown as it is
 */
public record Decoded(String protocol, String summary, JsonNode value, String problem) {

    public static Decoded of(String protocol, String summary, JsonNode value) {
        return new Decoded(protocol, summary, value, null);
    }

    /** The message was taken for {@code protocol} (chosen or negotiated) but does not parse as it. */
    public static Decoded failed(String protocol, String problem) {
        return new Decoded(protocol, null, null, problem);
    }

    public boolean ok() {
        return problem == null;
    }
}
