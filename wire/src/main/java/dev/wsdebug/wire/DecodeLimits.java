package dev.wsdebug.wire;

/**
 * How much one direction's message assembly may hold and decode.
 *
 * @param retainCap  most decoded bytes of one message kept (beyond: its length and SHA-256 only)
 * @param maxMessage an endpoint's limit on a message's size ({@link #NONE} for none): a message that
 *                   passes it breaks {@link Rule#MESSAGE_TOO_BIG}, found from the frame headers as
 *                   soon as they declare more, or while inflating, which then stops
 * @param maxInflate most bytes one compressed message is inflated to; beyond it inflation stops
 *                   (without a violation: a decoder's own bound, so a deflate bomb costs little)
 * @param budget     bound on the bytes kept by all connections sharing it
 */
public record DecodeLimits(int retainCap, long maxMessage, long maxInflate, RetainBudget budget) {
    public static final long NONE = Long.MAX_VALUE;
    /** Decoded bytes of one message kept by default. */
    public static final int DEFAULT_RETAIN = 1 << 20;
    /** Inflation of one message stops here by default: 64 MiB, about 0.2 CPU-seconds of zlib. */
    public static final long DEFAULT_MAX_INFLATE = 64L << 20;

    public DecodeLimits {
        if (retainCap < 0 || maxMessage < 0 || maxInflate < 0 || budget == null) {
            throw new IllegalArgumentException("limits must not be negative");
        }
    }

    /** Keeps this much of each message; no message limit; the default inflation bound; no shared budget. */
    public static DecodeLimits retaining(int retainCap) {
        return new DecodeLimits(retainCap, NONE, Math.max(DEFAULT_MAX_INFLATE, retainCap), RetainBudget.UNLIMITED);
    }

    public DecodeLimits withRetainCap(int cap) {
        return new DecodeLimits(cap, maxMessage, Math.max(maxInflate, cap), budget);
    }

    public DecodeLimits withMaxMessage(long max) {
        return new DecodeLimits(retainCap, max, maxInflate, budget);
    }

    public DecodeLimits withMaxInflate(long max) {
        return new DecodeLimits(retainCap, maxMessage, max, budget);
    }

    public DecodeLimits withBudget(RetainBudget b) {
        return new DecodeLimits(retainCap, maxMessage, maxInflate, b);
    }

    /** Where inflating a message stops: the message limit or the inflation bound, whichever is lower. */
    long inflateStop() {
        return Math.min(maxMessage, maxInflate);
    }
}
