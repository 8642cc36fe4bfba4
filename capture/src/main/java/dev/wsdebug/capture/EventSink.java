package dev.wsdebug.capture;

/** Where events go: a printer, a file, a store, a UI feed. */
public interface EventSink extends AutoCloseable {
    void accept(Event event);

    /** Flushes what is buffered; the sink stays usable. */
    default void flush() {
    }

    @Override
    default void close() {
        flush();
    }

    /** Sends every event to each of the sinks, in order. */
    static EventSink all(EventSink... sinks) {
        return new EventSink() {
            @Override
            public void accept(Event event) {
                for (EventSink s : sinks) {
                    s.accept(event);
                }
            }

            @Override
            public void flush() {
                for (EventSink s : sinks) {
                    s.flush();
                }
            }

            @Override
            public void close() {
                for (EventSink s : sinks) {
                    s.close();
                }
            }
        };
    }
}
