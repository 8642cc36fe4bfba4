package dev.wsdebug.ui.browser;

import dev.wsdebug.ui.OpenCapture;
import dev.wsdebug.ui.SocketIoCapture;
import dev.wsdebug.ui.UiOptions;
import dev.wsdebug.ui.UiServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.Keys;

import java.math.BigDecimal;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The decoded application protocol in the page, over a capture of the real socket.io server and
 * client ({@link SocketIoCapture}): the protocol column and the summary as the preview of every
 * message, the Decoded tab's tree of an ACK (the sum the server computed from what the client
 * sent) and of the binary event joined with its attachment, and the ACK's link to the event it
 * answers with the latency its timestamps give.
 */
class UiDecodeBrowserTest {
    @TempDir
    Path dir;

    /** Every row of the messages list (scrolled through): seq, whether a control frame, protocol cell, preview cell. */
    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> rows(Browser b) {
        return (List<Map<String, Object>>) b.driver.executeAsyncScript("""
                const done = arguments[arguments.length - 1];
                const l = document.querySelector('#msg-list');
                const seen = new Map();
                (async () => {
                  for (let top = 0; top <= l.scrollHeight; top += Math.max(40, l.clientHeight - 44)) {
                    l.scrollTop = top;
                    await new Promise((r) => setTimeout(r, 150));
                    for (const r of l.querySelectorAll('.vl-row[data-seq]:not([hidden])')) {
                      seen.set(r.dataset.seq, {seq: Number(r.dataset.seq), control: r.classList.contains('ctl'),
                        protocol: r.children[5].textContent, preview: r.lastChild.textContent});
                    }
                  }
                  l.scrollTop = 0;
                  done([...seen.values()].sort((a, b) => a.seq - b.seq));
                })();
                """);
    }

    static Map<String, Object> row(List<Map<String, Object>> rows, String previewStart) {
        return rows.stream().filter(r -> ((String) r.get("preview")).startsWith(previewStart)).findFirst()
                .orElseThrow(() -> new AssertionError("no row starting " + previewStart + " in " + rows));
    }

    static long seq(Map<String, Object> row) {
        return ((Number) row.get("seq")).longValue();
    }

    /** Selects a row the way a user does: the list focused, ↓ until the detail shows it. */
    static void select(Browser b, long seq) {
        b.find("#msg-list").sendKeys(Keys.HOME);
        b.until(d -> shown(b) != null && b.all("#msg-list .vl-row.sel").size() == 1
                && shown(b).equals(b.find("#msg-list .vl-row.sel").getDomAttribute("data-seq")));
        for (int i = 0; i < 500 && !String.valueOf(seq).equals(shown(b)); i++) {
            String before = shown(b);
            b.find("#msg-list").sendKeys(Keys.ARROW_DOWN);
            b.until(d -> !before.equals(shown(b)));
        }
        assertThat(shown(b)).isEqualTo(String.valueOf(seq));
    }

    static String shown(Browser b) {
        return b.find("#detail-body").getDomAttribute("data-seq");
    }

    /** The Decoded tab's tree as key path → leaf text ({@code args.0} → {@code 5}). */
    @SuppressWarnings("unchecked")
    static Map<String, String> tree(Browser b) {
        return (Map<String, String>) b.js("""
                const out = {};
                const walk = (li, path) => {
                  const key = li.querySelector(':scope > .jt-key');
                  const leaf = li.querySelector(':scope > .jt-str, :scope > .jt-num, :scope > .jt-lit');
                  if (leaf) { out[path] = leaf.textContent; return; }
                  const kids = li.querySelectorAll(':scope > ul > li');
                  kids.forEach((k, i) => {
                    const kk = k.querySelector(':scope > .jt-key');
                    const name = kk ? JSON.parse(kk.textContent.replace(/: $/, '')) : String(i);
                    walk(k, path ? path + '.' + name : name);
                  });
                };
                walk(document.querySelector('[data-testid=detail-decoded] .json-tree > ul > li'), '');
                return out;""");
    }

    @Test
    void theGridTheDecodedTabAndTheReplyLinkShowWhatSocketIoSaid() throws Exception {
        Browser.assumeInstalled();
        Path wsdb = SocketIoCapture.record(dir.resolve("socketio.wsdb"));
        try (UiServer ui = UiServer.start(new UiOptions());
             Browser b = Browser.start()) {
            OpenCapture cap = ui.captures().open(wsdb);
            b.open(ui.url().toString());
            b.await("#msg-list .vl-row[data-seq]"); // the first connection opens by itself
            assertThat(b.find("#grid-body .vl-row.sel [data-col=app]").getText()).isEqualTo("socket.io");
            List<Map<String, Object>> rows = rows(b);
            List<Map<String, Object>> messages = rows.stream().filter(r -> !(Boolean) r.get("control")).toList();
            assertThat(messages).isNotEmpty().allSatisfy(r -> assertThat(r.get("protocol")).isEqualTo("socket.io"));

            // the summary is the preview: the event the client emitted, with its two arguments
            row(rows, "EVENT \"chat\" ns=/ (2 args)");
            Map<String, Object> add = row(rows, "EVENT \"add\" ns=/ ack=");
            Matcher id = Pattern.compile("ack=(\\d+) ").matcher((String) add.get("preview"));
            assertThat(id.find()).isTrue();
            Map<String, Object> ack = row(rows, "ACK id=" + id.group(1) + " ns=/ (1 arg)");
            assertThat((String) ack.get("preview")).contains("↩ #" + seq(add));

            // the ACK in the Decoded tab: its summary, and the sum of the 2 and 3 the client sent
            select(b, seq(ack));
            b.byTestId("dtab-decoded").click();
            assertThat(b.byTestId("decoded-protocol").getText()).isEqualTo("socket.io");
            assertThat(b.byTestId("decoded-summary").getText()).isEqualTo("ACK id=" + id.group(1) + " ns=/ (1 arg)");
            Map<String, String> ackTree = tree(b);
            assertThat(ackTree).containsEntry("type", "\"ACK\"").containsEntry("id", id.group(1))
                    .containsEntry("args.0", String.valueOf(2 + 3));

            // the request it answers, with the time between the two messages' timestamps
            String items = "/api/captures/" + cap.id() + "/connections/"
                    + b.find("#grid-body .vl-row.sel").getDomAttribute("data-conn") + "/items/";
            var link = b.byTestId("decoded-reply");
            assertThat(link.getText()).isEqualTo("#" + seq(add) + " add");
            BigDecimal latency = new BigDecimal(link.getDomAttribute("data-latency-ms"));
            BigDecimal tAdd = time(b, items + seq(add));
            BigDecimal tAck = time(b, items + seq(ack));
            assertThat(latency).isPositive().isEqualByComparingTo(tAck.subtract(tAdd).movePointRight(3));
            assertThat(b.byTestId("decoded-latency").getText()).startsWith("after ").endsWith("ms");
            link.click();
            b.until(d -> String.valueOf(seq(add)).equals(shown(b)));
            assertThat(b.find("#msg-list .vl-row.sel").getDomAttribute("data-seq")).isEqualTo(String.valueOf(seq(add)));
            assertThat(b.byTestId("decoded-summary").getText()).startsWith("EVENT \"add\" ns=/ ack=" + id.group(1));
            assertThat(tree(b)).containsEntry("args.0", "2").containsEntry("args.1", "3");

            // the upload: the attachment's row shows the event joined with the 7 bytes the client sent
            Map<String, Object> joined = row(rows, "attachment 1/1 of BINARY_EVENT \"upload\"");
            select(b, seq(joined));
            b.byTestId("dtab-decoded").click();
            assertThat(tree(b)).containsEntry("args.0", "\"file.bin\"")
                    .containsEntry("args.1.base64", "\"" + Base64.getEncoder().encodeToString(SocketIoCapture.UPLOAD) + "\"");
            b.screenshot("decoded-socketio");
        }
    }

    /** An item's time as the API gives it (epoch seconds, exact), asked from the page with its cookie. */
    static BigDecimal time(Browser b, String item) {
        Object t = b.driver.executeAsyncScript("""
                const [path, done] = arguments;
                fetch(path).then((r) => r.text()).then((x) => done(x.match(/"t":([0-9.]+)/)[1]));
                """, item);
        return new BigDecimal((String) t);
    }

    /** The grid's rows as shown, top to bottom: conn → the App cell's text and tooltip. */
    @SuppressWarnings("unchecked")
    static List<List<String>> appCells(Browser b) {
        return (List<List<String>>) b.js("""
                return [...document.querySelectorAll('#grid-body .vl-row[data-conn]:not([hidden])')]
                  .sort((a, b) => a.getBoundingClientRect().top - b.getBoundingClientRect().top)
                  .map((r) => { const c = r.querySelector('[data-col=app]'); return [r.dataset.conn, c.textContent, c.title]; });""");
    }

    @Test
    void theAppColumnNamesEachConnectionsProtocolAndSortsAndFilters() throws Exception {
        Browser.assumeInstalled();
        // python websockets' echo behind the proxy: /a says JSON, /b nothing, /c negotiates graphql-transport-ws
        Path wsdb = dev.wsdebug.ui.EchoProxy.threeConnections(dir.resolve("echo.wsdb"));
        try (UiServer ui = UiServer.start(new UiOptions());
             Browser b = Browser.start()) {
            ui.captures().open(wsdb);
            b.open(ui.url().toString());
            b.await("#grid-body .vl-row[data-conn]");
            assertThat(b.byTestId("col-app").getText()).isEqualTo("App");
            String sub = dev.wsdebug.ui.EchoProxy.SUBPROTOCOL;
            List<List<String>> expected = List.of(List.of("1", "json", "json"), List.of("2", "", ""),
                    List.of("3", "graphql-ws", "graphql-ws (subprotocol " + sub + ")"));
            try {
                b.until(d -> appCells(b).equals(expected)); // on a slow machine the page asks again for the rest
            } finally {
                assertThat(appCells(b)).isEqualTo(expected);
            }
            // sorted by App: none first, then by name; again the other way
            b.byTestId("col-app").click();
            b.until(d -> appCells(b).stream().map(r -> r.get(0)).toList().equals(List.of("2", "3", "1")));
            b.byTestId("col-app").click();
            b.until(d -> appCells(b).stream().map(r -> r.get(0)).toList().equals(List.of("1", "3", "2")));
            // the text filter finds the protocol's name (no URL or subprotocol holds "graphql-ws")
            b.byTestId("grid-filter").sendKeys("graphql-ws");
            b.until(d -> appCells(b).stream().map(r -> r.get(0)).toList().equals(List.of("3")));
            b.byTestId("grid-filter").sendKeys(Keys.chord(Keys.CONTROL, "a"), "json");
            b.until(d -> appCells(b).stream().map(r -> r.get(0)).toList().equals(List.of("1")));
            b.screenshot("grid-app-column");
        }
    }
}
