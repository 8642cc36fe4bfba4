package dev.wsdebug.capture.jsonl;

import dev.wsdebug.capture.Conversation;
import dev.wsdebug.capture.ErrorEvent;
import dev.wsdebug.capture.Event;
import dev.wsdebug.capture.EventSink;
import dev.wsdebug.capture.FindingEvent;
import dev.wsdebug.capture.FlowEvent;
import dev.wsdebug.capture.FrameEvent;
import dev.wsdebug.capture.HandshakeEvent;
import dev.wsdebug.capture.HttpEvent;
import dev.wsdebug.capture.JsonLinesSink;
import dev.wsdebug.capture.MessageEvent;
import dev.wsdebug.capture.TlsSummary;
import dev.wsdebug.wire.Direction;
import dev.wsdebug.wire.FrameSpec;
import dev.wsdebug.wire.FrameWriter;
import dev.wsdebug.wire.HttpHead;
import dev.wsdebug.wire.Message;
import dev.wsdebug.wire.Opcode;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@link JsonLinesReader}: every event kind and optional field back, and what it does with bad lines. */
class JsonLinesReaderTest {
    private static final long T0 = 1_700_000_000_123_456L;

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    private static byte[] request(String extra) {
        return ascii("GET /chat?x=1 HTTP/1.1\r\nHost: 127.0.0.1:9000\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n" + extra + "\r\n");
    }

    private static byte[] response(String extra) {
        return ascii("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n" + extra + "\r\n");
    }

    /** Events of every kind, with the optional fields each can carry, as the sources make them. */
    private static List<Event> everyKind() {
        List<Event> events = new ArrayList<>();
        EventSink sink = events::add;
        FrameWriter w = new FrameWriter(new Random(3));
        // a deflate session with rule breaking: an unmasked client frame, invalid UTF-8, a reserved opcode
        Conversation one = new Conversation("1", sink).endpoints("127.0.0.1:40000", "127.0.0.1:9000");
        one.feed(Direction.C2S, T0, request("Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n"
                + "Sec-WebSocket-Protocol: chat, superchat\r\n"));
        one.feed(Direction.S2C, T0 + 1, response("Sec-WebSocket-Extensions: permessage-deflate; server_no_context_takeover;"
                + " client_max_window_bits=10\r\nSec-WebSocket-Protocol: chat\r\n"));
        one.feed(Direction.C2S, T0 + 2, w.encode(FrameSpec.of(Opcode.TEXT, "unmasked".getBytes(StandardCharsets.UTF_8))));
        one.feed(Direction.S2C, T0 + 3, w.encode(FrameSpec.of(Opcode.TEXT, new byte[] {'o', 'k', (byte) 0xc3})));
        one.feed(Direction.S2C, T0 + 4, w.encode(FrameSpec.of(Opcode.TEXT, "frag ".getBytes(StandardCharsets.UTF_8)).withFin(false)));
        one.feed(Direction.S2C, T0 + 5, w.encode(FrameSpec.of(Opcode.PING, new byte[] {9, 8})));
        one.feed(Direction.S2C, T0 + 6, w.encode(FrameSpec.of(Opcode.CONTINUATION, "ment".getBytes(StandardCharsets.UTF_8))));
        one.feed(Direction.S2C, T0 + 7, w.encode(FrameSpec.of(0x3, new byte[] {1})));
        one.end(T0 + 8);
        // a refused upgrade, and one the server never answered
        Conversation two = new Conversation("2", sink);
        two.feed(Direction.C2S, T0 + 10, request(""));
        two.feed(Direction.S2C, T0 + 11, ascii("HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n"));
        two.end(T0 + 12);
        Conversation three = new Conversation("3", sink);
        three.feed(Direction.C2S, T0 + 13, request(""));
        three.end(T0 + 14);
        // an RFC 8441 handshake, as the HTTP/2 sources make it
        Conversation four = new Conversation("4", sink);
        four.h2Request(T0 + 15, 3, List.of(new HttpHead.Header(":method", "CONNECT"), new HttpHead.Header(":protocol",
                "websocket"), new HttpHead.Header(":scheme", "https"), new HttpHead.Header(":path", "/h2"),
                new HttpHead.Header(":authority", "h.example"), new HttpHead.Header("sec-websocket-version", "13")), true);
        four.h2Response(T0 + 16, List.of(new HttpHead.Header(":status", "200")));
        four.end(T0 + 17);
        HandshakeEvent withTls = (HandshakeEvent) events.get(0);
        events.set(0, withTls.withTls(new TlsSummary("h.example", "TLS 1.3", "TLS_AES_128_GCM_SHA256", "http/1.1")));
        FrameEvent frame = (FrameEvent) events.get(1);
        events.set(1, frame.withPackets(new long[] {4, 5}));

        // the events that are not decoded from bytes
        HttpHead get = new HttpHead("GET /x?y=2 HTTP/1.1", List.of(new HttpHead.Header("Host", "h")), 0);
        HttpHead ok = new HttpHead("HTTP/1.1 200 OK", List.of(new HttpHead.Header("Content-Length", "512")), 0);
        events.add(new HttpEvent("7", T0 + 20, "http://h/x?y=2", get, ok, 0, 512, 12_500));
        events.add(new HttpEvent("8", T0 + 21, "http://h/none", get, null, 3, 0, 99));
        events.add(new HttpEvent("9", T0 + 22, "CONNECT", "h:443", 200, "Connection Established",
                new HttpHead("CONNECT h:443 HTTP/1.1", List.of(), 0), new HttpHead("HTTP/1.1 200 Connection Established",
                List.of(), 0), 10, 20, 30, new TlsSummary(null, "TLS 1.2", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", null)));
        events.add(new FlowEvent("3", T0 + 23, Direction.S2C, FlowEvent.ZERO_WINDOW, 262_144, 0));
        events.add(new FlowEvent("3", T0 + 24, Direction.C2S, FlowEvent.ACK_WAIT, -1, 40_123));
        events.add(new ErrorEvent(null, T0 + 25, "input", "Not tied to a connection."));
        events.add(new FindingEvent("1", T0 + 26, "idle-timeout", FindingEvent.WARNING, "One sentence.",
                List.of(new FindingEvent.Evidence("1", 4, T0 + 5, "a frame"), new FindingEvent.Evidence("1", -1, T0, "no seq")),
                "why", "what to change"));
        events.add(new FindingEvent(null, T0 + 27, "many", FindingEvent.INFO, "Across connections.", List.of(), "c", "f"));
        // messages a packet capture or a limit leaves incomplete
        events.add(new MessageEvent("5", T0 + 28, Direction.S2C, 3, new Message(Opcode.BINARY, 2, true, 70, 1 << 20,
                new byte[] {1, 2, 3}, true, "ab".repeat(32), -1, 0, List.of(), false, 0)));
        events.add(new MessageEvent("5", T0 + 29, Direction.S2C, 4, new Message(Opcode.TEXT, 1, true, 70, 4096,
                "part".getBytes(StandardCharsets.UTF_8), true, null, -1, 0, List.of(), true, 0)));
        events.add(new MessageEvent("5", T0 + 30, Direction.C2S, 5, new Message(Opcode.TEXT, 1, false, 900, 900,
                "before the hole".getBytes(StandardCharsets.UTF_8), true, null, -1, 0, List.of(), false, 885)));
        return events;
    }

    private static byte[] write(List<Event> events) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        JsonLinesSink sink = new JsonLinesSink(out, false);
        events.forEach(sink::accept);
        sink.flush();
        return out.toByteArray();
    }

    private static JsonLinesReader.Result read(String lines, List<Event> into) throws Exception {
        return JsonLinesReader.read(new ByteArrayInputStream(lines.getBytes(StandardCharsets.UTF_8)), "s.jsonl", into::add);
    }

    @Test
    void everyKindAndOptionalFieldComesBackAsWritten() throws Exception {
        List<Event> events = everyKind();
        String written = new String(write(events), StandardCharsets.UTF_8);
        // the fixture holds what it should
        assertThat(written).contains("\"violations\":[").contains("invalid at byte 2").contains("\"packets\":[4,5]")
                .contains("\"tls\":{").contains("\"stream\":3").contains("\"problems\":[").contains("\"status\":403")
                .contains("\"response\":null").contains("\"sha256\":").contains("\"inflateStopped\":true")
                .contains("\"missing\":885").contains("\"seq\":null").contains("\"conn\":null").contains("\"bytes\":null")
                .contains("reserved-0x3").contains("\"subprotocol\":\"chat\"").contains("\"clientMaxWindowBits\":10");
        List<Event> back = new ArrayList<>();
        JsonLinesReader.Result r = read(written, back);
        assertThat(r.warning()).isNull();
        assertThat(r.events()).isEqualTo(events.size());
        assertThat(new String(write(back), StandardCharsets.UTF_8)).isEqualTo(written);
        // the handshake result is derived again, not copied: the same checks give the same verdict
        HandshakeEvent h = (HandshakeEvent) back.get(0);
        assertThat(h.result().valid()).isTrue();
        assertThat(h.result().deflate().clientWindowBits()).isEqualTo(10);
        assertThat(h.request().version()).isEqualTo("HTTP/1.1");
    }

    @Test
    void unknownKindsFieldsAndBlankLinesAreSkipped() throws Exception {
        String lines = "\r\n{\"conn\":\"1\",\"t\":1.5,\"later\":{\"nested\":[1,{\"event\":2}]},\"event\":\"replay\"}\r\n"
                + "   \n"
                + "{\"event\":\"error\",\"conn\":\"1\",\"t\":1700000000.000001,\"kind\":\"io\",\"message\":\"m\",\"added\":true}\n"
                + "{\"event\":\"close\",\"conn\":\"1\",\"t\":1700000000.5,\"code\":1000,\"name\":\"Normal Closure\","
                + "\"reason\":\"\",\"onWire\":true,\"initiator\":\"client\",\"clean\":true}";
        List<Event> back = new ArrayList<>();
        JsonLinesReader.Result r = read(lines, back);
        assertThat(r.skipped()).isEqualTo(1);
        assertThat(r.warning()).as("a complete last line without its line end is fine").isNull();
        assertThat(back).hasSize(2);
        assertThat(back.get(0)).isEqualTo(new ErrorEvent("1", 1_700_000_000_000_001L, "io", "m"));
        assertThat(back.get(1).timeMicros()).isEqualTo(1_700_000_000_500_000L);
    }

    @Test
    void aLineThatIsNotAnEventStopsTheReadingAndIsNamed() throws Exception {
        String good = new String(write(everyKind().subList(0, 3)), StandardCharsets.UTF_8);
        List<Event> back = new ArrayList<>();
        assertThatThrownBy(() -> read(good + "garbage\n" + good, back)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("line 4 of s.jsonl is not JSON (Unrecognized token 'garbage')");
        assertThat(back).as("the events before it were passed on").hasSize(3);
        assertThatThrownBy(() -> read("[1,2]\n", new ArrayList<>())).hasMessage(
                "line 1 of s.jsonl is not a JSON object, so it is not a JSON Lines event.");
        assertThatThrownBy(() -> read("{\"event\":\"error\",\"t\":1}\n", new ArrayList<>())).hasMessage(
                "line 1 of s.jsonl is not a wsdebug JSON Lines event: it has no \"conn\" field.");
        assertThatThrownBy(() -> read("{\"event\":\"error\",\"conn\":null,\"t\":\"noon\"}\n", new ArrayList<>()))
                .hasMessageContaining("line 1 of s.jsonl").hasMessageContaining("\"t\" is not a number");
        assertThatThrownBy(() -> read("{\"event\":\"frame\",\"conn\":\"1\",\"t\":1,\"dir\":\"up\"}\n", new ArrayList<>()))
                .hasMessageContaining("its dir is \"up\", not c2s or s2c");
        assertThatThrownBy(() -> read("{\"event\":\"error\",\"conn\":\"1\",\"t\":1} {\"x\":1}\n", new ArrayList<>()))
                .as("one object a line").hasMessageStartingWith("line 1 of s.jsonl is not JSON");
    }

    @Test
    void aLastLineCutOffByItsWriterEndsTheReadingWithAWarning() throws Exception {
        String good = new String(write(everyKind().subList(0, 5)), StandardCharsets.UTF_8);
        String lastLine = good.substring(good.lastIndexOf('\n', good.length() - 2) + 1);
        String cut = good.substring(0, good.length() - lastLine.length() / 2);
        List<Event> back = new ArrayList<>();
        JsonLinesReader.Result r = read(cut, back);
        assertThat(back).hasSize(4);
        assertThat(r.warning().kind()).isEqualTo("capture");
        assertThat(r.warning().conn()).isNull();
        assertThat(r.warning().timeMicros()).isEqualTo(back.get(3).timeMicros());
        assertThat(r.warning().message()).isEqualTo("s.jsonl ends in the middle of line 5 (its writer stopped while"
                + " writing it): the 4 events before it are read.");
        // the same line cut in the middle of the file is damage, not an interrupted writer
        assertThatThrownBy(() -> read(cut + "\n" + good, new ArrayList<>())).hasMessageStartingWith(
                "line 5 of s.jsonl is not JSON");
    }

    @Test
    void recognisesJsonLinesByTheFirstLine() {
        String line = new String(write(everyKind().subList(0, 1)), StandardCharsets.UTF_8);
        assertThat(looks(line + line)).isTrue();
        assertThat(looks("\uFEFF\n\n  " + line)).as("after a byte order mark and blank lines").isTrue();
        assertThat(looks(line.substring(0, 20))).as("its first bytes: the writers put event first").isTrue();
        assertThat(looks("{\"conn\":\"1\",\"x\":{\"event\":1},\"t\":1,\"event\":\"frame\"}\n")).isTrue();
        assertThat(looks("{\"x\":{\"event\":\"frame\"}}\n")).as("event only nested").isFalse();
        assertThat(looks("{\n  \"log\": {\"entries\": []}\n}\n")).as("a HAR file").isFalse();
        assertThat(looks("{\"log\":{\"version\":\"1.2\",\"entries\":[]}}")).as("a HAR file on one line").isFalse();
        assertThat(looks("{\n\"event\":\"frame\"}\n")).as("one object spread over lines").isFalse();
        assertThat(looks("[{\"event\":\"frame\"}]\n")).isFalse();
        assertThat(looks("")).isFalse();
    }

    private static boolean looks(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        return JsonLinesReader.looksLikeJsonLines(b, b.length);
    }
}
