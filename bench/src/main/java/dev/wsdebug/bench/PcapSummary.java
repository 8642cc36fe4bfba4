package dev.wsdebug.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The table of {@code bench/pcap.sh}: from its raw rows (tab separated: size label, file, packets,
 * bytes, tool, run, wall s, user s, sys s, max RSS KiB, exit status[, extra JVM options]) the median
 * wall time of each tool per file, packets/s and MB/s (decimal, file bytes), CPU seconds (median), peak
 * RSS (median of the runs' peaks, and their range), the ratios of wsdebug to tshark and to the floors,
 * and the issue's targets: wsdebug at least 10x tshark's field extraction, at least 25 % of the floor
 * ({@code cat}), RSS flat as the file grows (taken here as: the median peak RSS of the largest file at
 * most 1.25x that of the first).
 *
 * <pre>java -cp bench/target/benchmarks.jar dev.wsdebug.bench.PcapSummary RAW.tsv</pre>
 */
public final class PcapSummary {
    static final double TARGET_VS_TSHARK = 10;
    static final double TARGET_OF_FLOOR = 0.25;
    static final double FLAT_RSS = 1.25;
    private static final List<String> TOOLS = List.of("wsdebug", "wsdebug-quiet", "wsdebug-also", "tshark-fields", "tshark-dissect", "floor-cat",
            "floor-java");
    private static final Map<String, String> LABELS = Map.of(
            "wsdebug", "wsdebug read --json",
            "wsdebug-quiet", "wsdebug, close frames only",
            "tshark-fields", "tshark -T fields",
            "tshark-dissect", "tshark -q (dissect)",
            "floor-cat", "floor: cat",
            "floor-java", "floor: Java read loop");

    private record Run(double wall, double cpu, long rssKiB, int status) {
    }

    private static final class FileRuns {
        String label;
        long packets;
        long bytes;
        final Map<String, List<Run>> runs = new LinkedHashMap<>();

        double wall(String tool) {
            List<Run> r = runs.get(tool);
            if (r == null || r.isEmpty()) {
                return Double.NaN;
            }
            List<Double> w = new ArrayList<>();
            r.forEach(x -> w.add(x.wall()));
            w.sort(Double::compare);
            int n = w.size();
            return n % 2 == 1 ? w.get(n / 2) : (w.get(n / 2 - 1) + w.get(n / 2)) / 2;
        }

        double cpu(String tool) {
            List<Run> r = runs.get(tool);
            return r == null || r.isEmpty() ? Double.NaN : r.stream().mapToDouble(Run::cpu).sorted().toArray()[r.size() / 2];
        }

        /** The median of the runs' peak RSS. */
        long rss(String tool) {
            List<Run> r = runs.get(tool);
            return r == null || r.isEmpty() ? -1 : r.stream().mapToLong(Run::rssKiB).sorted().toArray()[(r.size() - 1) / 2];
        }

        String rssRange(String tool) {
            List<Run> r = runs.get(tool);
            if (r == null || r.size() < 2) {
                return "";
            }
            return String.format(Locale.ROOT, " (%.0f-%.0f)", r.stream().mapToLong(Run::rssKiB).min().orElse(0) / 1024.0,
                    r.stream().mapToLong(Run::rssKiB).max().orElse(0) / 1024.0);
        }

        boolean failed(String tool) {
            List<Run> r = runs.get(tool);
            return r != null && r.stream().anyMatch(x -> x.status() != 0);
        }
    }

    private PcapSummary() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            System.err.println("usage: PcapSummary RAW.tsv");
            System.exit(2);
        }
        Map<String, FileRuns> files = new LinkedHashMap<>();
        for (String line : Files.readAllLines(Path.of(args[0]), StandardCharsets.UTF_8)) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            String[] f = line.split("\t");
            FileRuns fr = files.computeIfAbsent(f[0], k -> new FileRuns());
            fr.label = f[0];
            fr.packets = Long.parseLong(f[2]);
            fr.bytes = Long.parseLong(f[3]);
            if (f[4].equals("wsdebug-also") && f.length > 11) {
                alsoOpts = f[11];
            }
            fr.runs.computeIfAbsent(f[4], k -> new ArrayList<>()).add(new Run(Double.parseDouble(f[6]),
                    Double.parseDouble(f[7]) + Double.parseDouble(f[8]), Long.parseLong(f[9]), Integer.parseInt(f[10])));
        }
        List<String> verdicts = new ArrayList<>();
        for (FileRuns fr : files.values()) {
            System.out.printf(Locale.ROOT, "%n%s: %,d packets, %,.1f MB%n", fr.label, fr.packets, fr.bytes / 1e6);
            System.out.printf(Locale.ROOT, "%-28s %4s %9s %12s %9s %8s %8s  %s%n", "tool", "runs", "wall s", "packets/s",
                    "MB/s", "CPU s", "CPU/wall", "peak RSS MiB (range)");
            for (String tool : TOOLS) {
                if (!fr.runs.containsKey(tool)) {
                    continue;
                }
                double wall = fr.wall(tool);
                double cpu = fr.cpu(tool);
                System.out.printf(Locale.ROOT, "%-28s %4d %9.2f %12s %9.1f %8.2f %8.2f  %.0f%s%s%n", label(tool),
                        fr.runs.get(tool).size(), wall, String.format(Locale.ROOT, "%,.0f", fr.packets / wall),
                        fr.bytes / 1e6 / wall, cpu, cpu / wall, fr.rss(tool) / 1024.0, fr.rssRange(tool),
                        fr.failed(tool) ? "  (a run FAILED: non-zero exit)" : "");
            }
            double ws = fr.wall("wsdebug");
            if (Double.isNaN(ws)) {
                continue;
            }
            System.out.println();
            ratio(fr, "tshark-fields", ws, "wsdebug speed / tshark field extraction");
            double tsCpu = fr.cpu("tshark-fields");
            if (!Double.isNaN(tsCpu)) {
                System.out.printf(Locale.ROOT, "%-42s %6.2fx  (tshark-fields %.2f CPU-s, wsdebug %.2f CPU-s)%n",
                        "  the same in CPU seconds (user+sys)", tsCpu / fr.cpu("wsdebug"), tsCpu, fr.cpu("wsdebug"));
            }
            ratio(fr, "tshark-dissect", ws, "wsdebug speed / tshark dissecting only");
            ratio(fr, "floor-cat", ws, "wsdebug speed / floor (cat)");
            ratio(fr, "floor-java", ws, "wsdebug speed / floor (Java read loop)");
            ratio(fr, "wsdebug-quiet", ws, "wsdebug speed / wsdebug printing close frames only");
            ratio(fr, "wsdebug-also", ws, "wsdebug speed / wsdebug with the extra JVM options");
            double ts = fr.wall("tshark-fields");
            if (!Double.isNaN(ts)) {
                verdicts.add(String.format(Locale.ROOT, "%s: wsdebug %.1fx tshark's field extraction, target >= %.0fx: %s",
                        fr.label, ts / ws, TARGET_VS_TSHARK, ts / ws >= TARGET_VS_TSHARK ? "MET" : "MISSED"));
            }
            double cat = fr.wall("floor-cat");
            if (!Double.isNaN(cat)) {
                verdicts.add(String.format(Locale.ROOT, "%s: wsdebug at %.1f %% of the floor (cat), target >= %.0f %%: %s",
                        fr.label, 100 * cat / ws, 100 * TARGET_OF_FLOOR, cat / ws >= TARGET_OF_FLOOR ? "MET" : "MISSED"));
            }
        }
        if (files.size() >= 2) {
            List<FileRuns> list = new ArrayList<>(files.values());
            FileRuns first = list.get(0);
            FileRuns last = list.get(list.size() - 1);
            System.out.println();
            for (String tool : List.of("wsdebug", "wsdebug-also", "tshark-fields", "tshark-dissect")) {
                long a = first.rss(tool);
                long b = last.rss(tool);
                if (a > 0 && b > 0) {
                    System.out.printf(Locale.ROOT, "peak RSS (median) %-30s %s -> %s: %.0f -> %.0f MiB (x%.2f for x%.1f"
                                    + " packets)%n", label(tool), first.label, last.label, a / 1024.0, b / 1024.0, (double) b / a,
                            (double) last.packets / first.packets);
                }
            }
            long a = first.rss("wsdebug");
            long b = last.rss("wsdebug");
            if (a > 0 && b > 0) {
                verdicts.add(String.format(Locale.ROOT, "wsdebug peak RSS (median of the runs) %s -> %s: x%.2f, target flat"
                                + " (<= x%.2f): %s",
                        first.label, last.label, (double) b / a, FLAT_RSS, (double) b / a <= FLAT_RSS ? "MET" : "MISSED"));
            }
        }
        if (!verdicts.isEmpty()) {
            System.out.println();
            verdicts.forEach(System.out::println);
        }
    }

    /** The label of a tool; the extra options of wsdebug-also come from the raw rows' file column. */
    private static String label(String tool) {
        return tool.equals("wsdebug-also") ? "wsdebug + " + alsoOpts : LABELS.get(tool);
    }

    private static String alsoOpts = "extra options";

    private static void ratio(FileRuns fr, String tool, double ws, String what) {
        double other = fr.wall(tool);
        if (!Double.isNaN(other)) {
            System.out.printf(Locale.ROOT, "%-42s %6.2fx  (%s %.2f s, wsdebug %.2f s)%n", what, other / ws, tool, other,
                    ws);
        }
    }
}
