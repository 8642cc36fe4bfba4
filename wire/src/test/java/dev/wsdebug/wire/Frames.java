package dev.wsdebug.wire;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;

/**
 * Test helper: decodes bytes with a {@link FrameParser} feeding a {@link MessageAssembler} and
 * records everything the listener saw as plain values, so that two decodes of the same input can
 * be compared with {@code equals}.
 */
final class Frames {
    private static final HexFormat HEX = HexFormat.of();

    private Frames() {
    }

    /** Parses hex such as {@code "81 05 48656c6c6f"} or {@code "0x81 0x05"}; spaces and 0x prefixes are ignored. */
    static byte[] hex(String s) {
        return HEX.parseHex(s.replaceAll("(?i)\\b0x", "").replaceAll("[\\s,]", ""));
    }

    static String hex(byte[] b) {
        return HEX.formatHex(b);
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    /** {@code n} bytes 0, 1, 2, ... 255, 0, 1, ... */
    static byte[] counting(int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) i;
        }
        return b;
    }

    /** Masks {@code payload} with a four-byte key the plain way (RFC 6455 5.3: j = i MOD 4). */
    static byte[] maskNaive(byte[] payload, byte[] key) {
        byte[] out = new byte[payload.length];
        for (int i = 0; i < payload.length; i++) {
            out[i] = (byte) (payload[i] ^ key[i % 4]);
        }
        return out;
    }

    /**
     * A frame built straight from RFC 6455 5.2, independent of {@link FrameWriter}.
     *
     * @param b0       first header byte (FIN, RSV, opcode)
     * @param encoding 7, 16 or 64
     * @param key      mask key bytes, or null
     */
    static byte[] rawFrame(int b0, int encoding, long declaredLength, byte[] key, byte[] payload) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(b0);
        int maskBit = key != null ? 0x80 : 0;
        if (encoding == 7) {
            out.write(maskBit | (int) declaredLength);
        } else if (encoding == 16) {
            out.write(maskBit | 126);
            out.write((int) (declaredLength >>> 8) & 0xFF);
            out.write((int) declaredLength & 0xFF);
        } else {
            out.write(maskBit | 127);
            for (int i = 7; i >= 0; i--) {
                out.write((int) (declaredLength >>> (8 * i)) & 0xFF);
            }
        }
        if (key != null) {
            out.writeBytes(key);
            out.writeBytes(maskNaive(payload, key));
        } else {
            out.writeBytes(payload);
        }
        return out.toByteArray();
    }

    /** Shortest-encoding frame: b0 is FIN/RSV/opcode. */
    static byte[] rawFrame(int b0, byte[] key, byte[] payload) {
        int n = payload.length;
        return rawFrame(b0, n <= 125 ? 7 : n <= 0xFFFF ? 16 : 64, n, key, payload);
    }

    // ---------------------------------------------------------------------------------------------

    /** How to decode: direction (null = unknown), whether permessage-deflate is in use, and how. */
    record Setup(Direction direction, boolean deflate, boolean noContextTakeover, int retainCap) {
        static Setup plain() {
            return new Setup(null, false, false, 1 << 20);
        }

        static Setup c2s() {
            return plain().direction(Direction.C2S);
        }

        static Setup s2c() {
            return plain().direction(Direction.S2C);
        }

        Setup direction(Direction d) {
            return new Setup(d, deflate, noContextTakeover, retainCap);
        }

        /** permessage-deflate negotiated (RSV1 meaningful, messages inflated). */
        Setup deflate(boolean noContext) {
            return new Setup(direction, true, noContext, retainCap);
        }

        Setup retainCap(int cap) {
            return new Setup(direction, deflate, noContextTakeover, cap);
        }
    }

    /** One frame as recorded: header fields, joined unmasked payload (hex), final violations. */
    record FrameRec(long offset, boolean fin, boolean rsv1, boolean rsv2, boolean rsv3, int opcode, boolean masked,
                    int maskKey, int headerLength, int lengthEncoding, long payloadLength, String payloadHex,
                    boolean ended, String controlPayloadHex, List<Violation> violations) {
        byte[] payload() {
            return HEX.parseHex(payloadHex);
        }

        String text() {
            return new String(payload(), StandardCharsets.UTF_8);
        }

        List<String> rules() {
            return violations.stream().map(Violation::rule).toList();
        }

        Violation violation(String rule) {
            return violations.stream().filter(v -> v.rule().equals(rule)).findFirst()
                    .orElseThrow(() -> new AssertionError("no " + rule + " in " + violations));
        }
    }

    /** A completed message as recorded (payload as hex so records compare by value). */
    record MsgRec(int opcode, int frames, boolean compressed, long wireLength, long length, String payloadHex,
                  boolean truncated, String sha256, long utf8InvalidAt, long firstOffset, List<Violation> violations) {
        static MsgRec of(Message m) {
            return new MsgRec(m.opcode(), m.frames(), m.compressed(), m.wireLength(), m.length(),
                    HEX.formatHex(m.payload()), m.truncated(), m.sha256(), m.utf8InvalidAt(), m.firstOffset(),
                    m.violations());
        }

        byte[] payload() {
            return HEX.parseHex(payloadHex);
        }

        String text() {
            return new String(payload(), StandardCharsets.UTF_8);
        }

        List<String> rules() {
            return violations.stream().map(Violation::rule).toList();
        }
    }

    /** Everything one decode produced. */
    record Decoded(List<FrameRec> frames, List<MsgRec> messages, Violation truncation, long endOffset) {
        FrameRec frame(int i) {
            return frames.get(i);
        }

        MsgRec message(int i) {
            return messages.get(i);
        }

        List<Violation> allFrameViolations() {
            return frames.stream().flatMap(f -> f.violations().stream()).toList();
        }

        List<String> texts() {
            return messages.stream().map(MsgRec::text).toList();
        }
    }

    /** Chunk sizes for feeding: each call gets the bytes remaining and returns how many to feed. */
    interface Chunker {
        int next(int remaining);

        static Chunker whole() {
            return remaining -> remaining;
        }

        static Chunker bytewise() {
            return remaining -> 1;
        }

        /** Mostly tiny chunks with some large ones, seeded. */
        static Chunker random(long seed) {
            Random r = new Random(seed);
            return remaining -> {
                int max = r.nextInt(4) == 0 ? 5000 : 7;
                return 1 + r.nextInt(Math.min(remaining, max));
            };
        }
    }

    /** Records what the parser reports and passes it on to an assembler, as a capture would. */
    static final class Recorder implements FrameListener {
        private final MessageAssembler assembler;
        private final List<Frame> frames = new ArrayList<>();
        private final List<ByteArrayOutputStream> payloads = new ArrayList<>();
        private final List<Boolean> ended = new ArrayList<>();
        private final List<MsgRec> messages = new ArrayList<>();
        private Frame current;

        Recorder(MessageAssembler assembler) {
            this.assembler = assembler;
        }

        @Override
        public void onFrameStart(Frame frame) {
            assertThat(current).as("a frame starts before the previous one ended").isNull();
            current = frame;
            frames.add(frame);
            payloads.add(new ByteArrayOutputStream());
            ended.add(false);
            assembler.frameStart(frame);
        }

        @Override
        public void onFramePayload(Frame frame, byte[] buf, int off, int len, long payloadPos) {
            assertThat(frame).isSameAs(current);
            ByteArrayOutputStream p = payloads.get(payloads.size() - 1);
            assertThat(payloadPos).as("payload position").isEqualTo(p.size());
            assertThat(len).isPositive();
            assertThat(payloadPos + len).isLessThanOrEqualTo(frame.payloadLength());
            p.write(buf, off, len);
            assembler.framePayload(frame, buf, off, len, payloadPos);
        }

        @Override
        public void onFrameEnd(Frame frame) {
            assertThat(frame).isSameAs(current);
            assertThat((long) payloads.get(payloads.size() - 1).size()).isEqualTo(frame.payloadLength());
            current = null;
            ended.set(ended.size() - 1, true);
            Message m = assembler.frameEnd(frame);
            if (m != null) {
                messages.add(MsgRec.of(m));
            }
        }

        Decoded result(Violation truncation, long endOffset) {
            List<FrameRec> out = new ArrayList<>();
            for (int i = 0; i < frames.size(); i++) {
                Frame f = frames.get(i);
                byte[] cp = f.controlPayload();
                out.add(new FrameRec(f.offset(), f.fin(), f.rsv1(), f.rsv2(), f.rsv3(), f.opcode(), f.masked(),
                        f.maskKey(), f.headerLength(), f.lengthEncoding(), f.payloadLength(),
                        HEX.formatHex(payloads.get(i).toByteArray()), ended.get(i),
                        cp == null ? null : HEX.formatHex(cp), List.copyOf(f.violations())));
            }
            return new Decoded(out, List.copyOf(messages), truncation, endOffset);
        }
    }

    /** Decodes {@code input} fed in the chunks the chunker picks, then calls finish(). */
    static Decoded decode(Setup setup, byte[] input, Chunker chunker) {
        MessageInflater inflater = setup.deflate() ? new MessageInflater(setup.noContextTakeover()) : null;
        MessageAssembler assembler = new MessageAssembler(inflater, setup.retainCap());
        Recorder rec = new Recorder(assembler);
        FrameParser parser = new FrameParser(setup.direction(), setup.deflate(), rec);
        int i = 0;
        while (i < input.length) {
            int n = chunker.next(input.length - i);
            // feed from a fresh array with slack on both sides, so offsets are exercised too
            byte[] chunk = new byte[n + 6];
            System.arraycopy(input, i, chunk, 3, n);
            parser.feed(chunk, 3, n);
            i += n;
        }
        assertThat(parser.offset()).isEqualTo(input.length);
        Violation truncation = parser.finish();
        if (inflater != null) {
            inflater.close();
        }
        return rec.result(truncation, parser.offset());
    }

    /**
     * Decodes whole, one byte at a time and in three seeded random chunkings, asserts that all give
     * identical records, and returns them.
     */
    static Decoded decodeAllWays(Setup setup, byte[] input) {
        Decoded whole = decode(setup, input, Chunker.whole());
        assertThat(decode(setup, input, Chunker.bytewise())).as("fed byte by byte").isEqualTo(whole);
        for (long seed = 1; seed <= 3; seed++) {
            assertThat(decode(setup, input, Chunker.random(seed))).as("fed in random chunks, seed " + seed)
                    .isEqualTo(whole);
        }
        return whole;
    }

    static Decoded decodeAllWays(Setup setup, String hex) {
        return decodeAllWays(setup, hex(hex));
    }

    static Decoded decodeAllWays(String hex) {
        return decodeAllWays(Setup.plain(), hex(hex));
    }
}
