package dev.wsdebug.bench;

import dev.wsdebug.wire.Direction;
import dev.wsdebug.wire.Frame;
import dev.wsdebug.wire.FrameListener;
import dev.wsdebug.wire.FrameParser;
import dev.wsdebug.wire.FrameSpec;
import dev.wsdebug.wire.FrameWriter;
import dev.wsdebug.wire.Opcode;
import java.io.ByteArrayOutputStream;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Parse + unmask throughput of {@link FrameParser} on masked (client-to-server) binary frames,
 * against a naive byte-loop parser written here, over the same bytes in the same run.
 *
 * <p>Every invocation parses exactly {@link #FRAMES_PER_OP} frames, so with
 * {@code @OperationsPerInvocation} JMH's score is <b>frames per second</b>. Payload throughput is
 * {@code frames/s × size} bytes per second (header bytes not counted; {@code bench/jmh.sh} prints
 * it). The frames sit in one pre-built buffer of at most about 4 MiB, which each invocation feeds
 * to the parser in a single {@code feed} call, repeated when the buffer holds fewer than
 * {@code FRAMES_PER_OP} frames (only for 1 MiB payloads: 4 frames fed 64 times).
 *
 * <p>The listener reads one byte of every payload chunk into a {@link Blackhole}; the unmasked
 * bytes are written to an array reachable from the benchmark state, so the unmasking cannot be
 * eliminated. {@link #setup} checks that both parsers deliver the exact original payloads.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@State(Scope.Thread)
public class FrameParseBenchmark {
    /** Frames parsed per benchmark invocation, for every payload size. */
    public static final int FRAMES_PER_OP = 256;
    /** Upper bound on the pre-built buffer's payload bytes. */
    private static final int BUFFER_PAYLOAD_LIMIT = 4 << 20;
    /** The naive parser hands out unmasked payload in pieces of this size, as FrameParser does. */
    private static final int NAIVE_CHUNK = 64 * 1024;

    /** Payload bytes per frame: 16 B, 125 B (largest 7-bit length), 1 KiB, 16 KiB, 1 MiB. */
    @Param({"16", "125", "1024", "16384", "1048576"})
    public int size;

    private byte[] buffer;
    private int repeats;
    private int framesInBuffer;

    private Sink sink;
    private FrameParser parser;
    private NaiveParser naive;

    @Setup(Level.Trial)
    public void setup(Blackhole bh) {
        framesInBuffer = Math.min(FRAMES_PER_OP, Math.max(1, BUFFER_PAYLOAD_LIMIT / size));
        if (FRAMES_PER_OP % framesInBuffer != 0) {
            throw new IllegalStateException("frames per buffer must divide " + FRAMES_PER_OP);
        }
        repeats = FRAMES_PER_OP / framesInBuffer;

        Random random = new Random(0x5eed + size);
        FrameWriter writer = new FrameWriter(random);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        CRC32 expected = new CRC32();
        for (int k = 0; k < framesInBuffer; k++) {
            byte[] payload = new byte[size];
            random.nextBytes(payload);
            expected.update(payload);
            byte[] wire = writer.encode(FrameSpec.of(Opcode.BINARY, payload).withMask(writer.randomMaskKey()));
            out.write(wire, 0, wire.length);
        }
        buffer = out.toByteArray();

        // Both parsers must deliver exactly the original payloads before anything is measured.
        Sink check = new Sink(null);
        check.crc = new CRC32();
        FrameParser checkParser = new FrameParser(Direction.C2S, false, check);
        checkParser.feed(buffer, 0, buffer.length);
        verify("FrameParser", check, expected, checkParser.midFrame());
        check = new Sink(null);
        check.crc = new CRC32();
        new NaiveParser(check).parse(buffer, 0, buffer.length);
        verify("naive parser", check, expected, false);

        sink = new Sink(bh);
        parser = new FrameParser(Direction.C2S, false, sink);
        naive = new NaiveParser(sink);
    }

    private void verify(String who, Sink check, CRC32 expected, boolean midFrame) {
        if (check.frames != framesInBuffer || check.violations != 0 || midFrame
                || check.crc.getValue() != expected.getValue()) {
            throw new IllegalStateException(who + " did not reproduce the payloads: " + check.frames + " frames, "
                    + check.violations + " violations, crc " + check.crc.getValue() + " vs " + expected.getValue());
        }
    }

    /** wsdebug's incremental {@link FrameParser}: header checks, Frame objects, word-at-a-time unmask. */
    @Benchmark
    @OperationsPerInvocation(FRAMES_PER_OP)
    public void wsdebug() {
        for (int r = 0; r < repeats; r++) {
            parser.feed(buffer, 0, buffer.length);
        }
    }

    /** Baseline: read the header, unmask byte by byte with {@code key[i % 4]}. */
    @Benchmark
    @OperationsPerInvocation(FRAMES_PER_OP)
    public void naive() {
        for (int r = 0; r < repeats; r++) {
            naive.parse(buffer, 0, buffer.length);
        }
    }

    /** Consumes unmasked payload cheaply: one byte per chunk into the Blackhole. */
    static final class Sink implements FrameListener {
        private final Blackhole bh;
        CRC32 crc;
        long frames;
        long violations;

        Sink(Blackhole bh) {
            this.bh = bh;
        }

        @Override
        public void onFrameStart(Frame frame) {
        }

        @Override
        public void onFramePayload(Frame frame, byte[] buf, int off, int len, long payloadPos) {
            payload(buf, off, len);
        }

        @Override
        public void onFrameEnd(Frame frame) {
            if (crc != null) {
                frames++;
                violations += frame.violations().size();
            }
        }

        void payload(byte[] buf, int off, int len) {
            if (crc != null) {
                crc.update(buf, off, len);
            } else {
                bh.consume(buf[off + len - 1]);
            }
        }

        void naiveFrameEnd() {
            if (crc != null) {
                frames++;
            }
        }
    }

    /**
     * The straightforward way: whole frames in one buffer, header fields read in place, payload
     * unmasked one byte at a time into a reused chunk buffer. No rule checks, no objects per frame.
     */
    static final class NaiveParser {
        private final Sink sink;
        private final byte[] key = new byte[4];
        private final byte[] chunk = new byte[NAIVE_CHUNK];

        NaiveParser(Sink sink) {
            this.sink = sink;
        }

        void parse(byte[] b, int off, int len) {
            int p = off;
            int end = off + len;
            while (p < end) {
                int b1 = b[p + 1] & 0xFF;
                p += 2;
                long length = b1 & 0x7F;
                if (length == 126) {
                    length = ((b[p] & 0xFF) << 8) | (b[p + 1] & 0xFF);
                    p += 2;
                } else if (length == 127) {
                    length = 0;
                    for (int k = 0; k < 8; k++) {
                        length = (length << 8) | (b[p + k] & 0xFF);
                    }
                    p += 8;
                }
                if ((b1 & 0x80) != 0) {
                    for (int k = 0; k < 4; k++) {
                        key[k] = b[p + k];
                    }
                    p += 4;
                } else {
                    for (int k = 0; k < 4; k++) {
                        key[k] = 0;
                    }
                }
                int n = (int) length;
                for (int done = 0; done < n; ) {
                    int piece = Math.min(n - done, chunk.length);
                    for (int i = 0; i < piece; i++) {
                        chunk[i] = (byte) (b[p + done + i] ^ key[(done + i) % 4]);
                    }
                    sink.payload(chunk, 0, piece);
                    done += piece;
                }
                p += n;
                sink.naiveFrameEnd();
            }
        }
    }
}
