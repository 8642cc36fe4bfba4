package dev.wsdebug.wire;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Bytes of message payload that all the connections of one process may keep at once. Each
 * connection's cap bounds one message; this bounds their sum, so that many large messages
 * arriving together (200 clients sending 1 MiB each) cannot exhaust the heap. A message that gets
 * no more room is kept truncated, with its full length and SHA-256, as one above the cap is; an
 * echo server that must hold a message whole refuses it instead.
 *
 * <p>Large holdings (beyond {@link #SMALL} bytes) may only use seven eighths of the limit: the
 * last eighth is kept for small messages, so that a few clients sending huge messages cannot
 * starve everybody else's ordinary traffic.
 *
 * <p>Thread-safe; one instance is shared by every connection of a server or proxy.
 */
public final class RetainBudget {
    /** No bound beyond each message's own cap (a single reader of one file). */
    public static final RetainBudget UNLIMITED = new RetainBudget(Long.MAX_VALUE);

    /** A holding up to this size is small: it may use the whole limit. */
    public static final long SMALL = 64 * 1024;

    private final long limit;
    /** What large holdings may reach together. */
    private final long largeLimit;
    private final AtomicLong held = new AtomicLong();

    public RetainBudget(long limit) {
        if (limit < 0) {
            throw new IllegalArgumentException("a budget cannot be negative: " + limit);
        }
        this.limit = limit;
        this.largeLimit = limit == Long.MAX_VALUE ? limit : limit - limit / 8;
    }

    /** A budget of this share of the heap the JVM may grow to. */
    public static RetainBudget ofHeap(double share) {
        return new RetainBudget((long) (Runtime.getRuntime().maxMemory() * share));
    }

    /**
     * Takes {@code n} bytes if they fit.
     *
     * @param large whether what they are part of is larger than {@link #SMALL} (then only seven
     *              eighths of the limit are open to it)
     */
    public boolean tryReserve(long n, boolean large) {
        return reserveUpTo(n, n, large) == n;
    }

    /**
     * Takes as much as fits between {@code min} and {@code max} bytes.
     *
     * @param large as for {@link #tryReserve}
     * @return the bytes taken: {@code max}, less if only that fits, or 0 when not even {@code min} does
     */
    public long reserveUpTo(long min, long max, boolean large) {
        if (max <= 0) {
            return 0;
        }
        if (limit == Long.MAX_VALUE) {
            return max;
        }
        long bound = large ? largeLimit : limit;
        long now;
        long take;
        do {
            now = held.get();
            take = Math.min(max, bound - now);
            if (take < min || take <= 0) {
                return 0;
            }
        } while (!held.compareAndSet(now, now + take));
        return take;
    }

    /** Gives back bytes taken with {@link #tryReserve} or {@link #reserveUpTo}. */
    public void release(long n) {
        if (n > 0 && limit != Long.MAX_VALUE) {
            held.addAndGet(-n);
        }
    }

    /** Bytes taken and not yet given back. */
    public long held() {
        return held.get();
    }

    public long limit() {
        return limit;
    }
}
