package dev.wsdebug.wire;

import static dev.wsdebug.wire.Frames.concat;
import static dev.wsdebug.wire.Frames.hex;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link Utf8Validator} against hand-made cases from Unicode table 3-7, a small reference written
 * straight from that table, and the JDK's strict decoder.
 */
class Utf8ValidatorTest {

    /** Well-formed byte sequences, Unicode 15 table 3-7: lead byte range, then ranges for the rest. */
    private static final int[][][] TABLE_3_7 = {
        {{0x00, 0x7F}},
        {{0xC2, 0xDF}, {0x80, 0xBF}},
        {{0xE0, 0xE0}, {0xA0, 0xBF}, {0x80, 0xBF}},
        {{0xE1, 0xEC}, {0x80, 0xBF}, {0x80, 0xBF}},
        {{0xED, 0xED}, {0x80, 0x9F}, {0x80, 0xBF}},
        {{0xEE, 0xEF}, {0x80, 0xBF}, {0x80, 0xBF}},
        {{0xF0, 0xF0}, {0x90, 0xBF}, {0x80, 0xBF}, {0x80, 0xBF}},
        {{0xF1, 0xF3}, {0x80, 0xBF}, {0x80, 0xBF}, {0x80, 0xBF}},
        {{0xF4, 0xF4}, {0x80, 0x8F}, {0x80, 0xBF}, {0x80, 0xBF}},
    };

    /**
     * Reference: index of the first byte that cannot continue a well-formed prefix; for input that
     * ends inside a sequence, the index of that sequence's lead byte; -1 when well-formed.
     */
    static long reference(byte[] b) {
        int i = 0;
        while (i < b.length) {
            int lead = b[i] & 0xFF;
            int[][] row = null;
            for (int[][] r : TABLE_3_7) {
                if (lead >= r[0][0] && lead <= r[0][1]) {
                    row = r;
                }
            }
            if (row == null) {
                return i;
            }
            for (int k = 1; k < row.length; k++) {
                if (i + k >= b.length) {
                    return i;
                }
                int c = b[i + k] & 0xFF;
                if (c < row[k][0] || c > row[k][1]) {
                    return i + k;
                }
            }
            i += row.length;
        }
        return -1;
    }

    static boolean jdkValid(byte[] b) {
        CharsetDecoder dec = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        try {
            dec.decode(ByteBuffer.wrap(b));
            return true;
        } catch (CharacterCodingException e) {
            return false;
        }
    }

    /** Feeds the bytes split at the given points and returns finish(). */
    static long fedIn(byte[] b, int... splits) {
        Utf8Validator v = new Utf8Validator();
        int from = 0;
        long firstReport = -1;
        for (int s : splits) {
            long r = v.feed(b, from, s - from);
            if (firstReport < 0) {
                firstReport = r;
            }
            from = s;
        }
        long r = v.feed(b, from, b.length - from);
        if (firstReport < 0) {
            firstReport = r;
        }
        assertThat(v.position()).isEqualTo(b.length);
        long fin = v.finish();
        // feed reports an invalid byte as soon as it is fed, and finish() agrees
        if (firstReport >= 0) {
            assertThat(fin).isEqualTo(firstReport);
        }
        assertThat(v.invalidAt()).isEqualTo(fin);
        return fin;
    }

    // ---- valid ------------------------------------------------------------------------------------

    @ParameterizedTest
    @ValueSource(strings = {
        "", "00", "41", "7f", "c2 80", "c3 a9", "df bf", "e0 a0 80", "e2 82 ac", "ed 9f bf", "ee 80 80",
        "ef bf bf", "ef bb bf", "f0 90 80 80", "f0 9f 98 80", "f3 bf bf bf", "f4 8f bf bf",
        "48 65 6c 6c 6f 2d c2 b5 40 c3 9f c3 b6 c3 a4 c3 bc c3 a0 c3 a1 2d 55 54 46 2d 38 21 21",
    })
    void validSequences(String h) {
        byte[] b = hex(h);
        assertThat(jdkValid(b)).isTrue();
        assertThat(Utf8Validator.isValid(b)).isTrue();
        assertThat(Utf8Validator.firstInvalid(b, 0, b.length)).isEqualTo(-1);
        for (int k = 0; k <= b.length; k++) {
            assertThat(fedIn(b, k)).isEqualTo(-1);
        }
    }

    @Test
    void everyCodePointRoundTrips() {
        // every scalar value, encoded by the JDK, one per validator run in batches
        StringBuilder sb = new StringBuilder();
        for (int cp = 0; cp <= 0x10FFFF; cp++) {
            if (cp >= 0xD800 && cp <= 0xDFFF) {
                continue;
            }
            sb.appendCodePoint(cp);
            if (sb.length() > 4096) {
                byte[] b = sb.toString().getBytes(StandardCharsets.UTF_8);
                assertThat(Utf8Validator.firstInvalid(b, 0, b.length)).as("up to U+%X", cp).isEqualTo(-1);
                sb.setLength(0);
            }
        }
        byte[] b = sb.toString().getBytes(StandardCharsets.UTF_8);
        assertThat(Utf8Validator.isValid(b)).isTrue();
    }

    // ---- invalid ----------------------------------------------------------------------------------

    /**
     * Invalid sequences: the index of the first bad byte when ASCII follows, and when the input ends
     * right after the sequence (a cut-short sequence is reported at its lead byte).
     */
    static Stream<Arguments> invalid() {
        return Stream.of(
                Arguments.of("overlong 2-byte C0", "c0 80", 0, 0),
                Arguments.of("overlong 2-byte C1", "c1 bf", 0, 0),
                Arguments.of("overlong 3-byte E0 80", "e0 80 80", 1, 1),
                Arguments.of("overlong 3-byte E0 9F", "e0 9f bf", 1, 1),
                Arguments.of("overlong 4-byte F0 80", "f0 80 80 80", 1, 1),
                Arguments.of("overlong 4-byte F0 8F", "f0 8f bf bf", 1, 1),
                Arguments.of("high surrogate ED A0", "ed a0 80", 1, 1),
                Arguments.of("low surrogate ED BF", "ed bf bf", 1, 1),
                Arguments.of("above U+10FFFF F4 90", "f4 90 80 80", 1, 1),
                Arguments.of("F5", "f5 80 80 80", 0, 0),
                Arguments.of("F8", "f8 88 80 80 80", 0, 0),
                Arguments.of("FC", "fc 84 80 80 80 80", 0, 0),
                Arguments.of("FE", "fe", 0, 0),
                Arguments.of("FF", "ff", 0, 0),
                Arguments.of("stray 80", "80", 0, 0),
                Arguments.of("stray BF", "bf", 0, 0),
                Arguments.of("continuation after complete char", "c3 a9 a9", 2, 2),
                Arguments.of("lead where continuation expected", "c3 c3 a9", 1, 1),
                Arguments.of("truncated 2-byte", "c3", 1, 0),
                Arguments.of("truncated 3-byte after 1", "e2", 1, 0),
                Arguments.of("truncated 3-byte after 2", "e2 82", 2, 0),
                Arguments.of("truncated 4-byte after 3", "f0 9f 98", 3, 0),
                Arguments.of("truncated F4 after 2", "f4 8f", 2, 0));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalid")
    void invalidAtStartMiddleAndEnd(String name, String h, int badWhenFollowed, int badAtEnd) {
        byte[] seq = hex(h);
        byte[] atStart = concat(seq, Frames.utf8("xyz"));
        byte[] middle = concat(Frames.utf8("ab"), seq, Frames.utf8("cd\u00e9"));
        byte[] atEnd = concat(Frames.utf8("abc"), seq);
        // a longer ASCII run before, to go through the eight-at-a-time path
        byte[] afterLongAscii = concat(Frames.utf8("0123456789abcdefghij"), seq, Frames.utf8("0123456789"));
        check(atStart, badWhenFollowed);
        check(middle, 2 + badWhenFollowed);
        check(atEnd, 3 + badAtEnd);
        check(afterLongAscii, 20 + badWhenFollowed);
    }

    private static void check(byte[] b, long expected) {
        assertThat(jdkValid(b)).isFalse();
        assertThat(reference(b)).as("reference").isEqualTo(expected);
        assertThat(Utf8Validator.firstInvalid(b, 0, b.length)).isEqualTo(expected);
        assertThat(Utf8Validator.isValid(b)).isFalse();
        for (int k = 0; k <= b.length; k++) {
            assertThat(fedIn(b, k)).as("split at %d", k).isEqualTo(expected);
        }
        int[] each = new int[b.length];
        for (int k = 0; k < b.length; k++) {
            each[k] = k;
        }
        assertThat(fedIn(b, each)).as("byte by byte").isEqualTo(expected);
        if (b.length <= 16) {
            for (int i = 0; i <= b.length; i++) {
                for (int j = i; j <= b.length; j++) {
                    assertThat(fedIn(b, i, j)).as("split at %d and %d", i, j).isEqualTo(expected);
                }
            }
        }
    }

    @Test
    void badByteAfterEveryLengthOfAsciiRun() {
        for (int run = 0; run <= 40; run++) {
            for (String bad : new String[] {"ff", "80", "c0 80", "e0 80 80", "ed a0 80"}) {
                byte[] seq = hex(bad);
                byte[] b = new byte[run + seq.length + 9];
                Arrays.fill(b, (byte) 'a');
                System.arraycopy(seq, 0, b, run, seq.length);
                check(b, reference(b));
                assertThat(reference(b)).isBetween((long) run, (long) run + 1);
            }
        }
    }

    @Test
    void multiByteCharactersAtEveryAlignment() {
        for (int run = 0; run <= 17; run++) {
            byte[] b = concat("a".repeat(run).getBytes(StandardCharsets.US_ASCII),
                    Frames.utf8("\u00e9\u20ac\ud83d\ude00"), "z".repeat(17 - run).getBytes(StandardCharsets.US_ASCII));
            for (int k = 0; k <= b.length; k++) {
                assertThat(fedIn(b, k)).isEqualTo(-1);
            }
        }
    }

    @Test
    void onlyTheGivenRangeIsRead() {
        // invalid bytes just outside off..off+len must not matter, also for the eight-byte path
        for (int len = 0; len <= 24; len++) {
            byte[] b = new byte[len + 16];
            Arrays.fill(b, (byte) 0xFF);
            Arrays.fill(b, 8, 8 + len, (byte) 'q');
            assertThat(Utf8Validator.firstInvalid(b, 8, len)).as("len %d", len).isEqualTo(-1);
            Utf8Validator v = new Utf8Validator();
            assertThat(v.feed(b, 8, len)).isEqualTo(-1);
            assertThat(v.finish()).isEqualTo(-1);
        }
        byte[] b = hex("ff ff 61 c3 a9 62 ff");
        assertThat(Utf8Validator.firstInvalid(b, 2, 4)).isEqualTo(-1);
        assertThat(Utf8Validator.firstInvalid(b, 2, 5)).isEqualTo(4);
        // a cut-short sequence at the end of the range, reported relative to off
        assertThat(Utf8Validator.firstInvalid(b, 2, 2)).isEqualTo(1);
    }

    @Test
    void positionsCountAcrossFeedsAndResetStartsOver() {
        Utf8Validator v = new Utf8Validator();
        assertThat(v.feed(Frames.utf8("abc"), 0, 3)).isEqualTo(-1);
        assertThat(v.feed(hex("e2 82"), 0, 2)).isEqualTo(-1);
        assertThat(v.invalidAt()).isEqualTo(-1);
        assertThat(v.feed(hex("41"), 0, 1)).isEqualTo(5);
        // once invalid, later bytes keep the first position but still count
        assertThat(v.feed(hex("ff ff"), 0, 2)).isEqualTo(5);
        assertThat(v.position()).isEqualTo(8);
        assertThat(v.finish()).isEqualTo(5);
        v.reset();
        assertThat(v.position()).isZero();
        assertThat(v.invalidAt()).isEqualTo(-1);
        assertThat(v.feed(hex("ac"), 0, 1)).as("no sequence carried over the reset").isZero();
        v.reset();
        assertThat(v.feed(hex("e2 82"), 0, 2)).isEqualTo(-1);
        v.reset();
        assertThat(v.feed(hex("41"), 0, 1)).isEqualTo(-1);
        assertThat(v.finish()).as("pending sequence forgotten by reset").isEqualTo(-1);
    }

    // ---- random, against the JDK --------------------------------------------------------------

    private static final int[] INTERESTING = {
        0x00, 0x41, 0x7F, 0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF, 0xC0, 0xC1, 0xC2, 0xDF, 0xE0, 0xE1, 0xEC, 0xED,
        0xEE, 0xEF, 0xF0, 0xF1, 0xF3, 0xF4, 0xF5, 0xF8, 0xFF,
    };

    /** Well-formed bytes built from random rows of table 3-7, with random bytes in each range. */
    private static byte[] wellFormed(Random r, int maxSequences) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        int n = r.nextInt(maxSequences + 1);
        for (int s = 0; s < n; s++) {
            int[][] row = TABLE_3_7[r.nextInt(TABLE_3_7.length)];
            for (int[] range : row) {
                out.write(range[0] + r.nextInt(range[1] - range[0] + 1));
            }
        }
        return out.toByteArray();
    }

    @Test
    void randomBytesAgreeWithTheJdkDecoder() {
        Random r = new Random(6455);
        int invalid = 0;
        int valid = 0;
        for (int n = 0; n < 30000; n++) {
            byte[] b;
            int mode = r.nextInt(4);
            if (mode >= 2) {
                b = wellFormed(r, 8);
                if (mode == 3 && b.length > 0) {
                    // one random byte, or a cut
                    if (r.nextBoolean()) {
                        b[r.nextInt(b.length)] = (byte) INTERESTING[r.nextInt(INTERESTING.length)];
                    } else {
                        b = Arrays.copyOf(b, r.nextInt(b.length));
                    }
                }
            } else {
                b = new byte[r.nextInt(24)];
                for (int i = 0; i < b.length; i++) {
                    b[i] = (byte) (mode == 0 ? r.nextInt(256) : INTERESTING[r.nextInt(INTERESTING.length)]);
                }
            }
            long got = Utf8Validator.firstInvalid(b, 0, b.length);
            assertThat(got < 0).as("verdict for %s", Frames.hex(b)).isEqualTo(jdkValid(b));
            assertThat(got).as("position for %s", Frames.hex(b)).isEqualTo(reference(b));
            int split = r.nextInt(b.length + 1);
            assertThat(fedIn(b, split)).isEqualTo(got);
            if (got >= 0) {
                invalid++;
            } else {
                valid++;
            }
        }
        // the generator must produce both outcomes in quantity for the comparison to mean anything
        assertThat(invalid).isGreaterThan(5000);
        assertThat(valid).isGreaterThan(5000);
    }

    @Test
    void randomTextMutatedAgreesWithTheJdkDecoder() {
        Random r = new Random(7692);
        for (int n = 0; n < 5000; n++) {
            StringBuilder sb = new StringBuilder();
            int chars = r.nextInt(12);
            for (int i = 0; i < chars; i++) {
                int cp = switch (r.nextInt(4)) {
                    case 0 -> r.nextInt(0x80);
                    case 1 -> 0x80 + r.nextInt(0x800 - 0x80);
                    case 2 -> {
                        int c = 0x800 + r.nextInt(0x10000 - 0x800);
                        yield c >= 0xD800 && c <= 0xDFFF ? 0xFFFD : c;
                    }
                    default -> 0x10000 + r.nextInt(0x110000 - 0x10000);
                };
                sb.appendCodePoint(cp);
            }
            byte[] b = sb.toString().getBytes(StandardCharsets.UTF_8);
            assertThat(Utf8Validator.firstInvalid(b, 0, b.length)).isEqualTo(-1);
            if (b.length > 0) {
                b[r.nextInt(b.length)] = (byte) r.nextInt(256);
                long got = Utf8Validator.firstInvalid(b, 0, b.length);
                assertThat(got < 0).as("verdict for %s", Frames.hex(b)).isEqualTo(jdkValid(b));
                assertThat(got).isEqualTo(reference(b));
                assertThat(fedIn(b, r.nextInt(b.length + 1))).isEqualTo(got);
            }
        }
    }
}
