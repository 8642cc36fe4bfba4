package dev.wsdebug.analysis;

import dev.wsdebug.capture.FindingEvent;

import java.util.List;
import java.util.Locale;

/**
 * {@code keepalive-too-slow} for connections that survived: pings at an interval just under an idle
 * timeout, either one that killed another connection of the same capture (the path's timeout,
 * measured) or a well-known default (55 s Heroku, 60 s AWS and nginx…). Such a connection lives
 * only while every ping is on time; the connection the timeout killed has its own finding.
 */
final class KeepaliveMargin {
    /** An interval at least this share of a timeout is "just under" it. */
    private static final double MEASURED_MARGIN = 0.8;
    /** Against a default that may not be on the path at all, only intervals really close to it count. */
    private static final double KNOWN_MARGIN = 0.9;

    /** What is kept of a connection for this rule. */
    record Keepalive(String conn, long pingInterval, ConnectionFacts.Mark lastPing, long idleTimeout, long end) {
        static Keepalive of(ConnectionFacts c) {
            ConnectionFacts.Ping last = c.pings.isEmpty() ? null : c.pings.get(c.pings.size() - 1);
            return new Keepalive(c.conn, c.pingInterval(), last == null ? null
                    : new ConnectionFacts.Mark(last.seq, last.t, "last ping"), c.idleTimeout,
                    c.close != null ? c.close.timeMicros() : c.lastT);
        }
    }

    private KeepaliveMargin() {
    }

    static void check(List<Keepalive> all, Findings out) {
        Keepalive killed = null;
        for (Keepalive k : all) {
            if (k.idleTimeout() > 0 && (killed == null || k.idleTimeout() < killed.idleTimeout())) {
                killed = k; // the shortest measured timeout is the one that binds
            }
        }
        for (Keepalive k : all) {
            if (k.pingInterval() <= 0 || k.idleTimeout() > 0 || k.lastPing() == null) {
                continue; // no pings, or it died: its own rules said so
            }
            if (killed != null) {
                measured(k, killed, out);
            } else {
                known(k, out);
            }
        }
    }

    private static void measured(Keepalive k, Keepalive killed, Findings out) {
        long timeout = killed.idleTimeout();
        if (k.pingInterval() < timeout * MEASURED_MARGIN || k.pingInterval() >= timeout) {
            return;
        }
        emit(k, String.format(Locale.ROOT, "the %.1f s idle timeout that dropped connection %s", timeout / 1e6,
                killed.conn()), timeout, out)
                .evidence(killed.conn(), -1, killed.end(), String.format(
                        Locale.ROOT, "connection %s dropped after %.1f s without a frame", killed.conn(), timeout / 1e6))
                .emit();
    }

    private static void known(Keepalive k, Findings out) {
        double interval = k.pingInterval() / 1e6;
        for (Object[] d : CloseRules.KNOWN_IDLE) {
            double timeout = (double) d[0];
            if (interval >= timeout * KNOWN_MARGIN && interval < timeout) {
                emit(k, String.format(Locale.ROOT, "the %.0f s idle timeout of %s", timeout, d[1]),
                        (long) (timeout * 1e6), out).emit();
                return;
            }
        }
    }

    private static Findings.Builder emit(Keepalive k, String timeout, long timeoutMicros, Findings out) {
        long suggest = Math.max(1, timeoutMicros / 2_000_000);
        return out.add(k.conn(), k.lastPing().t(), "keepalive-too-slow", FindingEvent.WARNING, String.format(Locale.ROOT,
                        "Pings every %.1f s, just under %s: this connection lives only while every ping is on time.",
                        k.pingInterval() / 1e6, timeout))
                .evidence(k.conn(), k.lastPing())
                .cause("An idle timer on the path restarts with each ping; a ping that leaves a little late (a busy"
                        + " event loop, a pause, a slow network) lets it expire and the connection drops without a close"
                        + " frame.")
                .fix("Ping at most every " + suggest + " s: half the idle timeout leaves room for delays.");
    }
}
