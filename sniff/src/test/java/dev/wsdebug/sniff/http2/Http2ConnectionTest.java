package dev.wsdebug.sniff.http2;

import dev.wsdebug.capture.CloseEvent;
import dev.wsdebug.capture.ErrorEvent;
import dev.wsdebug.capture.Event;
import dev.wsdebug.capture.HandshakeEvent;
import dev.wsdebug.capture.HttpEvent;
import dev.wsdebug.capture.MessageEvent;
import dev.wsdebug.sniff.http.ConnectionContext;
import dev.wsdebug.wire.DecodeLimits;
import dev.wsdebug.wire.FrameSpec;
import dev.wsdebug.wire.FrameWriter;
import dev.wsdebug.wire.Opcode;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Collectors;

import static dev.wsdebug.sniff.http2.H2Frames.concat;
import static dev.wsdebug.sniff.http2.H2Frames.data;
import static dev.wsdebug.sniff.http2.H2Frames.frame;
import static dev.wsdebug.sniff.http2.H2Frames.hex;
import static dev.wsdebug.sniff.http2.H2Frames.settings;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

/**
 * One HTTP/2 connection's bytes, both directions, through {@link Http2Connection}: an RFC 8441
 * WebSocket whose frames are cut across DATA frames and reads, plain requests with CONTINUATION and
 * padding, resets, and hostile bytes that must never throw.
 */
class Http2ConnectionTest {
    private static final long T0 = 1_700_000_000_000_000_000L;
    private static final FrameWriter WS = new FrameWriter(new Random(3));

    private final List<Event> events = new ArrayList<>();
    private final Http2Connection h2 = new Http2Connection(new ConnectionContext("7", false, "10.0.0.1:50000",
            "10.0.0.2:8080", events::add, DecodeLimits.retaining(1 << 20)), false);
    private final H2Frames client = new H2Frames();
    private final H2Frames server = new H2Frames();
    private long t = T0;
    private long packet;

    private void c(byte[] b) {
        h2.feed(true, ++packet, t += 1_000_000, b, 0, b.length);
    }

    private void s(byte[] b) {
        h2.feed(false, ++packet, t += 1_000_000, b, 0, b.length);
    }

    /** Feeds the bytes in reads of these sizes (the last takes the rest). */
    private void c(byte[] b, int... sizes) {
        int off = 0;
        for (int i = 0; off < b.length; i++) {
            int n = i < sizes.length ? Math.min(sizes[i], b.length - off) : b.length - off;
            h2.feed(true, ++packet, t += 1_000_000, b, off, n);
            off += n;
        }
    }

    private static byte[] ws(int opcode, String payload, boolean masked) {
        FrameSpec spec = FrameSpec.of(opcode, payload.getBytes(StandardCharsets.UTF_8));
        return WS.encode(masked ? spec.withMask(0x0a0b0c0d) : spec);
    }

    private static byte[] close(boolean masked) {
        byte[] p = {0x03, (byte) 0xe8, 'b', 'y', 'e'};
        FrameSpec spec = FrameSpec.of(Opcode.CLOSE, p);
        return WS.encode(masked ? spec.withMask(0x01020304) : spec);
    }

    private String[] connect(String path) {
        return new String[] {":method", "CONNECT", ":protocol", "websocket", ":scheme", "http", ":path", path,
                ":authority", "example.com", "sec-websocket-version", "13"};
    }

    /** Preface and SETTINGS both ways (the server enables extended CONNECT), then a WebSocket opened on {@code stream}. */
    private void openWebSocket(int stream, String path) {
        c(concat(H2Frames.PREFACE, settings()));
        s(settings(Settings.ENABLE_CONNECT_PROTOCOL, 1));
        c(client.headers(stream, false, connect(path)));
        s(server.headers(stream, false, ":status", "200"));
    }

    private <T extends Event> List<T> of(Class<T> type) {
        return events.stream().filter(type::isInstance).map(type::cast).collect(Collectors.toList());
    }

    private List<String> errors() {
        return of(ErrorEvent.class).stream().map(e -> e.kind() + ": " + e.message()).toList();
    }

    @Test
    void anExtendedConnectStreamIsAWebSocketWhoseFramesCrossDataFramesAndReads() {
        openWebSocket(1, "/chat");
        byte[] hello = ws(Opcode.TEXT, "Hello over h2", true);
        // one WebSocket frame in two DATA frames, and those in reads cutting frame headers apart
        c(concat(data(1, false, java.util.Arrays.copyOf(hello, 5)),
                data(1, false, java.util.Arrays.copyOfRange(hello, 5, hello.length))), 3, 11, 2);
        // padded DATA (pad length 4) from the server: two frames in one
        byte[] two = concat(ws(Opcode.TEXT, "Hi", false), ws(Opcode.BINARY, "\u0001\u0002", false));
        s(frame(H2Frames.DATA, H2Frames.PADDED, 1, concat(new byte[] {4}, two, new byte[4])));
        c(data(1, false, close(true)));
        s(data(1, true, close(false)));
        c(data(1, true, new byte[0]));

        HandshakeEvent h = of(HandshakeEvent.class).get(0);
        assertThat(h.conn()).isEqualTo("7.1");
        assertThat(h.transport()).isEqualTo("h2");
        assertThat(h.stream()).isEqualTo(1);
        assertThat(h.url()).isEqualTo("ws://example.com/chat");
        assertThat(h.result().upgraded()).isTrue();
        assertThat(h.client()).isEqualTo("10.0.0.1:50000");
        assertThat(of(MessageEvent.class)).extracting(m -> m.conn() + " " + m.dir().id() + " " + m.message().type()
                        + " " + m.message().length())
                .containsExactly("7.1 c2s text 13", "7.1 s2c text 2", "7.1 s2c binary 2");
        assertThat(of(MessageEvent.class).get(0).message().text()).isEqualTo("Hello over h2");
        CloseEvent close = of(CloseEvent.class).get(0);
        assertThat(close.code()).isEqualTo(1000);
        assertThat(close.clean()).isTrue();
        assertThat(errors()).isEmpty();
        assertThat(of(HttpEvent.class)).isEmpty();
    }

    @Test
    void withoutTheServersSettingTheConnectBreaksTheRules() {
        c(concat(H2Frames.PREFACE, settings()));
        s(settings(1, 4096)); // SETTINGS_HEADER_TABLE_SIZE only: extended CONNECT not enabled
        c(client.headers(3, false, connect("/x")));
        s(server.headers(3, true, ":status", "200"));
        h2.end(t);
        HandshakeEvent h = of(HandshakeEvent.class).get(0);
        assertThat(h.result().valid()).isFalse();
        assertThat(h.result().problems()).anySatisfy(p -> assertThat(p).contains("did not enable extended CONNECT"));
    }

    @Test
    void aResetWebSocketStreamIsAnAbort() {
        openWebSocket(5, "/r");
        s(data(5, false, ws(Opcode.TEXT, "x", false)));
        c(H2Frames.rst(5, 8));
        assertThat(errors()).containsExactly("h2: The client reset the stream with CANCEL (0x8).");
        assertThat(of(CloseEvent.class).get(0).code()).isEqualTo(1006);
        h2.end(t);
        assertThat(of(CloseEvent.class)).hasSize(1);
    }

    @Test
    void plainRequestsWithContinuationPaddingAndPushBecomeHttpEvents() {
        c(concat(H2Frames.PREFACE, settings()));
        s(settings());
        // stream 1: the field block in HEADERS (padded) and two CONTINUATIONs; a 5-byte body
        byte[] block = client.block(":method", "POST", ":scheme", "https", ":authority", "h.example", ":path", "/up",
                "x-long", "v".repeat(40));
        byte[] first = concat(new byte[] {2}, java.util.Arrays.copyOf(block, 10), new byte[2]);
        c(concat(frame(H2Frames.HEADERS, H2Frames.PADDED, 1, first),
                frame(H2Frames.CONTINUATION, 0, 1, java.util.Arrays.copyOfRange(block, 10, 20)),
                frame(H2Frames.CONTINUATION, H2Frames.END_HEADERS, 1, java.util.Arrays.copyOfRange(block, 20, block.length)),
                data(1, true, "hello".getBytes(StandardCharsets.US_ASCII))));
        s(server.headers(1, false, ":status", "100"));
        s(server.headers(1, false, ":status", "201", "content-length", "3"));
        // a push promised on stream 1, answered on stream 2
        byte[] promise = concat(H2Frames.int32(2), server.block(":method", "GET", ":scheme", "https",
                ":authority", "h.example", ":path", "/style.css"));
        s(frame(H2Frames.PUSH_PROMISE, H2Frames.END_HEADERS, 1, promise));
        s(data(1, true, "ok!".getBytes(StandardCharsets.US_ASCII)));
        s(server.headers(2, false, ":status", "200"));
        s(data(2, true, new byte[10]));
        // stream 3: the client resets it before any answer; the server's answer was on its way
        c(client.headers(3, true, ":method", "GET", ":scheme", "https", ":authority", "h.example", ":path", "/slow"));
        c(H2Frames.rst(3, 8));
        s(server.headers(3, true, ":status", "204"));
        // stream 5: never answered, reported at the end
        c(client.headers(5, true, ":method", "GET", ":scheme", "https", ":authority", "h.example", ":path", "/never"));
        s(frame(H2Frames.GOAWAY, 0, 0, hex("00000005 00000000")));
        h2.end(t);

        assertThat(of(HttpEvent.class)).extracting(e -> e.conn() + " " + e.method() + " " + e.url() + " " + e.status()
                        + " req=" + e.requestBodyLength() + " resp=" + e.responseBodyLength())
                .containsExactly("7 POST https://h.example/up 201 req=5 resp=3",
                        "7 GET https://h.example/style.css 200 req=0 resp=10",
                        "7 GET https://h.example/slow 204 req=0 resp=0",
                        "7 GET https://h.example/never -1 req=0 resp=0");
        HttpEvent post = of(HttpEvent.class).get(0);
        assertThat(post.request().header("x-long")).isEqualTo("v".repeat(40));
        assertThat(post.response().header("content-length")).isEqualTo("3");
        assertThat(errors()).isEmpty(); // GOAWAY NO_ERROR is the ordinary end
    }

    @Test
    void aGoAwayWithAnErrorIsSaid() {
        c(concat(H2Frames.PREFACE, settings()));
        s(frame(H2Frames.GOAWAY, 0, 0, hex("00000000 00000001 6f6f7073")));
        assertThat(errors()).containsExactly("h2: The server closed the HTTP/2 connection with GOAWAY"
                + " PROTOCOL_ERROR (0x1) (last stream 0).");
    }

    @Test
    void aBrokenFrameLayerEndsDecodingWithOneSentence() {
        c(concat(H2Frames.PREFACE, settings()));
        c(client.headers(1, true, ":method", "GET", ":scheme", "http", ":authority", "a", ":path", "/"));
        c(frame(H2Frames.HEADERS, 0, 3, client.block(":method", "GET", ":scheme", "http", ":authority", "a", ":path", "/b")));
        c(frame(H2Frames.PING, 0, 0, new byte[8])); // inside stream 3's field block
        c(client.headers(5, true, ":method", "GET", ":scheme", "http", ":authority", "a", ":path", "/c"));
        h2.end(t);
        assertThat(errors()).containsExactly("input: The HTTP/2 frames cannot be followed past this point (the client"
                + " sent a PING frame on stream 0 came before the CONTINUATION of stream 3's field block); the rest of"
                + " the connection is not decoded.");
        assertThat(of(HttpEvent.class)).extracting(HttpEvent::url).containsExactly("http://a/");
    }

    @Test
    void aBlockReferringToAnUnknownEntryStopsHeaderDecodingOfThatDirection() {
        c(concat(H2Frames.PREFACE, settings()));
        s(settings());
        // 0xbe: indexed field 62, the first dynamic entry, of an empty table (RFC 7541 2.3.3)
        c(frame(H2Frames.HEADERS, H2Frames.END_HEADERS | H2Frames.END_STREAM, 1, hex("82 be")));
        c(client.headers(3, true, ":method", "GET", ":scheme", "http", ":authority", "a", ":path", "/later"));
        h2.end(t);
        assertThat(errors()).singleElement().asString().startsWith("input: The client's HTTP/2 header compression"
                + " state is lost (").endsWith("): its later header blocks are not decoded.");
        assertThat(of(HttpEvent.class)).isEmpty(); // neither request could be known
    }

    @Test
    void aTooLongFieldListLosesOnlyItsStream() {
        c(concat(H2Frames.PREFACE, settings()));
        s(settings());
        c(client.headers(1, true, ":method", "GET", ":scheme", "http", ":authority", "a", ":path", "/big",
                "x-big", "b".repeat(70_000)));
        c(client.headers(3, true, ":method", "GET", ":scheme", "http", ":authority", "a", ":path", "/small"));
        s(server.headers(3, true, ":status", "200"));
        assertThat(errors()).isEmpty();
        assertThat(of(HttpEvent.class)).extracting(HttpEvent::url).containsExactly("http://a/small");
    }

    @Test
    void noPrefaceNoHttp2() {
        c("GET / HTTP/1.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        assertThat(errors()).singleElement().asString().contains("the client's first bytes are not the HTTP/2"
                + " connection preface");
    }

    @Test
    void hostileBytesNeverThrow() {
        byte[] valid = concat(H2Frames.PREFACE, settings(), client.headers(1, false, connect("/f")),
                data(1, false, ws(Opcode.TEXT, "abc", true)), client.headers(3, true, ":method", "GET", ":path", "/"));
        Random random = new Random(12);
        for (int round = 0; round < 3000; round++) {
            byte[] b = valid.clone();
            int mutations = 1 + random.nextInt(4);
            for (int i = 0; i < mutations; i++) {
                b[H2Frames.PREFACE.length + random.nextInt(b.length - H2Frames.PREFACE.length)] = (byte) random.nextInt();
            }
            int cut = random.nextInt(b.length + 1);
            List<Event> sink = new ArrayList<>();
            Http2Connection c = new Http2Connection(new ConnectionContext("1", round % 2 == 0, null, null, sink::add,
                    DecodeLimits.retaining(4096)), round % 3 == 0);
            assertThatCode(() -> {
                int off = 0;
                while (off < cut) {
                    int n = Math.min(cut - off, 1 + random.nextInt(40));
                    c.feed(random.nextInt(4) > 0, off, T0 + off, b, off, n);
                    off += n;
                }
                c.gap(false, T0, 10);
                c.end(T0 + 1);
            }).as("round " + round).doesNotThrowAnyException();
            assertThat(sink.stream().filter(e -> e instanceof ErrorEvent x && x.message().contains("cannot be followed")))
                    .hasSizeLessThanOrEqualTo(1);
        }
        byte[] noise = new byte[1 << 16];
        random.nextBytes(noise);
        Http2Connection c = new Http2Connection(new ConnectionContext("1", false, null, null, e -> { },
                DecodeLimits.retaining(4096)), true);
        assertThatCode(() -> {
            c.feed(true, 1, T0, noise, 0, noise.length);
            c.feed(false, 2, T0, noise, 0, noise.length);
            c.end(T0);
        }).doesNotThrowAnyException();
    }
}
