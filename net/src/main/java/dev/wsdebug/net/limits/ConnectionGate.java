package dev.wsdebug.net.limits;

import io.netty.channel.Channel;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * Counts the open connections of a server or proxy against a limit. A connection over it is
 * answered {@code 503 Service Unavailable} with a sentence ({@link OverloadAnswer}) and closed;
 * the connections already open are not touched. Refusals are logged at most once a second, with
 * how many there were, so a flood does not flood the log too. Thread-safe.
 */
public final class ConnectionGate {
    private static final long NOTICE_EVERY_NANOS = 1_000_000_000L;

    private final int limit;
    private final String option;
    private final AtomicInteger open = new AtomicInteger();
    private final AtomicLong refused = new AtomicLong();
    private final AtomicLong refusedAtLastNotice = new AtomicLong();
    private final AtomicLong lastNotice = new AtomicLong(System.nanoTime() - NOTICE_EVERY_NANOS);

    /**
     * @param limit  most connections open at once
     * @param option the option that sets it, named in the answer and the log
     */
    public ConnectionGate(int limit, String option) {
        if (limit < 1) {
            throw new IllegalArgumentException("the connection limit must be at least 1");
        }
        this.limit = limit;
        this.option = option;
    }

    /**
     * Lets the new channel in, or installs the 503 answer on it.
     *
     * @param log receives a sentence about refusals (rate-limited)
     * @return true when admitted; the count goes down again when the channel closes
     */
    public boolean admit(Channel ch, String server, Consumer<String> log) {
        String refusal = take(server, log);
        if (refusal != null) {
            ch.pipeline().addLast(new OverloadAnswer(refusal));
            return false;
        }
        ch.closeFuture().addListener(f -> release());
        return true;
    }

    /**
     * Takes one place under the limit: null when taken (give it back with {@link #release}), else the
     * sentence to answer with (the refusal is counted and logged).
     */
    String take(String server, Consumer<String> log) {
        if (open.incrementAndGet() <= limit) {
            return null;
        }
        open.decrementAndGet();
        long n = refused.incrementAndGet();
        long now = System.nanoTime();
        long last = lastNotice.get();
        if (now - last >= NOTICE_EVERY_NANOS && lastNotice.compareAndSet(last, now)) {
            long since = n - refusedAtLastNotice.getAndSet(n);
            log.accept("Refused " + (since == 1 ? "a new connection" : since + " new connections") + " with 503 Service"
                    + " Unavailable: " + connections(limit) + (limit == 1 ? " is" : " are") + " open (" + option
                    + "); the open ones go on ("
                    + n + " refused so far).");
        }
        return server + " has " + connections(limit) + " open, its limit (" + option + "); try again later.";
    }

    /** Gives back a place taken with {@link #take}. */
    void release() {
        open.decrementAndGet();
    }

    private static String connections(int n) {
        return n == 1 ? "1 connection" : n + " connections";
    }

    public int open() {
        return open.get();
    }

    public long refused() {
        return refused.get();
    }

    public int limit() {
        return limit;
    }
}
