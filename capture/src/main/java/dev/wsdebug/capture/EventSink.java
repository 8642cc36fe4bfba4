package dev.wsdebug.capture;

/** Where events go: a printer, a file, a store, a UI feed. */
public interface EventSink extends AutoCloseable {
    void accept(Event event);

    /**
     * The bytes of one chunk exactly as they crossed the wire, before they are decoded. Sinks that
     * keep the raw conversation (a capture store, a pcapng writer) use it; the array is only valid
     * during the call.
     */
    default void chunk(String conn, dev.wsdebug.wire.Direction dir, long timeMicros, byte[] b, int off, int len) {
    }

    /**
     * The source ended the connection's conversation ({@link Conversation#end}): called once, after
     * the events that {@code end} reported. A capture store records it so that a replay ends the
     * conversation at the same moment; sinks that wrap another sink pass it on like {@link #chunk}.
     */
    default void ended(String conn, long timeMicros) {
    }

    /**
     * The connection's conversation skipped the handshake ({@link Conversation#assumeWebSocket}):
     * its raw bytes are frames from the first byte. A capture store records it so that decoding the
     * raw bytes again makes the same assumption.
     *
     * @param deflate the permessage-deflate parameters assumed, or null
     */
    default void assumedWebSocket(String conn, dev.wsdebug.wire.DeflateParams deflate) {
    }

    /**
     * {@code missing} bytes of one direction were never captured (a packet capture with a lost
     * segment), between the chunks before and after. A capture store ends the connection's raw
     * record there (bytes around a hole cannot be decoded again as one stream); sinks that wrap
     * another sink pass it on like {@link #chunk}.
     */
    default void gap(String conn, dev.wsdebug.wire.Direction dir, long timeMicros, long missing) {
    }

    /**
     * A frame broke a rule before its end: at its header (reserved bits or opcode, masking, a control
     * frame too long, a message over the size limit) or inside its payload (invalid UTF-8, corrupt or
     * over-limit inflation). Called at once, so that an endpoint can fail the connection without
     * waiting for the rest of a frame that may declare a gigabyte; the frame event, carrying every
     * violation, still comes at the frame's end. Sinks that only show events need not implement it:
     * a large frame's early violations also arrive as an {@code error} event of kind
     * {@code violation}.
     */
    default void violationFound(String conn, dev.wsdebug.wire.Direction dir, long timeMicros,
                                dev.wsdebug.wire.Frame frame, dev.wsdebug.wire.Violation violation) {
    }

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
            public void chunk(String conn, dev.wsdebug.wire.Direction dir, long timeMicros, byte[] b, int off, int len) {
                for (EventSink s : sinks) {
                    s.chunk(conn, dir, timeMicros, b, off, len);
                }
            }

            @Override
            public void ended(String conn, long timeMicros) {
                for (EventSink s : sinks) {
                    s.ended(conn, timeMicros);
                }
            }

            @Override
            public void assumedWebSocket(String conn, dev.wsdebug.wire.DeflateParams deflate) {
                for (EventSink s : sinks) {
                    s.assumedWebSocket(conn, deflate);
                }
            }

            @Override
            public void gap(String conn, dev.wsdebug.wire.Direction dir, long timeMicros, long missing) {
                for (EventSink s : sinks) {
                    s.gap(conn, dir, timeMicros, missing);
                }
            }

            @Override
            public void violationFound(String conn, dev.wsdebug.wire.Direction dir, long timeMicros,
                                       dev.wsdebug.wire.Frame frame, dev.wsdebug.wire.Violation violation) {
                for (EventSink s : sinks) {
                    s.violationFound(conn, dir, timeMicros, frame, violation);
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
