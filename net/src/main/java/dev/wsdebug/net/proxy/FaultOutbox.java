package dev.wsdebug.net.proxy;

import dev.wsdebug.capture.Conversation;
import dev.wsdebug.capture.ErrorEvent;
import dev.wsdebug.capture.EventSink;
import dev.wsdebug.capture.MicroClock;
import dev.wsdebug.wire.Direction;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.util.concurrent.ScheduledFuture;

import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;

/**
 * What the fault relay writes toward one side, in order, each piece no earlier than its release
 * time: a delayed or throttled piece also holds back what follows it, so a direction's stream is
 * never reordered. Each piece is fed to the connection's recording {@link Conversation} as it is
 * written, just after the fault note that concerns it, so the capture shows what the peer received.
 *
 * <p>Used from the connection's event loop only.
 */
final class FaultOutbox {
    private record Item(byte[] bytes, long notBeforeNanos, long bytesPerSecond, ErrorEvent note) {
    }

    private final Direction dir;
    private final Channel target;
    private final EventSink notes;
    private final Recording recording;
    /** Run after a timer released pieces, so that the relay can resume reading (backpressure). */
    private final Runnable afterTimedRelease;
    private final ArrayDeque<Item> queue = new ArrayDeque<>();
    private long queuedBytes;
    /** When a paced piece has "left the link", so the next paced piece may go. */
    private long linkFreeNanos;
    private ScheduledFuture<?> timer;
    private boolean closeWhenDrained;
    private boolean stopped;

    /**
     * @param dir    the direction written: what {@code target} receives
     * @param notes  where fault notes go, just before the bytes they concern
     */
    FaultOutbox(Direction dir, Channel target, EventSink notes, Recording recording, Runnable afterTimedRelease) {
        this.dir = dir;
        this.target = target;
        this.notes = notes;
        this.recording = recording;
        this.afterTimedRelease = afterTimedRelease;
    }

    /** Bytes queued and not yet written. */
    long queuedBytes() {
        return queuedBytes;
    }

    /** Bytes to write once {@code delayMillis} have passed and everything before them is written. */
    void add(byte[] bytes, long delayMillis, ErrorEvent note) {
        if (stopped) {
            return;
        }
        long notBefore = delayMillis > 0 ? System.nanoTime() + delayMillis * 1_000_000 : 0;
        queue.add(new Item(bytes, notBefore, 0, note));
        queuedBytes += bytes.length;
        drain();
    }

    /** A note in its place in the stream, with no bytes (for what is not forwarded). */
    void note(ErrorEvent note) {
        add(new byte[0], 0, note);
    }

    /** Bytes sent in slices of about 1/20 s each at this rate. */
    void paced(byte[] bytes, long bytesPerSecond, ErrorEvent note) {
        if (stopped) {
            return;
        }
        int slice = (int) Math.max(1, Math.min(16 * 1024, bytesPerSecond / 20));
        for (int p = 0; p < bytes.length || p == 0; p += slice) {
            byte[] piece = Arrays.copyOfRange(bytes, p, Math.min(bytes.length, p + slice));
            queue.add(new Item(piece, 0, bytesPerSecond, p == 0 ? note : null));
            queuedBytes += piece.length;
            if (bytes.length == 0) {
                break;
            }
        }
        drain();
    }

    /** Closes the target once everything queued has been written. */
    void closeWhenDrained() {
        closeWhenDrained = true;
        drain();
    }

    /** Forgets what is queued (a blackhole). */
    void clear() {
        queue.clear();
        queuedBytes = 0;
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }

    /** Forgets what is queued and writes nothing more, ever (a reset, or both sockets gone). */
    void stop() {
        stopped = true;
        clear();
    }

    private void drain() {
        if (stopped) {
            return;
        }
        boolean wrote = false;
        while (!queue.isEmpty()) {
            Item it = queue.peek();
            long now = System.nanoTime();
            long due = Math.max(it.notBeforeNanos, it.bytesPerSecond > 0 ? linkFreeNanos : 0);
            if (due > now) {
                if (timer == null) {
                    timer = target.eventLoop().schedule(() -> {
                        timer = null;
                        drain();
                        afterTimedRelease.run();
                    }, due - now, TimeUnit.NANOSECONDS);
                }
                break;
            }
            queue.poll();
            queuedBytes -= it.bytes.length;
            if (it.note != null) {
                notes.accept(it.note);
            }
            if (it.bytes.length > 0) {
                if (it.bytesPerSecond > 0) {
                    linkFreeNanos = now + it.bytes.length * 1_000_000_000L / it.bytesPerSecond;
                }
                recording.feed(dir, MicroClock.now(), it.bytes, 0, it.bytes.length);
                target.write(Unpooled.wrappedBuffer(it.bytes));
                wrote = true;
            }
        }
        if (wrote) {
            target.flush();
        }
        if (queue.isEmpty() && closeWhenDrained && target.isOpen()) {
            target.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        }
    }
}
