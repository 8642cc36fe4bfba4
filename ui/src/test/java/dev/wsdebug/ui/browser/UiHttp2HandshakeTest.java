package dev.wsdebug.ui.browser;

import dev.wsdebug.capture.Conversation;
import dev.wsdebug.capture.store.CaptureStore;
import dev.wsdebug.ui.UiOptions;
import dev.wsdebug.ui.UiServer;
import dev.wsdebug.wire.Direction;
import dev.wsdebug.wire.FrameSpec;
import dev.wsdebug.wire.FrameWriter;
import dev.wsdebug.wire.HttpHead;
import dev.wsdebug.wire.Opcode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Handshake tab of a WebSocket over HTTP/2 (RFC 8441): the extended CONNECT and its 200 as
 * HTTP/2 lines, the stream id, and no accept check (there is no key to check), where an HTTP/1.1
 * upgrade would show the accept.
 */
class UiHttp2HandshakeTest {
    private static final long T0 = 1_733_300_000_000_000L;

    @TempDir
    Path dir;

    private static List<HttpHead.Header> fields(String... kv) {
        List<HttpHead.Header> out = new ArrayList<>();
        for (int i = 0; i < kv.length; i += 2) {
            out.add(new HttpHead.Header(kv[i], kv[i + 1]));
        }
        return out;
    }

    @Test
    void anExtendedConnectShowsItsStreamAndNoAcceptCheck() {
        Browser.assumeInstalled();
        Path file = dir.resolve("h2.wsdb");
        FrameWriter w = new FrameWriter(new Random(3));
        try (CaptureStore store = CaptureStore.create(file)) {
            Conversation c = new Conversation("1", store).endpoints("127.0.0.1:50001", "127.0.0.1:8443");
            c.h2Request(T0, 5, fields(":method", "CONNECT", ":protocol", "websocket", ":scheme", "https", ":path", "/chat",
                    ":authority", "localhost:8443", "sec-websocket-version", "13", "sec-websocket-protocol", "chat"), true);
            c.h2Response(T0 + 1000, fields(":status", "200", "sec-websocket-protocol", "chat"));
            c.feed(Direction.C2S, T0 + 2000, w.encode(FrameSpec.of(Opcode.TEXT, "over h2".getBytes()).withMask(0x01020304)));
            c.feed(Direction.S2C, T0 + 3000, w.encode(FrameSpec.of(Opcode.TEXT, "over h2".getBytes())));
            c.feed(Direction.C2S, T0 + 4000, w.encode(FrameSpec.of(Opcode.CLOSE, FrameWriter.closePayload(1000, "")).withMask(7)));
            c.feed(Direction.S2C, T0 + 5000, w.encode(FrameSpec.of(Opcode.CLOSE, FrameWriter.closePayload(1000, ""))));
            c.end(T0 + 6000);
        }
        try (UiServer ui = UiServer.start(new UiOptions()); Browser b = Browser.start()) {
            ui.captures().open(file);
            b.open(ui.url().toString());
            b.await("#grid-body .vl-row[data-conn='1']").click();
            b.byTestId("tab-handshake").click();
            b.until(d -> !b.all("[data-testid=hs-checks]").isEmpty());
            assertThat(b.byTestId("hs-request-line").getText()).isEqualTo("CONNECT /chat HTTP/2");
            assertThat(b.byTestId("hs-status-line").getText()).startsWith("HTTP/2 200");
            assertThat(b.byTestId("hs-status-line").getDomAttribute("class")).contains("ok");
            String checks = b.byTestId("hs-checks").getText();
            assertThat(checks).contains("HTTP/2 stream 5").contains("Accept check none").contains("Subprotocol chat")
                    .doesNotContain("INVALID").doesNotContain("Sec-WebSocket-Accept expected");
            b.screenshot("handshake-h2");
        }
    }
}
