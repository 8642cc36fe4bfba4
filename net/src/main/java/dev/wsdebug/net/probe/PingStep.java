package dev.wsdebug.net.probe;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/** A few pings, one at a time: whether the server answers, and the round trips (min and median). */
final class PingStep {
    private PingStep() {
    }

    /** @return whether every ping was answered */
    static boolean run(ProbeConnection c, ProbeOptions o, ProbeListener out) throws InterruptedException {
        List<Double> rtts = new ArrayList<>();
        int sent = 0;
        for (int i = 0; i < o.pings && c.isOpen(); i++) {
            int before = c.session.rtts().size();
            c.session.ping(null);
            sent++;
            long deadline = System.nanoTime() + o.pingTimeoutMillis * 1_000_000;
            while (c.session.rtts().size() == before && System.nanoTime() < deadline && c.isOpen()) {
                Thread.sleep(1);
            }
            List<Long> all = c.session.rtts();
            if (all.size() == before) {
                break; // one unanswered ping is enough to tell; more would only add waiting
            }
            rtts.add(all.get(all.size() - 1) / 1000.0);
        }
        String what = "ping answered (" + sent + " sent)";
        if (rtts.size() < sent || sent == 0) {
            out.check(ProbeCheck.fail("ping", what, rtts.size() + " of " + sent + " answered; no pong within "
                    + Millis.seconds(o.pingTimeoutMillis / 1000.0), null));
            out.finding(Finding.error(c.conn, "zombie", "The server did not answer a ping within "
                            + Millis.seconds(o.pingTimeoutMillis / 1000.0) + ".")
                    .evidence(rtts.size() + " of " + sent + " pings answered")
                    .cause("RFC 6455 5.5.2 requires a pong for every ping. A server (or an intermediary) that does not answer"
                            + " makes clients that check liveness by ping declare the connection dead, and hides dead ones.")
                    .fix("Answer pings with pongs on the server (most libraries do unless disabled), or check the path for a"
                            + " proxy that swallows control frames.")
                    .build());
            return false;
        }
        List<Double> sorted = new ArrayList<>(rtts);
        Collections.sort(sorted);
        double min = sorted.get(0);
        double median = sorted.size() % 2 == 1 ? sorted.get(sorted.size() / 2)
                : (sorted.get(sorted.size() / 2 - 1) + sorted.get(sorted.size() / 2)) / 2;
        out.check(ProbeCheck.ok("ping", what, String.format(Locale.ROOT, "round trip min %s, median %s",
                Millis.format(min), Millis.format(median)), median));
        return true;
    }
}
