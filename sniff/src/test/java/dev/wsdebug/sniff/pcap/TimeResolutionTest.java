package dev.wsdebug.sniff.pcap;

import org.junit.jupiter.api.Test;

import java.math.BigInteger;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/** if_tsresol units to nanoseconds: exact, rounded down, saturated; checked against BigInteger arithmetic. */
class TimeResolutionTest {

    private static long reference(TimeResolution r, long units) {
        BigInteger perSecond = r.binary() ? BigInteger.ONE.shiftLeft(r.exponent()) : BigInteger.TEN.pow(r.exponent());
        BigInteger nanos = new BigInteger(Long.toUnsignedString(units)).multiply(BigInteger.valueOf(1_000_000_000L))
                .divide(perSecond);
        return nanos.bitLength() < 64 ? nanos.longValue() : Long.MAX_VALUE;
    }

    @Test
    void knownValues() {
        assertThat(TimeResolution.of(6).toNanos(1_700_000_000_123_456L)).isEqualTo(1_700_000_000_123_456_000L);
        assertThat(TimeResolution.of(9).toNanos(1_700_000_000_123_456_789L)).isEqualTo(1_700_000_000_123_456_789L);
        assertThat(TimeResolution.of(0).toNanos(3)).isEqualTo(3_000_000_000L);
        assertThat(TimeResolution.of(12).toNanos(1_999)).isEqualTo(1);
        assertThat(TimeResolution.of(0x80 | 10).toNanos(1024 * 5 + 512)).isEqualTo(5_500_000_000L);
        assertThat(TimeResolution.of(0x80 | 10).toNanos(1)).isEqualTo(976_562); // 976562.5, rounded down
        assertThat(TimeResolution.of(0x80).toNanos(2)).isEqualTo(2_000_000_000L);
        assertThat(TimeResolution.of(0x80 | 32).toNanos(1L << 31)).isEqualTo(500_000_000L);
        // Past the year 2262: saturated, not wrapped.
        assertThat(TimeResolution.of(0).toNanos(Long.MAX_VALUE)).isEqualTo(Long.MAX_VALUE);
        assertThat(TimeResolution.of(9).toNanos(-1L)).isEqualTo(Long.MAX_VALUE); // 2^64 - 1 units
    }

    @Test
    void everyResolutionAgreesWithBigIntegerArithmetic() {
        Random random = new Random(3);
        for (int tsresol = 0; tsresol < 256; tsresol++) {
            TimeResolution r = TimeResolution.of(tsresol);
            for (int i = 0; i < 200; i++) {
                long units = switch (i % 4) {
                    case 0 -> random.nextLong();
                    case 1 -> random.nextLong() >>> random.nextInt(64);
                    case 2 -> random.nextInt(1 << 20);
                    default -> 1_700_000_000L * (long) Math.pow(10, Math.min(9, tsresol & 0x7F)) + random.nextInt(1000);
                };
                assertThat(r.toNanos(units)).as("%s of %s", Long.toUnsignedString(units), r).isEqualTo(reference(r, units));
            }
        }
    }

    @Test
    void offsetsSaturate() {
        assertThat(TimeResolution.plusSeconds(5, 2)).isEqualTo(2_000_000_005L);
        assertThat(TimeResolution.plusSeconds(5, -2)).isEqualTo(-1_999_999_995L);
        assertThat(TimeResolution.plusSeconds(Long.MAX_VALUE - 1, 1)).isEqualTo(Long.MAX_VALUE);
        assertThat(TimeResolution.plusSeconds(0, Long.MIN_VALUE / 2)).isEqualTo(Long.MIN_VALUE);
    }
}
