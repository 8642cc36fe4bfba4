package dev.wsdebug.net.probe;

import dev.wsdebug.capture.CloseEvent;

import java.util.Locale;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * With --idle S: one connection that sends nothing, not even pings, for up to S seconds, and
 * exactly when and how it died; then, if it died, a second one that pings at half that time to
 * show that keepalive is the fix.
 */
final class IdleStep {
    private IdleStep() {
    }

    /** @param firstId the connection id of the silent connection; the confirmation uses the next one */
    static void run(ProbeOptions o, long firstId, ProbeListener out) throws InterruptedException {
        String what = "idle " + Millis.seconds(o.idleSeconds) + " without pings";
        try (ProbeConnection c = ProbeConnection.open(o, firstId, ProbeConnection.DEFAULT_OFFER)) {
            if (c.session == null) {
                out.check(ProbeCheck.fail("idle", what, "could not connect: " + c.failure.getMessage(), null));
                return;
            }
            long waitMs = Math.round(o.idleSeconds * 1000);
            try {
                c.session.closed().get(waitMs, TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                out.check(ProbeCheck.ok("idle", what, "still open after " + Millis.seconds(o.idleSeconds) + " idle",
                        (double) waitMs));
                c.closeGently(1_000);
                return;
            } catch (ExecutionException e) {
                // closed() never completes exceptionally; treated as gone below
            }
            // silence starts at the end of the handshake: after it nothing was sent either way
            double seconds = (System.nanoTime() - c.openNanos) / 1e9;
            boolean closeFrame = c.serverClose().isDone();
            CloseEvent ce = c.closeEvent();
            String interval = pingAdvice(seconds);
            String verdict;
            String cause;
            if (closeFrame) {
                int code = c.serverClose().getNow(-1);
                verdict = String.format(Locale.ROOT, "closed by the server with %s after %.1f s idle: a %s s idle timeout"
                                + " of the server; send pings at most every %s s", code < 0 ? "no code" : Integer.toString(code),
                        seconds, whole(seconds), interval);
                cause = "The server closes connections that carry nothing for that long.";
            } else {
                verdict = String.format(Locale.ROOT, "dropped after %.1f s idle without a close frame: an intermediary with"
                        + " a %s s idle timeout; send pings at most every %s s", seconds, whole(seconds), interval);
                cause = "Something on the path (a load balancer, reverse proxy, NAT or firewall) drops connections that carry"
                        + " nothing for that long, without telling either end.";
            }
            out.check(ProbeCheck.fail("idle", what, verdict, seconds * 1000));
            out.finding(Finding.error(c.conn, "idle-timeout", String.format(Locale.ROOT,
                            "The connection died %.1f s after the handshake with nothing sent either way, %s.", seconds,
                            closeFrame ? "closed by the server" : "without a close frame"))
                    .evidence(String.format(Locale.ROOT, "idle %.1f s, then %s", seconds, ce == null ? "closed"
                            : "close " + ce.code() + " (" + ce.codeName() + ")"))
                    .cause(cause)
                    .fix("Send pings (or any message) at most every " + interval + " s, or raise the idle timeout.")
                    .build());
            confirm(o, firstId + 1, seconds, out);
        }
    }

    /**
     * Pings at half the measured timeout for longer than the timeout: if the connection survives,
     * the keepalive advice is proven, not guessed.
     */
    private static void confirm(ProbeOptions o, long id, double timeoutSeconds, ProbeListener out) throws InterruptedException {
        long intervalMs = Math.max(100, Math.round(timeoutSeconds * 500));
        // past the timeout by half of it (at least a second), so a drop would have happened
        long holdMs = Math.round(timeoutSeconds * 1000) + Math.max(1_000, Math.round(timeoutSeconds * 500));
        String what = String.format(Locale.ROOT, "with pings every %.1f s", intervalMs / 1000.0);
        try (ProbeConnection c = ProbeConnection.open(o, id, ProbeConnection.DEFAULT_OFFER)) {
            if (c.session == null) {
                out.check(ProbeCheck.fail("keepalive", what, "could not connect: " + c.failure.getMessage(), null));
                return;
            }
            c.session.keepalive(intervalMs, 0);
            try {
                c.session.closed().get(holdMs, TimeUnit.MILLISECONDS);
                double lived = (System.nanoTime() - c.openNanos) / 1e9;
                out.check(ProbeCheck.fail("keepalive", what, String.format(Locale.ROOT,
                        "the connection died too, after %.1f s: the idle timeout ignores pings (send messages instead)", lived),
                        lived * 1000));
            } catch (TimeoutException e) {
                int pongs = c.session.rtts().size();
                out.check(ProbeCheck.ok("keepalive", what, String.format(Locale.ROOT,
                        "still open after %.1f s, past the %.1f s timeout (%d pongs)", holdMs / 1000.0, timeoutSeconds, pongs),
                        (double) holdMs));
                c.closeGently(1_000);
            } catch (ExecutionException e) {
                out.check(ProbeCheck.fail("keepalive", what, "the connection failed", null));
            }
        }
    }

    /**
     * At most half the timeout, in whole seconds when that is at least one. The timeout is first taken
     * to a tenth of a second, as it is shown: a drop measured at 1.996 s is a 2 s timeout, pinged every 1 s.
     */
    static String pingAdvice(double timeoutSeconds) {
        double half = tenths(timeoutSeconds) / 2;
        return half >= 1 ? Long.toString((long) Math.floor(half)) : String.format(Locale.ROOT, "%.1f", half);
    }

    /** Seconds as shown: whole when they round to a whole number of tenths that is one, else with a tenth. */
    static String whole(double seconds) {
        double t = tenths(seconds);
        return t >= 1 && t == Math.rint(t) ? Long.toString((long) t) : String.format(Locale.ROOT, "%.1f", t);
    }

    private static double tenths(double seconds) {
        return Math.round(seconds * 10) / 10.0;
    }
}
