package dev.wsdebug.wire;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wsdebug.wire.Frames.Decoded;
import dev.wsdebug.wire.Frames.FrameRec;
import dev.wsdebug.wire.Frames.MsgRec;
import dev.wsdebug.wire.Frames.Setup;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Seeded random frame sequences written by {@link FrameWriter}, concatenated, and parsed back in
 * random chunks: every header field, payload and message must come back as written.
 */
class FrameRoundTripPropertyTest {
    private static final int SEQUENCES = 500;

    /** What a frame must decode to: the spec, where it starts, and whether its length is non-minimal. */
    private record Expected(FrameSpec spec, long offset, int encoding) {
        int minimalEncoding() {
            int n = spec.payload().length;
            return n <= 125 ? 7 : n <= 0xFFFF ? 16 : 64;
        }

        int headerLength() {
            return 2 + (encoding == 16 ? 2 : encoding == 64 ? 8 : 0) + (spec.maskKey() != null ? 4 : 0);
        }
    }

    private record ExpectedMessage(int opcode, byte[] payload, int frames, long firstOffset) {
    }

    private static int dataLength(Random r) {
        int p = r.nextInt(100);
        if (p < 4) {
            return 65533 + r.nextInt(6);
        }
        if (p < 25) {
            int[] edges = {0, 1, 2, 124, 125, 126, 127, 128, 255, 256};
            return edges[r.nextInt(edges.length)];
        }
        return r.nextInt(400);
    }

    private static int controlLength(Random r) {
        int[] edges = {0, 1, 124, 125};
        return r.nextBoolean() ? edges[r.nextInt(edges.length)] : r.nextInt(126);
    }

    /** Exactly {@code n} bytes of valid UTF-8 with characters of every width. */
    static byte[] randomUtf8(Random r, int n) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(n);
        while (out.size() < n) {
            int width = 1 + r.nextInt(Math.min(4, n - out.size()));
            int cp = switch (width) {
                case 1 -> r.nextInt(0x80);
                case 2 -> 0x80 + r.nextInt(0x780);
                case 3 -> {
                    int c = 0x800 + r.nextInt(0xF800);
                    yield c >= 0xD800 && c <= 0xDFFF ? 0xE000 : c;
                }
                default -> 0x10000 + r.nextInt(0x100000);
            };
            out.writeBytes(new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8));
        }
        return out.toByteArray();
    }

    private static byte[] randomBytes(Random r, int n) {
        byte[] b = new byte[n];
        r.nextBytes(b);
        return b;
    }

    @Test
    void randomSequencesRoundTrip() {
        Random r = new Random(0x6455_7692L);
        FrameWriter writer = new FrameWriter(new Random(1));
        long totalFrames = 0;
        long nonMinimal = 0;
        long masked = 0;
        long fragmented = 0;
        for (int seq = 0; seq < SEQUENCES; seq++) {
            Direction dir = switch (r.nextInt(3)) {
                case 0 -> Direction.C2S;
                case 1 -> Direction.S2C;
                default -> null;
            };
            List<Expected> frames = new ArrayList<>();
            List<ExpectedMessage> messages = new ArrayList<>();
            ByteArrayOutputStream wire = new ByteArrayOutputStream();

            // adds one frame, choosing masking and length encoding at random
            java.util.function.Consumer<FrameSpec> add = base -> {
                Integer key = switch (dir == null ? 2 : dir == Direction.C2S ? 0 : 1) {
                    case 0 -> r.nextInt(8) == 0 ? 0 : r.nextInt();
                    case 1 -> null;
                    default -> r.nextBoolean() ? r.nextInt() : null;
                };
                int n = base.payload().length;
                int minimal = n <= 125 ? 7 : n <= 0xFFFF ? 16 : 64;
                int forced = 0;
                int encoding = minimal;
                if (r.nextInt(10) == 0 && minimal != 64) {
                    encoding = minimal == 7 && r.nextBoolean() ? 16 : 64;
                    forced = encoding;
                }
                FrameSpec spec = base.withMask(key).withLengthEncoding(forced);
                frames.add(new Expected(spec, wire.size(), encoding));
                wire.writeBytes(writer.encode(spec));
            };

            int messageCount = 1 + r.nextInt(5);
            for (int m = 0; m < messageCount; m++) {
                if (r.nextInt(4) == 0) {
                    add.accept(FrameSpec.of(r.nextBoolean() ? Opcode.PING : Opcode.PONG,
                            randomBytes(r, controlLength(r))));
                }
                int opcode = r.nextBoolean() ? Opcode.TEXT : Opcode.BINARY;
                int total = dataLength(r);
                byte[] payload = opcode == Opcode.TEXT ? randomUtf8(r, total) : randomBytes(r, total);
                int pieces = r.nextInt(3) == 0 ? 2 + r.nextInt(4) : 1;
                int[] cuts = new int[pieces + 1];
                for (int k = 1; k < pieces; k++) {
                    cuts[k] = r.nextInt(total + 1);
                }
                cuts[pieces] = total;
                Arrays.sort(cuts, 1, pieces);
                long first = wire.size();
                for (int k = 0; k < pieces; k++) {
                    // text may be cut inside a character: only the whole message must be UTF-8
                    byte[] part = Arrays.copyOfRange(payload, cuts[k], cuts[k + 1]);
                    add.accept(FrameSpec.of(k == 0 ? opcode : Opcode.CONTINUATION, part).withFin(k == pieces - 1));
                    if (k < pieces - 1 && r.nextInt(3) == 0) {
                        add.accept(FrameSpec.of(r.nextBoolean() ? Opcode.PING : Opcode.PONG,
                                randomBytes(r, controlLength(r))));
                    }
                }
                if (pieces > 1) {
                    fragmented++;
                }
                messages.add(new ExpectedMessage(opcode, payload, pieces, first));
            }
            if (r.nextInt(4) == 0) {
                int[] codes = {1000, 1001, 1002, 1003, 1007, 1011, 1014, 3000, 4999};
                String reason = new String(randomUtf8(r, r.nextInt(60)), StandardCharsets.UTF_8);
                add.accept(FrameSpec.of(Opcode.CLOSE, FrameWriter.closePayload(codes[r.nextInt(codes.length)], reason)));
            }

            byte[] input = wire.toByteArray();
            Setup setup = Setup.plain().direction(dir).retainCap(1 << 17);
            Decoded d = Frames.decode(setup, input, Frames.Chunker.random(seq));
            assertThat(Frames.decode(setup, input, Frames.Chunker.whole())).as("sequence %d whole", seq).isEqualTo(d);

            assertThat(d.frames()).as("sequence %d", seq).hasSize(frames.size());
            for (int i = 0; i < frames.size(); i++) {
                Expected e = frames.get(i);
                FrameRec f = d.frame(i);
                String what = "sequence " + seq + " frame " + i;
                assertThat(f.offset()).as(what).isEqualTo(e.offset());
                assertThat(f.fin()).as(what).isEqualTo(e.spec().fin());
                assertThat(f.rsv1() || f.rsv2() || f.rsv3()).as(what).isFalse();
                assertThat(f.opcode()).as(what).isEqualTo(e.spec().opcode());
                assertThat(f.masked()).as(what).isEqualTo(e.spec().maskKey() != null);
                assertThat(f.maskKey()).as(what).isEqualTo(e.spec().maskKey() == null ? 0 : e.spec().maskKey());
                assertThat(f.lengthEncoding()).as(what).isEqualTo(e.encoding());
                assertThat(f.headerLength()).as(what).isEqualTo(e.headerLength());
                assertThat(f.payloadLength()).as(what).isEqualTo(e.spec().payload().length);
                assertThat(f.payload()).as(what).isEqualTo(e.spec().payload());
                assertThat(f.ended()).as(what).isTrue();
                if (e.encoding() != e.minimalEncoding()) {
                    nonMinimal++;
                    assertThat(f.rules()).as(what).containsExactly("non-minimal-length");
                    assertThat(f.violations().get(0).offset()).as(what).isEqualTo(e.offset() + 2);
                } else {
                    assertThat(f.violations()).as(what).isEmpty();
                }
                if (f.masked()) {
                    masked++;
                }
                if (Opcode.isControl(f.opcode())) {
                    assertThat(f.controlPayloadHex()).as(what).isEqualTo(Frames.hex(e.spec().payload()));
                }
                totalFrames++;
            }
            assertThat(d.messages()).as("sequence %d", seq).hasSize(messages.size());
            for (int i = 0; i < messages.size(); i++) {
                ExpectedMessage e = messages.get(i);
                MsgRec m = d.message(i);
                String what = "sequence " + seq + " message " + i;
                assertThat(m.opcode()).as(what).isEqualTo(e.opcode());
                assertThat(m.payload()).as(what).isEqualTo(e.payload());
                assertThat(m.length()).as(what).isEqualTo(e.payload().length);
                assertThat(m.frames()).as(what).isEqualTo(e.frames());
                assertThat(m.firstOffset()).as(what).isEqualTo(e.firstOffset());
                assertThat(m.violations()).as(what).isEmpty();
                assertThat(m.utf8InvalidAt()).as(what).isEqualTo(-1);
            }
            assertThat(d.truncation()).isNull();
            assertThat(d.endOffset()).isEqualTo(input.length);
        }
        // the generator covers what it is meant to
        assertThat(totalFrames).isGreaterThan(2000);
        assertThat(nonMinimal).isGreaterThan(100);
        assertThat(masked).isGreaterThan(500);
        assertThat(fragmented).isGreaterThan(200);
    }

    @Test
    void randomBytesNeverThrowAndDecodeTheSameInAnyChunking() {
        // garbage with headers biased to short lengths, so that many frames complete
        Random r = new Random(1455);
        for (int run = 0; run < 300; run++) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            int frames = 1 + r.nextInt(8);
            for (int i = 0; i < frames; i++) {
                out.write(r.nextInt(256));
                int len = r.nextInt(10) == 0 ? 126 + r.nextInt(2) : r.nextInt(40);
                out.write((r.nextBoolean() ? 0x80 : 0) | len);
                int extra = r.nextInt(60);
                for (int k = 0; k < extra; k++) {
                    out.write(r.nextInt(4) == 0 ? 0 : r.nextInt(256));
                }
            }
            byte[] input = out.toByteArray();
            for (Setup s : List.of(Setup.plain(), Setup.c2s().deflate(false), Setup.s2c().deflate(true))) {
                Decoded d = Frames.decodeAllWays(s, input);
                assertThat(d.endOffset()).isEqualTo(input.length);
            }
        }
    }
}
