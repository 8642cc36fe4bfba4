package dev.wsdebug.capture.decode;

/**
 * The names of {@link Decoded#facets()}: what filters select on and how requests and responses
 * are paired, whatever the protocol calls them.
 */
public final class Facets {
    private Facets() {
    }

    /** What the message asks for or is about: a JSON-RPC method, a Socket.IO event, a GraphQL operation. */
    public static final String NAME = "name";
    /** A Socket.IO event name. */
    public static final String EVENT = "event";
    /** An MQTT topic, or a WAMP topic (PUBLISH, SUBSCRIBE, EVENT). */
    public static final String TOPIC = "topic";
    /** A STOMP destination. */
    public static final String DESTINATION = "destination";
    /** A JSON-RPC (or SignalR, WAMP) method or target. */
    public static final String METHOD = "method";
    /** The protocol's own message type (GraphQL {@code subscribe}, STOMP {@code SEND}, MQTT {@code PUBLISH}…). */
    public static final String OP = "op";
    /**
     * The protocol a message carries inside its own (STOMP inside SockJS frames), so that
     * {@code proto=stomp} selects it as well as {@code proto=sockjs}.
     */
    public static final String CARRIES = "carries";
    /** The id under which this message expects an answer (a call's id, an ack id, a receipt, a packet id). */
    public static final String REQUEST_ID = "request.id";
    /** The id of the request this message answers. */
    public static final String RESPONSE_ID = "response.id";
    /**
     * A response that does not end its request (a GraphQL {@code next} before {@code complete}): "true" when the
     * request stays open for more answers; only the first answer is timed.
     */
    public static final String PARTIAL = "response.partial";
}
