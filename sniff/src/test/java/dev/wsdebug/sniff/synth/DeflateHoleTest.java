package dev.wsdebug.sniff.synth;

import dev.wsdebug.sniff.synth.Capture.Link;
import dev.wsdebug.sniff.synth.TcpTrace.Seg;
import dev.wsdebug.wire.Opcode;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.zip.Inflater;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * permessage-deflate with context takeover and a lost segment inside a compressed message: the
 * message is reported with what could be inflated before the hole, and the later compressed
 * messages of that direction (which need the lost history) are not inflated — never guessed —
 * while the other direction and uncompressed messages are decoded as usual.
 */
class DeflateHoleTest {
    private static final String M1 = "hello hello hello hello";
    private static final byte[] M2 = Ws.noise(2500, 7);
    private static final String M3 = "hello hello hello hello again";

    /**
     * 1-3 SYN..ACK, 4 request, 5 response (both with permessage-deflate), 6 S M1, 7 C "client says hi",
     * 8-10 S M2 (2500 random bytes, compressed, in segments of 1200), 11 C "client again",
     * 12 S M3 (needs M1's history), 13 S "plain" (not compressed), 14 C close, 15 S close, 16-18 FINs.
     */
    private static TcpTrace session(byte[][] m2Compressed) {
        Ws.Compressor server = new Ws.Compressor();
        Ws.Compressor client = new Ws.Compressor();
        TcpTrace t = TcpTrace.v4(1, 50000, 8080, 1000, 5000).mss(1200).open();
        t.client(Ws.request("example.com", "/chat", Ws.DEFLATE));
        t.server(Ws.response(Ws.DEFLATE));
        t.server(Ws.s(Opcode.TEXT, server.compress(Ws.utf8(M1)), true, true));
        t.client(Ws.c(Opcode.TEXT, client.compress(Ws.utf8("client says hi")), true, true));
        m2Compressed[0] = server.compress(M2);
        t.server(Ws.s(Opcode.BINARY, m2Compressed[0], true, true));
        t.client(Ws.c(Opcode.TEXT, client.compress(Ws.utf8("client again")), true, true));
        t.server(Ws.s(Opcode.TEXT, server.compress(Ws.utf8(M3)), true, true));
        t.server(Ws.st("plain"));
        t.client(Ws.c(Opcode.CLOSE, Ws.close(1000, "bye")));
        t.server(Ws.s(Opcode.CLOSE, Ws.close(1000, "bye")));
        t.close();
        return t;
    }

    /** How many bytes a raw inflater gives for the first {@code n} bytes of {@code compressed}. */
    private static int inflatable(byte[] compressed, int n) throws Exception {
        Inflater inf = new Inflater(true);
        inf.setInput(compressed, 0, n);
        byte[] out = new byte[1 << 16];
        int total = 0;
        int got;
        while ((got = inf.inflate(out)) > 0) {
            total += got;
        }
        inf.end();
        return total;
    }

    @Test
    void everythingCaptured() throws Exception {
        byte[][] m2 = new byte[1][];
        TcpTrace t = session(m2);
        assertThat(t.segments()).hasSize(18);
        List<String> lines = Decoding.of(Capture.pcap(Link.ETHERNET).segments(t, t.segments()).bytes()).lines();
        assertThat(lines).containsExactly(
                "handshake 1 ws://example.com/chat 101 upgraded accept=valid deflate 10.0.0.1:50000 -> 10.0.0.2:8080",
                lines.get(1), "message 1 s2c #1 text frames=1 compressed wire=" + wire(lines.get(1)) + " len=23 \"" + M1 + "\"",
                lines.get(3), "message 1 c2s #2 text frames=1 compressed wire=" + wire(lines.get(3)) + " len=14 \"client says hi\"",
                "frame 1 s2c #3 binary fin rsv1 len=" + m2[0].length + " [8,9,10]",
                "message 1 s2c #3 binary frames=1 compressed wire=" + m2[0].length + " len=2500 kept=2500 sha=" + Decoding.sha(M2),
                lines.get(7), "message 1 c2s #4 text frames=1 compressed wire=" + wire(lines.get(7)) + " len=12 \"client again\"",
                lines.get(9), "message 1 s2c #5 text frames=1 compressed wire=" + wire(lines.get(9)) + " len=29 \"" + M3 + "\"",
                "frame 1 s2c #6 text fin len=5 [13]",
                "message 1 s2c #6 text frames=1 len=5 \"plain\"",
                "frame 1 c2s #7 close fin masked len=5 code=1000 \"bye\" [14]",
                "frame 1 s2c #8 close fin len=5 code=1000 \"bye\" [15]",
                "close 1 1000 \"bye\" client clean");
        assertThat(lines.get(1)).matches("frame 1 s2c #1 text fin rsv1 len=\\d+ \\[6]");
        assertThat(lines.get(3)).matches("frame 1 c2s #2 text fin rsv1 masked len=\\d+ \\[7]");
        assertThat(lines.get(7)).matches("frame 1 c2s #4 text fin rsv1 masked len=\\d+ \\[11]");
        assertThat(lines.get(9)).matches("frame 1 s2c #5 text fin rsv1 len=\\d+ \\[12]");
    }

    private static String wire(String frameLine) {
        return frameLine.replaceAll(".* len=(\\d+) .*", "$1");
    }

    @Test
    void holeInACompressedMessage() throws Exception {
        byte[][] m2 = new byte[1][];
        TcpTrace t = session(m2);
        List<Seg> segs = new ArrayList<>(t.segments());
        segs.remove(8); // packet 9: the middle of M2
        List<String> lines = Decoding.of(Capture.pcap(Link.ETHERNET).segments(t, segs).bytes()).lines();
        // M2's frame header: 4 bytes (126 + 16-bit length); its first segment carries 1196 payload bytes
        int inflated = inflatable(m2[0], 1196);
        assertThat(lines.subList(0, 5)).containsExactlyElementsOf(everything().subList(0, 5));
        assertThat(lines.subList(5, lines.size())).containsExactly(
                // the client's segment comes first; its acknowledgment declares the hole
                lines.get(5), "message 1 c2s #4 text frames=1 compressed wire=" + wire(lines.get(5)) + " len=12 \"client again\"",
                "error 1 input: s2c: 1200 bytes at byte 1213 were not captured; they were frame payload, so decoding goes"
                        + " on after them (the message is shown without them).",
                "frame 1 s2c #3 binary fin rsv1 len=" + m2[0].length + " [8,9]",
                "message 1 s2c #3 binary frames=1 compressed wire=" + m2[0].length + " len=" + inflated
                        + " missing=1200 inflateStopped kept=" + inflated + " sha=" + Decoding.sha(java.util.Arrays.copyOf(M2, inflated)),
                lines.get(10), // M3 cannot be inflated without the history lost in the hole: said (see below)
                "frame 1 s2c #5 text fin rsv1 len=" + wire(lines.get(11)) + " [11]",
                // not guessed: nothing inflated, nothing kept
                "message 1 s2c #5 text frames=1 compressed wire=" + wire(lines.get(11)) + " len=0 inflateStopped kept=0 sha="
                        + Decoding.sha(new byte[0]),
                "frame 1 s2c #6 text fin len=5 [12]",
                "message 1 s2c #6 text frames=1 len=5 \"plain\"",
                "frame 1 c2s #7 close fin masked len=5 code=1000 \"bye\" [13]",
                "frame 1 s2c #8 close fin len=5 code=1000 \"bye\" [14]",
                "close 1 1000 \"bye\" client clean");
        assertThat(lines.get(5)).matches("frame 1 c2s #4 text fin rsv1 masked len=\\d+ \\[10]");
        assertThat(lines.get(10)).startsWith("error 1 input: s2c: ").contains("frame #5")
                .contains("later compressed messages in this direction cannot be inflated");
    }

    /**
     * M3 is not inflated because the hole in M2 lost the history it refers to; the sentence says
     * instead that its inflation "stopped at the decoding limit" (Conversation.Side.reportEarly takes
     * every inflateStopped message without missing bytes of its own for one that hit the limit, but
     * MessageAssembler.startMessage also sets inflateStopped when an earlier gap lost the inflater).
     */
    @Test
    void laterMessageIsSaidToNeedTheLostHistory() throws Exception {
        byte[][] m2 = new byte[1][];
        TcpTrace t = session(m2);
        List<Seg> segs = new ArrayList<>(t.segments());
        segs.remove(8);
        List<String> lines = Decoding.of(Capture.pcap(Link.ETHERNET).segments(t, segs).bytes()).lines();
        assertThat(lines.get(10)).startsWith("error 1 input: s2c: ").contains("frame #5").doesNotContain("decoding limit");
    }

    private static List<String> everything() throws Exception {
        byte[][] m2 = new byte[1][];
        TcpTrace t = session(m2);
        return Decoding.of(Capture.pcap(Link.ETHERNET).segments(t, t.segments()).bytes()).lines();
    }
}
