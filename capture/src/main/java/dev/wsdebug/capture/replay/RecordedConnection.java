package dev.wsdebug.capture.replay;

import dev.wsdebug.capture.CloseEvent;
import dev.wsdebug.capture.HandshakeEvent;
import dev.wsdebug.wire.Direction;

import java.util.ArrayList;
import java.util.List;

/**
 * What a replay needs of one recorded connection: its handshake (the request's headers, the
 * subprotocol and extensions the server chose), what each side sent in order with its timing,
 * and how it ended.
 */
public final class RecordedConnection {
    private final String conn;
    private final long startMicros;
    private HandshakeEvent handshake;
    private final List<Step> steps = new ArrayList<>();
    private CloseEvent close;
    private boolean frames;

    RecordedConnection(String conn, long startMicros) {
        this.conn = conn;
        this.startMicros = startMicros;
    }

    public String conn() {
        return conn;
    }

    /** When the connection's first event happened (capture time, µs): concurrent replays keep these offsets. */
    public long startMicros() {
        return startMicros;
    }

    /** The handshake, or null when the capture started after it. */
    public HandshakeEvent handshake() {
        return handshake;
    }

    /** Everything sent both ways, in the order it crossed the wire. */
    public List<Step> steps() {
        return steps;
    }

    /** What one side sent, in order. */
    public List<Step> from(Direction dir) {
        return steps.stream().filter(s -> s.dir() == dir).toList();
    }

    /** The data messages one side sent, in order. */
    public List<Step> messagesFrom(Direction dir) {
        return steps.stream().filter(s -> s.dir() == dir && s.isData()).toList();
    }

    /** How it ended, or null when the capture ended first. */
    public CloseEvent close() {
        return close;
    }

    /** The time base of the steps' offsets: the handshake's, else the first event's. */
    long base() {
        return handshake != null ? handshake.timeMicros() : startMicros;
    }

    /**
     * Whether the capture had the connection's frames (a HAR file has only messages: then nothing is
     * known of close frames, and a replay does not compare them).
     */
    public boolean hasFrames() {
        return frames;
    }

    void frameSeen() {
        frames = true;
    }

    void handshake(HandshakeEvent h) {
        this.handshake = h;
    }

    void add(Step s) {
        steps.add(s);
    }

    void close(CloseEvent c) {
        if (close == null) {
            close = c;
        }
    }
}
