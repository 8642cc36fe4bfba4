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
 * @param raw      the value as JSON text, exactly as Jackson writes {@code value} (compact), when a decoder
 *                 kept the text instead of building the tree (then {@link #value()} parses it on first use); else null
 */
public record Decoded(String protocol, String summary, JsonNode value, String problem, Map<String, String> facets,
                      Reply reply, Raw raw) {

    public Decoded {
        facets = facets == null ? Map.of() : facets;
    }

    public Decoded(String protocol, String summary, JsonNode value, String problem, Map<String, String> facets,
                   Reply reply) {
        this(protocol, summary, value, problem, facets, reply, null);
    }

    /** A reading whose value is kept as its JSON text (compact, as Jackson would write the tree). */
    static Decoded ofRaw(String protocol, String summary, String json, Map<String, String> facets,
                         java.util.function.UnaryOperator<JsonNode> fix) {
        return new Decoded(protocol, summary, null, null, facets, null, new Raw(json, fix));
    }

    /** The decoded structure (a JSON tree), or null when the message did not parse; made from {@link #raw} if need be. */
    @Override
    public JsonNode value() {
        return value != null ? value : raw == null ? null : raw.tree();
    }

    /** The value's JSON text when the decoder kept it as text, else null (then write {@link #value()}). */
    public String rawValue() {
        return raw == null ? null : raw.json;
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
        return new Decoded(protocol, summary, value, problem, java.util.Collections.unmodifiableMap(m), reply, raw);
    }

    public Decoded withReply(Reply r) {
        return new Decoded(protocol, summary, value, problem, facets, r, raw);
    }

    /** A value kept as JSON text; the tree is parsed from it on first use and kept. */
    public static final class Raw {
        private final String json;
        /** Gives the parsed text the node types the decoder's tree has (a long where the text says 12), or null. */
        private final java.util.function.UnaryOperator<JsonNode> fix;
        private JsonNode tree;

        Raw(String json, java.util.function.UnaryOperator<JsonNode> fix) {
            this.json = json;
            this.fix = fix;
        }

        public String json() {
            return json;
        }

        synchronized JsonNode tree() {
            if (tree == null) {
                try {
                    JsonNode n = Json.MAPPER.readTree(json);
                    tree = fix == null ? n : fix.apply(n);
                } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                    throw new IllegalStateException("kept JSON text does not parse", e);
                }
            }
            return tree;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Raw r && r.json.equals(json);
        }

        @Override
        public int hashCode() {
            return json.hashCode();
        }

        @Override
        public String toString() {
            return json;
        }
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
