package dev.wsdebug.sniff.synth;

import dev.wsdebug.capture.Conversation;
import dev.wsdebug.capture.Event;
import dev.wsdebug.capture.EventSink;
import dev.wsdebug.capture.FrameEvent;
import dev.wsdebug.capture.JsonLinesSink;
import dev.wsdebug.capture.MessageEvent;
import dev.wsdebug.sniff.CaptureDecoder;
import dev.wsdebug.sniff.DecodeOptions;
import dev.wsdebug.sniff.pcap.CaptureFiles;
import dev.wsdebug.sniff.pcap.PacketReader;
import dev.wsdebug.sniff.synth.Capture.Link;
import dev.wsdebug.sniff.synth.TcpTrace.Seg;
import dev.wsdebug.wire.DecodeLimits;
import dev.wsdebug.wire.Direction;
import dev.wsdebug.wire.FrameSpec;
import dev.wsdebug.wire.FrameWriter;
import dev.wsdebug.wire.Message;
import dev.wsdebug.wire.Opcode;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.zip.Deflater;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A random WebSocket session cut into random segments, reordered and duplicated within a window,
 * decodes from a capture to the same events as a {@link Conversation} fed the two byte streams
 * directly (the one pipeline, without TCP): same JSON Lines apart from {@code t} and
 * {@code packets}. The packets each frame names are checked too: every byte's first captured copy
 * wins, so a frame's packets are those of its bytes' first copies, in stream order.
 *
 * <p>Sessions: text (UTF-8 of 1 to 4 bytes a character) and binary messages of 0 to 70,000
 * bytes, fragmented at random, pings and pongs between messages and between fragments,
 * permessage-deflate (a real {@link Deflater}, with or without context takeover per direction)
 * negotiated in the handshake for some sessions, a close handshake or not, FINs or a RST or
 * nothing at the end. Reordering stays within the bytes one side sends before the other answers,
 * as a real capture's does (so the order of events across directions is the session's);
 * duplicates of a segment may come any time later.
 */
class ReassemblyPropertyTest {
    private static final int SEEDS = 300;
    private static final String[] CHARS = {"a", "b", " ", "z", "0", "\n", "é", "ß", "€", "漢", "😀", "{\"k\":1}"};

    /** One side's run: the bytes it sends before the other side sends anything. */
    private record Run(boolean fromClient, byte[] bytes) {
    }

    /** A generated session: its runs and how it ends. */
    private record Session(List<Run> runs, String end) {
    }

    @Test
    void randomSessionsDecodeAsTheirStreamsFedDirectly() throws Exception {
        long start = System.nanoTime();
        List<Event> all = new ArrayList<>();
        for (int seed = 0; seed < SEEDS; seed++) {
            all.addAll(check(seed));
        }
        long ms = (System.nanoTime() - start) / 1_000_000;
        // what the seeds covered
        List<Message> messages = all.stream().filter(e -> e instanceof MessageEvent).map(e -> ((MessageEvent) e).message())
                .toList();
        assertThat(all.stream().filter(e -> e instanceof FrameEvent).count()).as("frames").isGreaterThan(SEEDS * 5L);
        assertThat(messages.stream().filter(Message::compressed).count()).as("compressed messages").isGreaterThan(100);
        assertThat(messages.stream().filter(m -> m.frames() > 1).count()).as("fragmented messages").isGreaterThan(100);
        assertThat(messages.stream().filter(m -> m.length() > 0xFFFF).count()).as("64-bit lengths").isGreaterThan(10);
        assertThat(messages.stream().filter(m -> m.length() == 0).count()).as("empty messages").isGreaterThan(5);
        assertThat(ms).as("time for " + SEEDS + " seeds").isLessThan(30_000);
    }

    private static List<Event> check(int seed) throws Exception {
        Random rnd = new Random(seed);
        Session session = session(rnd);
        TcpTrace t = TcpTrace.v4(1 + rnd.nextInt(200), 1024 + rnd.nextInt(60000), 1 + rnd.nextInt(65535),
                rnd.nextLong() & 0xFFFF_FFFFL, rnd.nextLong() & 0xFFFF_FFFFL);
        if (rnd.nextInt(4) == 0) {
            t = new TcpTrace(Net.v6(1 + rnd.nextInt(200)), 1024 + rnd.nextInt(60000), Net.v6(999), 443,
                    0xFFFF_FF00L + rnd.nextInt(256), rnd.nextLong() & 0xFFFF_FFFFL);
        }
        t.open();
        List<Seg> segs = new ArrayList<>(t.segments());
        for (Run run : session.runs()) {
            int before = t.segments().size();
            t.send(run.fromClient(), run.bytes(), sizes(rnd, run.bytes().length));
            List<Seg> mine = new ArrayList<>(t.segments().subList(before, t.segments().size()));
            segs.addAll(shuffle(rnd, mine, segs));
        }
        switch (session.end()) {
            case "fin" -> {
                int before = t.segments().size();
                t.close(rnd.nextBoolean());
                segs.addAll(t.segments().subList(before, t.segments().size()));
            }
            case "rst" -> {
                Seg last = t.segments().get(t.segments().size() - 1);
                segs.add(new Seg(!last.fromClient(), last.ack(), 0, Net.RST, new byte[0]));
            }
            default -> {
            }
        }
        Link link = Link.values()[rnd.nextInt(Link.values().length)];
        Capture capture = rnd.nextBoolean() ? Capture.pcap(link) : Capture.pcapng(link);
        capture.segments(t, segs);

        List<Event> captured = new ArrayList<>();
        ByteArrayOutputStream capturedJson = new ByteArrayOutputStream();
        JsonLinesSink capturedSink = new JsonLinesSink(capturedJson, false);
        CaptureDecoder decoder = new CaptureDecoder(EventSink.all(capturedSink, captured::add), new DecodeOptions());
        try (PacketReader reader = CaptureFiles.open(new ByteArrayInputStream(capture.bytes()))) {
            decoder.read(reader);
        }
        decoder.finish();
        capturedSink.flush();

        ByteArrayOutputStream directJson = new ByteArrayOutputStream();
        JsonLinesSink directSink = new JsonLinesSink(directJson, false);
        DecodeLimits limits = DecodeLimits.retaining(DecodeLimits.DEFAULT_RETAIN);
        Conversation direct = new Conversation("1", directSink, limits.retainCap()).limits(limits, limits).scheme("ws")
                .endpoints(t.clientEndpoint(), t.serverEndpoint());
        long time = 1;
        for (Run run : session.runs()) {
            direct.feed(run.fromClient() ? Direction.C2S : Direction.S2C, time++, run.bytes());
        }
        direct.end(time);
        directSink.flush();

        String context = "seed " + seed + " (" + session.runs().size() + " runs, end " + session.end() + ", " + link + ")";
        List<String> a = normalised(capturedJson);
        List<String> b = normalised(directJson);
        for (int i = 0; i < Math.min(a.size(), b.size()); i++) {
            assertThat(a.get(i)).as(context + ", event " + i).isEqualTo(b.get(i));
        }
        assertThat(a).as(context).hasSameSizeAs(b);
        checkPackets(context, t, segs, captured);
        return captured;
    }

    private static final java.util.regex.Pattern T = java.util.regex.Pattern.compile(",\"t\":-?[0-9.]+");
    private static final java.util.regex.Pattern PACKETS = java.util.regex.Pattern.compile(",\"packets\":\\[[0-9,]*]");

    /** Without {@code t} and {@code packets} (JsonLinesSink writes both as plain numbers, after a comma). */
    private static List<String> normalised(ByteArrayOutputStream json) {
        List<String> out = new ArrayList<>();
        for (String line : json.toString(StandardCharsets.UTF_8).split("\n")) {
            if (!line.isEmpty()) {
                String n = PACKETS.matcher(T.matcher(line).replaceFirst("")).replaceFirst("");
                assertThat(n).doesNotContain("\"t\":").doesNotContain("\"packets\":");
                out.add(n);
            }
        }
        return out;
    }

    /**
     * Each frame's packets: for every byte of the frame, the packet (number, from 1) of its first
     * captured copy; consecutive repeats once.
     */
    private static void checkPackets(String context, TcpTrace t, List<Seg> segs, List<Event> events) {
        byte[] c2s = t.clientStream();
        byte[] s2c = t.serverStream();
        long[][] first = {new long[c2s.length], new long[s2c.length]};
        long clientBase = -1;
        long serverBase = -1;
        for (Seg s : segs) {
            if ((s.flags() & Net.SYN) != 0) {
                if (s.fromClient()) {
                    clientBase = (s.seq() + 1) & 0xFFFF_FFFFL;
                } else {
                    serverBase = (s.seq() + 1) & 0xFFFF_FFFFL;
                }
            }
        }
        for (int i = 0; i < segs.size(); i++) {
            Seg s = segs.get(i);
            long[] f = first[s.fromClient() ? 0 : 1];
            int off = (int) ((s.seq() - (s.fromClient() ? clientBase : serverBase)) & 0xFFFF_FFFFL);
            for (int k = 0; k < s.payload().length; k++) {
                if (f[off + k] == 0) {
                    f[off + k] = i + 1;
                }
            }
        }
        // frames in each direction, in order, from their stream offsets
        int[] next = {headLength(c2s), headLength(s2c)};
        byte[][] streams = {c2s, s2c};
        for (Event e : events) {
            if (!(e instanceof FrameEvent fe)) {
                continue;
            }
            int d = fe.dir() == Direction.C2S ? 0 : 1;
            int startAt = next[d];
            int length = frameLength(streams[d], startAt);
            next[d] += length;
            List<Long> expected = new ArrayList<>();
            for (int k = startAt; k < startAt + length; k++) {
                long p = first[d][k];
                if (expected.isEmpty() || expected.get(expected.size() - 1) != p) {
                    expected.add(p);
                }
            }
            assertThat(fe.packets()).as(context + ", frame #" + fe.seq())
                    .containsExactly(expected.stream().mapToLong(Long::longValue).toArray());
        }
    }

    private static int headLength(byte[] stream) {
        String s = new String(stream, 0, Math.min(stream.length, 4096), StandardCharsets.ISO_8859_1);
        return s.indexOf("\r\n\r\n") + 4;
    }

    private static int frameLength(byte[] b, int at) {
        int len7 = b[at + 1] & 0x7F;
        boolean masked = (b[at + 1] & 0x80) != 0;
        long length = len7;
        int header = 2;
        if (len7 == 126) {
            length = ((b[at + 2] & 0xFF) << 8) | (b[at + 3] & 0xFF);
            header = 4;
        } else if (len7 == 127) {
            length = 0;
            for (int k = 2; k < 10; k++) {
                length = (length << 8) | (b[at + k] & 0xFF);
            }
            header = 10;
        }
        return header + (masked ? 4 : 0) + (int) length;
    }

    /** Segment sizes: mostly full-size, some tiny, some in between. */
    private static int[] sizes(Random rnd, int total) {
        List<Integer> out = new ArrayList<>();
        int mss = rnd.nextBoolean() ? 1460 : 536 + rnd.nextInt(1000);
        for (int sum = 0; sum < total; ) {
            int n = switch (rnd.nextInt(6)) {
                case 0 -> 1 + rnd.nextInt(8);
                case 1, 2 -> 1 + rnd.nextInt(mss);
                default -> mss;
            };
            out.add(n);
            sum += n;
        }
        return out.stream().mapToInt(Integer::intValue).toArray();
    }

    /**
     * The run's segments moved at most a few places (a sort on index + noise), some sent twice, and
     * some earlier segments (of either side) again among them.
     */
    private static List<Seg> shuffle(Random rnd, List<Seg> run, List<Seg> earlier) {
        int window = rnd.nextInt(5);
        record Keyed(double key, Seg seg) {
        }
        List<Keyed> keyed = new ArrayList<>();
        for (int i = 0; i < run.size(); i++) {
            keyed.add(new Keyed(i + rnd.nextDouble() * window, run.get(i)));
            if (rnd.nextInt(8) == 0) {
                keyed.add(new Keyed(i + rnd.nextDouble() * (window + 2), run.get(i))); // a duplicate
            }
        }
        if (!earlier.isEmpty() && rnd.nextInt(3) == 0) {
            Seg old = earlier.get(rnd.nextInt(earlier.size()));
            if ((old.flags() & (Net.SYN | Net.FIN | Net.RST)) == 0) {
                keyed.add(new Keyed(rnd.nextDouble() * run.size(), old)); // a late retransmission
            }
        }
        keyed.sort(Comparator.comparingDouble(Keyed::key));
        return keyed.stream().map(Keyed::seg).toList();
    }

    private static Session session(Random rnd) {
        boolean deflate = rnd.nextInt(3) == 0;
        boolean serverNoContext = deflate && rnd.nextInt(3) == 0;
        boolean clientNoContext = deflate && rnd.nextInt(3) == 0;
        String response = deflate ? "permessage-deflate" + (serverNoContext ? "; server_no_context_takeover" : "")
                + (clientNoContext ? "; client_no_context_takeover" : "") : null;
        List<Run> runs = new ArrayList<>();
        runs.add(new Run(true, Ws.request("example.com", "/r" + rnd.nextInt(100), deflate ? "permessage-deflate" : null)));
        runs.add(new Run(false, Ws.response(response)));
        FrameWriter writer = new FrameWriter(rnd);
        Deflater[] deflaters = {new Deflater(Deflater.DEFAULT_COMPRESSION, true), new Deflater(Deflater.DEFAULT_COMPRESSION, true)};
        boolean[] noContext = {clientNoContext, serverNoContext};
        ByteArrayOutputStream current = new ByteArrayOutputStream();
        boolean side = true;
        int messages = 1 + rnd.nextInt(12);
        for (int m = 0; m < messages; m++) {
            boolean from = rnd.nextInt(3) != 0 ? rnd.nextBoolean() : side;
            if (from != side || rnd.nextInt(4) == 0) {
                if (current.size() > 0) {
                    runs.add(new Run(side, current.toByteArray()));
                    current.reset();
                }
                side = from;
            }
            if (rnd.nextInt(6) == 0) {
                current.writeBytes(control(rnd, writer, from));
            }
            boolean text = rnd.nextBoolean();
            byte[] payload = text ? text(rnd, size(rnd)) : Ws.noise(size(rnd), rnd.nextLong());
            boolean compressed = deflate && rnd.nextInt(4) != 0;
            if (compressed) {
                int d = from ? 0 : 1;
                if (noContext[d]) {
                    deflaters[d].reset();
                }
                payload = compress(deflaters[d], payload);
            }
            int fragments = rnd.nextInt(3) == 0 ? 2 + rnd.nextInt(4) : 1;
            int[] cuts = rnd.ints(fragments - 1, 0, payload.length + 1).sorted().toArray();
            int prev = 0;
            for (int f = 0; f < fragments; f++) {
                int end = f < cuts.length ? cuts[f] : payload.length;
                FrameSpec spec = FrameSpec.of(f == 0 ? (text ? Opcode.TEXT : Opcode.BINARY) : Opcode.CONTINUATION,
                        Arrays.copyOfRange(payload, prev, end)).withFin(f == fragments - 1).withRsv(compressed && f == 0, false, false);
                current.writeBytes(writer.encode(from ? spec.withMask(writer.randomMaskKey()) : spec));
                prev = end;
                if (f < fragments - 1 && rnd.nextInt(4) == 0) {
                    current.writeBytes(control(rnd, writer, from)); // between fragments
                }
            }
        }
        String end = switch (rnd.nextInt(6)) {
            case 0 -> "none";
            case 1 -> "rst";
            default -> "fin";
        };
        if (rnd.nextInt(4) != 0) {
            // the close handshake: one side, then the other
            boolean closer = rnd.nextBoolean();
            byte[] reason = FrameWriter.closePayload(rnd.nextBoolean() ? 1000 : 4000 + rnd.nextInt(999), "done");
            if (closer != side && current.size() > 0) {
                runs.add(new Run(side, current.toByteArray()));
                current.reset();
            }
            side = closer;
            current.writeBytes(closeFrame(writer, closer, reason));
            runs.add(new Run(side, current.toByteArray()));
            current.reset();
            side = !closer;
            current.writeBytes(closeFrame(writer, !closer, reason));
        }
        if (current.size() > 0) {
            runs.add(new Run(side, current.toByteArray()));
        }
        deflaters[0].end();
        deflaters[1].end();
        return new Session(runs, end);
    }

    private static byte[] closeFrame(FrameWriter writer, boolean fromClient, byte[] payload) {
        FrameSpec spec = FrameSpec.of(Opcode.CLOSE, payload);
        return writer.encode(fromClient ? spec.withMask(writer.randomMaskKey()) : spec);
    }

    private static byte[] control(Random rnd, FrameWriter writer, boolean fromClient) {
        byte[] payload = new byte[rnd.nextInt(126)];
        rnd.nextBytes(payload);
        FrameSpec spec = FrameSpec.of(rnd.nextBoolean() ? Opcode.PING : Opcode.PONG, payload);
        return writer.encode(fromClient ? spec.withMask(writer.randomMaskKey()) : spec);
    }

    /** 0 to 70,000 bytes, mostly small. */
    private static int size(Random rnd) {
        return switch (rnd.nextInt(20)) {
            case 0 -> rnd.nextInt(70_001);
            case 1, 2, 3 -> 126 + rnd.nextInt(5000);
            case 4 -> rnd.nextBoolean() ? 125 + rnd.nextInt(3) : 65_535 + rnd.nextInt(3);
            default -> rnd.nextInt(126);
        };
    }

    private static byte[] text(Random rnd, int bytes) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] prefix = null;
        while (out.size() < bytes) {
            if (prefix != null && rnd.nextInt(8) == 0) {
                out.writeBytes(prefix); // a repeat, for deflate to find
            } else {
                out.writeBytes(CHARS[rnd.nextInt(CHARS.length)].getBytes(StandardCharsets.UTF_8));
                if (prefix == null && out.size() >= 200) {
                    prefix = out.toByteArray(); // whole characters: valid UTF-8
                }
            }
        }
        return out.toByteArray();
    }

    /** RFC 7692 7.2.1: sync flush, the final 00 00 ff ff removed (a single 00 for nothing new). */
    private static byte[] compress(Deflater deflater, byte[] message) {
        deflater.setInput(message);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[8192];
        int n;
        do {
            n = deflater.deflate(buf, 0, buf.length, Deflater.SYNC_FLUSH);
            out.write(buf, 0, n);
        } while (n == buf.length);
        byte[] all = out.toByteArray();
        return all.length < 4 ? new byte[] {0} : Arrays.copyOf(all, all.length - 4);
    }
}
