package dev.wsdebug.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Turns a JMH CSV result file ({@code -rf csv}) of these benchmarks into a readable table: the
 * score with JMH's 99.9% error, payload bytes per second derived from the {@code size} parameter,
 * the ratio to the baseline measured in the same run (the naive parser or validator; the bare JCE
 * cipher for {@code TlsDecryptBenchmark}, whose bytes are plaintext bytes), and the frame-parser targets.
 *
 * <p>Decimal units: 1 MB/s = 10^6 B/s, 1 GB/s = 10^9 B/s. Run: {@code java -cp
 * bench/target/benchmarks.jar dev.wsdebug.bench.Summary results.csv}.
 */
public final class Summary {
    private static final double TARGET_BYTES_16K = 2e9;
    private static final double TARGET_FRAMES_16B = 5e6;
    private static final List<String> METHOD_ORDER = List.of("naive", "jce", "wsdebug", "jdk");
    /** The baseline of each class that has one: the ratio column divides by it. */
    private static final List<String> BASELINES = List.of("naive", "jce");

    private record Row(String clazz, String method, String params, int size, int samples, double score,
                       double error) {
        String key() {
            return clazz + "|" + params;
        }
    }

    private Summary() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            System.err.println("usage: Summary <jmh-result.csv>");
            System.exit(2);
        }
        List<String> lines = Files.readAllLines(Path.of(args[0]), StandardCharsets.UTF_8);
        if (lines.isEmpty()) {
            return;
        }
        List<String> header = split(lines.get(0));
        List<Row> rows = new ArrayList<>();
        Map<String, Row> baselines = new HashMap<>();
        for (String line : lines.subList(1, lines.size())) {
            List<String> f = split(line);
            String bench = f.get(0);
            if (bench.contains(":") || !"thrpt".equals(f.get(1))) {
                continue; // profiler secondary results, other modes
            }
            int dot = bench.lastIndexOf('.');
            String clazz = bench.substring(bench.lastIndexOf('.', dot - 1) + 1, dot);
            StringBuilder params = new StringBuilder();
            int size = -1;
            for (int c = 7; c < f.size() && c < header.size(); c++) {
                if (f.get(c).isEmpty()) {
                    continue;
                }
                String name = header.get(c).replace("Param: ", "");
                params.append(params.length() == 0 ? "" : " ").append(name).append('=').append(f.get(c));
                if (name.equals("size")) {
                    size = Integer.parseInt(f.get(c));
                }
            }
            Row r = new Row(clazz, bench.substring(dot + 1), params.toString(), size, Integer.parseInt(f.get(3)),
                    Double.parseDouble(f.get(4)), parseError(f.get(5)));
            rows.add(r);
            if (BASELINES.contains(r.method())) {
                baselines.put(r.key(), r);
            }
        }

        // baseline first, then wsdebug, then the JDK; by payload size within each class
        rows.sort(Comparator.comparing(Row::clazz).thenComparingInt(Row::size).thenComparing(Row::params)
                .thenComparingInt(r -> METHOD_ORDER.indexOf(r.method())));
        String clazz = null;
        List<String> verdicts = new ArrayList<>();
        for (Row r : rows) {
            if (!r.clazz().equals(clazz)) {
                clazz = r.clazz();
                boolean frames = clazz.equals("FrameParseBenchmark");
                boolean tls = clazz.equals("TlsDecryptBenchmark");
                System.out.printf(Locale.ROOT, "%n%s (score = %s; %s B/s = score x size)%n", clazz,
                        frames ? "frames/s" : tls ? "records/s" : "validations/s", tls ? "plaintext" : "payload");
                System.out.printf(Locale.ROOT, "%-9s %-" + (tls ? 58 : 22) + "s %3s %26s %24s %10s%n", "method",
                        "params", "n", frames ? "frames/s (± 99.9% err)" : tls ? "records/s (± 99.9% err)"
                                : "ops/s (± 99.9% err)", tls ? "plaintext MB/s (± err)" : "payload MB/s (± err)",
                        tls ? "vs jce" : "vs naive");
            }
            Row base = baselines.get(r.key());
            String ratio = base == null || r == base ? "" : String.format(Locale.ROOT, "%.2fx", r.score() / base.score());
            String bytes = r.size() < 0 ? "" : String.format(Locale.ROOT, "%.1f ± %.1f",
                    r.score() * r.size() / 1e6, r.error() * r.size() / 1e6);
            System.out.printf(Locale.ROOT, "%-9s %-" + (r.clazz().equals("TlsDecryptBenchmark") ? 58 : 22)
                            + "s %3d %26s %24s %10s%n", r.method(), r.params(), r.samples(),
                    String.format(Locale.ROOT, "%.0f ± %.0f", r.score(), r.error()), bytes, ratio);
            if (r.clazz().equals("FrameParseBenchmark") && r.method().equals("wsdebug")) {
                if (r.size() == 16384) {
                    double bps = r.score() * r.size();
                    verdicts.add(String.format(Locale.ROOT, "unmask+parse at 16 KiB: %.2f GB/s per core, target >= 2 GB/s: %s",
                            bps / 1e9, bps >= TARGET_BYTES_16K ? "MET" : "MISSED"));
                } else if (r.size() == 16) {
                    verdicts.add(String.format(Locale.ROOT, "unmask+parse at 16 B: %.2f M frames/s, target >= 5 M frames/s: %s",
                            r.score() / 1e6, r.score() >= TARGET_FRAMES_16B ? "MET" : "MISSED"));
                }
            }
        }
        if (!verdicts.isEmpty()) {
            System.out.println();
            verdicts.forEach(System.out::println);
        }
    }

    private static double parseError(String s) {
        try {
            return Double.parseDouble(s);
        } catch (NumberFormatException e) {
            return Double.NaN;
        }
    }

    /** Splits one JMH CSV line: fields separated by commas, strings in double quotes. */
    static List<String> split(String line) {
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (c == '"') {
                if (quoted && i + 1 < line.length() && line.charAt(i + 1) == '"') {
                    cur.append('"');
                    i++;
                } else {
                    quoted = !quoted;
                }
            } else if (c == ',' && !quoted) {
                out.add(cur.toString());
                cur.setLength(0);
            } else {
                cur.append(c);
            }
        }
        out.add(cur.toString());
        return out;
    }
}
