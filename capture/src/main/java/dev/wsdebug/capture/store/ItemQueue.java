package dev.wsdebug.capture.store;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Items waiting for the writer, bounded in count and bytes. A producer waits while it is full,
 * but only for a bounded time ({@link #put}); once a wait has run out, producers that find it full
 * do not wait at all until the writer has drained it to half (the writer is stuck or far behind:
 * waiting again would only slow the traffic down without saving anything). One item larger than
 * the byte bound is admitted alone. Small bookkeeping items go past both bounds
 * ({@link #putAlways}). Once the writer has stopped nothing waits and everything is dropped.
 */
final class ItemQueue {
    /** {@link #put}: the item is queued. */
    static final int ADDED = 0;
    /** {@link #put}: no room in time; the item was not queued. */
    static final int FULL = 1;
    /** {@link #put}: the writer has stopped; the item was dropped. */
    static final int DEAD = 2;

    private final ArrayDeque<StoreItem> items = new ArrayDeque<>();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition notEmpty = lock.newCondition();
    private final Condition notFull = lock.newCondition();
    private final int maxItems;
    private final long maxBytes;
    private final long maxWaitNanos;
    private long bytes;
    private boolean dead;
    /** A wait for room ran out: do not wait again until the queue is half empty. */
    private boolean shedding;
    volatile int highWater;

    /**
     * @param maxWaitNanos the longest a producer waits for room
     */
    ItemQueue(int maxItems, long maxBytes, long maxWaitNanos) {
        this.maxItems = maxItems;
        this.maxBytes = maxBytes;
        this.maxWaitNanos = maxWaitNanos;
    }

    /**
     * Adds the item, waiting for room at most the queue's maximum wait (not at all while an earlier
     * wait has run out and the writer has not caught up since).
     *
     * @return {@link #ADDED}, {@link #FULL} (not queued) or {@link #DEAD}
     */
    int put(StoreItem item) {
        long size = item.size();
        boolean interrupted = false;
        lock.lock();
        try {
            if (!dead && !items.isEmpty() && (items.size() >= maxItems || bytes + size > maxBytes)) {
                if (shedding) {
                    return FULL;
                }
                long left = maxWaitNanos;
                do {
                    if (left <= 0) {
                        shedding = true;
                        return FULL;
                    }
                    try {
                        left = notFull.awaitNanos(left);
                    } catch (InterruptedException e) {
                        interrupted = true; // keep the data: the bound is exceeded by this one item
                        break;
                    }
                } while (!dead && !items.isEmpty() && (items.size() >= maxItems || bytes + size > maxBytes));
            }
            if (dead) {
                return DEAD;
            }
            add(item, size);
            return ADDED;
        } finally {
            lock.unlock();
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Adds the item if there is room right now; never waits. */
    boolean offer(StoreItem item) {
        long size = item.size();
        lock.lock();
        try {
            if (dead || (!items.isEmpty() && (items.size() >= maxItems || bytes + size > maxBytes))) {
                return false;
            }
            add(item, size);
            return true;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Adds a small bookkeeping item without regard to the bounds (at most a few per connection);
     * false when the writer has stopped.
     */
    boolean putAlways(StoreItem item) {
        lock.lock();
        try {
            if (dead) {
                return false;
            }
            add(item, item.size());
            return true;
        } finally {
            lock.unlock();
        }
    }

    private void add(StoreItem item, long size) {
        items.addLast(item);
        bytes += size;
        if (items.size() > highWater) {
            highWater = items.size();
        }
        notEmpty.signal();
    }

    /** The next item, waiting at most {@code nanos} (forever when negative); null on time-out. */
    StoreItem poll(long nanos) throws InterruptedException {
        lock.lock();
        try {
            while (items.isEmpty()) {
                if (nanos < 0) {
                    notEmpty.await();
                } else {
                    if (nanos == 0) {
                        return null;
                    }
                    nanos = notEmpty.awaitNanos(nanos);
                    if (nanos <= 0 && items.isEmpty()) {
                        return null;
                    }
                }
            }
            StoreItem it = items.removeFirst();
            bytes -= it.size();
            if (shedding && items.size() <= maxItems / 2 && bytes <= maxBytes / 2) {
                shedding = false; // caught up: a full queue is worth waiting for again
            }
            notFull.signalAll();
            return it;
        } finally {
            lock.unlock();
        }
    }

    /** The writer stopped: drop what is queued, release waiting producers and flushers. */
    List<StoreItem> kill() {
        lock.lock();
        try {
            dead = true;
            List<StoreItem> left = new ArrayList<>(items);
            items.clear();
            bytes = 0;
            notFull.signalAll();
            return left;
        } finally {
            lock.unlock();
        }
    }
}
