package dev.wsdebug.analysis;

import dev.wsdebug.capture.FindingEvent;
import dev.wsdebug.wire.Direction;

import java.util.Locale;

/**
 * Flow and timing, where the source saw the transport: {@code backpressure} (a receiver that stopped
 * reading, seen as a zero TCP window or as bytes the proxy had to hold) and {@code nagle-delay}
 * (small messages that consistently left only when the previous segment was acknowledged, about 40
 * or 200 ms late).
 */
final class FlowRules {
    /** Stalls shorter than this, that ended, are a receiver keeping up just barely: information. */
    private static final long BRIEF_STALL_MICROS = 200_000;
    /** A window that closes for less than this is a busy moment of a healthy receiver: nothing to say. */
    private static final long NOISE_STALL_MICROS = 50_000;
    private static final int MIN_ACK_WAITS = 3;

    private FlowRules() {
    }

    static void check(ConnectionFacts c, Findings out) {
        for (Direction d : Direction.values()) {
            backpressure(c, d, out);
            nagle(c, d, out);
        }
    }

    private static void backpressure(ConnectionFacts c, Direction d, Findings out) {
        FlowFacts.Stalls s = c.flow.stalls[ConnectionFacts.i(d)];
        if (s.count == 0) {
            return;
        }
        long end = c.close != null ? c.close.timeMicros() : c.lastT;
        boolean endedStalled = s.openSince >= 0;
        long longest = endedStalled ? Math.max(s.longestMicros, end - s.openSince) : s.longestMicros;
        String receiver = d == Direction.S2C ? "client" : "server";
        String sender = d == Direction.S2C ? "server" : "client";
        String how = s.proxy ? "the proxy had to hold what the " + sender + " sent for it"
                : "it advertised a zero TCP window " + times(s.count);
        if (!endedStalled && longest < NOISE_STALL_MICROS) {
            return;
        }
        String severity = endedStalled || longest >= BRIEF_STALL_MICROS ? FindingEvent.WARNING : FindingEvent.INFO;
        Findings.Builder f = out.add(c.conn, s.first.t(), "backpressure", severity, String.format(Locale.ROOT,
                "The %s stopped reading: %s, for up to %.1f s%s%s.", receiver, how, longest / 1e6,
                s.mostBytes > 0 ? " with " + s.mostBytes + " bytes waiting" : "",
                endedStalled ? ", and the connection ended while it was still not reading" : ""))
                .evidence(c.conn, s.first.seq(), s.first.t(), "the " + receiver + ": " + s.first.what());
        f.cause("The " + receiver + "'s application reads more slowly than the " + sender + " sends (a slow message"
                        + " handler, a blocked event loop or UI thread, a long pause), so its socket buffer fills and TCP"
                        + " stops the " + sender + "; messages then queue in the " + sender + "'s memory and arrive late.")
                .fix("Keep the " + receiver + "'s read loop short (hand work to another thread or queue); on the "
                        + sender + ", bound what is queued per connection (watch bufferedAmount or the write buffer),"
                        + " and coalesce, drop or disconnect for consumers that fall behind.")
                .emit();
    }

    private static void nagle(ConnectionFacts c, Direction d, Findings out) {
        int i = ConnectionFacts.i(d);
        FlowFacts.AckWaits w = c.flow.ackWaits[i];
        if (w.count < MIN_ACK_WAITS || w.count * 5 < c.messages[i]) {
            return; // rare waits are ordinary timing; the finding is about a consistent delay
        }
        long near = Math.max(w.near40, w.near200);
        if (near * 10 < w.count * 6) {
            return; // the waits do not cluster around a delayed-ACK timer
        }
        String timer = w.near40 >= w.near200 ? "40 ms" : "200 ms";
        String sender = d == Direction.C2S ? "client" : "server";
        String receiver = d == Direction.C2S ? "server" : "client";
        out.add(c.conn, w.first.t(), "nagle-delay", FindingEvent.WARNING, String.format(Locale.ROOT,
                        "%d small segments from the %s left about %s late, each only when the %s acknowledged the"
                                + " previous one (%d messages sent that way in all).", w.count, sender, timer, receiver,
                        c.messages[i]))
                .evidence(c.conn, w.first)
                .cause("Nagle's algorithm on the " + sender + "'s socket holds a small write while earlier bytes are"
                        + " unacknowledged, and the " + receiver + " delays its ACK (" + timer + ") waiting for more:"
                        + " typically a message written in two parts (frame header, then payload) on a socket without"
                        + " TCP_NODELAY.")
                .fix("Set TCP_NODELAY on the " + sender + "'s socket (setTcpNoDelay(true) in Java, setNoDelay() in"
                        + " Node, the default in Go and most WebSocket libraries), and write each frame in one call.")
                .emit();
    }

    private static String times(long n) {
        return n == 1 ? "once" : n == 2 ? "twice" : n + " times";
    }
}
