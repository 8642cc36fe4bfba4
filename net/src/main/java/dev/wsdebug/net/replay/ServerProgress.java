package dev.wsdebug.net.replay;

import dev.wsdebug.capture.CloseEvent;
import dev.wsdebug.capture.Event;
import dev.wsdebug.capture.EventSink;
import dev.wsdebug.capture.MessageEvent;
import dev.wsdebug.wire.Direction;

/** Counts the server's data messages of a replayed session as they arrive, for the replay to wait on. */
final class ServerProgress implements EventSink {
    private long messages;
    private boolean closed;

    @Override
    public synchronized void accept(Event e) {
        if (e instanceof MessageEvent m && m.dir() == Direction.S2C) {
            messages++;
            notifyAll();
        } else if (e instanceof CloseEvent) {
            closed = true;
            notifyAll();
        }
    }

    /** Waits until the server has sent {@code n} messages, the connection has ended, or the deadline; true for the first. */
    synchronized boolean awaitMessages(long n, long deadlineNanos) throws InterruptedException {
        while (messages < n && !closed) {
            long left = deadlineNanos - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            wait(Math.max(1, left / 1_000_000));
        }
        return messages >= n;
    }

    /** Waits until the connection has ended or the deadline; true when it ended. */
    synchronized boolean awaitClosed(long deadlineNanos) throws InterruptedException {
        while (!closed) {
            long left = deadlineNanos - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            wait(Math.max(1, left / 1_000_000));
        }
        return true;
    }

    synchronized long messages() {
        return messages;
    }
}
