package dev.wsdebug.net.metrics;

import dev.wsdebug.capture.Conversation;
import dev.wsdebug.capture.FrameEvent;
import dev.wsdebug.wire.Direction;
import dev.wsdebug.wire.Frame;
import dev.wsdebug.wire.FrameListener;
import dev.wsdebug.wire.FrameParser;
import dev.wsdebug.wire.FrameSpec;
import dev.wsdebug.wire.FrameWriter;
import dev.wsdebug.wire.MessageDeflater;
import dev.wsdebug.wire.Opcode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/** Sessions built byte by byte, decoded by a Conversation into a MetricsSink, scraped over HTTP. */
class MetricsSinkTest {
    private static final FrameWriter WRITER = new FrameWriter(new Random(11));
    /** The key and accept value of RFC 6455 section 1.3. */
    private static final String KEY = "dGhlIHNhbXBsZSBub25jZQ==";
    private static final String ACCEPT = "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=";

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private MetricsSink sink;
    private MetricsServer server;

    @BeforeEach
    void start() throws Exception {
        sink = new MetricsSink();
        server = new MetricsServer(sink.registry(), 0);
        server.start();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private PrometheusText scrape() throws Exception {
        return PrometheusText.scrape(http, server.url());
    }

    // --- building the bytes of a session -----------------------------------------------------

    static byte[] request(String extra) {
        return ("GET /chat HTTP/1.1\r\nHost: server.example.com\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Key: " + KEY + "\r\nSec-WebSocket-Version: 13\r\n" + extra + "\r\n")
                .getBytes(StandardCharsets.ISO_8859_1);
    }

    static byte[] response101(String extra) {
        return ("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Accept: " + ACCEPT + "\r\n" + extra + "\r\n").getBytes(StandardCharsets.ISO_8859_1);
    }

    static byte[] frame(int opcode, byte[] payload, boolean masked) {
        FrameSpec spec = FrameSpec.of(opcode, payload);
        return WRITER.encode(masked ? spec.withMask(0x0badcafe) : spec);
    }

    static byte[] frame(int opcode, String payload, boolean masked) {
        return frame(opcode, payload.getBytes(StandardCharsets.UTF_8), masked);
    }

    static byte[] close(int code, boolean masked) {
        return frame(Opcode.CLOSE, FrameWriter.closePayload(code, "bye"), masked);
    }

    /** Feeds one chunk at a given time (microseconds). */
    private static void at(Conversation c, long micros, Direction dir, byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        c.feed(dir, micros, out.toByteArray());
    }

    private static long sum(byte[]... parts) {
        long n = 0;
        for (byte[] p : parts) {
            n += p.length;
        }
        return n;
    }

    // --- tests -------------------------------------------------------------------------------

    @Test
    void countsAWholeSessionExactly() throws Exception {
        MessageDeflater clientDeflate = new MessageDeflater(false);
        byte[] hello = "Hello".getBytes(StandardCharsets.UTF_8);
        byte[] plain = "compressed hello, compressed hello, compressed hello".getBytes(StandardCharsets.UTF_8);
        byte[] deflated = clientDeflate.deflate(plain);
        byte[] bin = {1, 2, 3};

        byte[] cText = frame(Opcode.TEXT, hello, true);
        byte[] cDeflated = WRITER.encode(new FrameSpec(true, true, false, false, Opcode.TEXT, 0x01020304, 0, deflated));
        byte[] cBin = frame(Opcode.BINARY, bin, true);
        byte[] cPing = frame(Opcode.PING, "rtt-1", true);
        byte[] cClose = close(1000, true);
        byte[] sText = frame(Opcode.TEXT, hello, false);
        byte[] sPong = frame(Opcode.PONG, "rtt-1", false);
        byte[] sClose = close(1000, false);

        Conversation c = new Conversation("1", sink);
        at(c, 1_000_000, Direction.C2S, request("Sec-WebSocket-Extensions: permessage-deflate\r\n"));
        at(c, 1_001_000, Direction.S2C, response101("Sec-WebSocket-Extensions: permessage-deflate\r\n"));

        PrometheusText open = scrape();
        assertThat(open.value("wsdebug_connections_active")).isEqualTo(1);

        at(c, 1_100_000, Direction.C2S, cText, cDeflated, cBin);
        at(c, 1_200_000, Direction.S2C, sText);
        at(c, 2_000_000, Direction.C2S, cPing);
        at(c, 2_250_000, Direction.S2C, sPong); // 250 ms later
        at(c, 3_000_000, Direction.C2S, cClose);
        at(c, 3_001_000, Direction.S2C, sClose);
        c.end(3_002_000);

        PrometheusText m = scrape();
        assertThat(m.value("wsdebug_connections_active")).isEqualTo(0);
        assertThat(m.value("wsdebug_connections_total{result=\"clean\"}")).isEqualTo(1);
        assertThat(m.value("wsdebug_connections_total{result=\"abnormal\"}")).isEqualTo(0);
        assertThat(m.value("wsdebug_connections_total{result=\"handshake_failed\"}")).isEqualTo(0);

        assertThat(m.value("wsdebug_messages_total{direction=\"c2s\",type=\"text\"}")).isEqualTo(2);
        assertThat(m.value("wsdebug_messages_total{direction=\"c2s\",type=\"binary\"}")).isEqualTo(1);
        assertThat(m.value("wsdebug_messages_total{direction=\"s2c\",type=\"text\"}")).isEqualTo(1);
        assertThat(m.value("wsdebug_messages_total{direction=\"s2c\",type=\"binary\"}")).isEqualTo(0);
        // bytes on the wire: the compressed message counts its deflated size
        assertThat(m.value("wsdebug_message_bytes_total{direction=\"c2s\",type=\"text\"}"))
                .isEqualTo(hello.length + deflated.length);
        assertThat(m.value("wsdebug_message_decoded_bytes_total{direction=\"c2s\",type=\"text\"}"))
                .isEqualTo(hello.length + plain.length);
        assertThat(m.value("wsdebug_message_bytes_total{direction=\"c2s\",type=\"binary\"}")).isEqualTo(3);
        assertThat(m.value("wsdebug_message_bytes_total{direction=\"s2c\",type=\"text\"}")).isEqualTo(5);

        assertThat(m.value("wsdebug_frames_total{direction=\"c2s\",type=\"text\"}")).isEqualTo(2);
        assertThat(m.value("wsdebug_frames_total{direction=\"c2s\",type=\"ping\"}")).isEqualTo(1);
        assertThat(m.value("wsdebug_frames_total{direction=\"s2c\",type=\"pong\"}")).isEqualTo(1);
        assertThat(m.value("wsdebug_frames_total{direction=\"s2c\",type=\"close\"}")).isEqualTo(1);
        assertThat(m.value("wsdebug_frame_bytes_total{direction=\"c2s\"}"))
                .isEqualTo(sum(cText, cDeflated, cBin, cPing, cClose));
        assertThat(m.value("wsdebug_frame_bytes_total{direction=\"s2c\"}")).isEqualTo(sum(sText, sPong, sClose));

        assertThat(m.value("wsdebug_close_codes_total{code=\"1000\"}")).isEqualTo(1);

        assertThat(m.value("wsdebug_ping_rtt_seconds_count{direction=\"c2s\"}")).isEqualTo(1);
        assertThat(m.value("wsdebug_ping_rtt_seconds_sum{direction=\"c2s\"}")).isCloseTo(0.25, within(1e-9));
        assertThat(m.bucket("wsdebug_ping_rtt_seconds", "direction=\"c2s\"", 0.1)).isEqualTo(0);
        assertThat(m.bucket("wsdebug_ping_rtt_seconds", "direction=\"c2s\"", 0.25)).isEqualTo(1);
        assertThat(m.bucket("wsdebug_ping_rtt_seconds", "direction=\"c2s\"", Double.POSITIVE_INFINITY)).isEqualTo(1);
        assertThat(m.samples).doesNotContainKey("wsdebug_ping_rtt_seconds_count{direction=\"s2c\"}");

        assertThat(m.samples.keySet()).noneMatch(k -> k.startsWith("wsdebug_protocol_violations_total"));
        assertThat(m.samples.keySet()).noneMatch(k -> k.startsWith("wsdebug_handshake_failures_total"));
        assertThat(m.samples.keySet()).noneMatch(k -> k.startsWith("wsdebug_errors_total"));

        assertThat(m.types).containsEntry("wsdebug_connections_active", "gauge")
                .containsEntry("wsdebug_connections_total", "counter")
                .containsEntry("wsdebug_messages_total", "counter")
                .containsEntry("wsdebug_message_bytes_total", "counter")
                .containsEntry("wsdebug_close_codes_total", "counter")
                .containsEntry("wsdebug_ping_rtt_seconds", "histogram");
        // every metric is ours: a registry of its own, not the JVM-wide default
        assertThat(m.samples.keySet()).allMatch(k -> k.startsWith("wsdebug_"));
    }

    @Test
    void countsFailedHandshakesAbnormalClosesAndViolations() throws Exception {
        // 2: the server refuses the upgrade
        Conversation refused = new Conversation("2", sink);
        at(refused, 1_000_000, Direction.C2S, request(""));
        at(refused, 1_000_500, Direction.S2C,
                "HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
        refused.end(1_001_000);

        // 3: upgraded; the client sends an unmasked frame, and the connection drops without a close frame
        Conversation dropped = new Conversation("3", sink);
        at(dropped, 2_000_000, Direction.C2S, request(""));
        at(dropped, 2_000_500, Direction.S2C, response101(""));
        at(dropped, 2_001_000, Direction.C2S, frame(Opcode.TEXT, "not masked", false));
        assertThat(scrape().value("wsdebug_connections_active")).isEqualTo(1);
        dropped.end(2_002_000);

        // 4: the server never answers
        Conversation silent = new Conversation("4", sink);
        at(silent, 3_000_000, Direction.C2S, request(""));
        silent.end(3_001_000);

        // 5: a close with an application code, the server answering with the same code: clean
        Conversation app = new Conversation("5", sink);
        at(app, 4_000_000, Direction.C2S, request(""));
        at(app, 4_000_500, Direction.S2C, response101(""));
        at(app, 4_001_000, Direction.S2C, close(4001, false));
        at(app, 4_001_500, Direction.C2S, close(4001, true));
        app.end(4_002_000);

        PrometheusText m = scrape();
        assertThat(m.value("wsdebug_connections_active")).isEqualTo(0);
        assertThat(m.value("wsdebug_connections_total{result=\"clean\"}")).isEqualTo(1);
        assertThat(m.value("wsdebug_connections_total{result=\"abnormal\"}")).isEqualTo(1);
        assertThat(m.value("wsdebug_connections_total{result=\"handshake_failed\"}")).isEqualTo(2);
        assertThat(m.value("wsdebug_handshake_failures_total{status=\"403\"}")).isEqualTo(1);
        assertThat(m.value("wsdebug_handshake_failures_total{status=\"none\"}")).isEqualTo(1);
        assertThat(m.value("wsdebug_close_codes_total{code=\"1006\"}")).isEqualTo(1);
        assertThat(m.value("wsdebug_close_codes_total{code=\"4001\"}")).isEqualTo(1);
        assertThat(m.value("wsdebug_protocol_violations_total{direction=\"c2s\",rule=\"client-frame-not-masked\"}"))
                .isEqualTo(1);
        assertThat(m.value("wsdebug_errors_total{kind=\"handshake\"}")).isEqualTo(1);
        assertThat(m.value("wsdebug_messages_total{direction=\"c2s\",type=\"text\"}")).isEqualTo(1);
    }

    @Test
    void countsPlainHttpExchangesByStatus() throws Exception {
        dev.wsdebug.wire.HttpHead req = new dev.wsdebug.wire.HttpHead("GET / HTTP/1.1", List.of(), 16);
        dev.wsdebug.wire.HttpHead ok = new dev.wsdebug.wire.HttpHead("HTTP/1.1 200 OK", List.of(), 19);
        sink.accept(new dev.wsdebug.capture.HttpEvent("1", 1, "http://h/", req, ok, 0, 5, 10));
        sink.accept(new dev.wsdebug.capture.HttpEvent("2", 2, "http://h/", req, ok, 0, 5, 10));
        sink.accept(new dev.wsdebug.capture.HttpEvent("3", 3, "http://h/", req, null, 0, 0, 10));
        PrometheusText m = scrape();
        assertThat(m.value("wsdebug_http_requests_total{status=\"200\"}")).isEqualTo(2);
        assertThat(m.value("wsdebug_http_requests_total{status=\"none\"}")).isEqualTo(1);
        assertThat(m.value("wsdebug_connections_active")).isEqualTo(0);
        assertThat(m.value("wsdebug_connections_total{result=\"handshake_failed\"}")).isEqualTo(0);
    }

    @Test
    void matchesPongsByPayloadDirectionAndConnectionWithABoundedMemory() throws Exception {
        List<FrameEvent> frames = new ArrayList<>();
        // pings from the client 0..19 at t = i ms; the map keeps only the last MAX_PENDING_PINGS
        for (int i = 0; i < 20; i++) {
            frames.add(event("1", i * 1_000L, Direction.C2S, Opcode.PING, "p" + i));
        }
        frames.add(event("1", 100_000, Direction.S2C, Opcode.PONG, "p0"));    // forgotten: no observation
        frames.add(event("1", 100_000, Direction.S2C, Opcode.PONG, "p19"));   // 81 ms
        frames.add(event("1", 100_000, Direction.S2C, Opcode.PONG, "p19"));   // already answered
        frames.add(event("1", 100_000, Direction.C2S, Opcode.PONG, "p18"));   // same direction as the ping
        frames.add(event("2", 100_000, Direction.S2C, Opcode.PONG, "p17"));   // another connection
        frames.add(event("1", 100_000, Direction.S2C, Opcode.PONG, "nope"));  // unsolicited
        frames.add(event("1", 104_000, Direction.S2C, Opcode.PONG, "p4"));    // the oldest kept: 100 ms
        // the server pings, the client answers
        frames.add(event("1", 200_000, Direction.S2C, Opcode.PING, ""));
        frames.add(event("1", 200_000, Direction.S2C, Opcode.PING, ""));       // same payload: the latest counts
        frames.add(event("1", 200_400, Direction.C2S, Opcode.PONG, ""));
        frames.forEach(sink::accept);

        PrometheusText m = scrape();
        assertThat(m.value("wsdebug_ping_rtt_seconds_count{direction=\"c2s\"}")).isEqualTo(2);
        assertThat(m.value("wsdebug_ping_rtt_seconds_sum{direction=\"c2s\"}")).isCloseTo(0.181, within(1e-9));
        assertThat(m.value("wsdebug_ping_rtt_seconds_count{direction=\"s2c\"}")).isEqualTo(1);
        assertThat(m.value("wsdebug_ping_rtt_seconds_sum{direction=\"s2c\"}")).isCloseTo(0.0004, within(1e-9));
        assertThat(m.bucket("wsdebug_ping_rtt_seconds", "direction=\"s2c\"", 0.0005)).isEqualTo(1);
        assertThat(MetricsSink.MAX_PENDING_PINGS).isEqualTo(16);
    }

    @Test
    void takesEventsFromManyThreadsAtOnce() throws Exception {
        int threads = 4;
        int connsPerThread = 50;
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int base = t * connsPerThread;
            workers.add(new Thread(() -> {
                for (int i = 0; i < connsPerThread; i++) {
                    Conversation c = new Conversation(Integer.toString(base + i), sink);
                    c.feed(Direction.C2S, 1, request(""));
                    c.feed(Direction.S2C, 2, response101(""));
                    c.feed(Direction.C2S, 3, frame(Opcode.BINARY, new byte[10], true));
                    c.feed(Direction.C2S, 4, frame(Opcode.PING, "x", true));
                    c.feed(Direction.S2C, 5, frame(Opcode.PONG, "x", false));
                    c.end(6);
                }
            }));
        }
        workers.forEach(Thread::start);
        for (Thread w : workers) {
            w.join(10_000);
        }
        PrometheusText m = scrape();
        int n = threads * connsPerThread;
        assertThat(m.value("wsdebug_connections_active")).isEqualTo(0);
        assertThat(m.value("wsdebug_connections_total{result=\"abnormal\"}")).isEqualTo(n);
        assertThat(m.value("wsdebug_messages_total{direction=\"c2s\",type=\"binary\"}")).isEqualTo(n);
        assertThat(m.value("wsdebug_message_bytes_total{direction=\"c2s\",type=\"binary\"}")).isEqualTo(10 * n);
        assertThat(m.value("wsdebug_ping_rtt_seconds_count{direction=\"c2s\"}")).isEqualTo(n);
    }

    @Test
    void servesOnlyGetMetricsOnLoopback() throws Exception {
        InetSocketAddress bound = server.address();
        assertThat(bound.getAddress().isLoopbackAddress()).isTrue();
        assertThat(bound.getPort()).isPositive();
        assertThat(server.url()).isEqualTo("http://127.0.0.1:" + bound.getPort() + "/metrics");

        String base = "http://127.0.0.1:" + bound.getPort();
        assertThat(PrometheusText.get(http, base + "/metrics", "GET").statusCode()).isEqualTo(200);
        assertThat(PrometheusText.get(http, base + "/metrics?name[]=wsdebug_connections_active", "GET").statusCode())
                .isEqualTo(200);
        for (String path : new String[] {"/", "/metrics/", "/metricsx", "/favicon.ico", "/-/healthy"}) {
            HttpResponse<String> r = PrometheusText.get(http, base + path, "GET");
            assertThat(r.statusCode()).as("GET %s", path).isEqualTo(404);
        }
        for (String method : new String[] {"POST", "PUT", "DELETE", "HEAD", "OPTIONS"}) {
            HttpResponse<String> r = PrometheusText.get(http, base + "/metrics", method);
            assertThat(r.statusCode()).as("%s /metrics", method).isEqualTo(404);
        }
    }

    @Test
    void startsOnAChosenAddressAndClosesTwice() throws Exception {
        MetricsServer other = new MetricsServer(new MetricsSink().registry(), "127.0.0.1", 0);
        try {
            assertThat(other.address()).isNull();
            assertThat(other.url()).isNull();
            InetSocketAddress bound = other.start();
            assertThat(other.address()).isEqualTo(bound);
            // two sinks, two registries: nothing shared
            sink.accept(event("1", 0, Direction.C2S, Opcode.TEXT, "x"));
            assertThat(PrometheusText.scrape(http, other.url()).samples)
                    .doesNotContainKey("wsdebug_frames_total{direction=\"c2s\",type=\"text\"}");
            assertThat(scrape().value("wsdebug_frames_total{direction=\"c2s\",type=\"text\"}")).isEqualTo(1);
        } finally {
            other.close();
            other.close();
        }
        assertThatThrownBy(() -> PrometheusText.get(http, other.url(), "GET")).isInstanceOf(java.io.IOException.class);
    }

    /** A frame event as a Conversation would report it, parsed from real frame bytes. */
    private static FrameEvent event(String conn, long micros, Direction dir, int opcode, String payload) {
        byte[] bytes = frame(opcode, payload, dir == Direction.C2S);
        Frame[] out = new Frame[1];
        FrameParser p = new FrameParser(dir, false, new FrameListener() {
            @Override
            public void onFrameStart(Frame frame) {
            }

            @Override
            public void onFramePayload(Frame frame, byte[] buf, int off, int len, long payloadPos) {
            }

            @Override
            public void onFrameEnd(Frame frame) {
                out[0] = frame;
            }
        });
        p.feed(bytes, 0, bytes.length);
        return new FrameEvent(conn, micros, dir, 1, out[0]);
    }
}
