package dev.wsdebug.ui.browser;

import dev.wsdebug.capture.Conversation;
import dev.wsdebug.capture.store.CaptureStore;
import dev.wsdebug.ui.OpenCapture;
import dev.wsdebug.ui.UiOptions;
import dev.wsdebug.ui.UiServer;
import dev.wsdebug.wire.Direction;
import dev.wsdebug.wire.FrameSpec;
import dev.wsdebug.wire.FrameWriter;
import dev.wsdebug.wire.Opcode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/** A capture being written while the page shows it: the live feed brings new rows, no reload. */
class UiLiveTest {
    @TempDir
    Path dir;

    @Test
    void newMessagesArriveWithoutAReloadAndFollowTailKeepsUp() {
        Browser.assumeInstalled();
        Path file = dir.resolve("live.wsdb");
        FrameWriter w = new FrameWriter(new Random(1));
        long[] t = {TestCaptures.T0};
        try (CaptureStore store = CaptureStore.create(file);
             UiServer ui = UiServer.start(new UiOptions());
             Browser b = Browser.start()) {
            Conversation conv = new Conversation("1", store).endpoints("127.0.0.1:50009", "127.0.0.1:8765");
            conv.feed(Direction.C2S, t[0] += 1000, TestCaptures.request("/live", ""));
            conv.feed(Direction.S2C, t[0] += 1000, TestCaptures.response(""));
            int[] messages = {0};
            int[] updates = {0};
            Runnable three = () -> {
                for (int i = 0; i < 3; i++) {
                    conv.feed(Direction.S2C, t[0] += 1000,
                            w.encode(FrameSpec.of(Opcode.TEXT, TestCaptures.utf8("update " + updates[0]++))));
                    messages[0]++;
                }
            };
            three.run();
            OpenCapture cap = ui.captures().live(file, "live", "live", store::sync);
            b.open(ui.url().toString());
            b.until(d -> b.all("#msg-list .vl-row[data-seq]:not([hidden])").size() == 3);
            assertThat(b.byTestId("grid-count").getText()).isEqualTo("1 row");
            b.js("window.__sameDocument = true");
            b.byTestId("msg-follow").click();
            Runnable rounds = () -> {
                for (int round = 0; round < 20; round++) {
                    three.run();
                    store.sync();
                    ui.changed(cap, "1", messages[0]);
                }
            };
            rounds.run();
            // a fragmented message leaves a seq without a row: the page must notice, not misplace rows
            conv.feed(Direction.S2C, t[0] += 1000,
                    w.encode(FrameSpec.of(Opcode.TEXT, TestCaptures.utf8("frag")).withFin(false)));
            conv.feed(Direction.S2C, t[0] += 1000,
                    w.encode(FrameSpec.of(Opcode.CONTINUATION, TestCaptures.utf8("mented"))));
            messages[0]++;
            rounds.run();
            String last = "update " + (updates[0] - 1);
            b.until(d -> String.valueOf(b.js("""
                    const rows = [...document.querySelectorAll('#msg-list .vl-row[data-seq]:not([hidden])')];
                    rows.sort((a, b) => Number(a.dataset.seq) - Number(b.dataset.seq));
                    return rows.length ? rows[rows.length - 1].textContent : '';""")).endsWith(last));
            b.until(d -> b.byTestId("msg-count").getText().contains(messages[0] + " rows"));
            b.until(d -> b.find("#grid-body .vl-row[data-conn='1'] .badge").getText()
                    .equals("0 ↑ / " + messages[0] + " ↓"));
            assertThat(b.js("return window.__sameDocument === true")).isEqualTo(true);
            assertThat(b.byTestId("live-state").getDomAttribute("class")).contains("on");
            b.screenshot("live");
            // every row once, in order, the reassembled message among them
            b.byTestId("msg-follow").click();
            Object texts = b.driver.executeAsyncScript("""
                    const done = arguments[arguments.length - 1];
                    const l = document.querySelector('#msg-list');
                    const seen = new Map();
                    (async () => {
                      for (let top = 0; ; top += l.clientHeight - 44) {
                        l.scrollTop = top;
                        await new Promise((r) => setTimeout(r, 120));
                        for (const r of l.querySelectorAll('.vl-row[data-seq]:not([hidden])')) {
                          seen.set(Number(r.dataset.seq), r.textContent.replace(/^.*B/, ''));
                        }
                        if (l.scrollTop + l.clientHeight >= l.scrollHeight - 2) break;
                      }
                      done([...seen.entries()].sort((a, b) => a[0] - b[0]).map((e) => e[1]));
                    })();""");
            @SuppressWarnings("unchecked") java.util.List<String> rows = (java.util.List<String>) texts;
            assertThat(rows).hasSize(messages[0]).contains("fragmented")
                    .startsWith("update 0", "update 1").endsWith(last);
        }
    }
}
