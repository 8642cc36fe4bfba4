package dev.wsdebug.net;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpsServer;
import dev.wsdebug.capture.CloseEvent;
import dev.wsdebug.capture.FrameEvent;
import dev.wsdebug.capture.HandshakeEvent;
import dev.wsdebug.capture.MessageEvent;
import dev.wsdebug.net.server.ServerOptions;
import dev.wsdebug.wire.Direction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Headless Chromium straight to {@code serve --http2 --tls} (issue 12): once it holds an HTTP/2
 * connection to the server (a fetch from the page), Chromium opens its WebSocket as an extended
 * CONNECT stream of it, as browsers do on their own; serve records {@code transport h2} and echoes
 * every message. Only localhost resolves for the browser, and it accepts the self-signed
 * certificate (--ignore-certificate-errors).
 */
class ServeH2ChromiumTest {
    private static final long PAGE_MILLIS = 60_000;
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void chromiumOpensItsWebSocketAsAnHttp2Stream() throws Exception {
        ChromiumProcess.require();
        ServerOptions so = new ServerOptions();
        so.tls = true;
        so.http2 = true;
        try (TestServer server = TestServer.start(so)) {
            HttpsServer page = PageServer.serve(server.server.identity(), ProxyH2ChromiumTest.page(server.port()), false);
            try (ChromiumProcess chromium = ChromiumProcess.start(Files.createDirectories(dir.resolve("home")),
                    dir.resolve("profile"), List.of("--ignore-certificate-errors",
                            "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE localhost",
                            "https://localhost:" + page.getAddress().getPort() + "/"))) {
                HandshakeEvent h;
                CloseEvent close;
                try {
                    h = server.recorder.await(HandshakeEvent.class, e -> e.url().endsWith("/chromium-h2"), PAGE_MILLIS);
                    close = server.recorder.await(CloseEvent.class, c -> c.conn().equals(h.conn()), PAGE_MILLIS);
                } catch (AssertionError e) {
                    throw new AssertionError(e.getMessage() + "\nserve:\n" + server.recorder.dump() + "\n--- chromium ---\n"
                            + chromium.output(), e);
                }
                String why = "\nserve:\n" + server.recorder.dump();
                assertThat(h.transport()).as(why).isEqualTo("h2");
                assertThat(h.request().method()).isEqualTo("CONNECT");
                assertThat(h.request().header(":protocol")).isEqualTo("websocket");
                assertThat(h.request().header("user-agent")).contains("HeadlessChrome/");
                assertThat(h.result().valid()).isTrue();
                assertThat(h.result().deflate()).isNotNull();
                List<MessageEvent> in = server.recorder.messages(Direction.C2S).stream().filter(m -> m.conn().equals(h.conn())).toList();
                List<String> sent = ProxyH2ChromiumTest.SENT;
                assertThat(in).as(why).hasSize(sent.size() + 1);
                assertThat(in.subList(0, sent.size())).extracting(m -> m.message().text()).containsExactlyElementsOf(sent);
                JsonNode report = JSON.readTree(in.get(sent.size()).message().text().substring("report:".length()));
                assertThat(report.path("seen")).extracting(JsonNode::asText).containsExactlyElementsOf(sent);
                assertThat(server.recorder.of(FrameEvent.class)).filteredOn(f -> f.conn().equals(h.conn()))
                        .allSatisfy(f -> assertThat(f.frame().violations()).isEmpty());
                assertThat(close.code()).isEqualTo(1000);
                assertThat(close.clean()).isTrue();
                // the fetch went over the same HTTP/2 connection (serve answers a plain request 400)
                assertThat(server.recorder.handshakes()).filteredOn(x -> x.url().endsWith("/warm"))
                        .singleElement().satisfies(x -> {
                            assertThat(x.transport()).isEqualTo("h2");
                            assertThat(x.client()).isEqualTo(h.client());
                            assertThat(x.result().problems()).containsExactly("The request is GET /warm, not an extended"
                                    + " CONNECT (RFC 8441): it asked for no WebSocket; the server answered 400.");
                        });
                server.alarms.assertNone("Chromium over HTTP/2 straight to serve (its fetch is no refused WebSocket)");
            } finally {
                page.stop(0);
            }
        }
    }
}
