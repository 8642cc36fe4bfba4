package dev.wsdebug.net;

import dev.wsdebug.analysis.Analyzer;
import dev.wsdebug.capture.CloseEvent;
import dev.wsdebug.capture.Event;
import dev.wsdebug.capture.EventSink;
import dev.wsdebug.capture.FindingEvent;
import dev.wsdebug.capture.HandshakeEvent;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The analysis rules run live over a test's sessions, next to its recorder: a diagnosis that warns
 * about sessions between real, well-behaved peers teaches users to ignore it, so every healthy
 * session of the interop tests must give nothing above information ({@link #assertNone}).
 *
 * <p>It is teed onto the sink the server or proxy already reports to ({@link #tee}), so that the
 * rules see the same events, from the same threads and with the same end-of-conversation calls, as
 * {@code wsdebug serve} and {@code wsdebug proxy} would give them.
 */
final class NoFalseAlarms implements EventSink {
    private static final long CLOSE_WAIT_MILLIS = 5_000;

    private final List<FindingEvent> findings = new ArrayList<>();
    /** WebSocket connections seen (a handshake), and those whose close the source has reported. */
    private final Set<String> upgraded = new LinkedHashSet<>();
    private final Set<String> closed = new LinkedHashSet<>();
    private final Analyzer analyzer = new Analyzer(new EventSink() {
        @Override
        public void accept(Event e) {
            synchronized (findings) {
                findings.add((FindingEvent) e);
            }
        }
    });

    /** Events to {@code sink} and to these rules. */
    EventSink tee(EventSink sink) {
        return EventSink.all(sink, this);
    }

    @Override
    public void accept(Event e) {
        synchronized (closed) {
            if (e instanceof HandshakeEvent) {
                upgraded.add(e.conn());
            } else if (e instanceof CloseEvent) {
                closed.add(e.conn());
            }
            closed.notifyAll();
        }
        analyzer.accept(e);
    }

    @Override
    public void ended(String conn, long timeMicros) {
        analyzer.ended(conn, timeMicros);
    }

    /**
     * Fails, listing them, if the rules found anything of severity warning or error in the
     * connections so far. Waits (bounded) for the close of every connection first: one still open
     * when the rules run is judged as cut short, which would be the test's timing, not the session.
     */
    void assertNone(String session) {
        Set<String> open = awaitCloses();
        analyzer.finish();
        List<FindingEvent> above;
        synchronized (findings) {
            above = findings.stream().filter(f -> !FindingEvent.INFO.equals(f.severity())).toList();
        }
        if (!above.isEmpty()) {
            StringBuilder b = new StringBuilder("false alarm: the analysis found problems in a healthy session (")
                    .append(session).append(")");
            if (!open.isEmpty()) {
                b.append("; still open after ").append(CLOSE_WAIT_MILLIS).append(" ms: ").append(open);
            }
            above.forEach(f -> describe(f, b));
            throw new AssertionError(b.toString());
        }
    }

    private Set<String> awaitCloses() {
        long deadline = System.nanoTime() + CLOSE_WAIT_MILLIS * 1_000_000;
        synchronized (closed) {
            while (true) {
                Set<String> open = new LinkedHashSet<>(upgraded);
                open.removeAll(closed);
                long left = (deadline - System.nanoTime()) / 1_000_000;
                if (open.isEmpty() || left <= 0) {
                    return open;
                }
                try {
                    closed.wait(left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new AssertionError("interrupted", e);
                }
            }
        }
    }

    private static void describe(FindingEvent f, StringBuilder b) {
        b.append("\n  ").append(f.severity()).append(' ').append(f.rule())
                .append(f.conn() == null ? "" : " (conn " + f.conn() + ")").append(": ").append(f.summary());
        for (FindingEvent.Evidence e : f.evidence()) {
            b.append("\n      evidence conn ").append(e.conn()).append(" seq ").append(e.seq()).append(": ").append(e.what());
        }
    }
}
