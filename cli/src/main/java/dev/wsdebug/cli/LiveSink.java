package dev.wsdebug.cli;

import dev.wsdebug.capture.Event;
import dev.wsdebug.capture.EventSink;

/** Flushes after every event: for output that someone watches or another program reads live. */
final class LiveSink implements EventSink {
    private final EventSink next;

    LiveSink(EventSink next) {
        this.next = next;
    }

    @Override
    public void accept(Event event) {
        next.accept(event);
        next.flush();
    }

    @Override
    public void flush() {
        next.flush();
    }
}
