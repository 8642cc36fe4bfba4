package dev.wsdebug.bench;

import dev.wsdebug.wire.Utf8Validator;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * UTF-8 validation of one whole text payload per invocation: wsdebug's incremental
 * {@link Utf8Validator}, a naive byte-at-a-time validator written here, and the JDK's
 * {@link CharsetDecoder} with {@link CodingErrorAction#REPORT} (which also produces the chars).
 *
 * <p>The score is validations per second; bytes per second is {@code score × size}
 * ({@code bench/jmh.sh} prints it). Inputs are valid UTF-8 of exactly {@code size} bytes:
 * {@code ascii} is generated English-like text, {@code mixed} interleaves ASCII with 2-byte
 * (Latin, Greek, Cyrillic), 3-byte (CJK, Devanagari) and 4-byte (emoji, historic scripts) characters.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@State(Scope.Thread)
public class Utf8Benchmark {
    @Param({"ascii", "mixed"})
    public String text;

    @Param({"1024", "16384"})
    public int size;

    private byte[] input;
    private Utf8Validator validator;
    private CharsetDecoder decoder;
    private CharBuffer chars;

    @Setup(Level.Trial)
    public void setup() {
        input = "ascii".equals(text) ? asciiText(size) : mixedText(size);
        validator = new Utf8Validator();
        decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        chars = CharBuffer.allocate(size);
        if (wsdebug() != -1 || naive() != -1 || jdk() != -1) {
            throw new IllegalStateException("generated " + text + " text is not seen as valid by every validator");
        }
        selfCheck();
    }

    @Benchmark
    public long wsdebug() {
        Utf8Validator v = validator;
        v.reset();
        v.feed(input, 0, input.length);
        return v.finish();
    }

    @Benchmark
    public long naive() {
        return naiveFirstInvalid(input, 0, input.length);
    }

    @Benchmark
    public long jdk() {
        CharsetDecoder d = decoder;
        d.reset();
        chars.clear();
        ByteBuffer in = ByteBuffer.wrap(input);
        CoderResult r = d.decode(in, chars, true);
        if (!r.isError()) {
            r = d.flush(chars);
        }
        return r.isError() ? in.position() : -1;
    }

    /**
     * Byte-at-a-time validation after Unicode table 3-7, no fast paths: -1 if valid, else the
     * index (relative to {@code off}) of the first invalid byte, or of the lead byte of a
     * sequence the input cuts short.
     */
    static long naiveFirstInvalid(byte[] b, int off, int len) {
        int end = off + len;
        int i = off;
        while (i < end) {
            int c = b[i] & 0xFF;
            if (c < 0x80) {
                i++;
                continue;
            }
            int need;
            int low = 0x80;
            int high = 0xBF;
            if (c >= 0xC2 && c <= 0xDF) {
                need = 1;
            } else if (c == 0xE0) {
                need = 2;
                low = 0xA0;
            } else if (c >= 0xE1 && c <= 0xEC || c == 0xEE || c == 0xEF) {
                need = 2;
            } else if (c == 0xED) {
                need = 2;
                high = 0x9F;
            } else if (c == 0xF0) {
                need = 3;
                low = 0x90;
            } else if (c >= 0xF1 && c <= 0xF3) {
                need = 3;
            } else if (c == 0xF4) {
                need = 3;
                high = 0x8F;
            } else {
                return i - off;
            }
            for (int k = 1; k <= need; k++) {
                if (i + k >= end) {
                    return i - off;
                }
                int d = b[i + k] & 0xFF;
                if (d < low || d > high) {
                    return i + k - off;
                }
                low = 0x80;
                high = 0xBF;
            }
            i += need + 1;
        }
        return -1;
    }

    /** The baseline must agree with Utf8Validator on invalid input too, or the comparison is moot. */
    private static void selfCheck() {
        int[][] cases = {
            {0x61, 0xC0, 0x80}, {0xE0, 0x9F, 0x80}, {0xED, 0xA0, 0x80}, {0xF4, 0x90, 0x80, 0x80},
            {0xF5}, {0x80}, {0x62, 0xE2, 0x82}, {0xF0, 0x9F, 0x98}, {0xC3, 0xA9, 0xFF}, {0xEF, 0xBF, 0xBF},
        };
        for (int[] c : cases) {
            byte[] b = new byte[c.length];
            for (int k = 0; k < c.length; k++) {
                b[k] = (byte) c[k];
            }
            long ours = Utf8Validator.firstInvalid(b, 0, b.length);
            long theirs = naiveFirstInvalid(b, 0, b.length);
            if (ours != theirs) {
                throw new IllegalStateException("naive validator disagrees with Utf8Validator: " + ours + " vs " + theirs);
            }
        }
    }

    private static final String[] WORDS = {
        "the", "frame", "parser", "reads", "a", "header", "and", "then", "unmasks", "payload", "bytes",
        "while", "each", "message", "is", "checked", "for", "valid", "text", "on", "wire", "server",
        "client", "sends", "close", "code", "with", "reason", "of", "connection", "stream", "debugger",
    };

    /** Space-separated words with occasional punctuation and newlines, exactly {@code size} bytes. */
    static byte[] asciiText(int size) {
        Random random = new Random(1);
        StringBuilder sb = new StringBuilder(size + 16);
        while (sb.length() < size) {
            sb.append(WORDS[random.nextInt(WORDS.length)]);
            int r = random.nextInt(16);
            sb.append(r == 0 ? ".\n" : r == 1 ? ", " : " ");
        }
        sb.setLength(size);
        return sb.toString().getBytes(StandardCharsets.US_ASCII);
    }

    private static final String[] MIXED = {
        "résumé", "Straße", "naïve", "καλημέρα", "Привет", "мир", "שלום", "مرحبا",   // 2-byte
        "日本語", "中文字符", "한국어", "हिन्दी", "ภาษาไทย", "€", "…",                      // 3-byte
        "😀", "🚀", "👍🏽", "𝄞", "𐍈𐌰𐌹", "🀄",                                         // 4-byte
        "ok", "data", "42",                                                        // ASCII
    };

    /** Multilingual words separated by spaces, padded with ASCII to exactly {@code size} bytes. */
    static byte[] mixedText(int size) {
        Random random = new Random(2);
        byte[] out = new byte[size];
        int n = 0;
        while (true) {
            byte[] w = (MIXED[random.nextInt(MIXED.length)] + " ").getBytes(StandardCharsets.UTF_8);
            if (n + w.length > size) {
                break;
            }
            System.arraycopy(w, 0, out, n, w.length);
            n += w.length;
        }
        for (; n < size; n++) {
            out[n] = '.';
        }
        return out;
    }
}
