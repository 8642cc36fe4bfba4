package dev.wsdebug.sniff.synth;

import dev.wsdebug.sniff.synth.Capture.Link;
import dev.wsdebug.sniff.synth.TcpTrace.Seg;
import dev.wsdebug.wire.Opcode;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What TCP does to the bytes of the standard session (see {@link Sessions#standard}) in a capture —
 * reordering, retransmission, overlapping segments, lost segments, the snap length, IPv4
 * fragments — and the exact events that come out: the same as without, each frame naming the
 * packets that carried its bytes, or, where bytes are missing, the sentences that say how many and
 * where, with decoding going on as Conversation.gap and FrameParser.gap document.
 */
class TcpAnomaliesTest {
    /** Baseline segment indices (packet number - 1) of the server's 3000-byte frame. */
    private static final int BIN_A = 13;
    private static final int BIN_B = 14;
    private static final int BIN_C = 15;

    private static List<String> decode(TcpTrace t, List<Seg> segs) throws Exception {
        return Decoding.of(Capture.pcap(Link.ETHERNET).segments(t, segs).bytes()).lines();
    }

    /** The segments in the order of the given baseline indices. */
    private static List<Seg> order(List<Seg> segs, int... indices) {
        List<Seg> out = new ArrayList<>();
        for (int i : indices) {
            out.add(segs.get(i));
        }
        return out;
    }

    private static int[] range(int from, int to) {
        return java.util.stream.IntStream.range(from, to).toArray();
    }

    private static int[] join(int[]... parts) {
        return Arrays.stream(parts).flatMapToInt(Arrays::stream).toArray();
    }

    private static String[] packets(String... p) {
        return p;
    }

    @Test
    void inOrder() throws Exception {
        TcpTrace t = Sessions.standard();
        assertThat(decode(t, t.segments())).containsExactlyElementsOf(Sessions.standardEvents());
    }

    /** Two fragments of a message swapped, and the last two segments of a large frame. */
    @Test
    void reordering() throws Exception {
        TcpTrace t = Sessions.standard();
        List<Seg> segs = order(t.segments(), join(range(0, 9), new int[] {10, 9}, range(11, 14), new int[] {15, 14},
                range(16, 22)));
        assertThat(decode(t, segs)).containsExactlyElementsOf(Sessions.standardEvents("10.0.0.1:50000", "10.0.0.2:8080",
                packets("[6]", "[7]", "[8]", "[9]", "[11]", "[10]", "[12]", "[13]", "[14,16,15]", "[17]", "[18]", "[19]")));
    }

    /** The request sent twice in a row, a server frame again after the client's next, a late copy of a middle segment. */
    @Test
    void retransmission() throws Exception {
        TcpTrace t = Sessions.standard();
        List<Seg> segs = order(t.segments(), join(range(0, 4), new int[] {3}, range(4, 8), new int[] {6},
                range(8, 16), new int[] {14}, range(16, 22)));
        assertThat(decode(t, segs)).containsExactlyElementsOf(Sessions.standardEvents("10.0.0.1:50000", "10.0.0.2:8080",
                packets("[7]", "[8]", "[9]", "[11]", "[12]", "[13]", "[14]", "[15]", "[16,17,18]", "[20]", "[21]", "[22]")));
    }

    /** A segment of bytes [start, end) of the server's 3000-byte frame (offsets from its first header byte). */
    private static Seg slice(List<Seg> segs, int start, int end) {
        byte[] all = Ws.join(segs.get(BIN_A).payload(), segs.get(BIN_B).payload(), segs.get(BIN_C).payload());
        return segs.get(BIN_A).withPayload(segs.get(BIN_A).seq() + start, Arrays.copyOfRange(all, start, end));
    }

    /** A retransmission with other boundaries: it overlaps the end of one segment and the start of the next. */
    @Test
    void overlappingRetransmission() throws Exception {
        TcpTrace t = Sessions.standard();
        List<Seg> base = t.segments();
        List<Seg> segs = new ArrayList<>(base.subList(0, 14));
        segs.add(slice(base, 600, 1800));
        segs.addAll(base.subList(14, 22));
        assertThat(decode(t, segs)).containsExactlyElementsOf(Sessions.standardEvents("10.0.0.1:50000", "10.0.0.2:8080",
                packets("[6]", "[7]", "[8]", "[9]", "[10]", "[11]", "[12]", "[13]", "[14,15,16,17]", "[18]", "[19]", "[20]")));
    }

    /**
     * The frame's last segment comes early and is held; a segment overlapping it comes next, then the
     * one that fills the hole: each byte is taken from the first copy captured.
     */
    @Test
    void overlapWithHeldBytes() throws Exception {
        TcpTrace t = Sessions.standard();
        List<Seg> base = t.segments();
        List<Seg> segs = new ArrayList<>(base.subList(0, 14));
        segs.add(base.get(BIN_C)); // 15: [2400, 3004)
        segs.add(slice(base, 1800, 3004)); // 16: [1800, 2400) new, the rest overlaps 15
        segs.add(base.get(BIN_B)); // 17: [1200, 2400): [1200, 1800) new
        segs.addAll(base.subList(16, 22));
        assertThat(decode(t, segs)).containsExactlyElementsOf(Sessions.standardEvents("10.0.0.1:50000", "10.0.0.2:8080",
                packets("[6]", "[7]", "[8]", "[9]", "[10]", "[11]", "[12]", "[13]", "[14,17,16,15]", "[18]", "[19]", "[20]")));
    }

    /**
     * A small segment held ahead of a hole, then one segment covering the hole, the held bytes and
     * more: the frame's bytes came from packets 14, 16, 15 and 16 again. PacketSpans.packets says
     * "in order, each once", so 16 is named once.
     */
    @Test
    void segmentAroundHeldBytesNamedOnce() throws Exception {
        TcpTrace t = Sessions.standard();
        List<Seg> base = t.segments();
        List<Seg> segs = new ArrayList<>(base.subList(0, 14));
        segs.add(slice(base, 1800, 2000)); // 15, held
        segs.add(slice(base, 1200, 3004)); // 16
        segs.addAll(base.subList(16, 22));
        assertThat(decode(t, segs)).containsExactlyElementsOf(Sessions.standardEvents("10.0.0.1:50000", "10.0.0.2:8080",
                packets("[6]", "[7]", "[8]", "[9]", "[10]", "[11]", "[12]", "[13]", "[14,16,15]", "[17]", "[18]", "[19]")));
    }

    /** What the segment-around-held-bytes capture gives today (all but the packets of that one frame are right). */
    @Test
    void segmentAroundHeldBytes() throws Exception {
        TcpTrace t = Sessions.standard();
        List<Seg> base = t.segments();
        List<Seg> segs = new ArrayList<>(base.subList(0, 14));
        segs.add(slice(base, 1800, 2000));
        segs.add(slice(base, 1200, 3004));
        segs.addAll(base.subList(16, 22));
        List<String> lines = decode(t, segs);
        List<String> expected = Sessions.standardEvents("10.0.0.1:50000", "10.0.0.2:8080",
                packets("[6]", "[7]", "[8]", "[9]", "[10]", "[11]", "[12]", "[13]", "P", "[17]", "[18]", "[19]"));
        assertThat(lines).hasSameSizeAs(expected);
        for (int i = 0; i < lines.size(); i++) {
            if (expected.get(i).endsWith(" P")) {
                assertThat(lines.get(i)).startsWith(expected.get(i).substring(0, expected.get(i).length() - 1))
                        .matches(".* \\[14,16,15(,16)?]");
            } else {
                assertThat(lines.get(i)).isEqualTo(expected.get(i));
            }
        }
    }

    /**
     * The middle segment of the 3000-byte frame is lost. The client's next segment acknowledges past
     * it, which declares the hole: its size and place are said, and the frame goes on after it.
     */
    @Test
    void lostSegmentInsideAPayload() throws Exception {
        TcpTrace t = Sessions.standard();
        List<Seg> segs = order(t.segments(), join(range(0, 14), range(15, 22)));
        String bin = "kept=1196 sha=" + Decoding.sha(Arrays.copyOf(Sessions.BIN3000, 1196));
        assertThat(decode(t, segs)).containsExactly(
                "handshake 1 ws://example.com/chat 101 upgraded accept=valid 10.0.0.1:50000 -> 10.0.0.2:8080",
                "frame 1 c2s #1 text fin masked len=5 [6]",
                "message 1 c2s #1 text frames=1 len=5 \"Hello\"",
                "frame 1 s2c #2 text fin len=13 [7]",
                "message 1 s2c #2 text frames=1 len=13 \"Hello, client\"",
                "frame 1 c2s #3 binary fin masked len=300 [8]",
                "message 1 c2s #3 binary frames=1 len=300 kept=300 sha=" + Decoding.sha(Sessions.BIN300),
                "frame 1 s2c #4 text more len=4 [9]",
                "frame 1 s2c #5 continuation more len=4 [10]",
                "frame 1 s2c #6 continuation fin len=2 [11]",
                "message 1 s2c #6 text frames=3 len=10 \"fragmented\"",
                "frame 1 c2s #7 ping fin masked len=13 [12]",
                "frame 1 s2c #8 pong fin len=13 [13]",
                // the client's segment is decoded first, then its acknowledgment declares the server's hole
                "frame 1 c2s #10 text fin masked len=8 [16]",
                "message 1 c2s #10 text frames=1 len=8 \"bye soon\"",
                "error 1 input: s2c: 1200 bytes at byte 1246 were not captured; they were frame payload, so decoding"
                        + " goes on after them (the message is shown without them).",
                "frame 1 s2c #9 binary fin len=3000 [14,15]",
                "message 1 s2c #9 binary frames=1 len=3000 missing=1200 " + bin,
                "frame 1 c2s #11 close fin masked len=5 code=1000 \"bye\" [17]",
                "frame 1 s2c #12 close fin len=5 code=1000 \"bye\" [18]",
                "close 1 1000 \"bye\" client clean");
    }

    /** The same hole, never acknowledged (the capture ends first): declared at the end, before the close. */
    @Test
    void lostSegmentDeclaredAtTheEnd() throws Exception {
        TcpTrace t = Sessions.standard();
        // up to the 3000-byte frame's last segment: no later client segment acknowledges the hole
        List<Seg> segs = order(t.segments(), join(range(0, 14), new int[] {15}));
        String bin = "kept=1196 sha=" + Decoding.sha(Arrays.copyOf(Sessions.BIN3000, 1196));
        List<String> lines = decode(t, segs);
        assertThat(lines.subList(13, lines.size())).containsExactly(
                "error 1 input: s2c: 1200 bytes at byte 1246 were not captured; they were frame payload, so decoding"
                        + " goes on after them (the message is shown without them).",
                "frame 1 s2c #9 binary fin len=3000 [14,15]",
                "message 1 s2c #9 binary frames=1 len=3000 missing=1200 " + bin,
                "close 1 1006 \"\" none unclean");
    }

    /**
     * The server writes frames A (binary, 1000 bytes), Y (binary, 100 bytes of 0xff) and Z (text) at
     * once, cut into segments of 700, 350 and 72 bytes; the middle one is lost: A's last 304 bytes,
     * Y's header and 44 bytes of its payload. A is shown without its last bytes; the boundaries are
     * lost, so decoding skips Y's other 56 bytes (0xff is no frame header) and resumes at Z.
     */
    @Test
    void lostSegmentAcrossFrames() throws Exception {
        TcpTrace t = acrossFrames();
        List<Seg> segs = order(t.segments(), 0, 1, 2, 3, 4, 5, 7, 8, 9, 10, 11, 12, 13);
        List<String> lines = decode(t, segs);
        String a = "kept=696 sha=" + Decoding.sha(Arrays.copyOf(Ws.counting(1000, 0), 696));
        assertThat(lines).containsExactly(
                "handshake 1 ws://example.com/chat 101 upgraded accept=valid 10.0.0.1:50000 -> 10.0.0.2:8080",
                "frame 1 c2s #2 text fin masked len=3 [8]",
                "message 1 c2s #2 text frames=1 len=3 \"ack\"",
                "frame 1 s2c #1 binary fin len=1000 [6]",
                "message 1 s2c #1 binary frames=1 len=1000 missing=304 " + a,
                lines.get(5), // checked below
                "error 1 input: s2c: decoding resumed at byte 1106 on a plausible frame header, 56 bytes after the gap;"
                        + " frame #3 and what follows may be misread if that guess was wrong.",
                "frame 1 s2c #3 text fin len=14 [7]",
                "message 1 s2c #3 text frames=1 len=14 \"after the hole\"",
                "frame 1 c2s #4 close fin masked len=5 code=1000 \"bye\" [9]",
                "frame 1 s2c #5 close fin len=5 code=1000 \"bye\" [10]",
                "close 1 1000 \"bye\" client clean");
        assertThat(lines.get(5)).startsWith("error 1 input: s2c: 350 bytes at byte 700 were not captured, and the frame"
                + " boundaries with them").endsWith("; decoding resumes at the next plausible frame header.");
    }

    /**
     * The gap's sentence says "(the message in progress is dropped)" although the message (A, a
     * single final frame whose payload ended inside the gap) was not dropped: it was shown, with
     * {@code missing}. Conversation.gap decides the clause from inMessage before the gap instead of
     * from whether a message was really abandoned.
     */
    @Test
    void lostSegmentAcrossFramesSaysNothingIsDropped() throws Exception {
        TcpTrace t = acrossFrames();
        List<Seg> segs = order(t.segments(), 0, 1, 2, 3, 4, 5, 7, 8, 9, 10, 11, 12, 13);
        assertThat(decode(t, segs)).contains("error 1 input: s2c: 350 bytes at byte 700 were not captured, and the"
                + " frame boundaries with them; decoding resumes at the next plausible frame header.");
    }

    /**
     * 1-3 handshake, 4 request, 5 response, 6-8 the server's frames A, Y, Z in 700, 350, 72 bytes,
     * 9 client "ack", 10 client close, 11 server close, 12-14 FINs.
     */
    private static TcpTrace acrossFrames() {
        TcpTrace t = TcpTrace.v4(1, 50000, 8080, 1000, 5000).open();
        t.client(Ws.request("/chat"));
        t.server(Ws.response());
        byte[] y = new byte[100];
        Arrays.fill(y, (byte) 0xFF);
        byte[] w = Ws.join(Ws.s(Opcode.BINARY, Ws.counting(1000, 0)), Ws.s(Opcode.BINARY, y), Ws.st("after the hole"));
        assertThat(w).hasSize(1122);
        t.send(false, w, new int[] {700, 350});
        t.client(Ws.ct("ack"));
        t.client(Ws.c(Opcode.CLOSE, Ws.close(1000, "bye")));
        t.server(Ws.s(Opcode.CLOSE, Ws.close(1000, "bye")));
        t.close();
        return t;
    }

    /**
     * A fragmented text message loses the end of its first fragment and the start of the second: the
     * first fragment's frame is shown, the message in progress is dropped, and decoding skips the
     * rest of the second fragment ("art two": no frame header) to the next frame.
     */
    @Test
    void lostSegmentInsideAFragmentedMessage() throws Exception {
        TcpTrace t = TcpTrace.v4(1, 50000, 8080, 1000, 5000).open();
        t.client(Ws.request("/chat"));
        t.server(Ws.response());
        byte[] w = Ws.join(Ws.s(Opcode.TEXT, Ws.utf8("part one "), false, false),
                Ws.s(Opcode.CONTINUATION, Ws.utf8("part two"), true, false));
        t.send(false, w, new int[] {8, 6}); // 6: T1's header and "part o"; 7 (lost): "ne ", T2's header, "p"; 8: "art two"
        t.server(Ws.st("after")); // 9
        t.client(Ws.ct("ack")); // 10
        t.close(); // 11-13
        List<Seg> segs = order(t.segments(), 0, 1, 2, 3, 4, 5, 7, 8, 9, 10, 11, 12);
        assertThat(decode(t, segs)).containsExactly(
                "handshake 1 ws://example.com/chat 101 upgraded accept=valid 10.0.0.1:50000 -> 10.0.0.2:8080",
                // the server's next frame is held behind the hole until the client's segment acknowledges it
                "frame 1 c2s #2 text fin masked len=3 [9]",
                "message 1 c2s #2 text frames=1 len=3 \"ack\"",
                "frame 1 s2c #1 text more len=9 [6]",
                "error 1 input: s2c: 6 bytes at byte 8 were not captured, and the frame boundaries with them (the"
                        + " message in progress is dropped); decoding resumes at the next plausible frame header.",
                "error 1 input: s2c: decoding resumed at byte 21 on a plausible frame header, 7 bytes after the gap;"
                        + " frame #3 and what follows may be misread if that guess was wrong.",
                "frame 1 s2c #3 text fin len=5 [8]",
                "message 1 s2c #3 text frames=1 len=5 \"after\"",
                "close 1 1006 \"\" none unclean");
    }

    /**
     * A snap length of 1000 bytes cuts the two full-size segments of the 3000-byte frame (1254 bytes
     * on the wire each): 254 bytes of each are missing, said at once, and the frame goes on.
     */
    @Test
    void snapLength() throws Exception {
        TcpTrace t = Sessions.standard();
        List<String> lines = Decoding.of(Capture.pcap(Link.ETHERNET, 1000).segments(t, t.segments()).bytes()).lines();
        List<String> expected = new ArrayList<>(Sessions.standardEvents());
        int bin = expected.indexOf("frame 1 s2c #9 binary fin len=3000 [14,15,16]");
        expected.set(bin + 1, "message 1 s2c #9 binary frames=1 len=3000 missing=508 kept=942 sha="
                + Decoding.sha(Arrays.copyOf(Sessions.BIN3000, 942)));
        expected.add(bin, "error 1 input: s2c: 254 bytes at byte 2192 were not captured; they were frame payload, so"
                + " decoding goes on after them (the message is shown without them).");
        expected.add(bin, "error 1 input: s2c: 254 bytes at byte 992 were not captured; they were frame payload, so"
                + " decoding goes on after them (the message is shown without them).");
        assertThat(lines).containsExactlyElementsOf(expected);
    }

    /**
     * The three segments of the 3000-byte frame travel as IPv4 fragments of 512 bytes, the second
     * datagram's fragments in reverse order: each segment counts as the packet of the fragment that
     * completed it.
     */
    @Test
    void ipv4Fragments() throws Exception {
        TcpTrace t = Sessions.standard();
        List<Seg> segs = t.segments();
        Capture c = Capture.pcap(Link.ETHERNET);
        for (int i = 0; i < segs.size(); i++) {
            Seg s = segs.get(i);
            if (i < BIN_A || i > BIN_C) {
                c.ip(t.ip(s, 100 + i));
                continue;
            }
            List<byte[]> fragments = Net.ipv4Fragments(t.serverIp, t.clientIp, Net.TCP, 100 + i, t.tcpBytes(s), 512);
            if (i == BIN_B) {
                java.util.Collections.reverse(fragments);
            }
            fragments.forEach(c::ip);
        }
        assertThat(c.packets()).isEqualTo(27);
        assertThat(Decoding.of(c.bytes()).lines()).containsExactlyElementsOf(Sessions.standardEvents("10.0.0.1:50000",
                "10.0.0.2:8080", packets("[6]", "[7]", "[8]", "[9]", "[10]", "[11]", "[12]", "[13]", "[16,19,21]", "[22]",
                        "[23]", "[24]")));
    }
}
