package dev.wsdebug.net;

import dev.wsdebug.capture.CloseEvent;
import dev.wsdebug.capture.Event;
import dev.wsdebug.capture.EventSink;
import dev.wsdebug.capture.FrameEvent;
import dev.wsdebug.capture.HandshakeEvent;
import dev.wsdebug.capture.MessageEvent;
import dev.wsdebug.wire.Direction;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * Keeps every event the server's own pipeline reported, for assertions from the test thread. The
 * server hands it events from several event-loop threads (through a SynchronizedSink); reads take
 * a snapshot under the same lock as writes.
 */
final class ServerRecorder implements EventSink {
    private static final long POLL_MILLIS = 10;
    private final List<Event> events = new ArrayList<>();

    @Override
    public void accept(Event event) {
        synchronized (events) {
            events.add(event);
        }
    }

    List<Event> events() {
        synchronized (events) {
            return new ArrayList<>(events);
        }
    }

    <T extends Event> List<T> of(Class<T> type) {
        return events().stream().filter(type::isInstance).map(type::cast).collect(Collectors.toList());
    }

    List<HandshakeEvent> handshakes() {
        return of(HandshakeEvent.class);
    }

    /** The only connection's handshake: fails when there is not exactly one. */
    HandshakeEvent handshake() {
        List<HandshakeEvent> all = handshakes();
        if (all.size() != 1) {
            throw new AssertionError("expected one handshake, got " + all.size() + ":\n" + dump());
        }
        return all.get(0);
    }

    List<FrameEvent> frames(Direction dir) {
        return of(FrameEvent.class).stream().filter(f -> f.dir() == dir).collect(Collectors.toList());
    }

    List<FrameEvent> frames(String conn, Direction dir) {
        return frames(dir).stream().filter(f -> f.conn().equals(conn)).collect(Collectors.toList());
    }

    /** Data frames (text, binary, continuation) in this direction. */
    List<FrameEvent> dataFrames(Direction dir) {
        return frames(dir).stream().filter(f -> !f.frame().isControl()).collect(Collectors.toList());
    }

    List<FrameEvent> frames(Direction dir, int opcode) {
        return frames(dir).stream().filter(f -> f.frame().opcode() == opcode).collect(Collectors.toList());
    }

    List<MessageEvent> messages(Direction dir) {
        return of(MessageEvent.class).stream().filter(m -> m.dir() == dir).collect(Collectors.toList());
    }

    List<CloseEvent> closes() {
        return of(CloseEvent.class);
    }

    /** Waits (bounded) until an event of this type matches, and returns it. */
    <T extends Event> T await(Class<T> type, Predicate<T> match, long timeoutMillis) {
        List<T> found = awaitCount(type, match, 1, timeoutMillis);
        return found.get(0);
    }

    /** Waits (bounded) until at least {@code n} events of this type match; returns those seen. */
    <T extends Event> List<T> awaitCount(Class<T> type, Predicate<T> match, int n, long timeoutMillis) {
        long deadline = System.nanoTime() + timeoutMillis * 1_000_000;
        while (true) {
            List<T> found = of(type).stream().filter(match).collect(Collectors.toList());
            if (found.size() >= n) {
                return found;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the server recorded " + found.size() + " of " + n + " expected "
                        + type.getSimpleName() + "s within " + timeoutMillis + " ms; it recorded:\n" + dump());
            }
            try {
                Thread.sleep(POLL_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted", e);
            }
        }
    }

    /** Waits (bounded) for the close event of every connection accepted so far. */
    List<CloseEvent> awaitCloses(int n, long timeoutMillis) {
        return awaitCount(CloseEvent.class, c -> true, n, timeoutMillis);
    }

    /** One line per event, for failure messages (the last 200). */
    String dump() {
        List<Event> all = events();
        StringBuilder b = new StringBuilder();
        for (Event e : all.subList(Math.max(0, all.size() - 200), all.size())) {
            b.append("  ").append(describe(e)).append('\n');
        }
        return b.toString();
    }

    private static String describe(Event e) {
        if (e instanceof dev.wsdebug.capture.HttpEvent x) {
            return "conn " + x.conn() + " http " + x.method() + " " + x.url() + " status=" + x.status();
        }
        if (e instanceof FrameEvent f) {
            return "conn " + f.conn() + " frame " + f.dir().id() + " " + f.frame() + " " + f.frame().violations();
        }
        if (e instanceof MessageEvent m) {
            return "conn " + m.conn() + " message " + m.dir().id() + " " + m.message().type() + " len="
                    + m.message().length() + " frames=" + m.message().frames();
        }
        if (e instanceof HandshakeEvent h) {
            return "conn " + h.conn() + " handshake " + h.url() + " status="
                    + (h.result() == null ? "none" : h.result().status());
        }
        return e.toString();
    }
}
