package dev.wsdebug.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.wsdebug.capture.peer.Peer;
import dev.wsdebug.net.server.ServerOptions;
import dev.wsdebug.net.server.WsServer;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** Shared pieces of the `wsdebug connect` integration tests. */
final class ConnectSupport {
    /** A locale without UTF-8: the transcript uses ASCII arrows (-> and <-) and rules (==). */
    static final Map<String, String> ASCII = Map.of("LC_ALL", "C");
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private ConnectSupport() {
    }

    static String url(Peer peer) {
        return "ws://127.0.0.1:" + peer.port();
    }

    /** Runs `wsdebug ARGS` with ASCII output and nothing on standard input. */
    static WsdebugProcess.Result wsdebug(String... args) throws IOException, InterruptedException {
        return WsdebugProcess.run(null, ASCII, args);
    }

    /** Everything a failed assertion should show about a run (and the peer, when there is one). */
    static String explain(WsdebugProcess.Result r, Peer peer) {
        return "exit " + r.exit() + "\n--- stdout:\n" + r.out() + "--- stderr:\n" + r.err()
                + (peer == null ? "" : "--- " + peer.kind() + " printed:\n" + peer.output());
    }

    static String explain(WsdebugProcess.Result r) {
        return explain(r, null);
    }

    /** Parses JSON Lines; every line must be one JSON object. */
    static List<JsonNode> jsonLines(String text) throws IOException {
        List<JsonNode> nodes = new ArrayList<>();
        for (String line : text.split("\n")) {
            if (!line.isBlank()) {
                JsonNode n = MAPPER.readTree(line);
                assertThat(n.isObject()).as("a JSON object: %s", line).isTrue();
                nodes.add(n);
            }
        }
        return nodes;
    }

    static List<JsonNode> events(List<JsonNode> all, String name) {
        return all.stream().filter(n -> n.get("event").asText().equals(name)).toList();
    }

    static List<JsonNode> messages(List<JsonNode> all, String dir) {
        return all.stream().filter(n -> n.get("event").asText().equals("message") && n.get("dir").asText().equals(dir))
                .toList();
    }

    static List<String> texts(List<JsonNode> messages) {
        return messages.stream().map(n -> n.path("text").asText(null)).toList();
    }

    /** The value of the first header with this name (case-insensitive) in a handshake event's request or response. */
    static String header(JsonNode head, String name) {
        for (JsonNode h : head.get("headers")) {
            if (h.get(0).asText().equalsIgnoreCase(name)) {
                return h.get(1).asText();
            }
        }
        return null;
    }

    static long count(String text, String regex) {
        Matcher m = Pattern.compile(regex, Pattern.MULTILINE).matcher(text);
        long n = 0;
        while (m.find()) {
            n++;
        }
        return n;
    }

    /**
     * A failure is reported in one sentence on stderr, "wsdebug connect: ...", with at most the
     * start of an HTTP response body before it, and never a stack trace.
     */
    static String oneSentence(WsdebugProcess.Result r) {
        assertThat(r.err()).as(explain(r)).doesNotContain("Exception").doesNotContain("\tat ")
                .doesNotContain("internal error");
        List<String> lines = r.err().lines().filter(Predicate.not(l -> l.startsWith("response body: "))).toList();
        assertThat(lines).as(explain(r)).hasSize(1);
        assertThat(lines.get(0)).as(explain(r)).startsWith("wsdebug connect: ").endsWith(".");
        return lines.get(0);
    }

    /** Waits (bounded) until the peer has printed a line containing this text. */
    static void awaitPeerOutput(Peer peer, String text) throws InterruptedException {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (!peer.output().contains(text) && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(peer.output()).as("%s printed", peer.kind()).contains(text);
    }

    /** Our own server, running in this JVM, and where it listens. */
    record OurServer(WsServer server, int port) implements AutoCloseable {
        String url() {
            return "ws://127.0.0.1:" + port;
        }

        @Override
        public void close() {
            server.close();
        }
    }

    /** Starts our own server on 127.0.0.1, for the misbehaviours the real peers cannot be asked for. */
    static OurServer ourServer(ServerOptions o) throws Exception {
        o.host = "127.0.0.1";
        o.port = 0;
        WsServer server = new WsServer(o, event -> { });
        try {
            InetSocketAddress bound = server.start();
            return new OurServer(server, bound.getPort());
        } catch (Exception e) {
            server.close();
            throw e;
        }
    }
}
