package dev.wsdebug.ui;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.wsdebug.analysis.Analyzer;
import dev.wsdebug.capture.Event;
import dev.wsdebug.capture.EventSink;
import dev.wsdebug.capture.FindingEvent;
import dev.wsdebug.capture.store.CaptureBrowser;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The analysis' findings for a capture's connections, as the UI shows them: cards on a connection
 * and a badge in the grid. A complete capture is analysed once, on a thread of its own, in one
 * replay (the grid gets its badges when that is done); a connection asked for before, or one of a
 * live capture, is analysed on its own by replaying just it.
 */
final class CaptureFindings {
    private final CaptureBrowser browser;
    private final boolean fixed;
    private final Map<String, List<JsonNode>> byConn = new ConcurrentHashMap<>();
    private final List<JsonNode> acrossConnections = new ArrayList<>();
    private volatile boolean complete;

    CaptureFindings(CaptureBrowser browser, boolean fixed) {
        this.browser = browser;
        this.fixed = fixed;
        if (fixed) {
            Thread t = new Thread(this::analyseAll, "ui-findings");
            t.setDaemon(true);
            t.start();
        }
    }

    private void analyseAll() {
        try {
            Map<String, List<JsonNode>> found = new java.util.HashMap<>();
            List<JsonNode> across = new ArrayList<>();
            Analyzer a = new Analyzer(collector(found, across));
            // a reader of its own: the replay takes a while and must not hold up the page's requests
            try (dev.wsdebug.capture.store.CaptureReader r = dev.wsdebug.capture.store.CaptureReader.open(
                    browser.reader().file())) {
                r.replay(a);
            }
            a.finish();
            found.forEach(byConn::putIfAbsent);
            synchronized (acrossConnections) {
                acrossConnections.addAll(across);
            }
            for (Analyzer.Verdict v : a.verdicts()) {
                byConn.putIfAbsent(v.conn(), List.of());
            }
            complete = true;
        } catch (RuntimeException e) {
            // the grid goes without badges (and says why); a connection's own findings are still computed when asked for
            failure = e.getMessage() == null ? e.toString() : e.getMessage();
            complete = true;
        }
    }

    private volatile String failure;

    private static EventSink collector(Map<String, List<JsonNode>> found, List<JsonNode> across) {
        return new EventSink() {
            @Override
            public void accept(Event e) {
                JsonNode j = render((FindingEvent) e);
                if (e.conn() == null) {
                    across.add(j);
                } else {
                    found.computeIfAbsent(e.conn(), k -> new ArrayList<>()).add(j);
                }
            }
        };
    }

    /** The findings of one connection, computed now if the whole capture has not been analysed yet. */
    List<JsonNode> of(String conn) {
        List<JsonNode> kept = byConn.get(conn);
        if (kept != null && (fixed || complete)) {
            return kept;
        }
        Map<String, List<JsonNode>> found = new java.util.HashMap<>();
        Analyzer a = new Analyzer(collector(found, new ArrayList<>()));
        try (dev.wsdebug.capture.store.CaptureReader r = dev.wsdebug.capture.store.CaptureReader.open(
                browser.reader().file())) {
            r.replay(conn, a);
        }
        a.finish();
        List<JsonNode> mine = found.getOrDefault(conn, List.of());
        if (fixed) {
            byConn.put(conn, mine);
        }
        return mine;
    }

    /** Adds a {@code finding} badge ({worst, count}) to each grid row analysed so far. */
    void badges(ObjectNode grid) {
        if (!complete) {
            grid.put("findingsPending", fixed);
            return;
        }
        if (failure != null) {
            grid.put("findingsError", "The analysis of the capture failed: " + failure);
        }
        for (JsonNode row : grid.path("connections")) {
            List<JsonNode> f = byConn.get(row.path("conn").asText());
            if (f != null && !f.isEmpty()) {
                ObjectNode badge = ((ObjectNode) row).putObject("finding");
                badge.put("worst", worst(f));
                badge.put("count", f.size());
            }
        }
        synchronized (acrossConnections) {
            ArrayNode across = grid.putArray("findings");
            acrossConnections.forEach(across::add);
        }
    }

    private static String worst(List<JsonNode> f) {
        String w = "info";
        for (JsonNode n : f) {
            String s = n.path("severity").asText();
            if (s.equals("error")) {
                return s;
            }
            if (s.equals("warning")) {
                w = s;
            }
        }
        return w;
    }

    static JsonNode render(FindingEvent f) {
        return CaptureBrowser.render(f);
    }
}
