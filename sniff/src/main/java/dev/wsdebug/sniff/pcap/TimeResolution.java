package dev.wsdebug.sniff.pcap;

import java.math.BigInteger;

/**
 * The unit of a pcapng interface's timestamps, from its {@code if_tsresol} option: 10^-exponent
 * or, with the option's top bit set, 2^-exponent seconds. Conversion to nanoseconds is exact
 * integer math, rounded down (as Wireshark does) when the unit is finer than a nanosecond;
 * timestamps past what a long holds in nanoseconds (the year 2262) saturate rather than wrap.
 */
record TimeResolution(boolean binary, int exponent) {
    static final TimeResolution MICROS = new TimeResolution(false, 6);
    static final TimeResolution NANOS = new TimeResolution(false, 9);
    private static final long NANOS_PER_SECOND = 1_000_000_000L;
    private static final long[] POW10 = new long[19];

    static {
        POW10[0] = 1;
        for (int i = 1; i < POW10.length; i++) {
            POW10[i] = POW10[i - 1] * 10;
        }
    }

    /** The option's one byte. */
    static TimeResolution of(int tsresol) {
        return new TimeResolution((tsresol & 0x80) != 0, tsresol & 0x7F);
    }

    /** {@code units} (an unsigned 64-bit count of this unit) in nanoseconds. */
    long toNanos(long units) {
        if (!binary) {
            if (exponent <= 9) {
                long factor = POW10[9 - exponent];
                if (units >= 0 && units <= Long.MAX_VALUE / factor) {
                    return units * factor;
                }
            } else if (exponent - 9 < POW10.length) {
                long q = Long.divideUnsigned(units, POW10[exponent - 9]);
                if (q >= 0) {
                    return q;
                }
            }
        } else if (exponent < 63) {
            long seconds = units >>> exponent;
            long fraction = units & ((1L << exponent) - 1);
            // fraction * 1e9 / 2^exponent with the product as 128 bits: fraction < 2^63, so it
            // can need up to 93 bits.
            long hi = Math.multiplyHigh(fraction, NANOS_PER_SECOND);
            long lo = fraction * NANOS_PER_SECOND;
            long fractionNanos = exponent == 0 ? lo : hi << (64 - exponent) | lo >>> exponent;
            if (seconds >= 0 && seconds <= (Long.MAX_VALUE - fractionNanos) / NANOS_PER_SECOND) {
                return seconds * NANOS_PER_SECOND + fractionNanos;
            }
        }
        return slowToNanos(units);
    }

    /** Exotic units and overflow: BigInteger, saturated. */
    private long slowToNanos(long units) {
        BigInteger u = new BigInteger(Long.toUnsignedString(units));
        BigInteger perSecond = binary ? BigInteger.ONE.shiftLeft(exponent) : BigInteger.TEN.pow(exponent);
        BigInteger nanos = u.multiply(BigInteger.valueOf(NANOS_PER_SECOND)).divide(perSecond);
        return nanos.bitLength() < 64 ? nanos.longValue() : Long.MAX_VALUE;
    }

    /** {@code nanos} plus {@code seconds} (an {@code if_tsoffset}), saturated. */
    static long plusSeconds(long nanos, long seconds) {
        long offset;
        try {
            offset = Math.multiplyExact(seconds, NANOS_PER_SECOND);
            return Math.addExact(nanos, offset);
        } catch (ArithmeticException e) {
            return seconds < 0 ? Long.MIN_VALUE : Long.MAX_VALUE;
        }
    }
}
