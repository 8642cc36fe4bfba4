package dev.wsdebug.analysis;

import dev.wsdebug.capture.CloseEvent;
import dev.wsdebug.capture.FindingEvent;
import dev.wsdebug.wire.CloseCodes;
import dev.wsdebug.wire.Direction;

/**
 * How the connection ended and why: dropped without a close frame (right after the handshake,
 * mid-message, or after a silence that matches an idle timeout), a close never answered, pings
 * never answered, long silences with no keepalive, and the close codes that tell clients
 * something (1011, and as information 1001, 1008, 1012, 1013, 4000-4999).
 */
final class CloseRules {
    /** Idle timeouts of well-known intermediaries, in seconds, with who uses them. */
    static final Object[][] KNOWN_IDLE = {
            {55.0, "Heroku's router"}, {60.0, "AWS ELB/ALB and nginx (proxy_read_timeout)"}, {100.0, "Cloudflare"},
            {120.0, "many proxies' default"}, {240.0, "Azure's load balancer (4 min)"}, {300.0, "a 5-minute idle limit"},
            {600.0, "AWS API Gateway (10 min)"}};
    /** Codes an endpoint sends when it fails the connection; it need not wait for the answer. */
    private static final java.util.Set<Integer> FAILING_CODES = java.util.Set.of(1002, 1003, 1007, 1008, 1009, 1010, 1011);
    /** A silence at least this long may be what killed the connection. */
    static final long IDLE_MIN_MICROS = 1_000_000;
    /** Long silences on a connection with no pings at all. */
    static final long NO_KEEPALIVE_GAP_MICROS = 30_000_000;

    private CloseRules() {
    }

    static void check(ConnectionFacts c, Findings out) {
        zombie(c, out);
        noKeepalive(c, out);
        CloseEvent ce = c.close;
        if (ce == null || c.handshake == null || c.handshake.result() == null || !c.handshake.result().upgraded()) {
            return; // still open when the capture stopped, or never a WebSocket (the handshake rules say why)
        }
        if (!c.handshake.result().valid() && c.messages[0] + c.messages[1] == 0) {
            return; // a client must fail a connection whose handshake is invalid: the drop is the consequence
        }
        ConnectionFacts.CloseFrame fromClient = c.closeFrames[0];
        ConnectionFacts.CloseFrame fromServer = c.closeFrames[1];
        codes(c, out);
        if (ce.clean()) {
            return;
        }
        if ((fromClient == null) != (fromServer == null)) {
            ConnectionFacts.CloseFrame sent = fromClient != null ? fromClient : fromServer;
            if (FAILING_CODES.contains(sent.code())) {
                return; // RFC 6455 7.1.7: failing the connection, the sender may close TCP at once (said by its own rule)
            }
            out.add(c.conn, ce.timeMicros(), "close-handshake-incomplete", FindingEvent.ERROR, FrameRules.side(sent.dir())
                            + " sent a close frame (" + sent.code() + ") that " + FrameRules.side(sent.dir().opposite())
                            .toLowerCase(java.util.Locale.ROOT) + " never answered before " + (carrierEnd(c).startsWith("TCP")
                            ? "TCP closed." : "its HTTP/2 stream ended."))
                    .evidence(c.conn, sent.seq(), sent.t(), "close frame " + sent.code() + (sent.reason() != null
                            && !sent.reason().isEmpty() ? " \"" + sent.reason() + "\"" : ""))
                    .evidence(c.conn, -1, ce.timeMicros(), carrierEnd(c) + " " + millis(ce.timeMicros() - sent.t()) + " later")
                    .cause("The other side closed TCP without echoing the close (or a proxy dropped the connection while"
                            + " the close was on its way), so " + FrameRules.side(sent.dir()).toLowerCase(java.util.Locale.ROOT)
                            + "'s runtime reports 1006 even though a code was sent.")
                    .fix("Answer a close frame with a close frame before closing TCP (libraries do this when the"
                            + " application lets them finish the close instead of destroying the socket).")
                    .emit();
            return;
        }
        if (fromClient != null) {
            return; // both sides sent one: the close handshake happened, TCP just ended untidily
        }
        long silence = c.finalSilence();
        boolean idle = silence >= IDLE_MIN_MICROS && isLongestSilence(c, silence);
        if (idle) {
            idleTimeout(c, ce, silence, out);
            return;
        }
        String when;
        ConnectionFacts.Mark open = c.fragmentOpen[0] != null ? c.fragmentOpen[0] : c.fragmentOpen[1];
        if (c.messages[0] + c.messages[1] == 0 && ce.timeMicros() - c.handshake.timeMicros() < 2_000_000) {
            when = "right after the handshake, before any message";
        } else if (open != null) {
            when = "in the middle of a fragmented message";
        } else {
            when = silence >= 0 ? millis(silence) + " after the last frame" : "without any frame";
        }
        Findings.Builder f = out.add(c.conn, ce.timeMicros(), "abnormal-close", FindingEvent.ERROR,
                "The connection dropped without a close frame either way (1006), " + when + ".");
        if (open != null) {
            f.evidence(c.conn, open);
        } else if (c.lastFrameSeq >= 0) {
            f.evidence(c.conn, c.lastFrameSeq, c.lastFrameT, "last frame before the drop");
        }
        f.evidence(c.conn, -1, ce.timeMicros(), carrierEnd(c));
        f.cause(open != null ? "A crash or a reset while a message was being sent, or a proxy limit on message size"
                        + " that cuts the connection instead of answering 1009."
                        : when.startsWith("right after") ? "The server (or a proxy) accepted the upgrade and then"
                        + " dropped the connection: an authorisation check after the upgrade, a crash in the"
                        + " connect handler, or a proxy that does not support WebSocket."
                        : "A network failure, a process that died or was killed, or an intermediary that reset the"
                        + " connection.")
                .fix("Check both sides' logs at that time; have the application close with a code (1001 going away,"
                        + " 1011 error) instead of dropping TCP.")
                .emit();
    }

    private static boolean isLongestSilence(ConnectionFacts c, long silence) {
        for (ConnectionFacts.Mark g : c.longestGaps) {
            if (Long.parseLong(g.what()) > silence) {
                return false;
            }
        }
        return true; // the longest silence of the connection, and the one it did not survive
    }

    private static void idleTimeout(ConnectionFacts c, CloseEvent ce, long silence, Findings out) {
        c.idleTimeout = silence;
        double s = silence / 1e6;
        String known = null;
        for (Object[] k : KNOWN_IDLE) {
            double d = (double) k[0];
            if (Math.abs(s - d) <= d * 0.04) {
                known = k[1] + " (" + (long) d + " s)";
                break;
            }
        }
        long interval = c.pingInterval();
        long suggest = Math.max(1, (long) Math.floor(s / 2));
        out.add(c.conn, ce.timeMicros(), "idle-timeout", FindingEvent.ERROR, String.format(java.util.Locale.ROOT,
                        "The connection died %.1f s after the last frame, without a close frame: an idle timeout%s.", s,
                        known != null ? ", like " + known : ""))
                .evidence(c.conn, c.lastFrameSeq, c.lastFrameT, "last frame before the silence")
                .evidence(c.conn, -1, ce.timeMicros(), String.format(java.util.Locale.ROOT, "dropped %.1f s later", s))
                .cause("Something on the path (a load balancer, reverse proxy, NAT or firewall) closes connections that"
                        + " carry nothing for that long" + (c.pingCount == 0 ? ", and nothing was sent to keep this one"
                        + " busy." : "."))
                .fix("Send pings (or any message) at most every " + suggest + " s, or raise the intermediary's idle"
                        + " timeout.")
                .emit();
        if (interval > 0 && interval >= silence * 0.8) {
            out.add(c.conn, ce.timeMicros(), "keepalive-too-slow", FindingEvent.WARNING, String.format(java.util.Locale.ROOT,
                            "Pings came every %.1f s, at or just under the %.1f s idle timeout that killed the connection.",
                            interval / 1e6, s))
                    .evidence(c.conn, c.pings.get(c.pings.size() - 1).seq, c.pings.get(c.pings.size() - 1).t, "last ping")
                    .cause("A ping interval this close to the timeout loses the race whenever a ping is a little late.")
                    .fix("Ping at most every " + suggest + " s: half the idle timeout leaves room for delays.")
                    .emit();
        }
    }

    private static void zombie(ConnectionFacts c, Findings out) {
        if (c.maxUnansweredRun < 2 || c.firstUnanswered == null) {
            return;
        }
        ConnectionFacts.Ping first = c.pings.isEmpty() ? null : c.pings.get(0);
        Direction pinger = first != null ? first.dir : Direction.C2S;
        out.add(c.conn, c.firstUnanswered.t(), "zombie", FindingEvent.ERROR, (c.maxUnansweredRun + 1) + " pings in a row"
                        + " from " + FrameRules.side(pinger).toLowerCase(java.util.Locale.ROOT) + " got no pong: the other side"
                        + " is not reading, or a zombie.")
                .evidence(c.conn, c.firstUnanswered)
                .cause("The peer's process is stuck or gone while its TCP connection stays open (a half-open"
                        + " connection behind a NAT or load balancer), or it does not implement pongs.")
                .fix("Treat two missed pongs as a dead connection: close it and reconnect.")
                .emit();
    }

    private static void noKeepalive(ConnectionFacts c, Findings out) {
        if (c.pingCount > 0 || c.longestGaps.isEmpty()) {
            return;
        }
        ConnectionFacts.Mark longest = c.longestGaps.get(0);
        long gap = Long.parseLong(longest.what());
        if (gap < NO_KEEPALIVE_GAP_MICROS) {
            return;
        }
        out.add(c.conn, longest.t(), "no-keepalive", FindingEvent.WARNING, String.format(java.util.Locale.ROOT,
                        "The connection stayed silent for %.0f s with no pings at all.", gap / 1e6))
                .evidence(c.conn, longest.seq(), longest.t(), String.format(java.util.Locale.ROOT,
                        "%.0f s of silence ended by this frame", gap / 1e6))
                .cause("Without keepalive, an intermediary's idle timeout (often 60 s) or a NAT can drop the connection"
                        + " unnoticed, and a dead peer is only found when the next message is sent.")
                .fix("Ping every 20-30 s from one side (most libraries have a setting).")
                .emit();
    }

    private static void codes(ConnectionFacts c, Findings out) {
        // the code that says something is the first close's; the answer usually echoes it
        ConnectionFacts.CloseFrame a = c.closeFrames[0];
        ConnectionFacts.CloseFrame b = c.closeFrames[1];
        ConnectionFacts.CloseFrame first = a == null ? b : b == null ? a : a.t() <= b.t() ? a : b;
        for (ConnectionFacts.CloseFrame cf : new ConnectionFacts.CloseFrame[]{first}) {
            if (cf == null || cf.code() < 0) {
                continue;
            }
            int code = cf.code();
            String who = FrameRules.side(cf.dir());
            String reason = cf.reason() != null && !cf.reason().isEmpty() ? " (\"" + cf.reason() + "\")" : "";
            if (code == CloseCodes.INTERNAL_ERROR) {
                out.add(c.conn, cf.t(), "server-error", FindingEvent.ERROR, who + " closed with 1011 Internal Error"
                                + reason + ".")
                        .evidence(c.conn, cf.seq(), cf.t(), "close frame 1011")
                        .cause("An unexpected condition on that side (an exception in the handler) ended the connection.")
                        .fix("Look in that side's log at this time for the error.")
                        .emit();
            } else if (code == CloseCodes.BAD_GATEWAY) {
                out.add(c.conn, cf.t(), "bad-gateway", FindingEvent.ERROR, who + " closed with 1014 Bad Gateway"
                                + reason + ": a gateway in front of the server lost its connection to the server, or could"
                                + " not make one.")
                        .evidence(c.conn, cf.seq(), cf.t(), "close frame 1014")
                        .cause("The server behind the proxy or load balancer dropped the connection without a close frame"
                                + " (a crash, a restart, a reset), or answered the gateway with an invalid response.")
                        .fix("Look at the server's log at this time, and at the gateway's log for what it got from the"
                                + " server.")
                        .emit();
            } else if (code == 1001 || code == 1008 || code == 1012 || code == 1013 || code >= 4000 && code <= 4999) {
                String what = switch (code) {
                    case 1001 -> "the endpoint is going away (a server shutting down or redeploying, a page closed);"
                            + " clients should reconnect, with backoff.";
                    case 1008 -> "a policy was violated (often authentication or a rate limit); reconnecting unchanged"
                            + " will fail again.";
                    case 1012 -> "the service is restarting; clients should reconnect after a short, randomised wait.";
                    case 1013 -> "try again later (overload); clients should back off before reconnecting.";
                    default -> "an application-defined code; its meaning is agreed between the two ends.";
                };
                out.add(c.conn, cf.t(), "close-" + code, FindingEvent.INFO, who + " closed with " + code + " "
                                + CloseCodes.name(code) + reason + ": " + what)
                        .evidence(c.conn, cf.seq(), cf.t(), "close frame " + code)
                        .emit();
            }
        }
    }

    /**
     * How what carried the WebSocket ended: TCP, or for a WebSocket over HTTP/2 its stream, by a
     * reset (the error event the pipeline wrote for RST_STREAM names who and why) or by END_STREAM.
     */
    static String carrierEnd(ConnectionFacts c) {
        if (c.handshake == null || !"h2".equals(c.handshake.transport())) {
            return "TCP closed";
        }
        for (dev.wsdebug.capture.ErrorEvent e : c.errors) {
            if ("h2".equals(e.kind()) && e.message().contains(" reset the stream with ")) {
                String m = e.message();
                return "HTTP/2 stream " + c.handshake.stream() + ": " + Character.toLowerCase(m.charAt(0))
                        + m.substring(1, m.length() - 1);
            }
        }
        return "HTTP/2 stream " + c.handshake.stream() + " ended (END_STREAM)";
    }

    static String millis(long micros) {
        return micros >= 1_000_000 ? String.format(java.util.Locale.ROOT, "%.1f s", micros / 1e6)
                : String.format(java.util.Locale.ROOT, "%.0f ms", micros / 1e3);
    }
}
