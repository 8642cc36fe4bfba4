package dev.wsdebug.net.limits;

import io.netty.channel.Channel;
import io.netty.util.concurrent.ScheduledFuture;

import java.util.concurrent.TimeUnit;

/**
 * Notices a peer that has stopped reading: while the channel towards it is not writable (its
 * outbound buffer is above the high water mark), the other side is not read from; if that lasts
 * long (by default {@link #NOTICE_AFTER_MS}), the listener hears of it once, with a sentence and the bytes held
 * for the peer, and again when the peer reads again. One per channel, used from its event loop.
 */
public final class StallWatch {
    /** Hears of a stall that lasted, and of its end. */
    public interface Listener {
        /** The peer has not read for {@code micros}; {@code bytes} wait to be written to it. */
        void stalled(String sentence, long bytes, long micros);

        /** The peer read again, {@code micros} after the stall began (only after {@link #stalled}). */
        default void resumed(long micros) {
        }
    }

    /** A stall this long is worth a line, by default. */
    public static final long NOTICE_AFTER_MS = 10_000;

    private final Channel channel;
    private final String peer;
    private final String paused;
    private final Listener log;
    private final long noticeAfterMs;
    private ScheduledFuture<?> notice;
    private long since;
    private boolean stalled;
    private boolean told;

    /**
     * @param peer   who is not reading, e.g. "The client 127.0.0.1:5555"
     * @param paused what is paused meanwhile, e.g. "the server has stopped reading from it"
     */
    public StallWatch(Channel channel, String peer, String paused, long noticeAfterMs, Listener log) {
        this.noticeAfterMs = noticeAfterMs;
        this.channel = channel;
        this.peer = peer;
        this.paused = paused;
        this.log = log;
    }

    /** Call when the channel's writability changed (and after writes that may have made it unwritable). */
    public void update() {
        if (!channel.isWritable() && channel.isActive()) {
            if (!stalled) {
                stalled = true;
                since = System.nanoTime();
                notice = channel.eventLoop().schedule(this::tell, noticeAfterMs, TimeUnit.MILLISECONDS);
            }
        } else if (stalled) {
            stalled = false;
            if (notice != null) {
                notice.cancel(false);
                notice = null;
            }
            if (told) {
                told = false;
                log.resumed((System.nanoTime() - since) / 1000);
            }
        }
    }

    private void tell() {
        notice = null; // once per stall
        if (!stalled || channel.isWritable() || !channel.isActive()) {
            return;
        }
        long pending = channel.unsafe().outboundBuffer() == null ? 0 : channel.unsafe().outboundBuffer().totalPendingWriteBytes();
        long nanos = System.nanoTime() - since;
        told = true;
        log.stalled(peer + " has not read for " + nanos / 1_000_000_000 + " s: " + pending
                + " bytes are waiting to be written to it, and " + paused + " until it reads.", pending, nanos / 1000);
    }
}
