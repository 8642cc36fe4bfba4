package dev.wsdebug.sniff.live;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/** What a peer script (py_peer.py, node_peer.js) printed about one of its connections. */
final class PeerLog {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** A data message as a peer sent or received it. */
    record Msg(String kind, long length, String sha256, String text) {
        /** Kind, length and digest: what must be equal everywhere (the text is only printed when short). */
        String key() {
            return kind + " " + length + " " + sha256;
        }
    }

    private final List<JsonNode> events;

    private PeerLog(List<JsonNode> events) {
        this.events = events;
    }

    /** The events of connection {@code conn} among these output lines. */
    static PeerLog of(List<String> lines, int conn) {
        List<JsonNode> out = new ArrayList<>();
        for (String l : lines) {
            if (!l.startsWith("{")) {
                continue;
            }
            try {
                JsonNode n = JSON.readTree(l);
                if (n.path("conn").asInt(-1) == conn) {
                    out.add(n);
                }
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new UncheckedIOException(e);
            }
        }
        return new PeerLog(out);
    }

    /** Whether this output line says that connection {@code conn} has closed. */
    static boolean isClosed(String line, int conn) {
        if (!line.startsWith("{")) {
            return false;
        }
        try {
            JsonNode n = JSON.readTree(line);
            return n.path("event").asText().equals("closed") && n.path("conn").asInt(-1) == conn;
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            return false;
        }
    }

    List<Msg> sent() {
        return messages("sent");
    }

    List<Msg> received() {
        return messages("received");
    }

    private List<Msg> messages(String event) {
        List<Msg> out = new ArrayList<>();
        for (JsonNode n : events) {
            if (n.path("event").asText().equals(event)) {
                out.add(new Msg(n.path("kind").asText(), n.path("len").asLong(), n.path("sha256").asText(),
                        n.has("text") ? n.get("text").asText() : null));
            }
        }
        return out;
    }

    /** The close code and reason the peer saw at the end, or null before it printed them. */
    JsonNode closed() {
        return find("closed");
    }

    /** The TLS the peer reported (version, cipher), or null. */
    JsonNode tls() {
        return find("tls");
    }

    List<String> pongs() {
        List<String> out = new ArrayList<>();
        for (JsonNode n : events) {
            if (n.path("event").asText().equals("pong")) {
                out.add(n.path("hex").asText());
            }
        }
        return out;
    }

    private JsonNode find(String event) {
        for (JsonNode n : events) {
            if (n.path("event").asText().equals(event)) {
                return n;
            }
        }
        return null;
    }

    @Override
    public String toString() {
        return events.toString();
    }
}
