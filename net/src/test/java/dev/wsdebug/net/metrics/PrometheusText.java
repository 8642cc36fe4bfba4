package dev.wsdebug.net.metrics;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A scrape parsed strictly as the Prometheus text format: every line is blank, a comment
 * ({@code # HELP name text} / {@code # TYPE name type}) or a sample {@code name{labels} value}.
 * Samples are keyed by name and labels as written, e.g. {@code wsdebug_messages_total{direction="c2s",type="text"}}.
 */
public final class PrometheusText {
    private static final String NAME = "[a-zA-Z_:][a-zA-Z0-9_:]*";
    private static final String LABEL = "[a-zA-Z_][a-zA-Z0-9_]*=\"(?:[^\"\\\\\\n]|\\\\[\\\\\"n])*\"";
    private static final Pattern SAMPLE = Pattern.compile(
            "(" + NAME + ")(\\{(?:" + LABEL + "(?:," + LABEL + ")*)?,?\\})? (\\S+)(?: -?\\d+)?");
    private static final Pattern HELP = Pattern.compile("# HELP " + NAME + " .*");
    private static final Pattern TYPE = Pattern.compile("# TYPE " + NAME + " (counter|gauge|histogram|summary|untyped)");

    public final String body;
    public final Map<String, Double> samples = new LinkedHashMap<>();
    public final Map<String, String> types = new LinkedHashMap<>();

    public PrometheusText(String body) {
        this.body = body;
        int n = 0;
        for (String line : body.split("\n", -1)) {
            n++;
            if (line.isEmpty()) {
                continue;
            }
            if (line.startsWith("#")) {
                if (TYPE.matcher(line).matches()) {
                    String[] parts = line.split(" ");
                    types.put(parts[2], parts[3]);
                } else if (!HELP.matcher(line).matches()) {
                    throw new AssertionError("line " + n + " is not a HELP or TYPE comment: " + line);
                }
                continue;
            }
            Matcher m = SAMPLE.matcher(line);
            if (!m.matches()) {
                throw new AssertionError("line " + n + " is not `name{labels} value`: " + line);
            }
            double value = parseValue(m.group(3), line);
            String key = m.group(1) + (m.group(2) == null ? "" : m.group(2));
            if (samples.put(key, value) != null) {
                throw new AssertionError("sample repeated: " + key);
            }
        }
    }

    private static double parseValue(String v, String line) {
        switch (v) {
            case "+Inf":
                return Double.POSITIVE_INFINITY;
            case "-Inf":
                return Double.NEGATIVE_INFINITY;
            case "NaN":
                return Double.NaN;
            default:
                try {
                    return Double.parseDouble(v);
                } catch (NumberFormatException e) {
                    throw new AssertionError("not a number in: " + line, e);
                }
        }
    }

    /** The sample's value; fails when it is not there. */
    public double value(String key) {
        Double v = samples.get(key);
        if (v == null) {
            throw new AssertionError("no sample " + key + " in:\n" + body);
        }
        return v;
    }

    /**
     * The cumulative count of a histogram bucket, found by its bound's value (the writer may print
     * 0.0005 as 5.0E-4).
     *
     * @param labels the labels before {@code le}, as written, e.g. {@code direction="c2s"}
     */
    public double bucket(String histogram, String labels, double le) {
        String prefix = histogram + "_bucket{" + labels + ",le=\"";
        for (Map.Entry<String, Double> e : samples.entrySet()) {
            String k = e.getKey();
            if (k.startsWith(prefix) && k.endsWith("\"}")
                    && parseValue(k.substring(prefix.length(), k.length() - 2), k) == le) {
                return e.getValue();
            }
        }
        throw new AssertionError("no bucket le=" + le + " for " + histogram + "{" + labels + "} in:\n" + body);
    }

    /** GET url with the JDK client, which must answer 200 in the text format; parsed. */
    public static PrometheusText scrape(HttpClient http, String url) throws Exception {
        HttpResponse<String> r = get(http, url, "GET");
        if (r.statusCode() != 200) {
            throw new AssertionError("GET " + url + " answered " + r.statusCode() + ": " + r.body());
        }
        String type = r.headers().firstValue("Content-Type").orElse("");
        if (!type.startsWith("text/plain; version=0.0.4")) {
            throw new AssertionError("GET " + url + " has Content-Type " + type);
        }
        return new PrometheusText(r.body());
    }

    public static HttpResponse<String> get(HttpClient http, String url, String method) throws Exception {
        HttpRequest req = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5))
                .method(method, HttpRequest.BodyPublishers.noBody()).build();
        return http.send(req, HttpResponse.BodyHandlers.ofString());
    }
}
