package dev.wsdebug.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.wsdebug.capture.peer.Peer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static dev.wsdebug.cli.ConnectSupport.jsonLines;
import static dev.wsdebug.cli.DiagnoseSupport.throughProxy;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The STOMP decoder end to end (the packaged jar): a @stomp/stompjs Client (over ws, subprotocol
 * {@code v12.stomp}) talks THROUGH {@code wsdebug proxy --save} to a minimal STOMP 1.2 server
 * written in Node with ws (resources/decode/stomp-server.js); {@code wsdebug read --json} must show
 * the frames stompjs and the server were told to send, with their headers and bodies.
 */
@Tag("packaged-jar")
class DecodeStompIT {
    @TempDir
    Path dir;

    private static String script(String name) throws Exception {
        return Path.of(DecodeStompIT.class.getResource("/decode/" + name).toURI()).toString();
    }

    /** One decoded frame with the direction of the message that carried it and that message's summary. */
    private record Frame(String dir, JsonNode f, String summary) {
        String command() {
            return f.path("command").asText();
        }

        String header(String name) {
            return f.path("headers").path(name).asText(null);
        }
    }

    @Test
    @Timeout(90)
    void stompjsThroughTheProxyToAStompServer() throws Exception {
        Peer.requireNode(List.of("@stomp/stompjs", "ws"), false);
        Map<String, String> env = Map.of("NODE_PATH", Peer.repoRoot().resolve("test-peers/node/node_modules").toString());
        Path wsdb = dir.resolve("stomp.wsdb");
        List<String> clientSaw = new ArrayList<>();
        try (LiveCaptureSupport.Child server = new LiveCaptureSupport.Child("stomp server",
                List.of("node", script("stomp-server.js")), env)) {
            String line = server.await(l -> l.startsWith("{\"port\":"), true, 20_000);
            int port = jsonLines(line).get(0).path("port").asInt();
            throughProxy(wsdb, port, List.of(), proxyPort -> {
                try (LiveCaptureSupport.Child client = new LiveCaptureSupport.Child("stompjs client",
                        List.of("node", script("stomp-client.js"), "ws://127.0.0.1:" + proxyPort + "/stomp"), env)) {
                    assertThat(client.waitFor(30_000)).as(client.describe()).isZero();
                    assertThat(client.lines()).as(client.describe()).contains("{\"done\":true}");
                    clientSaw.addAll(client.lines());
                }
            });
        }
        assertThat(clientSaw).anyMatch(l -> l.contains("\"message\":\"hello stomp\""))
                .anyMatch(l -> l.contains("\"message\":\"000102ff\""));

        WsdebugProcess.Result r = WsdebugProcess.run("read", wsdb.toString(), "--json");
        assertThat(r.exit()).as(r.err()).isZero();
        List<Frame> frames = new ArrayList<>();
        List<String> summaries = new ArrayList<>();
        for (JsonNode e : jsonLines(r.out())) {
            if (e.path("event").asText().equals("handshake")) {
                assertThat(e.toString()).contains("v12.stomp");
            }
            if (!e.path("event").asText().equals("message")) {
                continue;
            }
            JsonNode d = e.path("decoded");
            assertThat(d.path("protocol").asText()).as(e.toString()).isEqualTo("stomp");
            assertThat(d.has("problem")).as(e.toString()).isFalse();
            String dir = e.path("dir").asText();
            String summary = d.path("summary").asText();
            summaries.add(dir + " " + summary);
            JsonNode v = d.path("value");
            if (v.has("frames")) {
                v.path("frames").forEach(f -> frames.add(new Frame(dir, f, summary)));
            } else {
                frames.add(new Frame(dir, v, summary));
            }
        }
        String all = String.join("\n", summaries);

        // the client's CONNECT (not escaped) and the server's CONNECTED, then a heart-beat EOL
        Frame connect = one(frames, "c2s", "CONNECT");
        assertThat(connect.header("accept-version")).isEqualTo("1.2,1.1,1.0");
        Frame connected = one(frames, "s2c", "CONNECTED");
        assertThat(connected.header("version")).isEqualTo("1.2");
        assertThat(connected.summary).isEqualTo("CONNECTED version=1.2 heart-beat=0,0 session=sess-1 server=mini-stomp/1.0");
        assertThat(summaries).as(all).contains("s2c heartbeat");

        Frame subscribe = one(frames, "c2s", "SUBSCRIBE");
        assertThat(subscribe.header("destination")).isEqualTo("/topic/greetings");
        assertThat(subscribe.header("id")).isEqualTo("sub-0");
        assertThat(subscribe.summary).isEqualTo("SUBSCRIBE id=sub-0 destination=/topic/greetings");

        // the two SENDs: a text body with an escaped header value, and a binary body in a binary message
        List<Frame> sends = all(frames, "c2s", "SEND");
        assertThat(sends).as(all).hasSize(2);
        Frame text = sends.get(0);
        assertThat(text.f.path("body").asText()).isEqualTo("hello stomp");
        assertThat(text.f.path("bodyLength").asInt()).isEqualTo(11);
        assertThat(text.header("x-note")).isEqualTo("a:b\nc");
        assertThat(text.header("receipt")).isEqualTo("r-text");
        assertThat(text.summary).isEqualTo("SEND destination=/topic/greetings content-type=text/plain receipt=r-text (11 B body)");
        Frame bin = sends.get(1);
        assertThat(bin.f.path("bodyEncoding").asText()).isEqualTo("base64");
        assertThat(bin.f.path("body").asText()).isEqualTo("AAEC/w==");
        assertThat(bin.header("content-type")).isEqualTo("application/octet-stream");

        // the server's MESSAGEs to sub-0, each with its RECEIPT in the same WebSocket message
        List<Frame> messages = all(frames, "s2c", "MESSAGE");
        assertThat(messages).as(all).hasSize(2);
        assertThat(messages).allSatisfy(m -> {
            assertThat(m.header("destination")).isEqualTo("/topic/greetings");
            assertThat(m.header("subscription")).isEqualTo("sub-0");
        });
        assertThat(messages.get(0).header("message-id")).isEqualTo("m-1");
        assertThat(messages.get(0).f.path("body").asText()).isEqualTo("hello stomp");
        assertThat(messages.get(1).f.path("body").asText()).isEqualTo("AAEC/w==");
        assertThat(messages.get(0).summary).isEqualTo("2 frames: MESSAGE destination=/topic/greetings subscription=sub-0"
                + " message-id=m-1 (11 B body); RECEIPT receipt-id=r-text");
        assertThat(all(frames, "s2c", "RECEIPT")).extracting(f -> f.header("receipt-id"))
                .contains("r-text", "r-bin");

        // stompjs's deactivate: DISCONNECT with a receipt, answered
        Frame disconnect = one(frames, "c2s", "DISCONNECT");
        String receipt = disconnect.header("receipt");
        assertThat(receipt).as(all).isNotNull();
        assertThat(all(frames, "s2c", "RECEIPT")).extracting(f -> f.header("receipt-id")).contains(receipt);
    }

    private static List<Frame> all(List<Frame> frames, String dir, String command) {
        return frames.stream().filter(f -> f.dir.equals(dir) && f.command().equals(command)).toList();
    }

    private static Frame one(List<Frame> frames, String dir, String command) {
        List<Frame> found = all(frames, dir, command);
        assertThat(found).as(dir + " " + command).hasSize(1);
        return found.get(0);
    }
}
