package dev.wsdebug.cli.output;

import dev.wsdebug.capture.ErrorEvent;
import dev.wsdebug.capture.Event;
import dev.wsdebug.capture.EventSink;

/**
 * Passes events on and remembers the first error, so a command can report it on stderr and exit
 * with the right code. Errors reach the next sink only when it is the JSON stream (where they are
 * events like any other); the transcript leaves them to stderr so they are not printed twice.
 */
public final class ErrorCollector implements EventSink {
    private final EventSink next;
    private final boolean forwardErrors;
    private String first;

    public ErrorCollector(EventSink next, boolean forwardErrors) {
        this.next = next;
        this.forwardErrors = forwardErrors;
    }

    @Override
    public void accept(Event event) {
        if (event instanceof ErrorEvent e) {
            if (first == null) {
                first = e.message();
            }
            if (!forwardErrors) {
                return;
            }
        }
        next.accept(event);
    }

    /** The first error's sentence, or null. */
    public String firstError() {
        return first;
    }

    @Override
    public void chunk(String conn, dev.wsdebug.wire.Direction dir, long timeMicros, byte[] b, int off, int len) {
        next.chunk(conn, dir, timeMicros, b, off, len);
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
