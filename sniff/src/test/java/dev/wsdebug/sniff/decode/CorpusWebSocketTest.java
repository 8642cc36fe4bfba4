package dev.wsdebug.sniff.decode;

import dev.wsdebug.capture.FrameEvent;
import dev.wsdebug.capture.MessageEvent;
import dev.wsdebug.sniff.pcap.RealCaps;
import dev.wsdebug.wire.Frame;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every WebSocket capture of the shared corpus, read with no options, gives the frames tshark lists
 * in its oracle (NAME.tshark.txt, made with the Decode-As options tshark needed): the same packets,
 * connections, FIN, RSV, opcode, mask bit, payload length, close code and reason, and the same text
 * (tshark's after permessage-deflate) for whole text frames. Frames found that tshark does not list
 * (connections whose handshake the capture lacks, recognised from their frames) are allowed only
 * where the oracle has no frame on that connection.
 */
class CorpusWebSocketTest {

    /** One WebSocket frame as tshark's oracle lists it. */
    record Expected(long packet, int stream, boolean fin, int rsv, int opcode, boolean masked, long length,
                    String closeCode, String closeReason, String text) {
    }

    @TestFactory
    Stream<DynamicTest> everyWebSocketCaptureMatchesTshark() throws IOException {
        List<Path> captures = RealCaps.captures("ws");
        assertThat(captures).hasSizeGreaterThan(20);
        return captures.stream().map(c -> DynamicTest.dynamicTest(c.getFileName().toString(), () -> check(c)));
    }

    private static void check(Path capture) throws IOException {
        List<Expected> expected = oracle(Path.of(capture + ".tshark.txt"));
        Decoded d = Decoded.of(capture);
        List<FrameEvent> frames = d.of(FrameEvent.class);
        Map<String, List<FrameEvent>> byConn = new HashMap<>();
        for (FrameEvent f : frames) {
            byConn.computeIfAbsent(f.conn(), k -> new ArrayList<>()).add(f);
        }
        Map<Integer, List<Expected>> expectedByStream = new HashMap<>();
        for (Expected e : expected) {
            expectedByStream.computeIfAbsent(e.stream, k -> new ArrayList<>()).add(e);
        }
        for (Map.Entry<Integer, List<Expected>> stream : expectedByStream.entrySet()) {
            String conn = Integer.toString(stream.getKey() + 1); // ids are tshark's tcp.stream + 1
            List<FrameEvent> ours = byConn.getOrDefault(conn, List.of());
            List<Expected> theirs = stream.getValue();
            assertThat(ours).as("%s: frames of connection %s", capture.getFileName(), conn).hasSameSizeAs(theirs);
            for (int i = 0; i < theirs.size(); i++) {
                Expected e = theirs.get(i);
                FrameEvent f = ours.get(i);
                Frame fr = f.frame();
                String what = capture.getFileName() + " packet " + e.packet;
                assertThat(f.packets()).as(what + ": packets").isNotEmpty();
                assertThat(f.packets()[f.packets().length - 1]).as(what + ": last packet").isEqualTo(e.packet);
                assertThat(fr.fin()).as(what + ": fin").isEqualTo(e.fin);
                int rsv = (fr.rsv1() ? 4 : 0) | (fr.rsv2() ? 2 : 0) | (fr.rsv3() ? 1 : 0);
                assertThat(rsv).as(what + ": rsv").isEqualTo(e.rsv);
                assertThat(fr.opcode()).as(what + ": opcode").isEqualTo(e.opcode);
                assertThat(fr.masked()).as(what + ": mask").isEqualTo(e.masked);
                assertThat(fr.payloadLength()).as(what + ": length").isEqualTo(e.length);
                if (!e.closeCode.isEmpty()) {
                    assertThat(fr.closeCode()).as(what + ": close code").isEqualTo(Integer.parseInt(e.closeCode));
                    assertThat(fr.closeReason()).as(what + ": close reason").isEqualTo(unescape(e.closeReason));
                }
                if (!e.text.isEmpty() && fr.opcode() == 1 && fr.fin()) {
                    MessageEvent m = messageAfter(d, f);
                    assertThat(m).as(what + ": message").isNotNull();
                    assertThat(m.message().text()).as(what + ": text").isEqualTo(unescape(e.text));
                }
            }
        }
        // frames on connections tshark has none for: only from captures without their handshake
        for (Map.Entry<String, List<FrameEvent>> c : byConn.entrySet()) {
            if (!expectedByStream.containsKey(Integer.parseInt(c.getKey()) - 1)) {
                assertThat(d.events()).as("%s: connection %s is not in tshark's list, so it must be one recognised"
                        + " without a handshake", capture.getFileName(), c.getKey())
                        .anySatisfy(ev -> assertThat(ev.conn()).isEqualTo(c.getKey())
                                .satisfies(x -> assertThat(ev.toString()).contains("recognised as WebSocket frames")));
            }
        }
    }

    private static MessageEvent messageAfter(Decoded d, FrameEvent frame) {
        for (MessageEvent m : d.of(MessageEvent.class)) {
            if (m.conn().equals(frame.conn()) && m.seq() == frame.seq()) {
                return m;
            }
        }
        return null;
    }

    /** The WS section of an oracle: one line per packet, several frames '|'-joined in order. */
    static List<Expected> oracle(Path file) throws IOException {
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        List<Expected> out = new ArrayList<>();
        boolean inTable = false;
        for (String line : lines) {
            if (line.startsWith("frame.number\ttcp.stream\twebsocket.fin")) {
                inTable = true;
                continue;
            }
            if (!inTable) {
                continue;
            }
            if (line.isBlank() || line.startsWith("#") || line.startsWith("$")) {
                break;
            }
            String[] f = line.split("\t", -1);
            String[] fins = f[2].split("\\|", -1);
            for (int i = 0; i < fins.length; i++) {
                long len = Long.parseLong(part(f[6], i));
                String ext16 = part(f[7], i);
                String ext64 = part(f[8], i);
                long length = !ext64.isEmpty() ? Long.parseLong(ext64) : !ext16.isEmpty() ? Long.parseLong(ext16) : len;
                out.add(new Expected(Long.parseLong(f[0]), Integer.parseInt(f[1]), part(f[2], i).equals("1"),
                        Integer.decode(part(f[3], i)), Integer.parseInt(part(f[4], i)), part(f[5], i).equals("1"), length,
                        f.length > 10 ? part(f[10], i) : "", f.length > 11 ? part(f[11], i) : "",
                        f.length > 12 ? part(f[12], i) : ""));
            }
        }
        return out;
    }

    /**
     * The i-th of the '|'-joined values of a column; a column with fewer values (tshark leaves out
     * absent fields) gives "".
     */
    private static String part(String column, int i) {
        String[] parts = column.split("\\|", -1);
        return i < parts.length ? parts[i] : "";
    }

    /** tshark's escapes in text fields: \n, \r, \t, \\, \" and \xNN. */
    static String unescape(String s) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c != '\\' || i + 1 == s.length()) {
                out.append(c);
                continue;
            }
            char n = s.charAt(++i);
            switch (n) {
                case 'n' -> out.append('\n');
                case 'r' -> out.append('\r');
                case 't' -> out.append('\t');
                case '\\' -> out.append('\\');
                case '"' -> out.append('"');
                case 'x' -> {
                    out.append((char) Integer.parseInt(s.substring(i + 1, i + 3), 16));
                    i += 2;
                }
                default -> out.append('\\').append(n);
            }
        }
        return out.toString();
    }
}
