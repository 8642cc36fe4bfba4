package dev.wsdebug.capture.decode;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.Map;

/**
 * What an application protocol decoder made of one message.
 *
 * @param protocol the protocol's name as shown ({@code socket.io}, {@code stomp}, {@code mqtt}, {@code json}…)
 * @param summary  one line: the packet type and the fields that tell messages apart
 *                 ({@code EVENT "chat" ns=/ ack=12}), without the protocol's name
 * @param value    the decoded structure (a JSON tree), or null when the message did not parse
 * @param problem  one sentence saying why the message does not parse as {@code protocol}, else null;
 *                 such a message is still shown as it is
 * @param facets   the fields filters and pairing use, by {@link Facets} name (never null; not to be changed)
 * @param reply    for a response, the request it answers and how long that took; else null
 */
public record Decoded(String protocol, String summary, JsonNode value, String problem, Map<String, String> facets,
                      Reply reply) {

    public Decoded {
        facets = facets == null ? Map.of() : facets;
    }

    public Decoded(String protocol, String summary, JsonNode value, String problem) {
        this(protocol, summary, value, problem, Map.of(), null);
    }

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

    /** This reading with these facets (see {@link Facets}); null values are left out. The map is kept, not copied. */
    public Decoded withFacets(Map<String, String> f) {
        Map<String, String> m = new java.util.HashMap<>(facets.size() + f.size() * 2);
        m.putAll(facets);
        f.forEach((k, v) -> {
            if (v != null) {
                m.put(k, v);
            }
        });
        return new Decoded(protocol, summary, value, problem, java.util.Collections.unmodifiableMap(m), reply);
    }

    public Decoded withReply(Reply r) {
        return new Decoded(protocol, summary, value, problem, facets, r);
    }

    /**
     * The request a response answers.
     *
     * @param seq       the request message's seq
     * @param name      what was asked (a method, an event, a destination…), or null
     * @param latencyMicros from the request to this response
     */
    public record Reply(long seq, String name, long latencyMicros) {
    }
}
