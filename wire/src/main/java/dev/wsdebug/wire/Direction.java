package dev.wsdebug.wire;

/** Which way bytes travel on a WebSocket connection. */
public enum Direction {
    /** Client to server: frames must be masked. */
    C2S("c2s", "client"),
    /** Server to client: frames must not be masked. */
    S2C("s2c", "server");

    private final String id;
    private final String sender;

    Direction(String id, String sender) {
        this.id = id;
        this.sender = sender;
    }

    /** The schema name, {@code c2s} or {@code s2c}. */
    public String id() {
        return id;
    }

    /** The endpoint that sends in this direction: {@code client} or {@code server}. */
    public String sender() {
        return sender;
    }

    public Direction opposite() {
        return this == C2S ? S2C : C2S;
    }

    /** Parses {@code c2s} or {@code s2c} (case-insensitive); null for anything else. */
    public static Direction fromId(String id) {
        for (Direction d : values()) {
            if (d.id.equalsIgnoreCase(id)) {
                return d;
            }
        }
        return null;
    }
}
