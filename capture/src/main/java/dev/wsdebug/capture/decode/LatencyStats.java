package dev.wsdebug.capture.decode;

import dev.wsdebug.capture.Event;
import dev.wsdebug.capture.EventSink;
import dev.wsdebug.capture.MessageEvent;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The request/response latency of the paired messages it sees ({@link Decoded#reply()}), per
 * protocol and request name: count and percentiles, for {@code read --stats}. Keeps every latency
 * (a long per answer) up to a bound, then a uniform sample of them.
 */
public final class LatencyStats implements EventSink {
    /** Latencies kept per name; past it, reservoir sampling keeps the percentiles honest. */
    static final int KEEP = 100_000;

    private final Map<String, Samples> byName = new TreeMap<>();
    private final java.util.SplittableRandom random = new java.util.SplittableRandom(1);

    private static final class Samples {
        long count;
        long max;
        long[] kept = new long[16];
        int size;
    }

    @Override
    public void accept(Event e) {
        if (e instanceof MessageEvent m && m.decoded() != null && m.decoded().reply() != null) {
            Decoded.Reply r = m.decoded().reply();
            String key = m.decoded().protocol() + "  " + (r.name() == null ? "(unnamed)" : r.name());
            Samples s = byName.computeIfAbsent(key, k -> new Samples());
            s.count++;
            s.max = Math.max(s.max, r.latencyMicros());
            if (s.size < KEEP) {
                if (s.size == s.kept.length) {
                    s.kept = Arrays.copyOf(s.kept, Math.min(KEEP, s.size * 2));
                }
                s.kept[s.size++] = r.latencyMicros();
            } else {
                long j = random.nextLong(s.count);
                if (j < KEEP) {
                    s.kept[(int) j] = r.latencyMicros();
                }
            }
        }
    }

    /** Whether any answered request was seen. */
    public boolean isEmpty() {
        return byName.isEmpty();
    }

    /** One line per protocol and name: count, p50, p90, p99 and max in milliseconds. */
    public List<String> lines() {
        List<String> out = new ArrayList<>();
        out.add(String.format(Locale.ROOT, "%-40s %8s %10s %10s %10s %10s", "protocol  request", "answers", "p50 ms", "p90 ms",
                "p99 ms", "max ms"));
        for (Map.Entry<String, Samples> en : byName.entrySet()) {
            Samples s = en.getValue();
            long[] v = Arrays.copyOf(s.kept, s.size);
            Arrays.sort(v);
            out.add(String.format(Locale.ROOT, "%-40s %8d %10.2f %10.2f %10.2f %10.2f", en.getKey(), s.count,
                    pct(v, 0.50), pct(v, 0.90), pct(v, 0.99), s.max / 1000.0));
        }
        return out;
    }

    public void print(PrintStream out) {
        if (isEmpty()) {
            out.println("No request was answered in what was read (no protocol with request ids was recognised, or no answer came).");
            return;
        }
        out.println("Request/response latency:");
        for (String l : lines()) {
            out.println("  " + l);
        }
    }

    /** The nearest-rank percentile in milliseconds. */
    private static double pct(long[] sorted, double p) {
        int i = (int) Math.ceil(p * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, i))] / 1000.0;
    }
}
