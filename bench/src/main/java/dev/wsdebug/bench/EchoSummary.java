package dev.wsdebug.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Turns the {@code RESULT} lines of {@link EchoLoad} runs (as collected by {@code bench/echo.sh})
 * into the comparison table: per scenario and server the median echo rate with its min–max over
 * the runs, the median of messages per server CPU-second, the server's CPU use in cores, and the
 * ratios serve / node with the target "serve at least Node ws's rate" per row. Besides the ratio of
 * the medians it gives the range of the per-run ratios (the i-th serve result of a scenario over
 * the i-th node result, measured back to back).
 *
 * <p>The HTTP/2 rows (servers {@code serve-h1} and {@code serve-h2}: one {@code serve --http2}
 * process, one TCP connection per WebSocket against all WebSockets as streams of one HTTP/2
 * connection) get a table of their own with the ratio h2 / h1.
 *
 * <p>{@code java -cp bench/target/benchmarks.jar dev.wsdebug.bench.EchoSummary RESULTS_FILE}
 */
public final class EchoSummary {
    /**
     * A run in which the client itself got less CPU than this (cores) was not measuring the
     * server: on a shared VM the whole machine sometimes stalls for seconds (client and server
     * both near 0 CPU). In every live run the client needs well above 0.1 cores.
     */
    static final double STALLED_CLIENT_CORES = 0.05;

    private record Run(double rate, double perCpu, double cores, double clientCores) {
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            System.err.println("usage: EchoSummary RESULTS_FILE");
            System.exit(2);
        }
        // scenario -> server -> runs, both in first-seen order
        Map<String, Map<String, List<Run>>> all = new LinkedHashMap<>();
        // the HTTP/2 rows: scenario -> serve-h1 / serve-h2 -> runs
        Map<String, Map<String, List<Run>>> h2 = new LinkedHashMap<>();
        Map<String, String> conns = new HashMap<>();
        Map<String, String> what = new HashMap<>();
        List<String> stalled = new ArrayList<>();
        for (String line : Files.readAllLines(Path.of(args[0]))) {
            if (!line.startsWith("RESULT ")) {
                continue;
            }
            Map<String, String> f = new HashMap<>();
            for (String part : line.substring(7).trim().split(" +")) {
                int eq = part.indexOf('=');
                if (eq > 0) {
                    f.put(part.substring(0, eq), part.substring(eq + 1));
                }
            }
            String scenario = f.get("scenario");
            double seconds = Double.parseDouble(f.get("seconds"));
            double cpu = Double.parseDouble(f.get("server_cpu_s"));
            Run r = new Run(Double.parseDouble(f.get("rate")), Double.parseDouble(f.get("per_server_cpu_s")),
                    cpu / seconds, Double.parseDouble(f.get("client_cpu_s")) / seconds);
            if (r.clientCores() < STALLED_CLIENT_CORES) {
                stalled.add(String.format(Locale.ROOT, "%s/%s (%.1f msgs/s, client %.2f cores, server %.2f cores)",
                        scenario, f.get("server"), r.rate(), r.clientCores(), r.cores()));
                // the pair ratio below matches runs by position, so keep the slot as a NaN run
                r = new Run(Double.NaN, Double.NaN, Double.NaN, Double.NaN);
            }
            boolean h2Row = f.get("server").startsWith("serve-h");
            (h2Row ? h2 : all).computeIfAbsent(scenario, k -> new LinkedHashMap<>())
                    .computeIfAbsent(f.get("server"), k -> new ArrayList<>()).add(r);
            conns.put(scenario, f.get("conns"));
            what.put(scenario, f.get("conns") + "×" + f.get("inflight") + " × " + size(Integer.parseInt(f.get("size")))
                    + " " + f.get("opcode") + ("true".equals(f.get("deflate")) ? ", deflate" : ""));
        }

        System.out.println();
        if (!all.isEmpty()) {
            System.out.println("| scenario | server | msgs/s median (min–max) | msgs per server CPU-s (median) | server CPU (cores) |"
                    + " client CPU (cores) | serve/node rate (per-run pairs) | serve/node per CPU-s | target: serve ≥ node |");
            System.out.println("|---|---|---|---|---|---|---|---|---|");
        }
        for (var e : all.entrySet()) {
            String scenario = e.getKey();
            Map<String, List<Run>> servers = e.getValue();
            List<Run> serve = servers.get("serve");
            List<Run> node = servers.get("node");
            for (var s : servers.entrySet()) {
                List<Run> runs = s.getValue();
                List<Double> rates = sorted(runs, Run::rate);
                String ratio = "";
                String ratioCpu = "";
                String target = "";
                if (s.getKey().equals("serve") && node != null) {
                    double a = median(sorted(serve, Run::rate));
                    double b = median(sorted(node, Run::rate));
                    // the two servers run back to back within each run, so the i-th serve and node
                    // results of a scenario saw similar machine load: their ratio is less noisy
                    List<Double> pairs = new ArrayList<>();
                    for (int i = 0; i < Math.min(serve.size(), node.size()); i++) {
                        double pair = serve.get(i).rate() / node.get(i).rate();
                        if (!Double.isNaN(pair)) {
                            pairs.add(pair);
                        }
                    }
                    Collections.sort(pairs);
                    ratio = String.format(Locale.ROOT, "%.2f (pairs %.2f–%.2f)", a / b, pairs.get(0), pairs.get(pairs.size() - 1));
                    ratioCpu = String.format(Locale.ROOT, "%.2f",
                            median(sorted(serve, Run::perCpu)) / median(sorted(node, Run::perCpu)));
                    List<Double> nodeRates = sorted(node, Run::rate);
                    boolean overlap = rates.get(rates.size() - 1) >= nodeRates.get(0)
                            && nodeRates.get(nodeRates.size() - 1) >= rates.get(0);
                    target = (a >= b ? "**met**" : "**not met**") + (overlap ? " (ranges overlap)" : "");
                }
                System.out.println(String.format(Locale.ROOT, "| %s (%s) | %s | %s (%s–%s) | %s | %.2f | %.2f | %s | %s | %s |",
                        scenario, what.get(scenario), s.getKey(), human(median(rates)), human(rates.get(0)),
                        human(rates.get(rates.size() - 1)), human(median(sorted(runs, Run::perCpu))),
                        median(sorted(runs, Run::cores)), median(sorted(runs, Run::clientCores)), ratio, ratioCpu, target));
            }
        }
        if (!h2.isEmpty()) {
            h2Table(h2, what, conns);
        }
        System.out.println();
        var counts = java.util.stream.Stream.concat(all.values().stream(), h2.values().stream()).flatMap(m -> m.values().stream())
                .mapToInt(runs -> sorted(runs, Run::rate).size()).summaryStatistics();
        if (!stalled.isEmpty()) {
            System.out.println("Left out, the machine stalled (client CPU below " + STALLED_CLIENT_CORES + " cores): "
                    + String.join("; ", stalled) + ".");
        }
        System.out.println("Runs per row: " + (counts.getMin() == counts.getMax() ? "" + counts.getMin()
                : counts.getMin() + "–" + counts.getMax()) + ". Rates are echoed messages per second of the measured"
                + " interval; CPU is the server process's utime+stime over that interval.");
    }

    /** The HTTP/2 rows: serve over HTTP/1.1 (a connection per WebSocket) and over HTTP/2 (one connection), h2 / h1. */
    private static void h2Table(Map<String, Map<String, List<Run>>> h2, Map<String, String> what, Map<String, String> conns) {
        System.out.println();
        System.out.println("HTTP/2 rows: the same `serve --http2 --no-compress` process, the same client; HTTP/1.1 with one TCP"
                + " connection per WebSocket against HTTP/2 with every WebSocket a stream of one h2c connection (RFC 8441).");
        System.out.println();
        System.out.println("| scenario | transport | msgs/s median (min–max) | msgs per server CPU-s (median) | server CPU (cores) |"
                + " client CPU (cores) | h2/h1 rate (per-run pairs) | h2/h1 per CPU-s |");
        System.out.println("|---|---|---|---|---|---|---|---|");
        for (var e : h2.entrySet()) {
            String scenario = e.getKey();
            List<Run> one = e.getValue().get("serve-h1");
            List<Run> two = e.getValue().get("serve-h2");
            String n = conns.get(scenario);
            for (var s : e.getValue().entrySet()) {
                List<Run> runs = s.getValue();
                List<Double> rates = sorted(runs, Run::rate);
                if (rates.isEmpty()) {
                    continue;
                }
                boolean isH2 = s.getKey().equals("serve-h2");
                String transport = isH2 ? "serve h2 (" + n + (n.equals("1") ? " stream" : " streams") + " on 1 conn)"
                        : "serve h1 (" + n + (n.equals("1") ? " conn)" : " conns)");
                String ratio = "";
                String ratioCpu = "";
                if (isH2 && one != null && !sorted(one, Run::rate).isEmpty()) {
                    List<Double> pairs = new ArrayList<>();
                    for (int i = 0; i < Math.min(one.size(), two.size()); i++) {
                        double pair = two.get(i).rate() / one.get(i).rate();
                        if (!Double.isNaN(pair)) {
                            pairs.add(pair);
                        }
                    }
                    Collections.sort(pairs);
                    ratio = String.format(Locale.ROOT, "%.2f", median(rates) / median(sorted(one, Run::rate)))
                            + (pairs.isEmpty() ? "" : String.format(Locale.ROOT, " (pairs %.2f–%.2f)", pairs.get(0), pairs.get(pairs.size() - 1)));
                    ratioCpu = String.format(Locale.ROOT, "%.2f",
                            median(sorted(two, Run::perCpu)) / median(sorted(one, Run::perCpu)));
                }
                System.out.println(String.format(Locale.ROOT, "| %s (%s) | %s | %s (%s–%s) | %s | %.2f | %.2f | %s | %s |",
                        scenario, what.get(scenario), transport, human(median(rates)), human(rates.get(0)),
                        human(rates.get(rates.size() - 1)), human(median(sorted(runs, Run::perCpu))),
                        median(sorted(runs, Run::cores)), median(sorted(runs, Run::clientCores)), ratio, ratioCpu));
            }
        }
    }

    private static List<Double> sorted(List<Run> runs, java.util.function.ToDoubleFunction<Run> f) {
        List<Double> v = new ArrayList<>();
        for (Run r : runs) {
            double x = f.applyAsDouble(r);
            if (!Double.isNaN(x)) {
                v.add(x);
            }
        }
        Collections.sort(v);
        return v;
    }

    private static double median(List<Double> v) {
        int n = v.size();
        return n % 2 == 1 ? v.get(n / 2) : (v.get(n / 2 - 1) + v.get(n / 2)) / 2;
    }

    private static String human(double v) {
        if (Double.isNaN(v) || Double.isInfinite(v)) {
            return "–";
        }
        if (v >= 1e6) {
            return String.format(Locale.ROOT, "%.2f M", v / 1e6);
        }
        if (v >= 1e3) {
            return String.format(Locale.ROOT, "%.1f k", v / 1e3);
        }
        return String.format(Locale.ROOT, "%.0f", v);
    }

    private static String size(int bytes) {
        return bytes >= 1024 && bytes % 1024 == 0 ? bytes / 1024 + " KiB" : bytes + " B";
    }
}
