package dev.wsdebug.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedMethod;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordingFile;

/**
 * Where the time went in a JFR recording ({@code -XX:StartFlightRecording=...,settings=profile}):
 * execution samples by top frame (self) and by every method on the sampled stack (total, each
 * method once per sample), the same for the top frame's class package, allocation samples by class
 * and by allocating method (weighted; the recorder's own allocations left out), the GC pauses, and the
 * largest heap in use after a collection (the live data) and committed. Used by {@code bench/pcap.sh --profile}.
 *
 * <pre>java -cp bench/target/benchmarks.jar dev.wsdebug.bench.JfrTop FILE.jfr [TOP]</pre>
 */
public final class JfrTop {
    private JfrTop() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length < 1 || args.length > 2) {
            System.err.println("usage: JfrTop FILE.jfr [TOP]");
            System.exit(2);
        }
        int top = args.length == 2 ? Integer.parseInt(args[1]) : 25;
        Map<String, Long> self = new HashMap<>();
        Map<String, Long> total = new HashMap<>();
        Map<String, Long> selfPackage = new HashMap<>();
        Map<String, Long> selfOwn = new HashMap<>();
        Map<String, Long> allocClass = new HashMap<>();
        Map<String, Long> allocSite = new HashMap<>();
        long samples = 0;
        long allocWeight = 0;
        long gcs = 0;
        long maxUsedAfterGc = -1;
        long maxCommitted = -1;
        double gcPauseMs = 0;
        double longestPauseMs = 0;
        for (RecordedEvent e : RecordingFile.readAllEvents(Path.of(args[0]))) {
            String type = e.getEventType().getName();
            switch (type) {
                case "jdk.ExecutionSample" -> {
                    RecordedStackTrace st = e.getStackTrace();
                    if (st == null || st.getFrames().isEmpty()) {
                        continue;
                    }
                    samples++;
                    List<RecordedFrame> frames = st.getFrames();
                    String first = name(frames.get(0));
                    self.merge(first, 1L, Long::sum);
                    selfPackage.merge(pkg(frames.get(0)), 1L, Long::sum);
                    selfOwn.merge(firstOwn(frames), 1L, Long::sum);
                    Set<String> seen = new HashSet<>();
                    for (RecordedFrame f : frames) {
                        String n = name(f);
                        if (seen.add(n)) {
                            total.merge(n, 1L, Long::sum);
                        }
                    }
                }
                case "jdk.ObjectAllocationSample" -> {
                    if (inJfr(e.getStackTrace())) {
                        continue; // the recorder's own allocations
                    }
                    long w = e.getLong("weight");
                    allocWeight += w;
                    allocClass.merge(e.getClass("objectClass").getName(), w, Long::sum);
                    RecordedStackTrace st = e.getStackTrace();
                    if (st != null && !st.getFrames().isEmpty()) {
                        allocSite.merge(firstOwnFrame(st.getFrames()), w, Long::sum);
                    }
                }
                case "jdk.GarbageCollection" -> {
                    gcs++;
                    double ms = e.getDuration("sumOfPauses").toNanos() / 1e6;
                    gcPauseMs += ms;
                    longestPauseMs = Math.max(longestPauseMs, e.getDuration("longestPause").toNanos() / 1e6);
                }
                case "jdk.GCHeapSummary" -> {
                    maxCommitted = Math.max(maxCommitted, e.getLong("heapSpace.committedSize"));
                    if ("After GC".equals(e.getString("when"))) {
                        maxUsedAfterGc = Math.max(maxUsedAfterGc, e.getLong("heapUsed"));
                    }
                }
                default -> {
                }
            }
        }
        System.out.printf(Locale.ROOT, "JFR %s: %d execution samples (Java code only; native and GC threads are not"
                + " sampled)%n", args[0], samples);
        print("top frames (self)", self, samples, top, "samples");
        // the trunk every sample shares (main, picocli, the read loop) says nothing: left out
        long all = samples;
        total.values().removeIf(n -> n >= 0.95 * all);
        print("methods on the stack (total; those on >= 95 % of the stacks left out)", total, samples, top, "samples");
        print("top frame by package (self)", selfPackage, samples, 12, "samples");
        print("self time charged to the first dev.wsdebug frame (JDK and library frames above it count for it)", selfOwn,
                samples, top, "samples");
        print("allocation by class (sampled weight)", allocClass, allocWeight, 12, "bytes");
        print("allocation by first dev.wsdebug frame (sampled weight)", allocSite, allocWeight, 12, "bytes");
        System.out.printf(Locale.ROOT, "%nGC: %d collections, %.0f ms of pauses in all, longest %.1f ms; heap used after a"
                + " GC at most %.1f MiB (the live data), heap committed at most %.0f MiB%n", gcs, gcPauseMs, longestPauseMs,
                maxUsedAfterGc / 1048576.0, maxCommitted / 1048576.0);
    }

    private static void print(String title, Map<String, Long> counts, long all, int top, String unit) {
        System.out.printf(Locale.ROOT, "%n%s:%n", title);
        List<Map.Entry<String, Long>> list = new ArrayList<>(counts.entrySet());
        list.sort((a, b) -> Long.compare(b.getValue(), a.getValue()));
        for (Map.Entry<String, Long> en : list.subList(0, Math.min(top, list.size()))) {
            System.out.printf(Locale.ROOT, "  %5.1f %%  %,14d %s  %s%n", 100.0 * en.getValue() / Math.max(1, all),
                    en.getValue(), unit, en.getKey());
        }
    }

    private static boolean inJfr(RecordedStackTrace st) {
        if (st == null) {
            return false;
        }
        for (RecordedFrame f : st.getFrames()) {
            if (name(f).startsWith("jdk.jfr.")) {
                return true;
            }
        }
        return false;
    }

    private static String name(RecordedFrame f) {
        RecordedMethod m = f.getMethod();
        return m == null ? "?" : m.getType().getName() + "." + m.getName();
    }

    private static String pkg(RecordedFrame f) {
        RecordedMethod m = f.getMethod();
        if (m == null) {
            return "?";
        }
        String n = m.getType().getName();
        int dot = n.lastIndexOf('.');
        return dot < 0 ? n : n.substring(0, dot);
    }

    /** The first frame (from the top) in wsdebug's own code; else the top frame. */
    private static String firstOwn(List<RecordedFrame> frames) {
        for (RecordedFrame f : frames) {
            String n = name(f);
            if (n.startsWith("dev.wsdebug.")) {
                return n;
            }
        }
        return name(frames.get(0));
    }

    /** The first frame (from the top) in wsdebug's own code, with its line; else the top frame. */
    private static String firstOwnFrame(List<RecordedFrame> frames) {
        for (RecordedFrame f : frames) {
            String n = name(f);
            if (n.startsWith("dev.wsdebug.")) {
                return n + ":" + f.getLineNumber();
            }
        }
        return name(frames.get(0));
    }
}
