package dev.wsdebug.analysis;

import dev.wsdebug.capture.FindingEvent;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Across connections: one client retrying at a constant delay ({@code reconnect-no-backoff}), and
 * many clients coming back at once after the server closed them ({@code reconnect-storm}).
 */
final class ReconnectRules {
    /** What is kept of each connection once its own rules have run. */
    record Summary(String conn, String client, String url, long start, long end, String initiator) {
    }

    private static final int MIN_RETRIES = 3;
    private static final int STORM_CLIENTS = 5;
    private static final long STORM_WINDOW_MICROS = 2_000_000;

    private ReconnectRules() {
    }

    static void check(List<Summary> all, Findings out) {
        Map<String, List<Summary>> byClient = new LinkedHashMap<>();
        for (Summary s : all) {
            if (s.client() != null && s.url() != null) {
                byClient.computeIfAbsent(s.client() + " " + s.url(), k -> new ArrayList<>()).add(s);
            }
        }
        for (List<Summary> tries : byClient.values()) {
            noBackoff(tries, out);
        }
        storm(all, out);
    }

    /** Delays between one connection's end and the next one's start, all about equal. */
    private static void noBackoff(List<Summary> tries, Findings out) {
        if (tries.size() < MIN_RETRIES + 1) {
            return;
        }
        tries.sort(Comparator.comparingLong(Summary::start));
        List<Long> delays = new ArrayList<>();
        for (int i = 1; i < tries.size(); i++) {
            long delay = tries.get(i).start() - tries.get(i - 1).end();
            if (delay < 0) {
                return; // overlapping connections: several clients behind one address, not one client retrying
            }
            delays.add(delay);
        }
        double mean = delays.stream().mapToLong(Long::longValue).average().orElse(0);
        if (mean < 1_000) {
            return;
        }
        for (long d : delays) {
            if (Math.abs(d - mean) > mean * 0.2 + 50_000) {
                return; // the delays vary: backoff or jitter
            }
        }
        Summary first = tries.get(0);
        Findings.Builder f = out.add(null, tries.get(tries.size() - 1).start(), "reconnect-no-backoff", FindingEvent.WARNING,
                String.format(java.util.Locale.ROOT, "The client at %s reconnected %d times to %s, always %s after the"
                        + " previous connection ended.", first.client(), delays.size(), first.url(),
                        CloseRules.millis((long) mean)));
        for (int i = 1; i < tries.size() && i <= 4; i++) {
            f.evidence(tries.get(i).conn(), -1, tries.get(i).start(), "connection " + tries.get(i).conn() + " opened "
                    + CloseRules.millis(delays.get(i - 1)) + " after the previous ended");
        }
        f.cause("A fixed retry delay: when the server is down or refusing, every attempt fails the same way and the"
                        + " load never drops.")
                .fix("Reconnect with exponential backoff (for example 1 s doubling up to 60 s) and random jitter.")
                .emit();
    }

    /** Many clients whose connections the server ended together, reconnecting within moments. */
    private static void storm(List<Summary> all, Findings out) {
        List<Summary> byEnd = new ArrayList<>(all);
        byEnd.removeIf(s -> s.client() == null || !"server".equals(s.initiator()) && !"none".equals(s.initiator()));
        byEnd.sort(Comparator.comparingLong(Summary::end));
        for (int i = 0; i < byEnd.size(); i++) {
            long t0 = byEnd.get(i).end();
            List<Summary> closed = new ArrayList<>();
            for (int j = i; j < byEnd.size() && byEnd.get(j).end() - t0 <= STORM_WINDOW_MICROS; j++) {
                closed.add(byEnd.get(j));
            }
            if (closed.size() < STORM_CLIENTS) {
                continue;
            }
            // each closed connection is matched with a different new one: clients behind one address
            // (or on loopback) must not all count the same reconnect
            List<Summary> back = new ArrayList<>();
            java.util.Set<String> taken = new java.util.HashSet<>();
            for (Summary c : closed) {
                for (Summary s : all) {
                    if (s.client() != null && s.client().equals(c.client()) && s.start() >= c.end()
                            && s.start() - c.end() <= STORM_WINDOW_MICROS && taken.add(s.conn())) {
                        back.add(s);
                        break;
                    }
                }
            }
            if (back.size() >= STORM_CLIENTS) {
                Findings.Builder f = out.add(null, t0, "reconnect-storm", FindingEvent.WARNING, back.size() + " clients"
                        + " reconnected within " + CloseRules.millis(STORM_WINDOW_MICROS) + " of the server ending "
                        + closed.size() + " connections at once.");
                for (int k = 0; k < back.size() && k < 4; k++) {
                    f.evidence(back.get(k).conn(), -1, back.get(k).start(), "reconnected");
                }
                f.cause("Clients reconnect immediately (or after the same fixed delay) when the server closes them, so"
                                + " they all arrive together, often while the server is still restarting.")
                        .fix("Reconnect after a random delay (jitter) and back off exponentially; servers can also"
                                + " close with 1012/1013 to ask for it.")
                        .emit();
                return;
            }
        }
    }
}
