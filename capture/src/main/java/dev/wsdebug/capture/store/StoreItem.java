package dev.wsdebug.capture.store;

import dev.wsdebug.capture.CloseEvent;
import dev.wsdebug.capture.ErrorEvent;
import dev.wsdebug.capture.Event;
import dev.wsdebug.capture.FlowEvent;
import dev.wsdebug.capture.HandshakeEvent;
import dev.wsdebug.capture.HttpEvent;
import dev.wsdebug.capture.MessageEvent;
import dev.wsdebug.wire.DeflateParams;
import dev.wsdebug.wire.Direction;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** What producers hand to the writer thread through the {@link ItemQueue}. */
sealed interface StoreItem {
    /** Bytes this item holds, roughly, for the queue's memory bound. */
    long size();

    /** One read's raw bytes (a copy: the producer's array is only valid during its call). */
    record Chunk(String conn, Direction dir, long t, byte[] bytes) implements StoreItem {
        @Override
        public long size() {
            return 64L + bytes.length;
        }
    }

    /**
     * Raw bytes not kept. The first gap of a connection has a {@code cause} (from there on none of
     * its raw bytes are kept); later ones only add to the count and have none.
     */
    record Gap(String conn, long t, long length, Cause cause) implements StoreItem {
        /** Why a connection's raw bytes stop being kept. */
        enum Cause {
            /** The connection reached the raw cap. */
            RAW_CAP,
            /** The queue had no room in time: the writer could not keep up. */
            OVERLOAD,
            /** The packet capture the conversation was read from lacks these bytes (a lost segment). */
            NOT_CAPTURED
        }

        @Override
        public long size() {
            return 64;
        }
    }

    /** The conversation skipped the handshake: its raw bytes are frames from the first byte. */
    record Assumed(String conn, DeflateParams deflate) implements StoreItem {
        @Override
        public long size() {
            return 64;
        }
    }

    record Ended(String conn, long t) implements StoreItem {
        @Override
        public long size() {
            return 64;
        }
    }

    /** An event stored as it happened (events are immutable, so the writer may turn it into a row later). */
    record Recorded(Event event) implements StoreItem {
        @Override
        public long size() {
            if (event instanceof MessageEvent m) {
                return 256L + m.message().payload().length;
            }
            if (event instanceof HandshakeEvent h) {
                return 256L + (h.request() == null ? 0 : h.request().length())
                        + (h.response() == null ? 0 : h.response().length());
            }
            if (event instanceof ErrorEvent e) {
                return 128L + e.message().length();
            }
            if (event instanceof HttpEvent x) {
                return 256L + (x.request() == null ? 0 : x.request().length())
                        + (x.response() == null ? 0 : x.response().length());
            }
            return event instanceof CloseEvent || event instanceof FlowEvent ? 128 : 256;
        }
    }

    /** Commit everything before it (and derive its frame and message rows); {@code stop}: then end the writer. */
    final class Barrier implements StoreItem {
        final boolean stop;
        final CountDownLatch done = new CountDownLatch(1);

        Barrier(boolean stop) {
            this.stop = stop;
        }

        @Override
        public long size() {
            return 0;
        }

        void await(Thread writer) {
            boolean interrupted = false;
            try {
                while (true) {
                    try {
                        if (done.await(100, TimeUnit.MILLISECONDS) || !writer.isAlive()) {
                            return;
                        }
                    } catch (InterruptedException e) {
                        interrupted = true;
                    }
                }
            } finally {
                if (interrupted) {
                    Thread.currentThread().interrupt();
                }
            }
        }
    }
}
