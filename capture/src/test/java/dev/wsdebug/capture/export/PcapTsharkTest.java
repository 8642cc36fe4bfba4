package dev.wsdebug.capture.export;

import com.fasterxml.jackson.databind.JsonNode;
import dev.wsdebug.capture.FrameEvent;
import dev.wsdebug.capture.MessageEvent;
import dev.wsdebug.capture.export.Sessions.Recorder;
import dev.wsdebug.capture.export.Sessions.Session;
import dev.wsdebug.wire.Direction;
import dev.wsdebug.wire.Frame;
import dev.wsdebug.wire.Opcode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * tshark, an independent dissector, reads the pcapng: one TCP conversation per connection, valid
 * checksums, no malformed packets or warnings, and the same WebSocket frames, opcodes, masks and
 * text (inflated for permessage-deflate) as the Conversation decoded.
 */
class PcapTsharkTest {
    private static final int PI_WARN = 0x00600000;

    @TempDir
    Path dir;

    /** Six interleaved connections of every kind. */
    private static List<Session> sessions() {
        String longText = "x".repeat(300); // 16-bit length
        byte[] bigBinary = new byte[70_000]; // 64-bit length, many segments
        new Random(3).nextBytes(bigBinary);
        Session plain = new Session("plain").endpoints("127.0.0.5:50001", "127.0.0.9:50080")
                .upgrade("/chat?room=1", "Sec-WebSocket-Protocol: chat\r\n", "Sec-WebSocket-Protocol: chat\r\n")
                .text(Direction.C2S, "hello").text(Direction.S2C, "world")
                .frame(Direction.C2S, false, Opcode.TEXT, "frag".getBytes(StandardCharsets.UTF_8))
                .frame(Direction.S2C, true, Opcode.PING, "are you there".getBytes(StandardCharsets.UTF_8))
                .frame(Direction.C2S, true, Opcode.PONG, "are you there".getBytes(StandardCharsets.UTF_8))
                .frame(Direction.C2S, true, Opcode.CONTINUATION, "ment".getBytes(StandardCharsets.UTF_8))
                .text(Direction.S2C, "ünïcödé ✓")
                .closeHandshake();
        Session deflate = new Session("deflate").deflateUpgrade("/z", false)
                .compressed(Direction.C2S, Opcode.TEXT, "compressed hello, compressed hello".getBytes(StandardCharsets.UTF_8))
                .compressed(Direction.S2C, Opcode.TEXT, "server says hi hi hi".getBytes(StandardCharsets.UTF_8))
                .text(Direction.S2C, "not compressed")
                .compressed(Direction.S2C, Opcode.TEXT, "server says hi hi hi again".getBytes(StandardCharsets.UTF_8))
                .compressed(Direction.C2S, Opcode.TEXT, "again: compressed hello".getBytes(StandardCharsets.UTF_8))
                .closeHandshake();
        Session v6 = new Session("v6").endpoints("[::1]:50002", "[::1]:50081").upgrade("/six", "", "")
                .text(Direction.C2S, "over IPv6").text(Direction.S2C, longText)
                .binary(Direction.S2C, bigBinary).close(Direction.S2C, 1001, "going away");
        Session lonely = new Session("lonely").send(Direction.C2S,
                "GET /nobody HTTP/1.1\r\nHost: h:8080\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n"
                        .getBytes(StandardCharsets.ISO_8859_1));
        Session rejected = new Session("rejected").send(Direction.C2S,
                "GET /no HTTP/1.1\r\nHost: h:8080\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n"
                        .getBytes(StandardCharsets.ISO_8859_1))
                .send(Direction.S2C, "HTTP/1.1 403 Forbidden\r\nContent-Length: 2\r\n\r\nno".getBytes(StandardCharsets.ISO_8859_1));
        Session binary = new Session("binary").upgrade("/bin", "", "")
                .binary(Direction.C2S, new byte[] {1, 2, 3}).binary(Direction.S2C, new byte[] {4, 5})
                .text(Direction.C2S, "last").closeHandshake();
        return List.of(plain, deflate, v6, lonely, rejected, binary);
    }

    @Test
    void tsharkSeesTheSameConnectionsAndFrames() throws Exception {
        Path file = dir.resolve("mixed.pcapng");
        List<Session> sessions = sessions();
        Recorder rec = Sessions.run(PcapngWriter.create(file), Integer.MAX_VALUE, sessions);
        // with a small MSS, frames and HTTP heads span segments that tshark must reassemble
        Path small = dir.resolve("mss.pcapng");
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        Recorder rec2 = Sessions.run(new PcapngWriter(bytes, 536), Integer.MAX_VALUE, sessions);
        java.nio.file.Files.write(small, bytes.toByteArray());
        checkFile(file, sessions, rec, true);
        checkFile(small, sessions, rec2, false);
        // each kind of connection did what it is here for
        assertThat(rec.frames("plain")).hasSize(9);
        assertThat(rec.frames("v6").stream().map(f -> f.frame().lengthEncoding())).contains(7, 16, 64);
        assertThat(rec.frames("lonely")).isEmpty();
        assertThat(rec.frames("rejected")).isEmpty();
    }

    @Test
    void tinyChunksAreReassembledToo() throws Exception {
        Path file = dir.resolve("tiny.pcapng");
        List<Session> sessions = List.of(sessions().get(1), sessions().get(5)); // synthetic addresses, port 8080
        Recorder rec = Sessions.run(PcapngWriter.create(file), 7, sessions);
        checkFile(file, sessions, rec, false);
    }

    /**
     * @param full also tshark's conversation table and full dissection (-V); without, the same
     *             facts come from the fields (tcp.stream, checksum status, expert severity)
     */
    private void checkFile(Path file, List<Session> sessions, Recorder rec, boolean full) throws Exception {
        if (full) {
            // one TCP conversation per connection
            String conv = Tshark.run(file, "-q", "-z", "conv,tcp");
            assertThat(conv.lines().filter(l -> l.contains("<->")).count()).as(conv).isEqualTo(sessions.size());

            // no malformed packets, bad checksums or warnings in the full dissection
            String verbose = Tshark.run(file, "-V");
            assertThat(verbose).doesNotContain("Malformed", "[Expert Info (Warning", "[Expert Info (Error",
                    "Bad checksum", "incorrect");
            assertThat(verbose).contains("[Checksum Status: Good]", "[Header checksum status: Good]",
                    "Per-Message Compressed: True");
        }

        List<JsonNode> packets = Tshark.fields(file, "frame.comment", "tcp.stream", "tcp.srcport", "tcp.flags.syn",
                "tcp.flags.ack", "ip.checksum.status", "ipv6.src", "tcp.checksum.status", "_ws.expert.severity",
                "_ws.malformed", "websocket.opcode", "websocket.fin", "websocket.mask", "websocket.pmc",
                "websocket.payload_length", "websocket.payload_length_ext_16", "websocket.payload_length_ext_64",
                "websocket.payload.text");
        Map<String, String> streamOfConn = new HashMap<>();
        Map<String, String> clientPortOfStream = new HashMap<>();
        for (JsonNode p : packets) {
            assertThat(Tshark.values(p, "tcp.checksum.status")).containsExactly("1");
            if (Tshark.values(p, "ipv6.src").isEmpty()) {
                assertThat(Tshark.values(p, "ip.checksum.status")).containsExactly("1");
            }
            assertThat(Tshark.values(p, "_ws.malformed")).isEmpty();
            for (String sev : Tshark.values(p, "_ws.expert.severity")) {
                assertThat(Integer.parseInt(sev)).as("expert severity").isLessThan(PI_WARN);
            }
            String stream = Tshark.values(p, "tcp.stream").get(0);
            for (String comment : Tshark.values(p, "frame.comment")) {
                streamOfConn.put(comment.replace("wsdebug conn ", ""), stream);
                assertThat(Tshark.values(p, "tcp.flags.syn")).containsExactly("1");
                assertThat(Tshark.values(p, "tcp.flags.ack")).containsExactly("0");
                clientPortOfStream.put(stream, Tshark.values(p, "tcp.srcport").get(0));
            }
        }
        assertThat(streamOfConn).hasSize(sessions.size());
        assertThat(packets.stream().map(p -> Tshark.values(p, "tcp.stream").get(0)).distinct())
                .hasSize(sessions.size());

        for (Session s : sessions) {
            String stream = streamOfConn.get(s.conn);
            for (Direction dir : Direction.values()) {
                List<String> opcodes = new ArrayList<>();
                List<String> fins = new ArrayList<>();
                List<String> masks = new ArrayList<>();
                List<String> lengths = new ArrayList<>();
                List<String> ext16 = new ArrayList<>();
                List<String> ext64 = new ArrayList<>();
                List<String> texts = new ArrayList<>();
                List<String> pmc = new ArrayList<>();
                for (JsonNode p : packets) {
                    boolean fromClient = Tshark.values(p, "tcp.srcport").get(0).equals(clientPortOfStream.get(stream));
                    if (!Tshark.values(p, "tcp.stream").get(0).equals(stream) || fromClient != (dir == Direction.C2S)) {
                        continue;
                    }
                    opcodes.addAll(Tshark.values(p, "websocket.opcode"));
                    fins.addAll(Tshark.values(p, "websocket.fin"));
                    masks.addAll(Tshark.values(p, "websocket.mask"));
                    lengths.addAll(Tshark.values(p, "websocket.payload_length"));
                    ext16.addAll(Tshark.values(p, "websocket.payload_length_ext_16"));
                    ext64.addAll(Tshark.values(p, "websocket.payload_length_ext_64"));
                    texts.addAll(Tshark.values(p, "websocket.payload.text"));
                    pmc.addAll(Tshark.values(p, "websocket.pmc"));
                }
                List<Frame> frames = rec.frames(s.conn).stream().filter(f -> f.dir() == dir).map(FrameEvent::frame).toList();
                String what = s.conn + " " + dir.id();
                assertThat(opcodes).as("opcodes of %s", what).containsExactlyElementsOf(
                        frames.stream().map(f -> String.valueOf(f.opcode())).toList());
                assertThat(fins).as("fin of %s", what).containsExactlyElementsOf(
                        frames.stream().map(f -> f.fin() ? "1" : "0").toList());
                assertThat(masks).as("mask of %s", what).containsExactlyElementsOf(
                        frames.stream().map(f -> f.masked() ? "1" : "0").toList());
                assertThat(lengths).as("lengths of %s", what).containsExactlyElementsOf(frames.stream()
                        .map(f -> String.valueOf(f.lengthEncoding() == 7 ? f.payloadLength() : f.lengthEncoding() == 16 ? 126 : 127))
                        .toList());
                assertThat(ext16).containsExactlyElementsOf(frames.stream().filter(f -> f.lengthEncoding() == 16)
                        .map(f -> String.valueOf(f.payloadLength())).toList());
                assertThat(ext64).containsExactlyElementsOf(frames.stream().filter(f -> f.lengthEncoding() == 64)
                        .map(f -> String.valueOf(f.payloadLength())).toList());
                // tshark unmasks, reassembles fragments and inflates permessage-deflate: text as decoded
                assertThat(texts).as("texts of %s", what).containsExactlyElementsOf(rec.messages(s.conn).stream()
                        .filter(m -> m.dir() == dir && m.message().isText()).map(m -> m.message().text()).toList());
                // the per-message-compressed bit is shown on frames of a connection that negotiated deflate
                if (s.conn.equals("deflate")) {
                    assertThat(pmc).as("pmc of %s", what).containsExactlyElementsOf(
                            frames.stream().map(f -> f.rsv1() ? "1" : "0").toList());
                    assertThat(rec.messages(s.conn).stream().filter(m -> m.dir() == dir)
                            .anyMatch(m -> m.message().compressed())).isTrue();
                }
            }
        }
        // the comparisons above compared something
        assertThat(rec.of(FrameEvent.class)).hasSizeGreaterThanOrEqualTo(10);
        assertThat(rec.of(MessageEvent.class).stream().filter(m -> m.message().compressed()).count())
                .isGreaterThanOrEqualTo(4);
    }
}
