package dev.wsdebug.capture.decode;

import com.fasterxml.jackson.databind.JsonNode;
import dev.wsdebug.wire.Direction;
import dev.wsdebug.wire.Message;
import dev.wsdebug.wire.Opcode;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;

import static dev.wsdebug.capture.decode.DecodingSinkTest.binary;
import static dev.wsdebug.capture.decode.DecodingSinkTest.text;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * STOMP frames as @stomp/stompjs 7.5.0 serialises them: generated once with
 * {@code FrameImpl.marshall({command, headers, body | binaryBody, escapeHeaderValues: true})} in
 * Node (the client's own serialisation) and written here as literals.
 */
class StompDecoderTest {
    static final String CONNECT = "CONNECT\naccept-version:1.2,1.1,1.0\nheart-beat:10000,10000\nhost:localhost\n\n\u0000";
    static final String SEND = "SEND\ndestination:/queue/a\ncontent-type:text/plain\ncontent-length:13\n\nhello queue a\u0000";
    static final String SUBSCRIBE = "SUBSCRIBE\nid:sub-0\ndestination:/topic/x\nack:client\n\n\u0000";
    static final String ESCAPED = "SEND\ndestination:/queue/a\nx-odd:a\\cb\\nc\\\\d\\re\ncontent-length:3\n\nesc\u0000";
    /** binaryBody [0, 1, 2, 255]: stompjs sends it as a binary message. */
    static final String BINARY_SEND = "53454e440a64657374696e6174696f6e3a2f71756575652f62696e0a636f6e74656e742d6c656e6774683a340a0a000102ff00";
    /** Written by hand: a repeated header, of which STOMP 1.2 reads the first ("héllo" is 6 bytes of UTF-8). */
    static final String TWO_LENGTHS = "SEND\ndestination:/queue/a\ncontent-length:6\ncontent-length:5\n\nh\u00e9llo\u0000";
    static final String CONNECTED = "CONNECTED\nversion:1.2\nheart-beat:0,0\nserver:test/1\n\n\u0000";
    static final String MESSAGE = "MESSAGE\ndestination:/topic/x\nsubscription:sub-0\nmessage-id:m-1\ncontent-type:application/json\n"
            + "content-length:7\n\n{\"a\":1}\u0000";
    static final String RECEIPT = "RECEIPT\nreceipt-id:r-7\n\n\u0000";
    static final String ERROR = "ERROR\nmessage:malformed frame received\ncontent-length:3\n\nbad\u0000";
    static final String DISCONNECT = "DISCONNECT\nreceipt:close-1\n\n\u0000";

    private final StompDecoder d = new StompDecoder();

    private Decoded one(String frame) {
        return d.decode(text(frame), Direction.C2S, new DecodeState());
    }

    @Test
    void claimsTheStompSubprotocolsAndSniffsCommands() {
        for (String p : List.of("v10.stomp", "v11.stomp", "v12.stomp", "stomp", "V12.STOMP")) {
            assertThat(d.claims(p, "ws://h/")).as(p).isTrue();
        }
        assertThat(d.claims("mqtt", "ws://h/")).isFalse();
        assertThat(d.claims(null, "ws://h/")).isFalse();
        assertThat(d.sniff(text(CONNECT))).isTrue();
        assertThat(d.sniff(text("SEND\r\ndestination:/a\r\n\r\n\u0000"))).isTrue();
        assertThat(d.sniff(text("SENDER\n"))).isFalse();
        assertThat(d.sniff(text("SEND"))).isFalse();
        assertThat(d.sniff(text("{\"SEND\":1}"))).isFalse();
        assertThat(d.sniff(text("\n"))).isFalse();
        assertThat(d.sniff(binary(CONNECT.getBytes(StandardCharsets.UTF_8)))).isFalse();
    }

    @Test
    void theSinkPicksStompByItsSubprotocolOrItsFirstFrame() {
        List<dev.wsdebug.capture.Event> out = new java.util.ArrayList<>();
        DecodingSink sink = new DecodingSink(out::add, null);
        sink.accept(DecodingSinkTest.handshake("a", "ws://h/stomp", "v12.stomp"));
        sink.accept(new dev.wsdebug.capture.MessageEvent("a", 1, Direction.S2C, 1, text("\n")));
        sink.accept(DecodingSinkTest.handshake("b", "ws://h/", null));
        sink.accept(new dev.wsdebug.capture.MessageEvent("b", 1, Direction.C2S, 1, text(CONNECT)));
        sink.accept(new dev.wsdebug.capture.MessageEvent("b", 1, Direction.S2C, 2, text("\n")));
        assertThat(out.stream().filter(e -> e instanceof dev.wsdebug.capture.MessageEvent)
                .map(e -> ((dev.wsdebug.capture.MessageEvent) e).decoded())
                .map(x -> x.protocol() + " " + x.summary())).containsExactly("stomp heartbeat",
                "stomp CONNECT accept-version=1.2,1.1,1.0 host=localhost heart-beat=10000,10000", "stomp heartbeat");
    }

    @Test
    void clientFramesAsStompjsWritesThem() {
        Decoded c = one(CONNECT);
        assertThat(c.summary()).isEqualTo("CONNECT accept-version=1.2,1.1,1.0 host=localhost heart-beat=10000,10000");
        assertThat(c.value().path("headers").path("heart-beat").asText()).isEqualTo("10000,10000");
        assertThat(c.value().path("bodyLength").asInt()).isZero();

        Decoded s = one(SEND);
        assertThat(s.summary()).isEqualTo("SEND destination=/queue/a content-type=text/plain (13 B body)");
        assertThat(s.value().path("command").asText()).isEqualTo("SEND");
        assertThat(s.value().path("body").asText()).isEqualTo("hello queue a");
        assertThat(s.value().path("bodyLength").asInt()).isEqualTo(13);
        assertThat(s.value().path("headerList").toString())
                .isEqualTo("[[\"destination\",\"/queue/a\"],[\"content-type\",\"text/plain\"],[\"content-length\",\"13\"]]");

        assertThat(one(SUBSCRIBE).summary()).isEqualTo("SUBSCRIBE id=sub-0 destination=/topic/x ack=client");
        assertThat(one(DISCONNECT).summary()).isEqualTo("DISCONNECT receipt=close-1");
    }

    @Test
    void serverFrames() {
        assertThat(one(CONNECTED).summary()).isEqualTo("CONNECTED version=1.2 heart-beat=0,0 server=test/1");
        Decoded m = one(MESSAGE);
        assertThat(m.summary()).isEqualTo("MESSAGE destination=/topic/x subscription=sub-0 message-id=m-1 (7 B body)");
        assertThat(m.value().path("body").asText()).isEqualTo("{\"a\":1}");
        assertThat(one(RECEIPT).summary()).isEqualTo("RECEIPT receipt-id=r-7");
        Decoded e = one(ERROR);
        assertThat(e.summary()).isEqualTo("ERROR message=\"malformed frame received\" (3 B body)");
        assertThat(e.value().path("body").asText()).isEqualTo("bad");
    }

    @Test
    void headerEscapesOfStomp12() {
        Decoded e = one(ESCAPED);
        assertThat(e.value().path("headers").path("x-odd").asText()).isEqualTo("a:b\nc\\d\re");
        // CONNECT and CONNECTED are not escaped: a backslash there is itself
        Decoded c = one("CONNECT\nlogin:a\\b\npasscode:s3cret\n\n\u0000");
        assertThat(c.value().path("headers").path("login").asText()).isEqualTo("a\\b");
        assertThat(c.value().path("headers").path("passcode").asText()).isEqualTo("(hidden, 6 bytes)");
        assertThat(c.value().toString()).doesNotContain("s3cret");
        assertThat(c.summary()).doesNotContain("s3cret");
        Decoded bad = one("SEND\ndestination:/a\\t\n\n\u0000");
        assertThat(bad.ok()).isFalse();
        assertThat(bad.problem()).contains("undefined escape");
    }

    @Test
    void stomp10HasNoEscapes() {
        DecodeState st = new DecodeState();
        d.decode(text("CONNECTED\nversion:1.0\n\n\u0000"), Direction.S2C, st);
        Decoded m = d.decode(text("MESSAGE\ndestination:/a\\b\nmessage-id:1\n\nx\u0000"), Direction.S2C, st);
        assertThat(m.value().path("headers").path("destination").asText()).isEqualTo("/a\\b");
    }

    @Test
    void repeatedHeadersTheFirstWinsAndAllAreListed() {
        Decoded r = one(TWO_LENGTHS);
        assertThat(r.ok()).as(r.problem()).isTrue();
        assertThat(r.value().path("headers").path("content-length").asText()).isEqualTo("6");
        assertThat(r.value().path("headerList")).hasSize(3);
        assertThat(r.value().path("body").asText()).isEqualTo("h\u00e9llo");
        assertThat(r.value().path("bodyLength").asInt()).isEqualTo(6);
    }

    @Test
    void binaryBodiesAreBase64AndContentLengthCoversNuls() {
        Decoded b = d.decode(binary(HexFormat.of().parseHex(BINARY_SEND)), Direction.C2S, new DecodeState());
        assertThat(b.summary()).isEqualTo("SEND destination=/queue/bin (4 B body)");
        assertThat(b.value().path("body").asText()).isEqualTo("AAEC/w==");
        assertThat(b.value().path("bodyEncoding").asText()).isEqualTo("base64");
    }

    @Test
    void heartbeatsAndSeveralFramesInOneMessage() {
        assertThat(one("\n").summary()).isEqualTo("heartbeat");
        assertThat(one("\r\n").value().path("command").asText()).isEqualTo("heartbeat");
        Decoded two = one("\n" + SEND + "\n" + RECEIPT + "\n\n");
        assertThat(two.summary()).isEqualTo("2 frames: SEND destination=/queue/a content-type=text/plain (13 B body);"
                + " RECEIPT receipt-id=r-7");
        assertThat(two.value().path("frames")).hasSize(2);
        assertThat(two.value().path("frames").get(1).path("headers").path("receipt-id").asText()).isEqualTo("r-7");
    }

    @Test
    void aFrameSplitOverMessagesIsJoinedPerDirection() {
        DecodeState st = new DecodeState();
        String big = MESSAGE;
        int cut = 30;
        Decoded first = d.decode(text(big.substring(0, cut)), Direction.S2C, st);
        assertThat(first.summary()).isEqualTo("partial MESSAGE frame (30 B so far, the rest in a later message)");
        // the other direction is not mixed in
        assertThat(d.decode(text(SUBSCRIBE), Direction.C2S, st).summary()).startsWith("SUBSCRIBE");
        Decoded second = d.decode(text(big.substring(cut, 60)), Direction.S2C, st);
        assertThat(second.summary()).startsWith("partial MESSAGE frame (60 B");
        Decoded last = d.decode(text(big.substring(60) + RECEIPT), Direction.S2C, st);
        assertThat(last.summary()).startsWith("2 frames: MESSAGE destination=/topic/x subscription=sub-0 message-id=m-1");
        assertThat(last.value().path("frames").get(0).path("body").asText()).isEqualTo("{\"a\":1}");
        assertThat(last.value().path("continuedBytes").asInt()).isEqualTo(60);
        // nothing left over
        assertThat(d.decode(text(RECEIPT), Direction.S2C, st).summary()).isEqualTo("RECEIPT receipt-id=r-7");
    }

    @Test
    void aLongFrameInManySmallMessagesIsKeptInLinearTime() {
        String body = "y".repeat(4 << 20);
        byte[] frame = ("SEND\ndestination:/queue/big\n\n" + body + "\u0000").getBytes(StandardCharsets.UTF_8);
        DecodeState st = new DecodeState();
        Decoded last = null;
        for (int off = 0; off < frame.length; off += 1024) {
            last = d.decode(binary(Arrays.copyOfRange(frame, off, Math.min(frame.length, off + 1024))), Direction.C2S, st);
            assertThat(last.ok()).isTrue();
        }
        assertThat(last.summary()).isEqualTo("SEND destination=/queue/big (" + body.length() + " B body)");
        assertThat(last.value().path("body").asText()).hasSize(body.length());
    }

    @Test
    void malformedFramesSaySoInOneSentence() {
        for (String bad : List.of("HELLO\n\n\u0000", "SEND\ndestination\n\n\u0000", "SEND\ncontent-length:x\n\nab\u0000",
                "SEND\ncontent-length:-1\n\n\u0000", "SEND\ncontent-length:2\n\nabc\u0000",
                "SEND\ncontent-length:99999999999\n\n\u0000", "this is certainly not a stomp frame")) {
            Decoded r = one(bad);
            assertThat(r.ok()).as(bad).isFalse();
            assertThat(r.problem()).as(bad).endsWith(".").doesNotContain("\n");
        }
        // a failure forgets the unfinished frame: the next message is read afresh
        DecodeState st = new DecodeState();
        d.decode(text("SEND\ndestination:/a\n\nabc"), Direction.C2S, st);
        assertThat(d.decode(text("\u0000SEND\n"), Direction.C2S, st).ok()).isTrue();
        Message cut = new Message(Opcode.TEXT, 1, false, 100, 100, Arrays.copyOf(SEND.getBytes(StandardCharsets.UTF_8), 10),
                true, "00", -1, 0, List.of());
        assertThat(d.decode(cut, Direction.C2S, st).problem()).startsWith("Only the first 10 of 100 bytes");
        assertThat(d.decode(text(RECEIPT), Direction.C2S, st).summary()).isEqualTo("RECEIPT receipt-id=r-7");
    }

    @Test
    void randomBytesNeverThrow() {
        Random rnd = new Random(13);
        byte[] alphabet = "SENDCONECTMAGR:\n\r\u0000\\ccontent-length:12".getBytes(StandardCharsets.UTF_8);
        DecodeState st = new DecodeState();
        for (int i = 0; i < 5000; i++) {
            byte[] b = new byte[rnd.nextInt(64)];
            for (int k = 0; k < b.length; k++) {
                b[k] = rnd.nextInt(4) == 0 ? (byte) rnd.nextInt(256) : alphabet[rnd.nextInt(alphabet.length)];
            }
            Decoded r = d.decode(rnd.nextBoolean() ? binary(b) : text(new String(b, StandardCharsets.ISO_8859_1)),
                    rnd.nextBoolean() ? Direction.C2S : Direction.S2C, st);
            assertThat(r.ok() ? r.summary() : r.problem()).isNotNull();
            JsonNode v = r.value();
            assertThat(r.ok() == (v != null)).isTrue();
        }
    }
}
