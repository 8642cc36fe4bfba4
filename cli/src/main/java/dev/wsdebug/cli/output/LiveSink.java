package dev.wsdebug.cli.output;

import dev.wsdebug.capture.Event;
import dev.wsdebug.capture.EventSink;

/** Flushes after every event: for output that someone watches or another program reads live. */
public final class LiveSink implements EventSink {
    private final EventSink next;

    public LiveSink(EventSink next) {
        this.next = next;
    }

    @Override
    public void accept(Event event) {
        next.accept(event);
        next.flush();
    }

    @Override
    public void chunk(String conn, dev.wsdebug.wire.Direction dir, long timeMicros, byte[] b, int off, int len) {
        next.chunk(conn, dir, timeMicros, b, off, len);
    }

    @Override
    public void gap(String conn, dev.wsdebug.wire.Direction dir, long timeMicros, long missing) {
        next.gap(conn, dir, timeMicros, missing);
    }

    @Override
    public void ended(String conn, long timeMicros) {
        next.ended(conn, timeMicros);
    }

    @Override
    public void flush() {
        next.flush();
    }
}
