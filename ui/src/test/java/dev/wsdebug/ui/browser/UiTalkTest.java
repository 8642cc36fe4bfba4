package dev.wsdebug.ui.browser;

import dev.wsdebug.capture.Conversation;
import dev.wsdebug.capture.peer.Peer;
import dev.wsdebug.capture.store.CaptureStore;
import dev.wsdebug.ui.Injector;
import dev.wsdebug.ui.OpenCapture;
import dev.wsdebug.ui.UiOptions;
import dev.wsdebug.ui.UiServer;
import dev.wsdebug.wire.Direction;
import dev.wsdebug.wire.FrameSpec;
import dev.wsdebug.wire.FrameWriter;
import dev.wsdebug.wire.Opcode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.Select;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;

/** Talking from the page: the New connection panel against python websockets, and the Inject tab. */
class UiTalkTest {
    @TempDir
    Path dir;

    /** The item rows of the list as "dir type preview", in order (the list is short: all visible). */
    @SuppressWarnings("unchecked")
    static List<String> rows(Browser b) {
        return (List<String>) b.js("""
                return [...document.querySelectorAll('#msg-list .vl-row[data-seq]:not([hidden])')]
                  .sort((a, b) => Number(a.dataset.seq) - Number(b.dataset.seq))
                  .map((r) => r.dataset.dir + ' ' + r.dataset.type + ' ' + r.lastChild.textContent);""");
    }

    @Test
    void theNewConnectionPanelConnectsSendsAndChecksJsonFirst() {
        Browser.assumeInstalled();
        try (Peer python = Peer.start(Peer.Kind.PYTHON_WEBSOCKETS);
             UiServer ui = UiServer.start(new UiOptions());
             Browser b = Browser.start()) {
            b.open(ui.url().toString());
            b.byTestId("new-connection").click();
            b.byTestId("session-url").sendKeys("ws://127.0.0.1:" + python.port() + "/page");
            b.byTestId("session-headers").sendKeys("X-Test: 1");
            b.byTestId("session-connect").click();
            b.until(d -> b.byTestId("session-counters").getText().contains("connected since"));
            assertThat(b.byTestId("capture-select").getText()).contains("client");
            WebElement data = b.byTestId("compose-data");
            data.sendKeys("hello from the page");
            b.byTestId("compose-send").click();
            b.until(d -> rows(b).equals(List.of("c2s text hello from the page", "s2c text hello from the page")));
            // JSON is checked here before it goes
            new Select(b.byTestId("compose-type")).selectByValue("json");
            data.clear();
            data.sendKeys("{\"a\": [1, 2],");
            assertThat(b.byTestId("compose-error").getText()).startsWith("Not JSON:");
            b.byTestId("compose-send").click();
            data.sendKeys(org.openqa.selenium.Keys.BACK_SPACE, "}");
            assertThat(b.byTestId("compose-error").getText()).isEmpty();
            b.byTestId("compose-send").click();
            b.until(d -> rows(b).size() == 4);
            assertThat(rows(b).get(2)).isEqualTo("c2s text {\"a\": [1, 2]}");
            // binary as hex, then a ping
            new Select(b.byTestId("compose-type")).selectByValue("binary");
            data.clear();
            data.sendKeys("de ad be ef");
            b.byTestId("compose-send").click();
            new Select(b.byTestId("compose-type")).selectByValue("ping");
            data.clear();
            data.sendKeys("still there?");
            b.byTestId("compose-send").click();
            b.until(d -> rows(b).size() == 8);
            assertThat(rows(b)).contains("c2s binary dead beef", "s2c binary dead beef", "c2s ping still there?",
                    "s2c pong still there?");
            b.until(d -> b.byTestId("session-counters").getText().startsWith("↑ 3 msg"));
            b.screenshot("session");
            // close with a code and reason: the row says how it ended
            new Select(b.byTestId("compose-type")).selectByValue("close");
            WebElement code = b.byTestId("compose-code");
            code.clear();
            code.sendKeys("4000");
            b.byTestId("compose-reason").sendKeys("done");
            b.byTestId("compose-send").click();
            b.until(d -> b.byTestId("session-counters").getText().contains("4000"));
            assertThat(b.byTestId("close-sentence").getText()).contains("4000");
        }
    }

    @Test
    void theInjectTabAndResendGoThroughTheProxysInjector() {
        Browser.assumeInstalled();
        Path file = dir.resolve("proxy.wsdb");
        FrameWriter w = new FrameWriter(new Random(3));
        List<String> injected = new CopyOnWriteArrayList<>();
        try (CaptureStore store = CaptureStore.create(file);
             UiServer ui = UiServer.start(new UiOptions());
             Browser b = Browser.start()) {
            Conversation conv = new Conversation("1", store);
            conv.feed(Direction.C2S, TestCaptures.T0, TestCaptures.request("/proxied", ""));
            conv.feed(Direction.S2C, TestCaptures.T0 + 1000, TestCaptures.response(""));
            conv.feed(Direction.C2S, TestCaptures.T0 + 2000,
                    w.encode(FrameSpec.of(Opcode.TEXT, TestCaptures.utf8("order 66")).withMask(7)));
            OpenCapture cap = ui.captures().live(file, "proxy", "live", store::sync);
            cap.injector(new Injector() {
                @Override
                public String inject(String conn, boolean toServer, int opcode, byte[] payload) {
                    injected.add(conn + (toServer ? " →server " : " →client ") + opcode + " "
                            + new String(payload, StandardCharsets.UTF_8));
                    return null;
                }

                @Override
                public boolean open(String conn) {
                    return true;
                }
            });
            b.open(ui.url().toString());
            b.byTestId("tab-inject").click();
            new Select(b.byTestId("inject-to")).selectByValue("client");
            b.byTestId("inject-data").sendKeys("surprise");
            b.byTestId("inject-send").click();
            b.until(d -> injected.contains("1 →client 1 surprise"));
            // resend the captured message: the Inject tab opens with it
            b.byTestId("tab-messages").click();
            b.await("#msg-list .vl-row[data-seq]").click();
            b.until(d -> b.byTestId("resend").isDisplayed());
            b.byTestId("resend").click();
            assertThat(new Select(b.byTestId("inject-to")).getFirstSelectedOption().getDomAttribute("value"))
                    .isEqualTo("server");
            assertThat(b.byTestId("inject-data").getDomProperty("value")).isEqualTo("order 66");
            b.byTestId("inject-send").click();
            b.until(d -> injected.contains("1 →server 1 order 66"));
            b.screenshot("inject");
        }
    }
}
