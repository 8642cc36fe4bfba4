package dev.wsdebug.ui.browser;

import com.fasterxml.jackson.databind.JsonNode;
import dev.wsdebug.capture.store.CaptureReader;
import dev.wsdebug.ui.UiOptions;
import dev.wsdebug.ui.UiServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.interactions.Actions;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The app in a real (headless) Chromium against a real server over a capture written by the
 * pipeline; what the page shows is compared with what CaptureReader and JSON Lines say.
 */
class UiBrowserTest {
    @TempDir
    static Path dir;

    static Path capture;
    static UiServer ui;
    static Browser b;

    @BeforeAll
    static void start() {
        Browser.assumeInstalled();
        capture = TestCaptures.write(dir.resolve("test.wsdb"));
        ui = UiServer.start(new UiOptions());
        ui.captures().open(capture);
        b = Browser.start();
    }

    @AfterAll
    static void stop() {
        if (b != null) {
            b.close();
        }
        if (ui != null) {
            ui.close();
        }
    }

    @BeforeEach
    void load() {
        b.darkMode(false);
        b.open(ui.url().toString());
        // the first WebSocket connection opens by itself, with its first item
        b.await("#msg-list .vl-row[data-seq]");
    }

    // ---- helpers ----

    /** The text of every visible cell of a grid row, by column key. */
    Map<String, String> gridRow(String conn) {
        WebElement row = b.await("#grid-body .vl-row[data-conn='" + conn + "']");
        return row.findElements(By.cssSelector("span[data-col]")).stream().collect(Collectors.toMap(
                c -> c.getDomAttribute("data-col"), c -> c.getDomProperty("textContent")));
    }

    void selectConn(String conn) {
        b.await("#grid-body .vl-row[data-conn='" + conn + "']").click();
        b.until(d -> b.find("#close-card").getText().contains("#" + conn + " "));
    }

    void connTab(String tab) {
        b.byTestId("tab-" + tab).click();
    }

    void detailTab(String tab) {
        b.byTestId("dtab-" + tab).click();
    }

    /** Every row of the (virtual) messages list, scrolling through it: seq -> row text. */
    @SuppressWarnings("unchecked")
    List<Map<String, Object>> allItemRows() {
        b.until(d -> b.all("#msg-list .vl-row.loading:not([hidden])").isEmpty()
                && !b.all("#msg-list .vl-row[data-seq]").isEmpty());
        return (List<Map<String, Object>>) b.driver.executeAsyncScript("""
                const done = arguments[arguments.length - 1];
                const l = document.querySelector('#msg-list');
                const seen = new Map();
                const wait = () => new Promise((r) => setTimeout(r, 120));
                (async () => {
                  for (let top = 0; ; top += Math.max(40, l.clientHeight - 44)) {
                    l.scrollTop = top;
                    await wait();
                    for (const r of l.querySelectorAll('.vl-row[data-seq]:not([hidden])')) {
                      seen.set(Number(r.dataset.seq), {seq: Number(r.dataset.seq), dir: r.dataset.dir,
                        type: r.dataset.type, text: r.textContent});
                    }
                    if (l.scrollTop + l.clientHeight >= l.scrollHeight - 2) break;
                  }
                  l.scrollTop = 0;
                  done([...seen.values()].sort((a, b) => a.seq - b.seq));
                })();
                """);
    }

    List<Long> seqs(List<Map<String, Object>> rows) {
        return rows.stream().map(r -> ((Number) r.get("seq")).longValue()).toList();
    }

    /** Clicks the item row with this seq (scrolling the list to it) and waits for its detail. */
    void selectItem(long seq) {
        Object found = b.driver.executeAsyncScript("""
                const [seq, done] = arguments;
                const l = document.querySelector('#msg-list');
                const wait = () => new Promise((r) => setTimeout(r, 100));
                (async () => {
                  for (let top = 0; top <= l.scrollHeight; top += Math.max(40, l.clientHeight - 44)) {
                    l.scrollTop = top;
                    await wait();
                    const r = l.querySelector(`.vl-row[data-seq="${seq}"]:not([hidden])`);
                    if (r) { r.click(); done(true); return; }
                  }
                  done(false);
                })();
                """, seq);
        assertThat(found).as("row %s in the list", seq).isEqualTo(true);
        b.until(d -> String.valueOf(seq).equals(b.find("#detail-body").getDomAttribute("data-seq")));
    }

    String detailText() {
        return b.find("#detail-body").getDomProperty("textContent");
    }

    String info(String field) {
        return b.byTestId("info-" + field).getDomProperty("textContent");
    }

    // ---- tests ----

    @Test
    void theGridShowsEveryConnectionAsTheCaptureHasIt() throws Exception {
        List<CaptureReader.ConnectionInfo> conns;
        try (CaptureReader r = CaptureReader.open(capture)) {
            conns = r.connections();
        }
        b.until(d -> b.all("#grid-body .vl-row[data-conn]:not([hidden])").size() == conns.size());
        for (CaptureReader.ConnectionInfo c : conns) {
            Map<String, String> row = gridRow(c.conn());
            assertThat(row.get("url")).isEqualTo(c.url());
            if (c.closeCode() != null) {
                assertThat(row.get("close")).isEqualTo(c.closeCode() + " " + c.closeName());
            }
        }
        Map<String, String> chat = gridRow("1");
        assertThat(chat).containsEntry("n", "1").containsEntry("method", "GET").containsEntry("status", "101")
                .containsEntry("protocol", "WS").containsEntry("subprotocol", "chat")
                .containsEntry("compression", "permessage-deflate; server_no_context_takeover")
                .containsEntry("result", "clean");
        Replay chatJson = Replay.of(capture, "1");
        long sent = chatJson.of("message").stream().filter(m -> m.path("dir").asText().equals("c2s")).count();
        long received = chatJson.of("message").size() - sent;
        assertThat(chat.get("messages")).isEqualTo(sent + " ↑ / " + received + " ↓");
        assertThat(gridRow("2")).containsEntry("status", "403").containsEntry("result", "failed");
        assertThat(gridRow("3")).containsEntry("close", "1006 Abnormal Closure").containsEntry("result", "abnormal");
        assertThat(gridRow("4")).containsEntry("close", "1001 Going Away")
                .containsEntry("messages", TestCaptures.MANY + " ↑ / " + TestCaptures.MANY + " ↓");
        b.screenshot("grid");

        // failed only: the refused upgrade and the connection that ended without a close handshake
        b.byTestId("grid-failed").click();
        b.until(d -> visibleConns().equals(List.of("2", "3")));
        b.byTestId("grid-failed").click();
        // text filter
        b.byTestId("grid-filter").sendKeys("feed");
        b.until(d -> visibleConns().equals(List.of("4")));
        b.byTestId("grid-filter").sendKeys(Keys.chord(Keys.CONTROL, "a"), Keys.BACK_SPACE);
        b.until(d -> visibleConns().size() == 4);
        // sorting: by duration, then the other way
        b.byTestId("col-duration").click();
        b.until(d -> visibleConns().equals(List.of("2", "3", "1", "4")));
        b.byTestId("col-duration").click();
        b.until(d -> visibleConns().equals(List.of("4", "1", "3", "2")));
        // kind filter: no plain HTTP exchanges in this capture
        b.find("#grid-kind button[data-kind='http']").click();
        b.until(d -> visibleConns().isEmpty());
        assertThat(b.byTestId("grid-count").getText()).isEqualTo("0 of 4 rows");
    }

    List<String> visibleConns() {
        @SuppressWarnings("unchecked")
        List<String> ids = (List<String>) b.js("""
                return [...document.querySelectorAll('#grid-body .vl-row[data-conn]:not([hidden])')]
                  .sort((a, b) => a.getBoundingClientRect().top - b.getBoundingClientRect().top)
                  .map((r) => r.dataset.conn);""");
        return ids;
    }

    @Test
    void theMessagesPaneHasOneRowPerMessageAndControlFrame() {
        Replay json = Replay.of(capture, "1");
        List<JsonNode> expected = json.rows();
        List<Map<String, Object>> rows = allItemRows();
        assertThat(seqs(rows)).containsExactlyElementsOf(expected.stream().map(e -> e.path("seq").asLong()).toList());
        for (int i = 0; i < rows.size(); i++) {
            assertThat(rows.get(i).get("dir")).isEqualTo(expected.get(i).path("dir").asText());
            assertThat(rows.get(i).get("type")).isEqualTo(expected.get(i).path("type").asText());
        }
        assertThat(b.byTestId("msg-count").getText()).contains(expected.size() + " rows");
        b.screenshot("messages");

        // direction
        b.find("#msg-dir button[data-dir='c2s']").click();
        b.until(d -> b.byTestId("msg-count").getText().contains(
                expected.stream().filter(e -> e.path("dir").asText().equals("c2s")).count() + " rows"));
        assertThat(allItemRows()).allSatisfy(r -> assertThat(r.get("dir")).isEqualTo("c2s"));
        b.find("#msg-dir button[data-dir='']").click();
        // control frames only
        b.find("#msg-show button[data-show='control']").click();
        List<String> controlTypes = expected.stream().filter(e -> e.path("opcode").asInt() >= 8)
                .map(e -> e.path("type").asText()).toList();
        b.until(d -> b.byTestId("msg-count").getText().contains(controlTypes.size() + " rows"));
        assertThat(allItemRows()).extracting(r -> r.get("type")).containsExactlyElementsOf(controlTypes);
        // data only, hiding pings changes nothing there; all with pings hidden drops ping and pong
        b.find("#msg-show button[data-show='all']").click();
        b.byTestId("msg-nopings").click();
        b.until(d -> b.byTestId("msg-count").getText().contains((expected.size() - 2) + " rows"));
        assertThat(allItemRows()).extracting(r -> r.get("type")).doesNotContain("ping", "pong");
        b.byTestId("msg-nopings").click();
        // a regular expression over the text
        b.byTestId("msg-regex").click();
        b.byTestId("msg-filter").sendKeys("compressed.*" + TestCaptures.NEEDLE + "$");
        long needle = json.messageWith(t -> t.contains(TestCaptures.NEEDLE)).path("seq").asLong();
        b.until(d -> b.byTestId("msg-count").getText().contains("1 matching rows"));
        assertThat(seqs(allItemRows())).containsExactly(needle);
        // a bad one is the server's sentence in the status area
        b.byTestId("msg-filter").sendKeys("(");
        assertThat(b.byTestId("toast").getText()).contains("regular expression");
    }

    @Test
    void arrowKeysMoveTheSelectionAndTheListStaysVirtual() {
        selectConn("4");
        Replay json = Replay.of(capture, "4");
        List<JsonNode> expected = json.rows();
        b.until(d -> b.byTestId("msg-count").getText().contains(String.format("%,d rows", expected.size())));
        // thousands of rows, a screenful of elements
        assertThat(b.all("#msg-list .vl-row").size()).isLessThan(60);
        WebElement list = b.byTestId("msg-list");
        String first = b.find("#detail-body").getDomAttribute("data-seq");
        assertThat(first).isEqualTo(expected.get(0).path("seq").asText());
        list.sendKeys(Keys.ARROW_DOWN);
        list.sendKeys(Keys.ARROW_DOWN);
        b.until(d -> expected.get(2).path("seq").asText().equals(b.find("#detail-body").getDomAttribute("data-seq")));
        list.sendKeys(Keys.ARROW_UP);
        b.until(d -> expected.get(1).path("seq").asText().equals(b.find("#detail-body").getDomAttribute("data-seq")));
        // times relative to the connection's start
        b.byTestId("msg-relative").click();
        b.until(d -> b.find("#msg-list .vl-row.sel span").getText().startsWith("+0.0"));
        list.sendKeys(Keys.END);
        String last = expected.get(expected.size() - 1).path("seq").asText();
        b.until(d -> last.equals(b.find("#detail-body").getDomAttribute("data-seq")));
        assertThat(b.find("#msg-list .vl-row.sel").getDomAttribute("data-seq")).isEqualTo(last);
        assertThat(info("close-code")).startsWith("1001 Going Away");
    }

    @Test
    void detailTabsOfTextJsonBinaryCompressedAndFragmentedMessages() {
        Replay json = Replay.of(capture, "1");
        // text
        JsonNode hello = json.messageWith(t -> t.equals("hello plain"));
        selectItem(hello.path("seq").asLong());
        assertThat(info("type")).startsWith("text (opcode 0x1)");
        assertThat(info("dir")).contains("client → server");
        assertThat(info("masked")).isEqualTo("yes, key 11223344");
        assertThat(info("utf8")).isEqualTo(hello.path("utf8").asText());
        detailTab("text");
        assertThat(b.byTestId("text-body").getText()).isEqualTo("hello plain");
        detailTab("raw");
        // FIN + text, then MASK + length 11, then the key
        b.until(d -> b.all("[data-testid=hexdump]").size() == 1);
        assertThat(b.byTestId("hexdump").getText()).startsWith("00000000  81 8b 11 22 33 44");
        // JSON
        JsonNode welcome = json.messageWith(t -> t.startsWith("{\"type\":\"welcome\""));
        selectItem(welcome.path("seq").asLong());
        detailTab("json");
        String tree = b.byTestId("json-tree").getText();
        assertThat(tree).contains("\"type\": \"welcome\"").contains("\"name\": \"ada\"");
        b.screenshot("detail-json");
        // binary
        JsonNode binary = json.of("message").stream()
                .filter(m -> m.path("type").asText().equals("binary") && m.path("dir").asText().equals("c2s"))
                .findFirst().orElseThrow();
        selectItem(binary.path("seq").asLong());
        assertThat(b.byTestId("dtab-text").isEnabled()).isFalse();
        assertThat(b.byTestId("dtab-json").isEnabled()).isFalse();
        detailTab("hex");
        assertThat(b.byTestId("hexdump").getText()).startsWith("00000000  de ad be ef 00 01 02 03");
        // compressed: sizes on the wire and decoded as the pipeline counted them, and the parameters
        JsonNode compressed = json.messageWith(t -> t.contains(TestCaptures.NEEDLE));
        selectItem(compressed.path("seq").asLong());
        detailTab("info");
        assertThat(info("compressed")).isEqualTo("yes (permessage-deflate: context takeover, 15-bit window)");
        assertThat(info("wire")).startsWith(compressed.path("wireLength").asText() + " B payload");
        assertThat(info("decoded")).startsWith(compressed.path("length").asText() + " B");
        assertThat(info("rsv")).contains("RSV1 1");
        JsonNode inflated = json.of("message").stream()
                .filter(m -> m.path("compressed").asBoolean() && m.path("dir").asText().equals("s2c")).findFirst().orElseThrow();
        selectItem(inflated.path("seq").asLong());
        assertThat(info("compressed")).contains("no context takeover");
        // fragmented: three frames, FIN only on the last
        JsonNode fragmented = json.of("message").stream().filter(m -> m.path("frames").asInt() == 3).findFirst().orElseThrow();
        selectItem(fragmented.path("seq").asLong());
        assertThat(info("fin")).startsWith("fragmented: 3 frames");
        detailTab("frames");
        List<String> fin = b.all("[data-testid=frames-table] tr[data-field='FIN'] td").stream().map(WebElement::getText).toList();
        assertThat(fin).containsExactly("0", "0", "1");
        List<String> types = b.all("[data-testid=frames-table] tr[data-field='type'] td").stream().map(WebElement::getText).toList();
        assertThat(types).containsExactly("text", "continuation", "continuation");
        detailTab("text");
        assertThat(b.byTestId("text-body").getText()).isEqualTo(fragmented.path("text").asText());
        detailTab("json");
        assertThat(b.byTestId("json-tree").getText()).contains("\"last\": true");
        b.screenshot("detail-frames");
    }

    @Test
    void closeAndViolatingFramesExplainThemselves() {
        Replay json = Replay.of(capture, "1");
        JsonNode close = json.of("frame").stream().filter(f -> f.path("type").asText().equals("close")).findFirst().orElseThrow();
        selectItem(close.path("seq").asLong());
        assertThat(info("type")).startsWith("close (opcode 0x8), control frame");
        assertThat(info("close-code")).isEqualTo(close.path("closeCode").asText() + " Normal Closure");
        assertThat(info("close-reason")).isEqualTo("\"bye\"");
        assertThat(info("close-meaning")).isNotBlank();
        assertThat(b.byTestId("close-sentence").getText()).contains("1000 Normal Closure");
        // a reserved bit set without an extension for it
        JsonNode odd = json.of("frame").stream().filter(f -> f.path("rsv2").asBoolean()).findFirst().orElseThrow();
        JsonNode rule = odd.path("violations").get(0);
        selectItem(odd.path("seq").asLong());
        assertThat(b.byTestId("violations").getText()).contains(rule.path("rule").asText())
                .contains(rule.path("rfc").asText()).contains("byte " + rule.path("offset").asText());
        // an over-long ping, then the connection drops: 1006, never on the wire
        selectConn("3");
        Replay cut = Replay.of(capture, "3");
        JsonNode ping = cut.of("frame").stream().filter(f -> f.path("type").asText().equals("ping")).findFirst().orElseThrow();
        assertThat(ping.path("violations")).isNotEmpty();
        selectItem(ping.path("seq").asLong());
        assertThat(b.all("#msg-list .vl-row.viol")).isNotEmpty();
        assertThat(b.byTestId("violations").getText()).contains(ping.path("violations").get(0).path("rule").asText());
        assertThat(b.byTestId("close-sentence").getText()).contains("1006");
        b.screenshot("violation");
    }

    @Test
    void theHandshakeTabOfARefusedUpgrade() {
        selectConn("2");
        // a refused upgrade opens on its handshake
        b.until(d -> b.byTestId("tab-handshake").getDomAttribute("class").contains("on"));
        JsonNode hs = Replay.of(capture, "2").of("handshake").get(0);
        assertThat(b.byTestId("hs-status-line").getText()).isEqualTo("HTTP/1.1 403 Forbidden");
        assertThat(b.byTestId("hs-failure").getText()).contains("403");
        assertThat(b.byTestId("hs-problems").getText()).isNotBlank();
        assertThat(b.byTestId("hs-request-line").getText()).isEqualTo("GET /private HTTP/1.1");
        List<String> headers = b.all("[data-testid=hs-request-headers] tr td:first-child").stream()
                .map(WebElement::getText).toList();
        List<String> expected = new ArrayList<>();
        hs.path("request").path("headers").forEach(h -> expected.add(h.get(0).asText()));
        assertThat(headers).containsExactlyElementsOf(expected);
        b.screenshot("handshake-failed");
        // and an accepted one: the accept check and the parameters explained
        selectConn("1");
        connTab("handshake");
        assertThat(b.byTestId("hs-checks").getText()).contains("Accept check valid").contains("Subprotocol chat")
                .contains("Server → client no context takeover, 15-bit window");
        assertThat(b.byTestId("hs-extensions").getText()).contains("server_no_context_takeover");
    }

    @Test
    void theTimelineDrawsAndAClickJumpsToTheMessages() {
        selectConn("4");
        connTab("timeline");
        WebElement canvas = b.await("#timeline-charts canvas");
        b.until(d -> canvas.getSize().getWidth() > 100 && canvas.getSize().getHeight() > 50);
        assertThat(b.byTestId("timeline-summary").getText()).contains("1 idle gap over 1 s").contains("close 1001");
        b.screenshot("timeline");
        // a click on the chart selects a message near that time
        WebElement over = b.find("#timeline-charts .u-over");
        new Actions(b.driver).moveToElement(over, over.getSize().getWidth() / 4 - over.getSize().getWidth() / 2, 0)
                .click().perform();
        b.until(d -> b.byTestId("tab-messages").getDomAttribute("class").contains("on"));
        b.until(d -> b.all("#msg-list .vl-row.sel").size() == 1);
        long seq = Long.parseLong(b.find("#msg-list .vl-row.sel").getDomAttribute("data-seq"));
        assertThat(seq).isBetween(1L, (long) TestCaptures.MANY * 2);
    }

    /** Counts the page's requests of item pages from now on (the app's fetch, wrapped). */
    void countItemRequests() {
        b.js("""
                window.__itemRequests = [];
                if (!window.__fetchWrapped) {
                  const f = window.fetch;
                  window.fetch = (u, o) => {
                    if (/\\/items\\?/.test(String(u))) window.__itemRequests.push(decodeURIComponent(String(u)));
                    return f(u, o);
                  };
                  window.__fetchWrapped = true;
                }""");
    }

    @SuppressWarnings("unchecked")
    List<String> itemRequests() {
        return (List<String>) b.js("return window.__itemRequests");
    }

    /** The page's own GET of an API path (its cookie carries the token). */
    @SuppressWarnings("unchecked")
    Map<String, Object> apiGet(String path) {
        return (Map<String, Object>) b.driver.executeAsyncScript("""
                const [path, done] = arguments;
                fetch(path, {credentials: 'same-origin'}).then((r) => r.json()).then(done, (e) => done({error: String(e)}));
                """, path);
    }

    /** Every visible row is the row of the expected list at its index. */
    void visibleRowsAreAtTheirPlace(List<JsonNode> expected) {
        b.until(d -> b.all("#msg-list .vl-row.loading:not([hidden])").isEmpty());
        List<WebElement> rows = b.all("#msg-list .vl-row[data-seq]:not([hidden])");
        assertThat(rows).isNotEmpty();
        for (WebElement r : rows) {
            int i = Integer.parseInt(r.getDomAttribute("data-index"));
            assertThat(r.getDomAttribute("data-seq")).as("row %d", i).isEqualTo(expected.get(i).path("seq").asText());
        }
    }

    @Test
    void aFilteredViewJumpsToAnyPlaceWithoutWalkingItsPages() {
        // pages of 100 rows, so that connection 4's server-to-client rows are 16 pages
        b.js("sessionStorage.setItem('wsdebug-page-size', '100')");
        try {
            b.open(ui.url().toString());
            b.await("#msg-list .vl-row[data-seq]");
            selectConn("4");
            List<JsonNode> s2c = Replay.of(capture, "4").rows().stream()
                    .filter(e -> e.path("dir").asText().equals("s2c")).toList();
            b.find("#msg-dir button[data-dir='s2c']").click();
            b.until(d -> b.byTestId("msg-count").getText().contains(String.format("%,d rows", s2c.size())));
            visibleRowsAreAtTheirPlace(s2c);
            countItemRequests();
            WebElement list = b.byTestId("msg-list");
            list.click();
            list.sendKeys(Keys.END);
            JsonNode last = s2c.get(s2c.size() - 1);
            b.until(d -> last.path("seq").asText().equals(b.find("#detail-body").getDomAttribute("data-seq")));
            assertThat(b.find("#msg-list .vl-row.sel").getDomAttribute("data-seq")).isEqualTo(last.path("seq").asText());
            assertThat(b.find("#msg-list .vl-row.sel").getDomAttribute("data-type")).isEqualTo(last.path("type").asText());
            assertThat(b.byTestId("msg-count").getText()).startsWith(String.format("row %,d of %,d rows", s2c.size(), s2c.size()));
            visibleRowsAreAtTheirPlace(s2c);
            b.screenshot("messages-filtered-end");
            // the pages around the end, each asked for by its place: walking would have been 15 requests
            List<String> walked = itemRequests();
            assertThat(walked).isNotEmpty().hasSizeLessThanOrEqualTo(5)
                    .allSatisfy(u -> assertThat(u).contains("dir=s2c"))
                    .anySatisfy(u -> assertThat(u).contains("skip="));
            // the middle, scrolled to
            countItemRequests();
            b.js("const l = document.querySelector('#msg-list'); l.scrollTop = (l.scrollHeight - l.clientHeight) / 2");
            visibleRowsAreAtTheirPlace(s2c);
            assertThat(itemRequests()).hasSizeLessThanOrEqualTo(5);

            // a connection with a fragmented message (no seq arithmetic): pages of 10 rows by their place
            b.js("sessionStorage.setItem('wsdebug-page-size', '10')");
            b.open(ui.url().toString());
            List<JsonNode> all = Replay.of(capture, "1").rows();
            assertThat(all.size()).isGreaterThan(10);
            b.until(d -> b.byTestId("msg-count").getText().contains(all.size() + " rows"));
            countItemRequests();
            WebElement list1 = b.byTestId("msg-list");
            list1.click();
            list1.sendKeys(Keys.END);
            String lastSeq = all.get(all.size() - 1).path("seq").asText();
            b.until(d -> lastSeq.equals(b.find("#detail-body").getDomAttribute("data-seq")));
            visibleRowsAreAtTheirPlace(all);
            assertThat(seqs(allItemRows())).containsExactlyElementsOf(all.stream().map(e -> e.path("seq").asLong()).toList());
        } finally {
            b.js("sessionStorage.removeItem('wsdebug-page-size')");
        }
    }

    /** Scrolls the messages list to row `index` and clicks it. */
    void clickRowAt(int index) {
        b.js("document.querySelector('#msg-list').scrollTop = arguments[0] * 22", index);
        b.await("#msg-list .vl-row[data-index='" + index + "'][data-seq]:not([hidden])").click();
    }

    @Test
    void changingAFilterKeepsTheSelectedRowInView() {
        selectConn("4");
        List<JsonNode> rows = Replay.of(capture, "4").rows();
        b.until(d -> b.byTestId("msg-count").getText().contains(String.format("%,d rows", rows.size())));
        // a client-to-server row deep in the list
        int at = 2001;
        while (!rows.get(at).path("dir").asText().equals("c2s")) {
            at++;
        }
        JsonNode tick = rows.get(at);
        clickRowAt(at);
        b.until(d -> tick.path("seq").asText().equals(b.find("#detail-body").getDomAttribute("data-seq")));
        // server to client only: the next row the filter shows takes the selection, in view
        List<JsonNode> s2c = rows.stream().filter(e -> e.path("dir").asText().equals("s2c")).toList();
        JsonNode next = s2c.stream().filter(e -> e.path("seq").asLong() > tick.path("seq").asLong()).findFirst().orElseThrow();
        b.find("#msg-dir button[data-dir='s2c']").click();
        b.until(d -> next.path("seq").asText().equals(b.find("#detail-body").getDomAttribute("data-seq")));
        WebElement sel = b.await("#msg-list .vl-row.sel:not([hidden])");
        assertThat(sel.getDomAttribute("data-seq")).isEqualTo(next.path("seq").asText());
        assertThat(sel.getDomAttribute("data-index")).isEqualTo(String.valueOf(s2c.indexOf(next)));
        assertThat(b.byTestId("msg-count").getText())
                .startsWith(String.format("row %,d of %,d rows", s2c.indexOf(next) + 1, s2c.size()));
        // both ways again: the same row stays selected, at its place in the whole list
        b.find("#msg-dir button[data-dir='']").click();
        b.until(d -> b.all("#msg-list .vl-row.sel:not([hidden])").size() == 1
                && String.valueOf(rows.indexOf(next)).equals(b.find("#msg-list .vl-row.sel").getDomAttribute("data-index")));
        assertThat(b.find("#msg-list .vl-row.sel").getDomAttribute("data-seq")).isEqualTo(next.path("seq").asText());
        assertThat(b.find("#detail-body").getDomAttribute("data-seq")).isEqualTo(next.path("seq").asText());
    }

    @Test
    void aClickOnTheTimelineSelectsTheFirstRowAtOrAfterItsTime() {
        selectConn("4");
        List<JsonNode> rows = Replay.of(capture, "4").rows();
        List<JsonNode> s2c = rows.stream().filter(e -> e.path("dir").asText().equals("s2c")).toList();
        // the pane's filters hold for the jump: server-to-client only
        b.find("#msg-dir button[data-dir='s2c']").click();
        b.until(d -> b.byTestId("msg-count").getText().contains(String.format("%,d rows", s2c.size())));
        connTab("timeline");
        WebElement canvas = b.await("#timeline-charts canvas");
        b.until(d -> canvas.getSize().getWidth() > 100);
        Map<String, Object> tl = apiGet("/api/captures/1/connections/4/timeline?buckets=100");
        double start = ((Number) tl.get("start")).doubleValue();
        double end = ((Number) tl.get("end")).doubleValue();
        // a time a quarter into the connection, far from the markers (idle gap, pings, close)
        java.math.BigDecimal target = rows.get(rows.size() / 4).path("t").decimalValue();
        WebElement over = b.find("#timeline-charts .u-over");
        int width = over.getSize().getWidth();
        int x = (int) Math.round((target.doubleValue() - start) / (end - start) * width);
        new Actions(b.driver).moveToElement(over, x - width / 2, 0).click().perform();
        b.until(d -> b.byTestId("tab-messages").getDomAttribute("class").contains("on"));
        b.until(d -> b.find("#msg-list").getDomAttribute("data-at") != null);
        String at = b.find("#msg-list").getDomAttribute("data-at");
        // the start of the bucket under the pointer: within a few pixels before the time clicked
        double px = (end - start) / width;
        assertThat(Double.parseDouble(at)).isBetween(target.doubleValue() - 6 * px, target.doubleValue() + 1.5 * px);
        // the first server-to-client row at or after it, as the API and the capture say
        java.math.BigDecimal atTime = new java.math.BigDecimal(at);
        JsonNode expected = s2c.stream().filter(e -> e.path("t").decimalValue().compareTo(atTime) >= 0).findFirst().orElseThrow();
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> api = (List<Map<String, Object>>) apiGet("/api/captures/1/connections/4/items?dir=s2c&limit=1&at=" + at).get("items");
        assertThat(((Number) api.get(0).get("seq")).longValue()).isEqualTo(expected.path("seq").asLong());
        b.until(d -> expected.path("seq").asText().equals(b.find("#detail-body").getDomAttribute("data-seq")));
        assertThat(b.find("#msg-list .vl-row.sel").getDomAttribute("data-seq")).isEqualTo(expected.path("seq").asText());
        assertThat(b.find("#msg-list .vl-row.sel").getDomAttribute("data-dir")).isEqualTo("s2c");
        b.screenshot("timeline-jump");
        // its place in the filtered list
        int index = s2c.indexOf(expected);
        assertThat(b.find("#msg-list .vl-row.sel").getDomAttribute("data-index")).isEqualTo(String.valueOf(index));
        // the row before it in the list is before the time
        if (index > 0) {
            assertThat(s2c.get(index - 1).path("t").decimalValue()).isLessThan(atTime);
        }
    }

    @Test
    void searchFindsAMessageInAnyConnection() throws Exception {
        List<CaptureReader.TextHit> hits;
        try (CaptureReader r = CaptureReader.open(capture)) {
            hits = r.searchText(TestCaptures.NEEDLE);
        }
        assertThat(hits).hasSize(1);
        selectConn("4");
        new Actions(b.driver).sendKeys("/").perform();
        b.until(d -> "search-box".equals(d.switchTo().activeElement().getDomAttribute("data-testid")));
        b.byTestId("search-box").sendKeys(TestCaptures.NEEDLE);
        WebElement hit = b.byTestId("search-hit");
        assertThat(hit.getDomAttribute("data-conn")).isEqualTo(hits.get(0).conn());
        assertThat(hit.getDomAttribute("data-seq")).isEqualTo(String.valueOf(hits.get(0).seq()));
        b.screenshot("search");
        new Actions(b.driver).click(hit).perform();
        b.until(d -> String.valueOf(hits.get(0).seq()).equals(b.find("#detail-body").getDomAttribute("data-seq")));
        assertThat(b.find("#grid-body .vl-row.sel").getDomAttribute("data-conn")).isEqualTo(hits.get(0).conn());
        detailTab("text");
        assertThat(b.byTestId("text-body").getText()).contains(TestCaptures.NEEDLE);
    }

    @Test
    void aFileOpenedFromThePageBecomesACapture() {
        int before = b.all("#capture-select option").size();
        WebElement input = b.find("#file-input");
        input.sendKeys(capture.toAbsolutePath().toString());
        b.until(d -> b.all("#capture-select option").size() == before + 1);
        String selected = b.byTestId("capture-select").getDomProperty("value");
        assertThat(selected).isNotEqualTo("1");
        b.until(d -> b.all("#grid-body .vl-row[data-conn]:not([hidden])").size() == 4);
        assertThat(b.find("#export-har").getDomAttribute("href"))
                .startsWith("/api/captures/" + selected + "/export?format=har&token=");
    }

    @Test
    void aFileDroppedOnThePageBecomesACapture() throws Exception {
        int before = b.all("#capture-select option").size();
        String base64 = java.util.Base64.getEncoder().encodeToString(java.nio.file.Files.readAllBytes(capture));
        @SuppressWarnings("unchecked")
        Map<String, Object> seen = (Map<String, Object>) b.js("""
                const [base64, name] = arguments;
                const bin = atob(base64);
                const bytes = new Uint8Array(bin.length);
                for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
                const dt = new DataTransfer();
                dt.items.add(new File([bytes], name));
                const target = document.querySelector('#grid-body');
                const fire = (type) => {
                  const e = new DragEvent(type, {bubbles: true, cancelable: true, dataTransfer: dt});
                  target.dispatchEvent(e);
                  return e.defaultPrevented;
                };
                const out = {};
                fire('dragenter');
                out.overlayWhileOver = !document.querySelector('#drop-overlay').hidden;
                out.dragoverAccepted = fire('dragover');
                out.dropTaken = fire('drop');
                out.overlayAfter = !document.querySelector('#drop-overlay').hidden;
                return out;""", base64, "dropped.wsdb");
        assertThat(seen).containsEntry("overlayWhileOver", true).containsEntry("dragoverAccepted", true)
                .containsEntry("dropTaken", true).containsEntry("overlayAfter", false);
        b.until(d -> b.all("#capture-select option").size() == before + 1);
        b.until(d -> b.byTestId("capture-select").getDomProperty("value").equals(
                b.all("#capture-select option").get(before).getDomProperty("value")));
        assertThat(b.all("#capture-select option").get(before).getText()).startsWith("dropped.wsdb (wsdb");
        List<CaptureReader.ConnectionInfo> conns;
        try (CaptureReader r = CaptureReader.open(capture)) {
            conns = r.connections();
        }
        b.until(d -> b.all("#grid-body .vl-row[data-conn]:not([hidden])").size() == conns.size());
        assertThat(gridRow("4")).containsEntry("messages", TestCaptures.MANY + " ↑ / " + TestCaptures.MANY + " ↓");
        // and its first connection's messages
        List<JsonNode> rows = Replay.of(capture, "1").rows();
        b.until(d -> b.byTestId("msg-count").getText().contains(rows.size() + " rows"));
        assertThat(b.find("#msg-list .vl-row[data-index='0']").getDomAttribute("data-seq")).isEqualTo(rows.get(0).path("seq").asText());
    }

    @Test
    void aPlainHttpExchangeShowsItsRequestAndResponse() throws Exception {
        Path har = dir.resolve("firefox.har");
        try (var in = UiBrowserTest.class.getResourceAsStream("/dev/wsdebug/capture/har/firefox-no-messages.har")) {
            assertThat(in).as("the HAR sample of capture's tests").isNotNull();
            java.nio.file.Files.copy(in, har, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        String id = ui.captures().open(har).id();
        b.open(ui.url().toString());
        new org.openqa.selenium.support.ui.Select(b.byTestId("capture-select")).selectByValue(id);
        b.until(d -> b.all("#grid-body .vl-row[data-conn]:not([hidden])").size() == 2);
        b.find("#grid-kind button[data-kind='http']").click();
        b.until(d -> visibleConns().size() == 1);
        String conn = visibleConns().get(0);
        Map<String, String> row = gridRow(conn);
        assertThat(row).containsEntry("protocol", "HTTP").containsEntry("status", "200").containsEntry("result", "http")
                .containsEntry("messages", "");
        b.await("#grid-body .vl-row[data-conn='" + conn + "']").click();
        b.until(d -> b.byTestId("tab-handshake").getDomAttribute("class").contains("on"));
        assertThat(b.byTestId("hs-request-line").getText()).isEqualTo("GET " + row.get("url"));
        assertThat(b.byTestId("hs-status-line").getText()).isEqualTo("200 OK");
        assertThat(b.byTestId("hs-request-headers").getText()).contains("Host localhost:8000");
        assertThat(b.byTestId("close-sentence").getText()).contains("plain HTTP exchange");
    }

    @Test
    void darkModeFollowsTheSystem() {
        b.darkMode(true);
        b.open(ui.url().toString());
        b.await("#msg-list .vl-row[data-seq]");
        String bg = (String) b.js("return getComputedStyle(document.body).backgroundColor");
        assertThat(bg).isEqualTo("rgb(27, 29, 33)");
        b.screenshot("dark");
    }
}
