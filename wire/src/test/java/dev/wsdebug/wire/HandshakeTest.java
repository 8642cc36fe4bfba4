package dev.wsdebug.wire;

import static dev.wsdebug.wire.Frames.concat;
import static dev.wsdebug.wire.Frames.hex;
import static org.assertj.core.api.Assertions.assertThat;

import dev.wsdebug.wire.Frames.Decoded;
import dev.wsdebug.wire.Frames.Setup;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The RFC 6455 section 4 opening handshake and the incremental HTTP head parser. */
class HandshakeTest {
    private static final String KEY = "dGhlIHNhbXBsZSBub25jZQ==";
    private static final String ACCEPT = "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=";

    private static final String REQUEST = String.join("\r\n",
            "GET /chat HTTP/1.1",
            "Host: server.example.com",
            "Upgrade: websocket",
            "Connection: Upgrade",
            "Sec-WebSocket-Key: " + KEY,
            "Origin: http://example.com",
            "Sec-WebSocket-Protocol: chat, superchat",
            "Sec-WebSocket-Version: 13",
            "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits",
            "", "");

    private static final String RESPONSE = String.join("\r\n",
            "HTTP/1.1 101 Switching Protocols",
            "Upgrade: websocket",
            "Connection: Upgrade",
            "Sec-WebSocket-Accept: " + ACCEPT,
            "Sec-WebSocket-Protocol: chat",
            "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits=10",
            "", "");

    /** Parses a complete head fed one byte at a time, checking the consumed counts. */
    static HttpHead head(String text) {
        byte[] b = text.getBytes(StandardCharsets.ISO_8859_1);
        HttpHeadParser p = new HttpHeadParser();
        for (int i = 0; i < b.length; i++) {
            assertThat(p.isComplete()).isFalse();
            assertThat(p.feed(b, i, 1)).isEqualTo(1);
        }
        assertThat(p.isComplete()).isTrue();
        assertThat(p.error()).isNull();
        assertThat(p.head().length()).isEqualTo(b.length);
        return p.head();
    }

    private static String replace(String head, String line, String by) {
        assertThat(head).contains(line);
        return head.replace(line, by);
    }

    private static String without(String head, String line) {
        return replace(head, line + "\r\n", "");
    }

    // ---- accept key -------------------------------------------------------------------------------

    @Test
    void acceptForTheRfc6455SampleNonce() {
        // RFC 6455 1.3 and 4.2.2
        assertThat(Handshake.acceptFor(KEY)).isEqualTo(ACCEPT);
        assertThat(Handshake.acceptFor(" " + KEY + " ")).isEqualTo(ACCEPT);
    }

    // ---- check --------------------------------------------------------------------------------

    @Test
    void validPairWithSubprotocolAndDeflate() {
        HandshakeResult r = Handshake.check(head(REQUEST), head(RESPONSE));
        assertThat(r.problems()).isEmpty();
        assertThat(r.valid()).isTrue();
        assertThat(r.upgraded()).isTrue();
        assertThat(r.status()).isEqualTo(101);
        assertThat(r.expectedAccept()).isEqualTo(ACCEPT);
        assertThat(r.actualAccept()).isEqualTo(ACCEPT);
        assertThat(r.acceptValid()).isTrue();
        assertThat(r.subprotocol()).isEqualTo("chat");
        assertThat(r.extensions()).isEqualTo("permessage-deflate; client_max_window_bits=10");
        assertThat(r.deflate()).isEqualTo(new DeflateParams(false, false, 10, DeflateParams.ABSENT));
        assertThat(Handshake.checkRequest(head(REQUEST))).isEmpty();
    }

    @Test
    void validPairWithoutExtensionsOrSubprotocol() {
        String req = without(without(REQUEST, "Sec-WebSocket-Protocol: chat, superchat"),
                "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits");
        String resp = without(without(RESPONSE, "Sec-WebSocket-Protocol: chat"),
                "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits=10");
        HandshakeResult r = Handshake.check(head(req), head(resp));
        assertThat(r.valid()).isTrue();
        assertThat(r.subprotocol()).isNull();
        assertThat(r.extensions()).isNull();
        assertThat(r.deflate()).isNull();
    }

    @Test
    void headerNamesAndTokensAreCaseInsensitiveAndListsAreSplit() {
        String req = replace(REQUEST, "Connection: Upgrade", "connection: keep-alive, Upgrade");
        String resp = replace(replace(RESPONSE, "Upgrade: websocket", "UPGRADE: WebSocket"),
                "Connection: Upgrade", "Connection: upgrade");
        assertThat(Handshake.check(head(req), head(resp)).problems()).isEmpty();
    }

    @ParameterizedTest(name = "status {0}")
    @ValueSource(ints = {200, 302, 403})
    void nonSwitchingStatus(int status) {
        String resp = "HTTP/1.1 " + status + " Whatever\r\nLocation: wss://elsewhere.example/\r\nContent-Length: 0\r\n\r\n";
        HandshakeResult r = Handshake.check(head(REQUEST), head(resp));
        assertThat(r.valid()).isFalse();
        assertThat(r.upgraded()).isFalse();
        assertThat(r.status()).isEqualTo(status);
        assertThat(r.deflate()).isNull();
        assertThat(r.problems()).singleElement().asString().contains(Integer.toString(status)).endsWith(".");
        if (status == 302) {
            assertThat(r.problems().get(0)).contains("wss://elsewhere.example/");
        }
    }

    @Test
    void missingUpgradeInResponse() {
        assertSingleProblem(REQUEST, without(RESPONSE, "Upgrade: websocket"), "Upgrade");
    }

    @Test
    void wrongUpgradeInResponse() {
        assertSingleProblem(REQUEST, replace(RESPONSE, "Upgrade: websocket", "Upgrade: h2c"), "h2c");
    }

    @Test
    void missingConnectionInResponse() {
        assertSingleProblem(REQUEST, without(RESPONSE, "Connection: Upgrade"), "Connection");
    }

    @Test
    void badAccept() {
        HandshakeResult r = assertSingleProblem(REQUEST,
                replace(RESPONSE, ACCEPT, "dGhlIHNhbXBsZSBub25jZQ=="), ACCEPT);
        assertThat(r.acceptValid()).isFalse();
        assertThat(r.actualAccept()).isEqualTo("dGhlIHNhbXBsZSBub25jZQ==");
    }

    @Test
    void missingAccept() {
        HandshakeResult r = assertSingleProblem(REQUEST, without(RESPONSE, "Sec-WebSocket-Accept: " + ACCEPT),
                "Sec-WebSocket-Accept");
        assertThat(r.acceptValid()).isFalse();
        assertThat(r.actualAccept()).isNull();
    }

    @Test
    void version8() {
        assertSingleProblem(replace(REQUEST, "Sec-WebSocket-Version: 13", "Sec-WebSocket-Version: 8"), RESPONSE, "8");
    }

    @Test
    void subprotocolNotOffered() {
        assertSingleProblem(REQUEST, replace(RESPONSE, "Sec-WebSocket-Protocol: chat", "Sec-WebSocket-Protocol: mqtt"),
                "mqtt");
        assertSingleProblem(without(REQUEST, "Sec-WebSocket-Protocol: chat, superchat"), RESPONSE, "chat");
    }

    @Test
    void extensionNotOffered() {
        assertSingleProblem(REQUEST, replace(RESPONSE, "permessage-deflate; client_max_window_bits=10",
                "x-webkit-deflate-frame"), "x-webkit-deflate-frame");
        assertSingleProblem(without(REQUEST, "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits"),
                RESPONSE, "permessage-deflate");
    }

    @Test
    void deflateResponseParameterNotOffered() {
        // RFC 7692 7.1.2.2: client_max_window_bits in the response needs it in the offer
        String req = replace(REQUEST, "permessage-deflate; client_max_window_bits", "permessage-deflate");
        assertSingleProblem(req, RESPONSE, "client_max_window_bits");
    }

    @Test
    void deflateResponseMalformed() {
        assertSingleProblem(REQUEST, replace(RESPONSE, "client_max_window_bits=10", "client_max_window_bits=16"),
                "16");
    }

    private static HandshakeResult assertSingleProblem(String req, String resp, String mentioned) {
        HandshakeResult r = Handshake.check(head(req), head(resp));
        assertThat(r.valid()).isFalse();
        assertThat(r.upgraded()).isTrue();
        assertThat(r.problems()).singleElement().asString().contains(mentioned).endsWith(".");
        return r;
    }

    @Test
    void requestProblems() {
        assertThat(Handshake.checkRequest(head(replace(REQUEST, "GET /chat", "POST /chat"))))
                .singleElement().asString().contains("POST");
        assertThat(Handshake.checkRequest(head(replace(REQUEST, "HTTP/1.1", "HTTP/1.0"))))
                .singleElement().asString().contains("HTTP/1.0");
        assertThat(Handshake.checkRequest(head(without(REQUEST, "Host: server.example.com"))))
                .singleElement().asString().contains("Host");
        assertThat(Handshake.checkRequest(head(replace(REQUEST, KEY, "c2hvcnQ="))))
                .singleElement().asString().contains("16 bytes");
        assertThat(Handshake.checkRequest(head(without(REQUEST, "Sec-WebSocket-Key: " + KEY))))
                .singleElement().asString().contains("Sec-WebSocket-Key");
        assertThat(Handshake.checkRequest(head(without(REQUEST, "Upgrade: websocket"))))
                .singleElement().asString().contains("Upgrade");
        assertThat(Handshake.checkRequest(head(without(REQUEST, "Sec-WebSocket-Version: 13"))))
                .singleElement().asString().contains("Sec-WebSocket-Version");
    }

    // ---- HttpHeadParser -----------------------------------------------------------------------------

    @Test
    void headFedByteByByteLeavesTheFramesThatFollow() {
        byte[] head = RESPONSE.getBytes(StandardCharsets.ISO_8859_1);
        byte[] frames = hex("81 05 48 65 6c 6c 6f 89 00");
        byte[] stream = concat(head, frames);
        HttpHeadParser p = new HttpHeadParser();
        int consumed = 0;
        int i = 0;
        for (; i < stream.length && !p.isDone(); i++) {
            int n = p.feed(stream, i, 1);
            assertThat(n).isEqualTo(1);
            consumed += n;
        }
        assertThat(consumed).isEqualTo(head.length);
        assertThat(p.head().length()).isEqualTo(head.length);
        assertThat(p.feed(stream, i, stream.length - i)).as("nothing more once complete").isZero();
        // what is left is exactly the frames
        Decoded d = Frames.decodeAllWays(Setup.s2c(), java.util.Arrays.copyOfRange(stream, consumed, stream.length));
        assertThat(d.frame(0).text()).isEqualTo("Hello");
        assertThat(d.frames()).hasSize(2);
    }

    @Test
    void headFedWholeReturnsItsLength() {
        byte[] head = RESPONSE.getBytes(StandardCharsets.ISO_8859_1);
        byte[] stream = concat(hex("00 00"), head, hex("81 05 48 65 6c 6c 6f"));
        HttpHeadParser p = new HttpHeadParser();
        assertThat(p.feed(stream, 2, stream.length - 2)).isEqualTo(head.length);
        assertThat(p.isComplete()).isTrue();
        HttpHead h = p.head();
        assertThat(h.isResponse()).isTrue();
        assertThat(h.status()).isEqualTo(101);
        assertThat(h.reason()).isEqualTo("Switching Protocols");
        assertThat(h.version()).isEqualTo("HTTP/1.1");
        assertThat(h.header("sec-websocket-accept")).isEqualTo(ACCEPT);
        assertThat(h.headers()).hasSize(5);
    }

    @Test
    void headInRandomChunks() {
        byte[] head = REQUEST.getBytes(StandardCharsets.ISO_8859_1);
        byte[] stream = concat(head, hex("81 80 00 00 00 00"));
        java.util.Random r = new java.util.Random(4);
        for (int run = 0; run < 50; run++) {
            HttpHeadParser p = new HttpHeadParser();
            int i = 0;
            int consumed = 0;
            while (!p.isDone()) {
                int n = 1 + r.nextInt(Math.min(40, stream.length - i));
                int c = p.feed(stream, i, n);
                consumed += c;
                i += n;
                if (c < n) {
                    break;
                }
            }
            assertThat(consumed).isEqualTo(head.length);
            assertThat(p.head().method()).isEqualTo("GET");
            assertThat(p.head().target()).isEqualTo("/chat");
            assertThat(p.head().tokens("Sec-WebSocket-Protocol")).containsExactly("chat", "superchat");
        }
    }

    @Test
    void bareLineFeedsFoldingAndRepeatedFields() {
        String text = "GET / HTTP/1.1\nHost: h\nX-A: one\n  two\nX-B: 1\nX-B: 2\n\n";
        HttpHead h = head(text);
        assertThat(h.header("x-a")).isEqualTo("one two");
        assertThat(h.header("X-B")).isEqualTo("1");
        assertThat(h.joined("X-B")).isEqualTo("1, 2");
        assertThat(h.tokens("x-b")).containsExactly("1", "2");
        assertThat(h.joined("missing")).isNull();
        assertThat(h.isResponse()).isFalse();
        assertThat(h.status()).isEqualTo(-1);
    }

    @Test
    void malformedHeads() {
        HttpHeadParser p = new HttpHeadParser();
        byte[] b = "SSH-2.0-OpenSSH\r\nfoo\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1);
        assertThat(p.feed(b, 0, b.length)).isEqualTo(b.length);
        assertThat(p.isComplete()).isTrue();
        assertThat(p.error()).isNotNull().endsWith(".");

        HttpHeadParser big = new HttpHeadParser();
        byte[] junk = new byte[HttpHeadParser.MAX_HEAD + 10];
        java.util.Arrays.fill(junk, (byte) 'a');
        assertThat(big.feed(junk, 0, junk.length)).isEqualTo(HttpHeadParser.MAX_HEAD);
        assertThat(big.isDone()).isTrue();
        assertThat(big.isComplete()).isFalse();
        assertThat(big.error()).contains(Integer.toString(HttpHeadParser.MAX_HEAD));
    }

    @Test
    void aHeadOfExactlyTheLimitIsAcceptedAndOneByteMoreIsRefusedWithASentence() {
        String start = "GET / HTTP/1.1\r\nHost: h\r\nX-Pad: ";
        String end = "\r\n\r\n";
        String exact = start + "a".repeat(HttpHeadParser.MAX_HEAD - start.length() - end.length()) + end;
        assertThat(exact).hasSize(HttpHeadParser.MAX_HEAD);
        HttpHeadParser p = new HttpHeadParser();
        byte[] b = exact.getBytes(StandardCharsets.ISO_8859_1);
        assertThat(p.feed(b, 0, b.length)).isEqualTo(b.length);
        assertThat(p.isComplete()).isTrue();
        assertThat(p.error()).isNull();
        assertThat(p.head().header("X-Pad")).hasSize(HttpHeadParser.MAX_HEAD - start.length() - end.length());

        // the same length with no end: done, with a sentence (it used to be null)
        String open = start + "a".repeat(HttpHeadParser.MAX_HEAD - start.length());
        HttpHeadParser q = new HttpHeadParser();
        byte[] o = open.getBytes(StandardCharsets.ISO_8859_1);
        assertThat(q.feed(o, 0, o.length)).isEqualTo(o.length);
        assertThat(q.isDone()).isTrue();
        assertThat(q.isComplete()).isFalse();
        assertThat(q.error()).isEqualTo("The HTTP head is longer than 65536 bytes without an empty line ending it.");
        assertThat(q.retainedBytes()).isZero();
    }

    @Test
    void theBufferGrowsWithTheHeadAndIsReleasedOnceParsed() {
        HttpHeadParser p = new HttpHeadParser();
        assertThat(p.retainedBytes()).isZero();
        byte[] b = REQUEST.getBytes(StandardCharsets.ISO_8859_1);
        p.feed(b, 0, 10);
        assertThat(p.retainedBytes()).isPositive().isLessThanOrEqualTo(1024);
        p.feed(b, 10, b.length - 10);
        assertThat(p.isComplete()).isTrue();
        assertThat(p.retainedBytes()).isZero();
        assertThat(p.length()).isEqualTo(b.length);
    }

    @Test
    void manyFoldedLinesJoinInOrder() {
        // 6,000 continuation lines (about 60 KB): each is appended once, not re-copied with the whole value
        StringBuilder sb = new StringBuilder("GET / HTTP/1.1\r\nHost: h\r\nX-Long: v0\r\n");
        StringBuilder expected = new StringBuilder("v0");
        for (int i = 1; i <= 6000; i++) {
            sb.append(" v").append(i).append("\r\n");
            expected.append(" v").append(i);
        }
        sb.append("X-After: z\r\n\r\n");
        HttpHeadParser p = new HttpHeadParser();
        byte[] b = sb.toString().getBytes(StandardCharsets.ISO_8859_1);
        assertThat(p.feed(b, 0, b.length)).isEqualTo(b.length);
        assertThat(p.error()).isNull();
        assertThat(p.head().header("X-Long")).isEqualTo(expected.toString());
        assertThat(p.head().header("X-After")).isEqualTo("z");
        assertThat(p.head().headers()).hasSize(3);
    }

    @Test
    void eachFieldKeepsItsExactLine() {
        String text = "GET /x HTTP/1.1\nHost:h\r\na:b\r\nX-Fold: one\r\n\ttwo\r\nSpaced  :  v \r\n\n";
        HttpHead h = head(text);
        assertThat(h.headers()).extracting(HttpHead.Header::line)
                .containsExactly("Host:h\r\n", "a:b\r\n", "X-Fold: one\r\n\ttwo\r\n", "Spaced  :  v \r\n");
        assertThat(h.header("a")).isEqualTo("b");
        assertThat(h.header("Spaced")).isEqualTo("v");
        assertThat(h.startLineEnd()).isEqualTo("\n");
        assertThat(h.endLine()).isEqualTo("\n");
        assertThat(h.raw()).isEqualTo(text);
        assertThat(head(REQUEST).startLineEnd()).isEqualTo("\r\n");
        assertThat(head(REQUEST).endLine()).isEqualTo("\r\n");
    }

    @Test
    void looksLikeHttp() {
        for (String s : List.of("GET / HTTP/1.1", "HTTP/1.1 101", "G", "GE", "HTTP", "HTT")) {
            byte[] b = s.getBytes(StandardCharsets.US_ASCII);
            assertThat(HttpHeadParser.looksLikeHttp(b, 0, b.length)).as(s).isTrue();
        }
        for (String s : List.of("81 05 48 65 6c", "47 45 54 58")) {
            byte[] b = hex(s);
            assertThat(HttpHeadParser.looksLikeHttp(b, 0, b.length)).as(s).isFalse();
        }
    }
}
