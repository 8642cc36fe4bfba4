package dev.wsdebug.ui;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.wsdebug.capture.EventSink;
import dev.wsdebug.capture.decode.Decoded;
import dev.wsdebug.capture.export.ExportFormat;
import dev.wsdebug.capture.store.CaptureBrowser;
import dev.wsdebug.wire.Direction;

import java.io.ByteArrayOutputStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * The JSON API of {@code docs/UI-API.md}: routes a request to the capture it names and answers.
 * Runs off the event loop (queries may take a while on a large capture).
 */
final class Api {
    private final Captures captures;
    private final Sessions sessions;

    Api(Captures captures, Sessions sessions) {
        this.captures = captures;
        this.sessions = sessions;
    }

    /** A request as the API sees it. {@code upload} is the body saved to a file (POST /api/captures). */
    record Call(String method, List<String> path, Map<String, List<String>> query, byte[] body, Path upload,
                String uploadName) {
        String param(String name) {
            List<String> v = query.get(name);
            return v == null || v.isEmpty() ? null : v.get(0);
        }
    }

    Reply handle(Call c) {
        List<String> p = c.path; // after "api"
        try {
            if (p.size() == 1 && p.get(0).equals("captures")) {
                return c.method.equals("POST") ? open(c) : Reply.ok(captures.list());
            }
            if (p.size() >= 1 && p.get(0).equals("sessions")) {
                return sessions.handle(c, p.subList(1, p.size()));
            }
            if (p.size() >= 3 && p.get(0).equals("captures")) {
                OpenCapture cap = captures.get(p.get(1));
                if (cap == null) {
                    return Reply.error(404, "There is no capture " + p.get(1) + ".");
                }
                return capture(c, cap, p.subList(2, p.size()));
            }
            return Reply.error(404, "No such API path.");
        } catch (BadRequest e) {
            return Reply.error(400, e.getMessage());
        } catch (IllegalArgumentException e) {
            return Reply.error(400, e.getMessage());
        } catch (IllegalStateException e) {
            return Reply.error(500, e.getMessage());
        }
    }

    static final class BadRequest extends RuntimeException {
        BadRequest(String sentence) {
            super(sentence);
        }
    }

    private Reply open(Call c) {
        String path = c.param("path");
        OpenCapture cap;
        if (path != null) {
            cap = captures.open(Path.of(path));
        } else if (c.upload != null) {
            cap = captures.adopt(c.upload, c.uploadName == null ? "upload" : c.uploadName);
        } else {
            throw new BadRequest("Send the capture file as the body, or ?path= a file of this machine.");
        }
        return Reply.json(201, cap.entry(cap.browser().connectionCount()));
    }

    private Reply capture(Call c, OpenCapture cap, List<String> p) {
        CaptureBrowser b = cap.browser();
        switch (p.get(0)) {
            case "connections" -> {
                if (p.size() == 1) {
                    ObjectNode grid = b.connections();
                    grid.get("connections").forEach(row -> sessions.mark(cap, (ObjectNode) row));
                    cap.apps().grid(grid);
                    cap.findings().badges(grid);
                    return Reply.ok(grid);
                }
                String conn = p.get(1);
                if (p.size() == 2) {
                    if (c.method.equals("GET")) {
                        ObjectNode row = b.connection(conn);
                        if (row == null) {
                            return noConnection(conn);
                        }
                        if (!conn.startsWith(CaptureBrowser.HTTP_PREFIX)) {
                            cap.findings().of(conn).forEach(row.putArray("findings")::add);
                        }
                        cap.apps().row(row);
                        return Reply.ok(sessions.mark(cap, row));
                    }
                }
                if (p.size() == 3 && p.get(2).equals("inject") && c.method.equals("POST")) {
                    return sessions.inject(cap, conn, c.body);
                }
                if (p.size() == 3 && p.get(2).equals("timeline")) {
                    int buckets = intParam(c, "buckets", 400, 10, 2000);
                    JsonNode t = b.timeline(conn, buckets);
                    return t == null ? noConnection(conn) : Reply.ok(t);
                }
                if (p.size() >= 3 && p.get(2).equals("items")) {
                    if (p.size() == 3) {
                        return items(c, cap, conn);
                    }
                    long seq = longParam(p.get(3), "item");
                    if (p.size() == 4) {
                        ObjectNode item = b.item(conn, seq);
                        if (item == null) {
                            return Reply.error(404, "Connection " + conn + " has no message or control frame " + seq + ".");
                        }
                        if (item.path("kind").asText().equals("message")) {
                            Decoded d = cap.decoded().of(conn, seq);
                            if (d != null) {
                                item.set("decoded", DecodedJson.of(d, true));
                            }
                        }
                        return Reply.ok(item);
                    }
                    if (p.size() == 5 && p.get(4).equals("raw")) {
                        byte[] raw = b.raw(conn, seq);
                        return raw == null ? Reply.error(404, "The capture did not keep the wire bytes of item " + seq
                                + ".") : Reply.bytes(raw, "application/octet-stream", null);
                    }
                }
            }
            case "search" -> {
                String q = c.param("q");
                if (q == null || q.isBlank()) {
                    throw new BadRequest("Give the search words as ?q=.");
                }
                try {
                    return Reply.ok(b.search(q, intParam(c, "limit", 200, 1, 1000)));
                } catch (IllegalStateException e) {
                    return Reply.error(409, e.getMessage());
                }
            }
            case "export" -> {
                return export(c, cap);
            }
            default -> {
            }
        }
        return Reply.error(404, "No such API path.");
    }

    private static Reply noConnection(String conn) {
        return Reply.error(404, "The capture has no connection " + conn + ".");
    }

    private static Reply items(Call c, OpenCapture cap, String conn) {
        CaptureBrowser b = cap.browser();
        String after = c.param("after");
        long afterSeq = after == null || after.isEmpty() ? -1 : longParam(after, "after");
        int limit = intParam(c, "limit", 200, 1, 1000);
        String dir = c.param("dir");
        Direction d = null;
        if (dir != null && !dir.isEmpty()) {
            if (!dir.equals("c2s") && !dir.equals("s2c")) {
                throw new BadRequest("dir is c2s or s2c, not " + dir + ".");
            }
            d = Direction.fromId(dir);
        }
        String show = c.param("show") == null ? "all" : c.param("show");
        if (!List.of("all", "data", "control").contains(show)) {
            throw new BadRequest("show is all, data or control, not " + show + ".");
        }
        boolean pings = !"0".equals(c.param("pings"));
        String q = c.param("q");
        Predicate<String> text = null;
        if (q != null && !q.isEmpty()) {
            if ("1".equals(c.param("re"))) {
                try {
                    Pattern re = Pattern.compile(q);
                    text = s -> re.matcher(s).find();
                } catch (PatternSyntaxException e) {
                    throw new BadRequest("The regular expression is not valid: " + e.getDescription() + " near index "
                            + e.getIndex() + ".");
                }
            } else {
                String needle = q.toLowerCase(Locale.ROOT);
                text = s -> s.toLowerCase(Locale.ROOT).contains(needle);
            }
        }
        long skip = 0;
        String skipText = c.param("skip");
        if (skipText != null && !skipText.isEmpty()) {
            skip = longParam(skipText, "skip");
            if (skip < 0) {
                throw new BadRequest("skip is a count of rows, not " + skipText + ".");
            }
            if (text != null) {
                throw new BadRequest("skip cannot go with a text filter (its rows are found by scanning); use after.");
            }
        }
        String at = c.param("at");
        if (at != null && !at.isEmpty()) {
            long micros;
            try {
                micros = new java.math.BigDecimal(at).movePointRight(6).setScale(0, java.math.RoundingMode.HALF_UP)
                        .longValueExact();
            } catch (NumberFormatException | ArithmeticException e) {
                throw new BadRequest("at is a time in epoch seconds (like 1733300000.123456), not " + at + ".");
            }
            afterSeq = b.seqBefore(conn, micros);
        }
        CaptureBrowser.ItemFilter filter = new CaptureBrowser.ItemFilter(d, show, pings, text);
        ObjectNode page = b.items(conn, afterSeq, limit, filter, skip);
        addDecoded(cap, conn, page);
        if (text == null) { // where the first row returned stands in the filtered list
            page.put("offset", (after == null && at == null ? 0 : b.position(conn, afterSeq, filter)) + skip);
        }
        return Reply.ok(page);
    }

    /** Gives each message row of a page its protocol's reading (without the value: the item has it). */
    private static void addDecoded(OpenCapture cap, String conn, ObjectNode page) {
        List<Long> seqs = new java.util.ArrayList<>();
        page.get("items").forEach(row -> {
            if (row.path("kind").asText().equals("message")) {
                seqs.add(row.get("seq").asLong());
            }
        });
        Map<Long, Decoded> decoded = cap.decoded().of(conn, seqs);
        page.get("items").forEach(row -> {
            Decoded d = decoded.get(row.get("seq").asLong());
            if (d != null) {
                ((ObjectNode) row).set("decoded", DecodedJson.of(d, false));
            }
        });
    }

    private Reply export(Call c, OpenCapture cap) {
        String format = c.param("format") == null ? "har" : c.param("format");
        ExportFormat f = ExportFormat.of(format);
        if (f == null) {
            throw new BadRequest("format is har, pcapng or jsonl, not " + format + ".");
        }
        String conn = c.param("conn");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        EventSink sink = f.to(out);
        try {
            cap.sync();
            synchronized (cap.browser()) {
                if (conn != null) {
                    cap.browser().reader().replay(conn, sink);
                } else {
                    cap.browser().reader().replay(sink);
                }
            }
        } finally {
            sink.close();
        }
        String base = cap.name().replaceAll("\\.[A-Za-z0-9]+$", "") + (conn != null ? "-" + conn : "");
        String type = switch (f) {
            case HAR -> "application/json";
            case PCAPNG -> "application/octet-stream";
            default -> "application/x-ndjson";
        };
        return Reply.bytes(out.toByteArray(), type, base + "." + f.extension());
    }

    private static int intParam(Call c, String name, int dflt, int min, int max) {
        String v = c.param(name);
        if (v == null || v.isEmpty()) {
            return dflt;
        }
        long n = longParam(v, name);
        if (n < min || n > max) {
            throw new BadRequest(name + " is between " + min + " and " + max + ", not " + v + ".");
        }
        return (int) n;
    }

    private static long longParam(String v, String name) {
        try {
            return Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw new BadRequest(name + " is a number, not " + v + ".");
        }
    }
}
