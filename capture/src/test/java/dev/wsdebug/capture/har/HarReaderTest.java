package dev.wsdebug.capture.har;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.wsdebug.capture.CloseEvent;
import dev.wsdebug.capture.Conversation;
import dev.wsdebug.capture.ErrorEvent;
import dev.wsdebug.capture.Event;
import dev.wsdebug.capture.EventSink;
import dev.wsdebug.capture.HandshakeEvent;
import dev.wsdebug.capture.HttpEvent;
import dev.wsdebug.capture.JsonLinesSink;
import dev.wsdebug.capture.MessageEvent;
import dev.wsdebug.capture.TranscriptPrinter;
import dev.wsdebug.capture.TranscriptStyle;
import dev.wsdebug.capture.export.HarWriter;
import dev.wsdebug.capture.peer.Peer;
import dev.wsdebug.wire.Direction;
import dev.wsdebug.wire.FrameSpec;
import dev.wsdebug.wire.FrameWriter;
import dev.wsdebug.wire.HttpHead;
import dev.wsdebug.wire.MessageDeflater;
import dev.wsdebug.wire.Opcode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class HarReaderTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String KEY = "dGhlIHNhbXBsZSBub25jZQ==";
    private static final String ACCEPT = "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=";
    private static final long T0 = 1_700_000_000_123_456L;

    @TempDir
    Path dir;

    /** Every event, in order. */
    private static final class Events implements EventSink {
        final List<Event> all = new ArrayList<>();

        @Override
        public void accept(Event event) {
            all.add(event);
        }

        <T extends Event> List<T> of(Class<T> type) {
            return all.stream().filter(type::isInstance).map(type::cast).toList();
        }
    }

    private static HarReader.Result read(byte[] har, EventSink sink) throws Exception {
        return HarReader.read(new ByteArrayInputStream(har), "test.har", sink);
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    // ---- our own export, read back -------------------------------------------------------------

    /**
     * A session with permessage-deflate (compressed both ways), text, binary, a fragmented message
     * and one longer than the payload kept, written by HarWriter and read back: the same handshake
     * and the same messages (decoded payloads, lengths, truncation and hash, times).
     */
    @Test
    void ourOwnExportReadsBackToTheSameHandshakeAndMessages() throws Exception {
        Events live = new Events();
        ByteArrayOutputStream har = new ByteArrayOutputStream();
        HarWriter writer = new HarWriter(har);
        Conversation conv = new Conversation("7", EventSink.all(live, writer), 64)
                .endpoints("127.0.0.1:50000", "127.0.0.1:8765");
        FrameWriter w = new FrameWriter(new Random(5));
        MessageDeflater client = new MessageDeflater(false);
        MessageDeflater server = new MessageDeflater(true);
        long t = T0;
        conv.feed(Direction.C2S, t, utf8("GET /chat?room=1 HTTP/1.1\r\nHost: server.example\r\nUpgrade: websocket\r\n"
                + "Connection: Upgrade\r\nSec-WebSocket-Key: " + KEY + "\r\nSec-WebSocket-Version: 13\r\n"
                + "Sec-WebSocket-Protocol: chat\r\nSec-WebSocket-Extensions: permessage-deflate\r\n\r\n"));
        conv.feed(Direction.S2C, t += 1500, utf8("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                + "Connection: Upgrade\r\nSec-WebSocket-Accept: " + ACCEPT + "\r\nSec-WebSocket-Protocol: chat\r\n"
                + "Sec-WebSocket-Extensions: permessage-deflate; server_no_context_takeover\r\n\r\n"));
        conv.feed(Direction.C2S, t += 1000, w.encode(FrameSpec.of(Opcode.TEXT, utf8("hello")).withMask(0x11223344)));
        conv.feed(Direction.C2S, t += 1000, w.encode(new FrameSpec(true, true, false, false, Opcode.TEXT, 0x01020304, 0,
                client.deflate(utf8("compressed hello, compressed hello")))));
        conv.feed(Direction.S2C, t += 1000, w.encode(new FrameSpec(true, true, false, false, Opcode.BINARY, null, 0,
                server.deflate(new byte[] {0, 1, 2, (byte) 0xFF, 0, 1, 2, (byte) 0xFF}))));
        conv.feed(Direction.C2S, t += 1000, w.encode(FrameSpec.of(Opcode.BINARY, new byte[] {(byte) 0xDE, (byte) 0xAD})
                .withMask(7)));
        conv.feed(Direction.S2C, t += 1000, w.encode(FrameSpec.of(Opcode.TEXT, utf8("wörld ✓ ")).withFin(false)));
        conv.feed(Direction.S2C, t += 1000, w.encode(FrameSpec.of(Opcode.CONTINUATION, utf8("in two frames"))));
        conv.feed(Direction.S2C, t += 1000, w.encode(FrameSpec.of(Opcode.TEXT, utf8("x".repeat(300)))));
        conv.feed(Direction.C2S, t += 1000, w.encode(FrameSpec.of(Opcode.CLOSE, FrameWriter.closePayload(1000, "bye"))
                .withMask(9)));
        conv.feed(Direction.S2C, t += 1000, w.encode(FrameSpec.of(Opcode.CLOSE, FrameWriter.closePayload(1000, "bye"))));
        conv.end(t + 1000);
        writer.close();

        Events back = new Events();
        HarReader.Result r = read(har.toByteArray(), back);
        assertThat(r).isEqualTo(new HarReader.Result(1, 1, 0, 6));

        HandshakeEvent before = live.of(HandshakeEvent.class).get(0);
        HandshakeEvent after = back.of(HandshakeEvent.class).get(0);
        assertThat(after.url()).isEqualTo("ws://server.example/chat?room=1").isEqualTo(before.url());
        assertThat(after.transport()).isEqualTo("http/1.1");
        assertThat(after.request().startLine()).isEqualTo(before.request().startLine());
        assertThat(after.request().headers()).extracting(HttpHead.Header::name, HttpHead.Header::value)
                .containsExactlyElementsOf(before.request().headers().stream()
                        .map(h -> org.assertj.core.groups.Tuple.tuple(h.name(), h.value())).toList());
        assertThat(after.response().startLine()).isEqualTo(before.response().startLine());
        assertThat(after.response().headers()).extracting(HttpHead.Header::value)
                .containsExactlyElementsOf(before.response().headers().stream().map(HttpHead.Header::value).toList());
        assertThat(after.result()).isEqualTo(before.result());
        assertThat(after.result().valid()).isTrue();
        assertThat(after.result().deflate()).isNotNull();
        assertThat(after.server()).isEqualTo("127.0.0.1:8765");
        assertThat(after.timeMicros()).isCloseTo(before.timeMicros(), org.assertj.core.data.Offset.offset(1000L));

        List<MessageEvent> sent = live.of(MessageEvent.class);
        List<MessageEvent> got = back.of(MessageEvent.class);
        assertThat(got).hasSize(sent.size());
        for (int i = 0; i < sent.size(); i++) {
            MessageEvent a = sent.get(i);
            MessageEvent b = got.get(i);
            assertThat(b.conn()).isEqualTo("1");
            assertThat(b.dir()).isEqualTo(a.dir());
            assertThat(b.timeMicros()).isEqualTo(a.timeMicros());
            assertThat(b.message().opcode()).isEqualTo(a.message().opcode());
            assertThat(b.message().payload()).isEqualTo(a.message().payload());
            assertThat(b.message().length()).isEqualTo(a.message().length());
            assertThat(b.message().truncated()).isEqualTo(a.message().truncated());
            assertThat(b.message().sha256()).isEqualTo(a.message().sha256());
            assertThat(b.message().frames()).as("a HAR has no frames").isZero();
            assertThat(b.message().wireLength()).as("nor wire sizes").isEqualTo(-1);
            assertThat(b.message().compressed()).isFalse();
        }
        assertThat(got.get(5).message().truncated()).isTrue();
        assertThat(got.get(5).message().length()).isEqualTo(300);
        // the one notice: where it came from and that there is no frame detail
        assertThat(back.of(ErrorEvent.class)).singleElement().satisfies(e -> {
            assertThat(e.kind()).isEqualTo("input");
            assertThat(e.conn()).isEqualTo("1");
            assertThat(e.message()).contains("test.har").contains("no frame detail");
        });
        assertThat(back.all.get(0)).isInstanceOf(HandshakeEvent.class);
        assertThat(back.all.get(1)).isInstanceOf(ErrorEvent.class);
        assertThat(back.of(CloseEvent.class)).as("a HAR does not record the close").isEmpty();

        // both views show it as it is: no frames, an unknown wire length
        ByteArrayOutputStream json = new ByteArrayOutputStream();
        ByteArrayOutputStream text = new ByteArrayOutputStream();
        JsonLinesSink jsonl = new JsonLinesSink(json, false);
        TranscriptPrinter printer = new TranscriptPrinter(new PrintStream(text, true, StandardCharsets.UTF_8),
                TranscriptStyle.plain().withTime(false).withHeaders(true));
        read(har.toByteArray(), EventSink.all(jsonl, printer));
        jsonl.flush();
        assertThat(json.toString(StandardCharsets.UTF_8)).contains("\"frames\":0,\"compressed\":false,\"wireLength\":-1");
        assertThat(text.toString(StandardCharsets.UTF_8)).contains("-> text 5 B: \"hello\"")
                .contains("<- text 24 B: \"wörld ✓ in two frames\"").contains("101 Switching Protocols")
                .contains("error (input) Connection 1 comes from the HAR file test.har");
    }

    // ---- a HAR from a tool that is not ours ----------------------------------------------------

    /**
     * Playwright (playwright-core from npm) drives Debian's headless Chromium to a page served here
     * that fetches a JSON document and talks to Node ws's echo server (permessage-deflate on), and
     * records the HAR: read back, it holds the page and the fetch as http events and the WebSocket
     * with every message both ways, decoded, in order.
     */
    @Test
    void aHarRecordedByPlaywrightWithChromium() throws Exception {
        Peer.requireNode(List.of("playwright-core"), true);
        try (Peer echo = Peer.start(Peer.Kind.NODE_WS)) {
            String wsUrl = "ws://127.0.0.1:" + echo.port() + "/har?from=playwright";
            byte[] data = utf8("{\"items\":[1,2,3],\"name\":\"wsdebug\"}");
            String page = String.join("\n",
                    "<!doctype html><meta charset=utf-8><title>wsdebug har</title>",
                    "<script>",
                    "(async () => {",
                    "  const data = await (await fetch('/data.json')).json();",
                    "  const ws = new WebSocket(" + JSON.writeValueAsString(wsUrl) + ");",
                    "  ws.binaryType = 'arraybuffer';",
                    "  const got = [];",
                    "  ws.onopen = () => { ws.send('hello har'); ws.send(new Uint8Array([0, 1, 2, 255]).buffer);",
                    "    ws.send('ünïcödé ✓'); };",
                    "  ws.onmessage = (e) => {",
                    "    got.push(typeof e.data === 'string' ? e.data : Array.from(new Uint8Array(e.data)).join(','));",
                    "    if (got.length === 3) ws.close(1000, 'done');",
                    "  };",
                    "  ws.onclose = (e) => { window.wsdebugReport = { got, code: e.code, name: data.name };",
                    "    window.wsdebugDone = true; };",
                    "})();",
                    "</script>");
            HttpServer http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 8);
            http.createContext("/", ex -> {
                try (ex) {
                    ex.getRequestBody().readAllBytes();
                    String path = ex.getRequestURI().getPath();
                    byte[] body = path.equals("/") ? utf8(page) : path.equals("/data.json") ? data : null;
                    if (body == null) {
                        ex.sendResponseHeaders(404, -1);
                        return;
                    }
                    ex.getResponseHeaders().set("Content-Type", path.equals("/") ? "text/html; charset=utf-8"
                            : "application/json");
                    ex.getResponseHeaders().set("Cache-Control", "no-store");
                    ex.sendResponseHeaders(200, body.length);
                    try (OutputStream out = ex.getResponseBody()) {
                        out.write(body);
                    }
                }
            });
            http.start();
            Path harFile = dir.resolve("playwright.har");
            String pageUrl = "http://127.0.0.1:" + http.getAddress().getPort() + "/";
            Peer.Run run;
            try {
                Path tmp = Files.createDirectories(dir.resolve("tmp"));
                run = Peer.runNode("/peers/har_playwright.js", List.of("playwright-core"), true,
                        Map.of("TMPDIR", tmp.toString(), "HOME", tmp.toString()), 90_000, pageUrl, harFile.toString());
            } finally {
                http.stop(0);
            }
            assertThat(run.exitCode()).as(run.describe()).isZero();
            assertThat(run.stdout()).as(run.describe()).contains("HAR " + harFile);
            JsonNode report = JSON.readTree(run.lines().stream().filter(l -> l.startsWith("PAGE "))
                    .findFirst().orElseThrow().substring(5));
            assertThat(report.path("got")).extracting(JsonNode::asText)
                    .containsExactly("hello har", "0,1,2,255", "ünïcödé ✓");
            String why = run.describe() + "\n--- HAR ---\n" + Files.readString(harFile);
            assertThat(JSON.readTree(harFile.toFile()).path("log").path("creator").path("name").asText())
                    .as("written by Playwright, not by us").isEqualTo("Playwright");

            Events events = new Events();
            HarReader.Result r = HarReader.read(harFile, events);
            assertThat(r.webSockets()).as(why).isEqualTo(1);
            assertThat(r.messages()).as(why).isEqualTo(6);

            HandshakeEvent h = events.of(HandshakeEvent.class).get(0);
            assertThat(h.url()).isEqualTo(wsUrl);
            assertThat(h.request().startLine()).isEqualTo("GET /har?from=playwright HTTP/1.1");
            assertThat(h.request().header("User-Agent")).contains("HeadlessChrome/");
            assertThat(h.request().header("Sec-WebSocket-Key")).isNotNull();
            assertThat(h.response().status()).isEqualTo(101);
            assertThat(h.result().upgraded()).isTrue();
            assertThat(h.result().acceptValid()).as(why).isTrue();

            List<MessageEvent> c2s = events.of(MessageEvent.class).stream().filter(m -> m.dir() == Direction.C2S).toList();
            List<MessageEvent> s2c = events.of(MessageEvent.class).stream().filter(m -> m.dir() == Direction.S2C).toList();
            for (List<MessageEvent> way : List.of(c2s, s2c)) {
                assertThat(way).as(why).hasSize(3);
                assertThat(way.get(0).message().text()).isEqualTo("hello har");
                assertThat(way.get(1).message().opcode()).isEqualTo(Opcode.BINARY);
                assertThat(way.get(1).message().payload()).containsExactly(0, 1, 2, 255);
                assertThat(way.get(2).message().text()).isEqualTo("ünïcödé ✓");
                assertThat(way.get(2).message().length()).isEqualTo(utf8("ünïcödé ✓").length);
            }
            long now = System.currentTimeMillis() * 1000;
            assertThat(events.of(MessageEvent.class)).allSatisfy(m -> {
                assertThat(m.conn()).isEqualTo(h.conn());
                // epoch milliseconds in Playwright's HAR: read as such, so the times are today's
                assertThat(m.timeMicros()).isBetween(now - 300_000_000L, now + 1_000_000L);
                assertThat(m.timeMicros()).isGreaterThanOrEqualTo(h.timeMicros() - 1_000_000L);
            });
            assertThat(c2s.get(0).timeMicros()).isLessThanOrEqualTo(s2c.get(0).timeMicros());

            List<HttpEvent> exchanges = events.of(HttpEvent.class);
            assertThat(exchanges).as(why).anySatisfy(x -> {
                assertThat(x.method()).isEqualTo("GET");
                assertThat(x.url()).isEqualTo(pageUrl);
                assertThat(x.status()).isEqualTo(200);
                assertThat(x.reason()).isEqualTo("OK");
                assertThat(x.response().header("Content-Type")).isEqualTo("text/html; charset=utf-8");
                assertThat(x.request().header("User-Agent")).contains("HeadlessChrome/");
            });
            assertThat(exchanges).as(why).anySatisfy(x -> {
                assertThat(x.url()).isEqualTo(pageUrl + "data.json");
                assertThat(x.status()).isEqualTo(200);
                assertThat(x.responseBodyLength()).isEqualTo(data.length);
                assertThat(x.timeMicros()).isBetween(now - 300_000_000L, now + 1_000_000L);
            });
        }
    }

    // ---- a HAR without messages, and what is not a HAR ----------------------------------------

    @Test
    void aFirefoxHarListsTheUpgradeAndSaysItHoldsNoMessages() throws Exception {
        Events events = new Events();
        byte[] har;
        try (InputStream in = HarReaderTest.class.getResourceAsStream("/dev/wsdebug/capture/har/firefox-no-messages.har")) {
            har = in.readAllBytes();
        }
        HarReader.Result r = read(har, events);
        assertThat(r).isEqualTo(new HarReader.Result(2, 1, 1, 0));
        assertThat(events.all).extracting(Event::name).containsExactly("http", "handshake", "error");

        HttpEvent page = events.of(HttpEvent.class).get(0);
        assertThat(page.conn()).isEqualTo("1");
        assertThat(page.timeMicros()).isEqualTo(1_714_557_600_000_000L); // 12:00 at +02:00
        assertThat(page.url()).isEqualTo("http://localhost:8000/");
        assertThat(page.status()).isEqualTo(200);
        assertThat(page.responseBodyLength()).isEqualTo(401);
        assertThat(page.durationMicros()).isEqualTo(5000);
        assertThat(page.request().startLine()).isEqualTo("GET / HTTP/1.1");

        HandshakeEvent h = events.of(HandshakeEvent.class).get(0);
        assertThat(h.conn()).isEqualTo("2");
        assertThat(h.url()).isEqualTo("ws://localhost:8000/chat");
        assertThat(h.timeMicros()).isEqualTo(1_714_557_600_102_000L); // started + wait
        assertThat(h.result().valid()).isTrue();
        assertThat(h.server()).isEqualTo("127.0.0.1:8000");
        ErrorEvent notice = events.of(ErrorEvent.class).get(0);
        assertThat(notice.kind()).isEqualTo("input");
        assertThat(notice.conn()).isEqualTo("2");
        assertThat(notice.message()).isEqualTo("test.har holds no WebSocket messages for connection 2"
                + " (ws://localhost:8000/chat), only its upgrade: the tool that wrote it does not save them (Firefox"
                + " does not; Chrome's and Playwright's HAR do).");
    }

    @Test
    void chromeStyleTimesInSecondsAndMessagesBeforeTheHeads() throws Exception {
        // _webSocketMessages before request and response (any order is JSON), times in epoch seconds,
        // a close message, and a message of a kind that cannot be read
        String har = """
                {"log": {"entries": [{"_webSocketMessages": [
                    {"type": "send", "time": 1700000000.5, "opcode": 1, "data": "one"},
                    {"type": "receive", "time": 1700000000.75, "opcode": 2, "data": "AAE="},
                    {"type": "receive", "time": 1700000001, "opcode": 9, "data": ""},
                    {"type": "send", "time": 1700000001.25, "opcode": 8, "data": "A+hieWU="}],
                  "startedDateTime": "2023-11-14T22:13:20.000Z", "time": 1250,
                  "request": {"method": "GET", "url": "wss://h.example/s", "httpVersion": "HTTP/1.1", "headers": []},
                  "response": {"status": 101, "statusText": "Switching Protocols", "httpVersion": "HTTP/1.1", "headers": []}
                }], "version": "1.2"}}
                """;
        Events events = new Events();
        read(utf8(har), events);
        assertThat(events.all).extracting(Event::name)
                .containsExactly("handshake", "error", "message", "message", "close", "error");
        List<MessageEvent> m = events.of(MessageEvent.class);
        assertThat(m.get(0).timeMicros()).isEqualTo(1_700_000_000_500_000L);
        assertThat(m.get(0).dir()).isEqualTo(Direction.C2S);
        assertThat(m.get(1).timeMicros()).isEqualTo(1_700_000_000_750_000L);
        assertThat(m.get(1).message().payload()).containsExactly(0, 1);
        assertThat(m).extracting(MessageEvent::seq).containsExactly(1L, 2L);
        CloseEvent c = events.of(CloseEvent.class).get(0);
        assertThat(c.code()).isEqualTo(1000);
        assertThat(c.reason()).isEqualTo("bye");
        assertThat(c.initiator()).isEqualTo("client");
        assertThat(events.of(ErrorEvent.class).get(1).message()).startsWith("1 WebSocket message of connection 1 in test.har"
                + " could not be read");
        assertThat(events.of(HandshakeEvent.class).get(0).result().upgraded()).isTrue();
        assertThat(events.of(HandshakeEvent.class).get(0).result().valid()).as("no Upgrade headers in this HAR").isFalse();
    }

    @Test
    void whatIsNotJsonOrNotAHarIsRefusedWithOneSentence() {
        assertThatThrownBy(() -> read(utf8("hello, not json"), new Events())).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("test.har is not a HAR file: it is not valid JSON at line 1, column ");
        assertThatThrownBy(() -> read(new byte[0], new Events())).hasMessage("test.har is empty, not a HAR file.");
        assertThatThrownBy(() -> read(utf8("{\"foo\": [1, 2], \"log\": {\"version\": \"1.2\"}}"), new Events()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("test.har is JSON but not a HAR file: it has no log.entries.");
        assertThatThrownBy(() -> read(utf8("[{\"log\": {}}]"), new Events()))
                .hasMessage("test.har is JSON but not a HAR file: it is not an object with log.entries.");
    }

    @Test
    void entriesBeforeAProblemArePassedOn() {
        String har = """
                {"log": {"entries": [
                  {"startedDateTime": "2023-11-14T22:13:20.000Z", "time": 3,
                   "request": {"method": "GET", "url": "http://h/a", "httpVersion": "HTTP/1.1", "headers": [], "bodySize": -1},
                   "response": {"status": 0, "statusText": "", "httpVersion": "", "headers": [], "bodySize": -1}},
                  {"startedDateTime": "2023-11-14T22:13:21.000Z", "request": {"method": "GET", "url": "ht
                """;
        Events events = new Events();
        assertThatThrownBy(() -> read(utf8(har), events)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("test.har breaks off or is malformed at line ")
                .hasMessageEndingWith("what came before it (1 entry) was read.");
        assertThat(events.all).singleElement().isInstanceOfSatisfying(HttpEvent.class, x -> {
            assertThat(x.url()).isEqualTo("http://h/a");
            assertThat(x.status()).as("status 0: no response").isEqualTo(-1);
            assertThat(x.response()).isNull();
            assertThat(x.requestBodyLength()).isEqualTo(-1);
        });
    }

    @Test
    void looksLikeJsonSkipsAByteOrderMarkAndWhitespace() throws Exception {
        Path bom = dir.resolve("bom.har");
        Files.write(bom, new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF, ' ', '\n', '{', '}'});
        Path wsdb = dir.resolve("x.wsdb");
        Files.write(wsdb, utf8("SQLite format 3\0"));
        assertThat(HarReader.looksLikeJson(bom)).isTrue();
        assertThat(HarReader.looksLikeJson(wsdb)).isFalse();
        Events events = new Events();
        assertThatThrownBy(() -> HarReader.read(bom, events)).hasMessage(bom + " is JSON but not a HAR file: it has no log.entries.");
    }
}
