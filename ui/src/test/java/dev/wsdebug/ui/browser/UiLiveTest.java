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
            int[] sent = {0};
            Runnable three = () -> {
                for (int i = 0; i < 3; i++) {
                    conv.feed(Direction.S2C, t[0] += 1000,
                            w.encode(FrameSpec.of(Opcode.TEXT, TestCaptures.utf8("update " + sent[0]++))));
                }
            };
            three.run();
            OpenCapture cap = ui.captures().live(file, "live", "live", store::sync);
            b.open(ui.url().toString());
            b.until(d -> b.all("#msg-list .vl-row[data-seq]:not([hidden])").size() == 3);
            assertThat(b.byTestId("grid-count").getText()).isEqualTo("1 row");
            b.js("window.__sameDocument = true");
            b.byTestId("msg-follow").click();
            for (int round = 0; round < 40; round++) {
                three.run();
                store.sync();
                ui.changed(cap, "1", sent[0]);
            }
            String last = "update " + (sent[0] - 1);
            b.until(d -> {
                Object text = b.js("""
                        const rows = [...document.querySelectorAll('#msg-list .vl-row[data-seq]:not([hidden])')];
                        rows.sort((a, b) => Number(a.dataset.seq) - Number(b.dataset.seq));
                        return rows.length ? rows[rows.length - 1].textContent : '';""");
                return String.valueOf(text).endsWith(last);
            });
            b.until(d -> b.byTestId("msg-count").getText().contains(sent[0] + " rows"));
            b.until(d -> b.find("#grid-body .vl-row[data-conn='1'] .badge").getText().equals("0 ↑ / " + sent[0] + " ↓"));
            assertThat(b.js("return window.__sameDocument === true")).isEqualTo(true);
            assertThat(b.byTestId("live-state").getDomAttribute("class")).contains("on");
            b.screenshot("live");
        }
    }
}
