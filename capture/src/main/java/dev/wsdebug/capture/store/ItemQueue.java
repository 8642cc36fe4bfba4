package dev.wsdebug.capture.store;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Items waiting for the writer, bounded in count and bytes. A producer waits while it is full;
 * one item larger than the byte bound is admitted alone. Once the writer has stopped nothing
 * waits and everything is dropped.
 */
final class ItemQueue {
    private final ArrayDeque<StoreItem> items = new ArrayDeque<>();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition notEmpty = lock.newCondition();
    private final Condition notFull = lock.newCondition();
    private final int maxItems;
    private final long maxBytes;
    private long bytes;
    private boolean dead;
    volatile int highWater;

    ItemQueue(int maxItems, long maxBytes) {
        this.maxItems = maxItems;
        this.maxBytes = maxBytes;
    }

    /** Adds the item, waiting for room; false when the writer has stopped and the item was dropped. */
    boolean put(StoreItem item) {
        long size = item.size();
        boolean interrupted = false;
        lock.lock();
        try {
            while (!dead && !items.isEmpty() && (items.size() >= maxItems || bytes + size > maxBytes)) {
                try {
                    notFull.await();
                } catch (InterruptedException e) {
                    interrupted = true; // keep the data: the bound is exceeded by this one item
                    break;
                }
            }
            if (dead) {
                return false;
            }
            items.addLast(item);
            bytes += size;
            if (items.size() > highWater) {
                highWater = items.size();
            }
            notEmpty.signal();
            return true;
        } finally {
            lock.unlock();
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
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
