package dev.wsdebug.ui.browser;

import dev.wsdebug.capture.EventSink;
import dev.wsdebug.capture.peer.Peer;
import dev.wsdebug.capture.store.CaptureStore;
import dev.wsdebug.net.proxy.ProxyOptions;
import dev.wsdebug.net.proxy.WsProxy;
import dev.wsdebug.ui.Injector;
import dev.wsdebug.ui.OpenCapture;
import dev.wsdebug.ui.UiOptions;
import dev.wsdebug.ui.UiServer;
import dev.wsdebug.wire.Direction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.support.ui.Select;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The whole live path in a browser: a python websockets client talks to a python websockets server
 * through wsdebug's proxy, recorded into a store the UI shows; the page, opened before the client
 * connects, gets the connection and its messages from the live feed without a reload; a message
 * sent from the page's Inject tab reaches the python client, and shows in the list.
 */
class UiProxyTest {
    @TempDir
    Path dir;

    @Test
    void aProxiedSessionShowsLiveAndTheInjectTabReachesThePythonClient() throws Exception {
        Browser.assumeInstalled();
        Path peer = Peer.repoRoot().resolve("sniff/src/test/resources/live/py_peer.py");
        assertThat(peer).isRegularFile();
        Path file = dir.resolve("live.wsdb");
        try (Peer server = Peer.start(Peer.Kind.PYTHON_WEBSOCKETS);
             CaptureStore store = CaptureStore.create(file);
             UiServer ui = UiServer.start(new UiOptions());
             Browser b = Browser.start()) {
            OpenCapture cap = ui.captures().live(file, "proxy", "live", store::sync);
            EventSink notify = ui.notifier(cap);
            ProxyOptions o = new ProxyOptions();
            o.port = 0;
            o.upstream = URI.create("ws://127.0.0.1:" + server.port());
            o.injectable = true;
            try (WsProxy proxy = new WsProxy(o, EventSink.all(store, notify))) {
                int proxyPort = proxy.start().getPort();
                cap.injector(new Injector() {
                    @Override
                    public String inject(String conn, boolean toServer, int opcode, byte[] payload) {
                        return proxy.inject(conn, toServer ? Direction.C2S : Direction.S2C, opcode, payload);
                    }

                    @Override
                    public boolean open(String conn) {
                        return proxy.injectable(conn);
                    }
                });
                b.open(ui.url().toString());
                b.js("window.__sameDocument = true");

                // send, get the echo, then wait for one more message: the one the page injects
                Process client = new ProcessBuilder("/usr/bin/python3", peer.toString(), "client",
                        "ws://127.0.0.1:" + proxyPort + "/live",
                        "[{\"op\":\"send\",\"kind\":\"text\",\"text\":\"ready\"},{\"op\":\"recv\"},{\"op\":\"recv\"},"
                                + "{\"op\":\"close\",\"code\":1000,\"reason\":\"done\"}]")
                        .redirectErrorStream(true).start();
                List<String> out = new CopyOnWriteArrayList<>();
                Thread reader = new Thread(() -> {
                    try (BufferedReader r = new BufferedReader(new InputStreamReader(client.getInputStream(), StandardCharsets.UTF_8))) {
                        String line;
                        while ((line = r.readLine()) != null) {
                            out.add(line);
                        }
                    } catch (java.io.IOException ignored) {
                        // the client ended
                    }
                });
                reader.setDaemon(true);
                reader.start();
                try {
                    b.await("#grid-body .vl-row[data-conn='1']").click();
                    b.until(d -> UiTalkTest.rows(b).containsAll(List.of("c2s text ready", "s2c text ready")));
                    b.byTestId("tab-inject").click();
                    new Select(b.byTestId("inject-to")).selectByValue("client");
                    b.byTestId("inject-data").sendKeys("surprise from the page");
                    b.byTestId("inject-send").click();
                    assertThat(client.waitFor(20, TimeUnit.SECONDS)).as("client output %s", out).isTrue();
                    assertThat(client.exitValue()).as("client output %s", out).isZero();
                    reader.join(5_000);
                    assertThat(out).anyMatch(l -> l.contains("\"received\"") && l.contains("surprise from the page"));
                    b.byTestId("tab-messages").click();
                    // the row carries the injected mark before its preview
                    b.until(d -> UiTalkTest.rows(b).stream().anyMatch(r -> r.startsWith("s2c text")
                            && r.endsWith("surprise from the page") && r.contains("injected")));
                    assertThat(UiTalkTest.rows(b)).contains("c2s text ready", "s2c text ready");
                    assertThat(b.js("return window.__sameDocument === true")).isEqualTo(true);
                    b.screenshot("proxy-inject");
                } finally {
                    if (client.isAlive()) {
                        client.destroyForcibly();
                    }
                }
            }
        }
        assertThat(Files.exists(file)).isTrue();
    }
}
