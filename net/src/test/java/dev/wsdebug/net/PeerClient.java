package dev.wsdebug.net;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.wsdebug.capture.peer.Peer;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Runs the client scripts peers/ws_client.py (python websockets) and peers/ws_client.js (Node ws)
 * against a server, with a plan of steps, and parses the JSON lines they print.
 */
final class PeerClient {
    /** Bound on one client run; plans take a few seconds at most. */
    static final long RUN_TIMEOUT_MILLIS = 30_000;
    private static final ObjectMapper JSON = new ObjectMapper();

    private PeerClient() {
    }

    static String script(Peer.Kind kind) {
        return kind == Peer.Kind.PYTHON_WEBSOCKETS ? "/peers/ws_client.py" : "/peers/ws_client.js";
    }

    /** Runs the plan; fails the test when the script itself failed or had to be stopped. */
    static Result run(Peer.Kind kind, String url, Plan plan, String... flags) {
        List<String> args = new ArrayList<>();
        args.add(url);
        args.add(plan.json());
        args.addAll(List.of(flags));
        Peer.Run run = Peer.run(kind, script(kind), RUN_TIMEOUT_MILLIS, args.toArray(String[]::new));
        assertThat(run.timedOut()).as("%s client timed out: %s", kind, run.describe()).isFalse();
        assertThat(run.exitCode()).as("%s client failed: %s", kind, run.describe()).isZero();
        List<JsonNode> events = new ArrayList<>();
        for (String line : run.lines()) {
            try {
                events.add(JSON.readTree(line));
            } catch (JsonProcessingException e) {
                throw new AssertionError(kind + " client printed a line that is not JSON: " + line + "\n" + run.describe());
            }
        }
        return new Result(kind, run, events);
    }

    /** What a client run printed. */
    record Result(Peer.Kind kind, Peer.Run run, List<JsonNode> events) {
        List<JsonNode> all(String event) {
            return events.stream().filter(e -> event.equals(e.path("event").asText())).collect(Collectors.toList());
        }

        List<JsonNode> all(String event, int conn) {
            return all(event).stream().filter(e -> e.path("conn").asInt(-1) == conn).collect(Collectors.toList());
        }

        List<JsonNode> messages() {
            return all("message");
        }

        /** The one event with this name; fails when there is not exactly one. */
        JsonNode single(String event) {
            List<JsonNode> found = all(event);
            if (found.size() != 1) {
                throw new AssertionError("expected one '" + event + "' from " + kind + ", got " + found.size()
                        + "\n" + describe());
            }
            return found.get(0);
        }

        String describe() {
            return kind + " client: " + run.describe();
        }
    }

    /** The steps a client script runs (see ws_client.py for their meaning). */
    static final class Plan {
        private final List<Map<String, Object>> steps = new ArrayList<>();

        private Plan add(Object... kv) {
            Map<String, Object> step = new LinkedHashMap<>();
            for (int i = 0; i < kv.length; i += 2) {
                step.put((String) kv[i], kv[i + 1]);
            }
            steps.add(step);
            return this;
        }

        Plan sendText(String text) {
            return add("op", "send", "kind", "text", "text", text);
        }

        /** The text pattern of this many bytes ({@link Payloads#text}). */
        Plan sendText(int size) {
            return add("op", "send", "kind", "text", "size", size);
        }

        /** The binary pattern of this many bytes ({@link Payloads#binary}). */
        Plan sendBinary(int size) {
            return add("op", "send", "kind", "binary", "size", size);
        }

        Plan sendBinary(byte[] data) {
            return add("op", "send", "kind", "binary", "hex", Payloads.hex(data));
        }

        /** Sends the previous message in this many frames. */
        Plan fragments(int k) {
            steps.get(steps.size() - 1).put("fragments", k);
            return this;
        }

        Plan recv() {
            return add("op", "recv", "timeout", 5);
        }

        Plan ping(byte[] data, double timeoutSeconds) {
            return add("op", "ping", "hex", Payloads.hex(data), "timeout", timeoutSeconds);
        }

        Plan close(int code, String reason) {
            return add("op", "close", "code", code, "reason", reason);
        }

        Plan waitClosed(double timeoutSeconds) {
            return add("op", "wait_closed", "timeout", timeoutSeconds);
        }

        Plan sleep(long ms) {
            return add("op", "sleep", "ms", ms);
        }

        String json() {
            try {
                return JSON.writeValueAsString(steps);
            } catch (JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
        }
    }
}
