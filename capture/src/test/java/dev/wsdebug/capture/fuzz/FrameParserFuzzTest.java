package dev.wsdebug.capture.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.wsdebug.wire.Direction;
import dev.wsdebug.wire.Frame;
import dev.wsdebug.wire.FrameListener;
import dev.wsdebug.wire.FrameParser;
import dev.wsdebug.wire.Rule;
import dev.wsdebug.wire.Violation;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.TreeSet;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Timeout;

/**
 * Fuzzes {@link FrameParser} on one direction's bytes.
 *
 * <p>Input ({@link FuzzInput}): options bits 0-1 the direction (1 c2s, 2 s2c, 0 or 3 none: no
 * masking rule), bit 2 RSV1 negotiated; the data is the stream. (Payloads beyond the parser's 64 KiB
 * unmasking buffer are left to wire's FrameLengthTest: libFuzzer keeps inputs to 4 KiB here, and
 * inputs made large by repetition cost a hundred times more, mostly in the oracle.) The stream is parsed twice, fed
 * whole and fed in the fuzzer's chunks, and each run is checked against a reference walk of the
 * bytes written here from RFC 6455 5.2 (header fields, where each frame starts, payload unmasked
 * byte by byte, the header rules with their offsets, the close payload rules, the truncation at
 * the end); then the two runs must report the same frames, violations and truncation.
 */
class FrameParserFuzzTest {
    private static final HexFormat HEX = HexFormat.of();
    /** Control payloads are kept up to this many bytes (FrameParser's CONTROL_KEEP_LIMIT). */
    private static final int CONTROL_KEEP = 64 * 1024;

    // @Timeout bounds each seed in regression runs; in fuzzing runs the pom turns JUnit's timeouts
    // off and Jazzer hands this value to libFuzzer as -timeout, the limit for one input.
    @Timeout(10)
    @FuzzTest(maxDuration = "15s")
    void frameParser(byte[] input) {
        FuzzInput in = FuzzInput.parse(input);
        Direction dir = switch (in.options() & 3) {
            case 1 -> Direction.C2S;
            case 2 -> Direction.S2C;
            default -> null;
        };
        boolean rsv1 = (in.options() & 4) != 0;
        byte[] stream = in.data();

        Model model = Model.walk(stream, dir, rsv1);
        Run whole = Run.parse(stream, dir, rsv1, FuzzInput.WHOLE);
        Run chunked = Run.parse(stream, dir, rsv1, in.plan());
        model.check(whole, stream, "fed whole");
        model.check(chunked, stream, "fed in chunks");
        if (!whole.sameAs(chunked)) {
            throw new AssertionError("fed whole and fed in chunks differ:\n--- whole\n" + whole.summary()
                    + "--- chunked\n" + chunked.summary());
        }
    }

    /** What the parser reported for one frame. */
    static final class Seen {
        final Frame frame;
        final List<Violation> atStart;
        final ByteArrayOutputStream payload = new ByteArrayOutputStream();
        long delivered;
        List<Violation> atEnd;
        byte[] control;
        boolean ended;

        Seen(Frame frame) {
            this.frame = frame;
            this.atStart = List.copyOf(frame.violations());
        }

        String summary() {
            Frame f = frame;
            CRC32 crc = new CRC32();
            crc.update(payload.toByteArray());
            return f.offset() + " fin=" + f.fin() + " rsv=" + f.rsv1() + f.rsv2() + f.rsv3() + " op=" + f.opcode()
                    + " masked=" + f.masked() + " key=" + Integer.toHexString(f.maskKey()) + " hl=" + f.headerLength()
                    + " enc=" + f.lengthEncoding() + " len=" + f.payloadLength() + " delivered=" + delivered
                    + " crc=" + Long.toHexString(crc.getValue()) + " ended=" + ended
                    + " control=" + (control == null ? "-" : HEX.formatHex(control))
                    + " start=" + atStart + " end=" + atEnd + "\n";
        }
    }

    /** One parse of the stream, with the listener contract checked as it goes. */
    static final class Run implements FrameListener {
        final List<Seen> frames = new ArrayList<>();
        Seen open;
        long boundary;
        Violation truncation;
        long finalOffset;
        boolean closeSeen;

        static Run parse(byte[] stream, Direction dir, boolean rsv1, int[] plan) {
            Run run = new Run();
            FrameParser p = new FrameParser(dir, rsv1, run);
            long[] fed = {0};
            new FuzzInput.Chunker(plan).split(stream.length, (off, len) -> {
                p.feed(stream, off, len);
                fed[0] += len;
                if (p.offset() != fed[0]) {
                    throw new AssertionError("offset() is " + p.offset() + " after " + fed[0] + " bytes were fed");
                }
                boolean mid = run.open != null || fed[0] != run.boundary;
                if (p.midFrame() != mid) {
                    throw new AssertionError("midFrame() is " + p.midFrame() + " at byte " + fed[0]
                            + " (last complete frame ends at " + run.boundary + ", frame open: " + (run.open != null) + ")");
                }
            });
            run.truncation = p.finish();
            run.finalOffset = p.offset();
            run.closeSeen = p.closeSeen();
            return run;
        }

        @Override
        public void onFrameStart(Frame f) {
            if (open != null) {
                throw new AssertionError("a frame starts at " + f.offset() + " while the frame at " + open.frame.offset() + " is open");
            }
            open = new Seen(f);
            frames.add(open);
        }

        @Override
        public void onFramePayload(Frame f, byte[] buf, int off, int len, long payloadPos) {
            if (open == null || open.frame != f) {
                throw new AssertionError("payload for a frame that is not the open one: " + f);
            }
            if (payloadPos != open.delivered) {
                throw new AssertionError("payload piece at " + payloadPos + " but " + open.delivered + " bytes came before: " + f);
            }
            if (off < 0 || len < 0 || off + len > buf.length || open.delivered + len > f.payloadLength()) {
                throw new AssertionError("bad payload piece off=" + off + " len=" + len + " in a buffer of " + buf.length
                        + " after " + open.delivered + " bytes: " + f);
            }
            open.payload.write(buf, off, len);
            open.delivered += len;
        }

        @Override
        public void onFrameEnd(Frame f) {
            if (open == null || open.frame != f) {
                throw new AssertionError("end of a frame that is not the open one: " + f);
            }
            if (open.delivered != f.payloadLength()) {
                throw new AssertionError("frame ends after " + open.delivered + " payload bytes: " + f);
            }
            open.atEnd = List.copyOf(f.violations());
            open.control = f.controlPayload() == null ? null : f.controlPayload().clone();
            open.ended = true;
            boundary = f.offset() + f.wireLength();
            open = null;
        }

        /** Same frames, violations (with their sentences), payloads, truncation and state. */
        boolean sameAs(Run o) {
            if (frames.size() != o.frames.size() || !java.util.Objects.equals(truncation, o.truncation)
                    || finalOffset != o.finalOffset || closeSeen != o.closeSeen) {
                return false;
            }
            for (int i = 0; i < frames.size(); i++) {
                Seen a = frames.get(i);
                Seen b = o.frames.get(i);
                Frame x = a.frame;
                Frame y = b.frame;
                if (x.offset() != y.offset() || x.fin() != y.fin() || x.rsv1() != y.rsv1() || x.rsv2() != y.rsv2()
                        || x.rsv3() != y.rsv3() || x.opcode() != y.opcode() || x.masked() != y.masked()
                        || x.maskKey() != y.maskKey() || x.headerLength() != y.headerLength()
                        || x.lengthEncoding() != y.lengthEncoding() || x.payloadLength() != y.payloadLength()
                        || a.delivered != b.delivered || a.ended != b.ended || !a.atStart.equals(b.atStart)
                        || !java.util.Objects.equals(a.atEnd, b.atEnd) || !java.util.Arrays.equals(a.control, b.control)
                        || !java.util.Arrays.equals(a.payload.toByteArray(), b.payload.toByteArray())) {
                    return false;
                }
            }
            return true;
        }

        String summary() {
            StringBuilder sb = new StringBuilder();
            for (Seen s : frames) {
                sb.append(s.summary());
            }
            return sb.append("truncation=").append(truncation).append(" offset=").append(finalOffset)
                    .append(" closeSeen=").append(closeSeen).append('\n').toString();
        }
    }

    /** One frame as the reference walk reads it. */
    record Expected(long offset, boolean fin, boolean rsv1, boolean rsv2, boolean rsv3, int opcode, boolean masked,
                    byte[] key, int headerLength, int lengthEncoding, long length, long available, boolean complete,
                    TreeSet<String> atStart, TreeSet<String> atEnd) {
    }

    /**
     * The reference: RFC 6455 5.2 read straight off the bytes, and the rules of 5.1, 5.2, 5.4, 5.5,
     * 5.5.1 and 7.4.1 plus RFC 7692 6 with the offsets the project documents (the frame's first
     * byte, +1 for the mask bit and 7-bit length, +2 for an extended length, the payload for a close
     * code). Violations compare as sets of "rule@offset"; a close reason's invalid UTF-8 only by
     * rule (the JDK's strict decoder decides), its offset is checked to lie in the reason.
     */
    static final class Model {
        final List<Expected> frames = new ArrayList<>();
        long truncatedAt = -1;
        boolean closeSeen;

        static Model walk(byte[] s, Direction dir, boolean rsv1Negotiated) {
            Model m = new Model();
            boolean inMessage = false;
            long pos = 0;
            while (pos < s.length) {
                int left = s.length - (int) pos;
                if (left < 2) {
                    m.truncatedAt = pos;
                    break;
                }
                int b0 = s[(int) pos] & 0xFF;
                int b1 = s[(int) pos + 1] & 0xFF;
                int len7 = b1 & 0x7F;
                boolean masked = (b1 & 0x80) != 0;
                int ext = len7 == 126 ? 2 : len7 == 127 ? 8 : 0;
                int hl = 2 + ext + (masked ? 4 : 0);
                if (left < hl) {
                    m.truncatedAt = pos;
                    break;
                }
                long length = 0;
                for (int k = 0; k < ext; k++) {
                    length = (length << 8) | (s[(int) pos + 2 + k] & 0xFF);
                }
                boolean topBit = ext == 8 && length < 0;
                length = ext == 0 ? len7 : length & Long.MAX_VALUE;
                boolean nonMinimal = (ext == 2 && length < 126) || (ext == 8 && length < 65536);
                byte[] key = new byte[4];
                if (masked) {
                    System.arraycopy(s, (int) pos + 2 + ext, key, 0, 4);
                }
                boolean fin = (b0 & 0x80) != 0;
                boolean r1 = (b0 & 0x40) != 0;
                boolean r2 = (b0 & 0x20) != 0;
                boolean r3 = (b0 & 0x10) != 0;
                int op = b0 & 0x0F;
                boolean control = op >= 8;
                boolean reserved = (op >= 3 && op <= 7) || op >= 0xB;

                TreeSet<String> start = new TreeSet<>();
                if (m.closeSeen) {
                    start.add("frame-after-close@" + pos);
                }
                if (r1 && !rsv1Negotiated) {
                    start.add("reserved-bit-set/1@" + pos);
                } else if (r1 && op == 0) {
                    start.add("rsv1-on-continuation@" + pos);
                } else if (r1 && control) {
                    start.add("rsv1-on-control-frame@" + pos);
                }
                if (r2) {
                    start.add("reserved-bit-set/2@" + pos);
                }
                if (r3) {
                    start.add("reserved-bit-set/3@" + pos);
                }
                if (reserved) {
                    start.add("reserved-opcode@" + pos);
                } else if (control && !fin) {
                    start.add("fragmented-control-frame@" + pos);
                } else if (op == 0) {
                    if (!inMessage) {
                        start.add("continuation-without-message@" + pos);
                    } else if (fin) {
                        inMessage = false;
                    }
                } else if (op == 1 || op == 2) {
                    if (inMessage) {
                        start.add("data-frame-in-fragmented-message@" + pos);
                    }
                    inMessage = !fin;
                }
                if (dir == Direction.C2S && !masked) {
                    start.add("client-frame-not-masked@" + (pos + 1));
                } else if (dir == Direction.S2C && masked) {
                    start.add("server-frame-masked@" + (pos + 1));
                }
                if (control && length > 125) {
                    start.add("control-frame-too-long@" + (pos + 1));
                }
                if (topBit) {
                    start.add("length-top-bit-set@" + (pos + 2));
                }
                if (nonMinimal) {
                    start.add("non-minimal-length@" + (pos + 2));
                }
                if (op == 8) {
                    m.closeSeen = true;
                }

                long payloadAt = pos + hl;
                long available = Math.min(length, s.length - payloadAt);
                boolean complete = available == length;
                TreeSet<String> end = null;
                if (complete) {
                    end = new TreeSet<>(start);
                    if (op == 8) {
                        closeRules(s, (int) payloadAt, (int) length, key, pos, end);
                    }
                }
                m.frames.add(new Expected(pos, fin, r1, r2, r3, op, masked, key, hl, ext == 0 ? 7 : ext == 2 ? 16 : 64,
                        length, available, complete, start, end));
                if (!complete) {
                    m.truncatedAt = pos;
                    break;
                }
                pos = payloadAt + length;
            }
            return m;
        }

        private static void closeRules(byte[] s, int payloadAt, int length, byte[] key, long frameAt, TreeSet<String> out) {
            if (length == 1) {
                out.add("close-payload-one-byte@" + (frameAt + 1));
                return;
            }
            if (length < 2) {
                return;
            }
            byte[] kept = new byte[Math.min(length, CONTROL_KEEP)];
            for (int i = 0; i < kept.length; i++) {
                kept[i] = (byte) (s[payloadAt + i] ^ key[i & 3]);
            }
            int code = ((kept[0] & 0xFF) << 8) | (kept[1] & 0xFF);
            boolean valid = (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) || (code >= 3000 && code <= 4999);
            if (!valid) {
                out.add("invalid-close-code@" + payloadAt);
            }
            if (!strictUtf8(kept, 2, kept.length - 2)) {
                out.add("close-reason-invalid-utf8@?");
            }
        }

        void check(Run run, byte[] s, String how) {
            String ctx = " (" + how + ")";
            if (run.frames.size() != frames.size()) {
                throw new AssertionError(run.frames.size() + " frames started but the stream holds " + frames.size() + ctx
                        + "\n" + run.summary());
            }
            for (int i = 0; i < frames.size(); i++) {
                Expected e = frames.get(i);
                Seen seen = run.frames.get(i);
                Frame f = seen.frame;
                String at = " of frame " + i + " at " + e.offset() + ctx + ": " + seen.summary();
                if (f.offset() != e.offset() || f.fin() != e.fin() || f.rsv1() != e.rsv1() || f.rsv2() != e.rsv2()
                        || f.rsv3() != e.rsv3() || f.opcode() != e.opcode() || f.masked() != e.masked()
                        || f.headerLength() != e.headerLength() || f.lengthEncoding() != e.lengthEncoding()
                        || f.payloadLength() != e.length()
                        || f.maskKey() != (e.masked() ? ByteBuffer.wrap(e.key()).getInt() : 0)) {
                    throw new AssertionError("header fields differ from " + e + at);
                }
                if (seen.ended != e.complete() || seen.delivered != e.available()) {
                    throw new AssertionError("expected complete=" + e.complete() + " with " + e.available()
                            + " payload bytes delivered" + at);
                }
                byte[] payload = seen.payload.toByteArray();
                int payloadAt = (int) (e.offset() + e.headerLength());
                for (int j = 0; j < payload.length; j++) {
                    if (payload[j] != (byte) (s[payloadAt + j] ^ e.key()[j & 3])) {
                        throw new AssertionError("payload byte " + j + " is not the input unmasked" + at);
                    }
                }
                checkViolations(f, seen.atStart, e.atStart(), e, "header violations" + at);
                if (seen.ended) {
                    checkViolations(f, seen.atEnd, e.atEnd(), e, "violations at the end" + at);
                    if (f.isControl()) {
                        byte[] want = java.util.Arrays.copyOf(payload, Math.min(payload.length, CONTROL_KEEP));
                        if (seen.control == null || !java.util.Arrays.equals(seen.control, want)) {
                            throw new AssertionError("control payload is not the payload's first bytes" + at);
                        }
                    } else if (seen.control != null) {
                        throw new AssertionError("a data frame has a control payload" + at);
                    }
                }
            }
            if (truncatedAt < 0 ? run.truncation != null
                    : run.truncation == null || !run.truncation.rule().equals("truncated-frame")
                            || run.truncation.offset() != truncatedAt) {
                throw new AssertionError("finish() returned " + run.truncation + ", expected a truncated frame at "
                        + truncatedAt + ctx);
            }
            if (run.finalOffset != s.length || run.closeSeen != closeSeen) {
                throw new AssertionError("offset()=" + run.finalOffset + " closeSeen()=" + run.closeSeen + " after "
                        + s.length + " bytes, expected closeSeen=" + closeSeen + ctx);
            }
        }

        private static void checkViolations(Frame f, List<Violation> got, TreeSet<String> want, Expected e, String what) {
            TreeSet<String> keys = new TreeSet<>();
            long last = Long.MIN_VALUE;
            boolean header = want == e.atStart();
            for (Violation v : got) {
                Rule rule = rule(v.rule());
                if (rule == null || !rule.rfc().equals(v.rfc()) || v.detail() == null || v.detail().isBlank()) {
                    throw new AssertionError("malformed violation " + v + " in " + what);
                }
                // (not f.wireLength(): a declared length near 2^63 overflows it while the frame is open)
                long rel = v.offset() - f.offset();
                if (rel < 0 || (rel >= f.headerLength() && rel - f.headerLength() >= f.payloadLength())) {
                    throw new AssertionError("violation " + v + " lies outside its frame, in " + what);
                }
                if (header && v.offset() < last) {
                    throw new AssertionError("header violations are not in the order of their bytes, in " + what);
                }
                last = v.offset();
                String key = v.rule();
                if (key.equals("reserved-bit-set")) {
                    key += v.detail().contains("RSV1") ? "/1" : v.detail().contains("RSV2") ? "/2" : "/3";
                }
                if (key.equals("close-reason-invalid-utf8")) {
                    if (v.offset() < f.payloadOffset() + 2) {
                        throw new AssertionError("close reason violation " + v + " before the reason, in " + what);
                    }
                    keys.add(key + "@?");
                } else {
                    keys.add(key + "@" + v.offset());
                }
            }
            if (!keys.equals(want)) {
                throw new AssertionError(what + ": got " + keys + ", the rules give " + want);
            }
        }

        private static Rule rule(String id) {
            for (Rule r : Rule.values()) {
                if (r.id().equals(id)) {
                    return r;
                }
            }
            return null;
        }
    }

    /** Strict UTF-8 by the JDK's decoder (no overlongs, no surrogates, nothing above U+10FFFF). */
    static boolean strictUtf8(byte[] b, int off, int len) {
        try {
            StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(b, off, len));
            return true;
        } catch (java.nio.charset.CharacterCodingException e) {
            return false;
        }
    }
}
