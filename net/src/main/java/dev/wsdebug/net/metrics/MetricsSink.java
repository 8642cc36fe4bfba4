package dev.wsdebug.net.metrics;

import dev.wsdebug.capture.CloseEvent;
import dev.wsdebug.capture.ErrorEvent;
import dev.wsdebug.capture.Event;
import dev.wsdebug.capture.EventSink;
import dev.wsdebug.capture.FrameEvent;
import dev.wsdebug.capture.HandshakeEvent;
import dev.wsdebug.capture.MessageEvent;
import dev.wsdebug.wire.Direction;
import dev.wsdebug.wire.Frame;
import dev.wsdebug.wire.HandshakeResult;
import dev.wsdebug.wire.Message;
import dev.wsdebug.wire.Opcode;
import dev.wsdebug.wire.Violation;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Turns events into Prometheus metrics, kept in a registry of its own (never the global default,
 * so several instances and tests do not clash). Thread-safe: one instance takes the events of all
 * connections, each connection fed from its own thread.
 *
 * <p>Connections are counted once, when they end: {@code clean} (both sides sent close frames),
 * {@code abnormal} (any other close) or {@code handshake_failed} (the server did not answer the
 * upgrade with 101, or did not answer at all). The active gauge counts connections whose upgrade
 * succeeded and that have not closed yet.
 *
 * <p>Ping round trips: a ping is matched to the next pong with the same payload in the opposite
 * direction on the same connection; the histogram is labelled with the ping's direction
 * ({@code c2s}: the client pinged, the server answered). Each connection remembers at most
 * {@link #MAX_PENDING_PINGS} unanswered payloads, the oldest forgotten first; a second ping with a
 * payload still pending replaces the first, so a pong is always timed against the latest ping.
 */
public final class MetricsSink implements EventSink {
    /** Unanswered pings remembered per connection. */
    public static final int MAX_PENDING_PINGS = 16;
    /** Connections whose pings are tracked at once; beyond it round trips of new ones are not measured. */
    static final int MAX_TRACKED_CONNECTIONS = 100_000;
    /** Classic buckets of the RTT histogram, in seconds: 100 µs to 10 s. */
    static final double[] RTT_BUCKETS = {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1,
            0.25, 0.5, 1, 2.5, 5, 10};

    public static final String RESULT_CLEAN = "clean";
    public static final String RESULT_ABNORMAL = "abnormal";
    public static final String RESULT_HANDSHAKE_FAILED = "handshake_failed";

    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final Gauge active;
    private final Counter connections;
    private final Counter handshakeFailures;
    private final Counter messages;
    private final Counter messageBytes;
    private final Counter messageDecodedBytes;
    private final Counter frames;
    private final Counter frameBytes;
    private final Counter closeCodes;
    private final Counter violations;
    private final Counter errors;
    private final Counter httpRequests;
    private final Histogram pingRtt;
    private final Map<String, ConnState> conns = new ConcurrentHashMap<>();

    public MetricsSink() {
        active = Gauge.builder().name("wsdebug_connections_active")
                .help("WebSocket connections upgraded and not yet closed.")
                .withoutExemplars().register(registry);
        connections = Counter.builder().name("wsdebug_connections_total")
                .help("Connections ended, by result: clean, abnormal or handshake_failed.")
                .labelNames("result").withoutExemplars().register(registry);
        handshakeFailures = Counter.builder().name("wsdebug_handshake_failures_total")
                .help("Upgrades not answered with 101, by response status (none: no response).")
                .labelNames("status").withoutExemplars().register(registry);
        messages = Counter.builder().name("wsdebug_messages_total")
                .help("Data messages, by direction and type.")
                .labelNames("direction", "type").withoutExemplars().register(registry);
        messageBytes = Counter.builder().name("wsdebug_message_bytes_total")
                .help("Payload bytes of data messages as on the wire (compressed when compressed, frame headers excluded).")
                .labelNames("direction", "type").withoutExemplars().register(registry);
        messageDecodedBytes = Counter.builder().name("wsdebug_message_decoded_bytes_total")
                .help("Payload bytes of data messages after inflation.")
                .labelNames("direction", "type").withoutExemplars().register(registry);
        frames = Counter.builder().name("wsdebug_frames_total")
                .help("Frames, by direction and opcode name.")
                .labelNames("direction", "type").withoutExemplars().register(registry);
        frameBytes = Counter.builder().name("wsdebug_frame_bytes_total")
                .help("Bytes of all frames on the wire, headers included, by direction.")
                .labelNames("direction").withoutExemplars().register(registry);
        closeCodes = Counter.builder().name("wsdebug_close_codes_total")
                .help("Connections closed, by close code (1005: close frame without code, 1006: no close frame).")
                .labelNames("code").withoutExemplars().register(registry);
        violations = Counter.builder().name("wsdebug_protocol_violations_total")
                .help("Protocol rules broken on the wire, by rule id and direction.")
                .labelNames("rule", "direction").withoutExemplars().register(registry);
        errors = Counter.builder().name("wsdebug_errors_total")
                .help("Errors that stopped decoding or a connection, by kind.")
                .labelNames("kind").withoutExemplars().register(registry);
        httpRequests = Counter.builder().name("wsdebug_http_requests_total")
                .help("Plain HTTP exchanges (not upgrades) and CONNECT tunnels relayed untouched, by response status"
                        + " (none: no response).")
                .labelNames("status").withoutExemplars().register(registry);
        pingRtt = Histogram.builder().name("wsdebug_ping_rtt_seconds")
                .help("Time from a ping to the pong with the same payload, by the ping's direction.")
                .labelNames("direction").classicOnly().classicUpperBounds(RTT_BUCKETS)
                .withoutExemplars().register(registry);
        active.set(0);
        for (String result : new String[] {RESULT_CLEAN, RESULT_ABNORMAL, RESULT_HANDSHAKE_FAILED}) {
            connections.initLabelValues(result);
        }
        for (Direction dir : Direction.values()) {
            for (String type : new String[] {"text", "binary"}) {
                messages.initLabelValues(dir.id(), type);
                messageBytes.initLabelValues(dir.id(), type);
                messageDecodedBytes.initLabelValues(dir.id(), type);
            }
        }
    }

    /** The registry holding this sink's metrics, to serve with {@link MetricsServer}. */
    public PrometheusRegistry registry() {
        return registry;
    }

    @Override
    public void accept(Event event) {
        if (event instanceof FrameEvent f) {
            frame(f);
        } else if (event instanceof MessageEvent m) {
            message(m);
        } else if (event instanceof HandshakeEvent h) {
            handshake(h);
        } else if (event instanceof CloseEvent c) {
            close(c);
        } else if (event instanceof ErrorEvent e) {
            errors.labelValues(e.kind() == null ? "unknown" : e.kind()).inc();
        } else if (event instanceof dev.wsdebug.capture.HttpEvent x) {
            // an HTTP status has three digits (HttpHead.status), so the label values are bounded
            httpRequests.labelValues(x.status() >= 100 && x.status() <= 999 ? Integer.toString(x.status()) : "none").inc();
        }
    }

    private void handshake(HandshakeEvent h) {
        HandshakeResult r = h.result();
        if (r != null && r.upgraded()) {
            if (h.conn() != null) {
                ConnState s = state(h.conn());
                if (s != null && s.open(true)) {
                    active.inc();
                }
            }
            return;
        }
        handshakeFailures.labelValues(r == null ? "none" : statusLabel(r.status())).inc();
        connections.labelValues(RESULT_HANDSHAKE_FAILED).inc();
    }

    private void close(CloseEvent c) {
        connections.labelValues(c.clean() ? RESULT_CLEAN : RESULT_ABNORMAL).inc();
        closeCodes.labelValues(codeLabel(c.code())).inc();
        ConnState s = c.conn() == null ? null : conns.remove(c.conn());
        if (s != null && s.open(false)) {
            active.dec();
        }
    }

    private void message(MessageEvent e) {
        Message m = e.message();
        String dir = e.dir().id();
        String type = m.type();
        messages.labelValues(dir, type).inc();
        messageBytes.labelValues(dir, type).inc(m.wireLength());
        messageDecodedBytes.labelValues(dir, type).inc(m.length());
    }

    private void frame(FrameEvent e) {
        Frame f = e.frame();
        String dir = e.dir().id();
        frames.labelValues(dir, f.type()).inc();
        frameBytes.labelValues(dir).inc(f.wireLength());
        for (Violation v : f.violations()) {
            violations.labelValues(v.rule(), dir).inc();
        }
        if (e.conn() == null || f.controlPayload() == null || f.controlPayload().length > 125) {
            return;
        }
        if (f.opcode() == Opcode.PING) {
            ConnState s = state(e.conn());
            if (s != null) {
                s.ping(e.dir(), f.controlPayload(), e.timeMicros());
            }
        } else if (f.opcode() == Opcode.PONG) {
            ConnState s = conns.get(e.conn());
            if (s != null) {
                long sent = s.answered(e.dir().opposite(), f.controlPayload());
                if (sent >= 0) {
                    double seconds = Math.max(0, e.timeMicros() - sent) / 1e6;
                    pingRtt.labelValues(e.dir().opposite().id()).observe(seconds);
                }
            }
        }
    }

    /** This connection's state, created on first use; null when too many connections are tracked. */
    private ConnState state(String conn) {
        ConnState s = conns.get(conn);
        if (s == null) {
            if (conns.size() >= MAX_TRACKED_CONNECTIONS) {
                return null;
            }
            s = conns.computeIfAbsent(conn, k -> new ConnState());
        }
        return s;
    }

    /** HTTP status codes as they are; anything else (unparseable) as "invalid". */
    static String statusLabel(int status) {
        return status >= 100 && status <= 599 ? Integer.toString(status) : "invalid";
    }

    /** Close codes 1000-4999 as they are (bounded label values); anything else as "invalid". */
    static String codeLabel(int code) {
        return code >= 1000 && code <= 4999 ? Integer.toString(code) : "invalid";
    }

    /** What one connection needs remembered: whether it counts as active, and its unanswered pings. */
    private static final class ConnState {
        private boolean open;
        /** Key: ping direction and payload; value: when it was sent, in microseconds. */
        private final LinkedHashMap<PingKey, Long> pending = new LinkedHashMap<>() {
            @Override
            protected boolean removeEldestEntry(Map.Entry<PingKey, Long> eldest) {
                return size() > MAX_PENDING_PINGS;
            }
        };

        /** Sets whether the connection counts as active; true when that changed it. */
        synchronized boolean open(boolean now) {
            boolean changed = open != now;
            open = now;
            return changed;
        }

        synchronized void ping(Direction dir, byte[] payload, long timeMicros) {
            PingKey key = new PingKey(dir, ByteBuffer.wrap(payload.clone()));
            pending.remove(key); // re-insert, so it counts as the newest
            pending.put(key, timeMicros);
        }

        /** The time of the pending ping this pong answers, removing it; -1 if none. */
        synchronized long answered(Direction pingDir, byte[] payload) {
            Long sent = pending.remove(new PingKey(pingDir, ByteBuffer.wrap(payload)));
            return sent == null ? -1 : sent;
        }
    }

    private record PingKey(Direction dir, ByteBuffer payload) {
    }
}
