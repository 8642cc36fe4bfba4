package dev.wsdebug.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.wsdebug.net.server.ServerOptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static dev.wsdebug.cli.ConnectSupport.events;
import static dev.wsdebug.cli.ConnectSupport.explain;
import static dev.wsdebug.cli.ConnectSupport.jsonLines;
import static dev.wsdebug.cli.ConnectSupport.messages;
import static dev.wsdebug.cli.ConnectSupport.oneSentence;
import static dev.wsdebug.cli.ConnectSupport.ourServer;
import static dev.wsdebug.cli.ConnectSupport.texts;
import static dev.wsdebug.cli.ConnectSupport.wsdebug;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The packaged {@code connect --http1/--http2} and {@code serve --http2 --no-connect-protocol}
 * options (RFC 8441) against our own server with HTTP/2 on: h2c with prior knowledge, the JSON of an
 * h2 handshake, the one-sentence refusal, the usage errors.
 */
@Tag("packaged-jar")
class ConnectHttp2IT {

    private static ServerOptions http2(boolean connectProtocol) {
        ServerOptions o = new ServerOptions();
        o.http2 = true;
        o.noConnectProtocol = !connectProtocol;
        return o;
    }

    @Test
    void http2OverH2cShowsTheStreamAndEchoes(@TempDir Path dir) throws Exception {
        Path save = dir.resolve("h2.jsonl");
        try (ConnectSupport.OurServer server = ourServer(http2(true))) {
            WsdebugProcess.Result r = wsdebug("connect", "--http2", server.url() + "/chat?room=2", "-x", "one", "-x", "two",
                    "-w", "0.5", "--json", "--save", save.toString());
            assertThat(r.exit()).as(explain(r)).isZero();
            List<JsonNode> all = jsonLines(r.out());
            JsonNode h = events(all, "handshake").get(0);
            assertThat(h.get("transport").asText()).isEqualTo("h2");
            assertThat(h.get("stream").asInt() % 2).isEqualTo(1);
            assertThat(h.at("/request/method").asText()).isEqualTo("CONNECT");
            assertThat(ConnectSupport.header(h.get("request"), ":protocol")).isEqualTo("websocket");
            assertThat(ConnectSupport.header(h.get("request"), ":path")).isEqualTo("/chat?room=2");
            assertThat(h.at("/response/status").asInt()).isEqualTo(200);
            assertThat(h.get("upgraded").asBoolean()).isTrue();
            assertThat(texts(messages(all, "s2c"))).containsExactly("one", "two");
            assertThat(events(all, "close").get(0).get("clean").asBoolean()).isTrue();
            List<JsonNode> saved = jsonLines(Files.readString(save));
            assertThat(events(saved, "handshake").get(0).get("transport").asText()).isEqualTo("h2");
        }
    }

    @Test
    void wsDefaultsToHttp1AndHttp1CanBeForced() throws Exception {
        try (ConnectSupport.OurServer server = ourServer(http2(true))) {
            for (String[] args : new String[][] {{"connect", server.url() + "/a", "-x", "x", "-w", "0.3", "--json"},
                {"connect", "--http1", server.url() + "/a", "-x", "x", "-w", "0.3", "--json"}}) {
                WsdebugProcess.Result r = wsdebug(args);
                assertThat(r.exit()).as(explain(r)).isZero();
                assertThat(events(jsonLines(r.out()), "handshake").get(0).get("transport").asText()).isEqualTo("http/1.1");
            }
        }
    }

    @Test
    void http2FromAServerWithoutExtendedConnectFailsInOneSentence() throws Exception {
        try (ConnectSupport.OurServer server = ourServer(http2(false))) {
            WsdebugProcess.Result r = wsdebug("connect", "--http2", server.url() + "/x", "-x", "hi");
            assertThat(r.exit()).as(explain(r)).isEqualTo(1);
            assertThat(oneSentence(r)).isEqualTo("wsdebug connect: The server at 127.0.0.1:" + server.port() + " speaks"
                    + " HTTP/2 but its SETTINGS do not enable extended CONNECT (SETTINGS_ENABLE_CONNECT_PROTOCOL, RFC 8441),"
                    + " so it takes no WebSocket over HTTP/2.");
        }
    }

    @Test
    void contradictoryOrIncompleteOptionsAreUsageErrors() throws Exception {
        WsdebugProcess.Result both = wsdebug("connect", "--http1", "--http2", "ws://127.0.0.1:9/");
        assertThat(both.exit()).as(explain(both)).isEqualTo(2);
        assertThat(both.err()).contains("--http1 and --http2 contradict each other.");
        WsdebugProcess.Result serve = wsdebug("serve", "--port", "0", "--no-connect-protocol");
        assertThat(serve.exit()).as(explain(serve)).isEqualTo(2);
        assertThat(serve.err()).contains("--no-connect-protocol needs --http2.");
    }
}
