package dev.wsdebug.capture;

/**
 * Serialises events from several connections (each fed on its own thread) into one sink, so
 * the lines of one event are never interleaved with another's.
 */
public final class SynchronizedSink implements EventSink {
    private final EventSink next;

    public SynchronizedSink(EventSink next) {
        this.next = next;
    }

    @Override
    public synchronized void accept(Event event) {
        next.accept(event);
    }

    @Override
    public synchronized void chunk(String conn, dev.wsdebug.wire.Direction dir, long timeMicros, byte[] b, int off, int len) {
        next.chunk(conn, dir, timeMicros, b, off, len);
    }

    @Override
    public synchronized void gap(String conn, dev.wsdebug.wire.Direction dir, long timeMicros, long missing) {
        next.gap(conn, dir, timeMicros, missing);
    }

    @Override
    public synchronized void ended(String conn, long timeMicros) {
        next.ended(conn, timeMicros);
    }

    @Override
    public synchronized void assumedWebSocket(String conn, dev.wsdebug.wire.DeflateParams deflate) {
        next.assumedWebSocket(conn, deflate);
    }

    @Override
    public synchronized void flush() {
        next.flush();
    }

    @Override
    public synchronized void close() {
        next.close();
    }
}
