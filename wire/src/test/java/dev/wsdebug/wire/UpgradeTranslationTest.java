package dev.wsdebug.wire;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class UpgradeTranslationTest {
    private static HttpHead parse(String head) {
        HttpHeadParser p = new HttpHeadParser();
        byte[] b = head.getBytes(StandardCharsets.ISO_8859_1);
        p.feed(b, 0, b.length);
        assertThat(p.isComplete()).isTrue();
        return p.head();
    }

    private static HttpHead.Header f(String n, String v) {
        return new HttpHead.Header(n, v);
    }

    @Test
    void anExtendedConnectBecomesAnUpgradeThatChecksAsOne() {
        List<HttpHead.Header> h2 = List.of(f(":method", "CONNECT"), f(":protocol", "websocket"), f(":scheme", "https"),
                f(":authority", "example.test:8443"), f(":path", "/chat?room=1"), f("sec-websocket-version", "13"),
                f("sec-websocket-protocol", "chat, superchat"), f("cookie", "a=1"), f("cookie", "b=2"),
                f("origin", "https://example.test"));
        String head = UpgradeTranslation.h1Request(h2, "dGhlIHNhbXBsZSBub25jZQ==", false, List.of());
        assertThat(head).isEqualTo("GET /chat?room=1 HTTP/1.1\r\nHost: example.test:8443\r\nUpgrade: websocket\r\n"
                + "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
                + "Sec-WebSocket-Protocol: chat, superchat\r\nCookie: a=1; b=2\r\nOrigin: https://example.test\r\n\r\n");
        assertThat(Handshake.checkRequest(parse(head))).isEmpty();
        assertThat(UpgradeTranslation.h1Request(h2, "k", true, List.of())).startsWith("GET wss://example.test:8443/chat?room=1 HTTP/1.1\r\n");
    }

    @Test
    void aPlainRequestKeepsItsMethodAndTakesTheCallersFields() {
        List<HttpHead.Header> h2 = List.of(f(":method", "POST"), f(":scheme", "http"), f(":authority", "h"), f(":path", "/f"),
                f("content-type", "text/plain"), f("te", "trailers"));
        assertThat(UpgradeTranslation.h1Request(h2, "unused", true, List.of(f("Connection", "close"),
                f("Transfer-Encoding", "chunked")))).isEqualTo("POST http://h/f HTTP/1.1\r\nHost: h\r\n"
                + "Content-Type: text/plain\r\nConnection: close\r\nTransfer-Encoding: chunked\r\n\r\n");
    }

    @Test
    void anUpgradeBecomesAnExtendedConnectThatChecksAsOne() {
        HttpHead req = parse("GET ws://example.test/x HTTP/1.1\r\nHost: example.test\r\nUpgrade: websocket\r\n"
                + "Connection: keep-alive, Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                + "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Extensions: permessage-deflate\r\n\r\n");
        List<HttpHead.Header> h2 = UpgradeTranslation.h2Request(req, false);
        assertThat(h2).extracting(h -> h.name() + ": " + h.value()).containsExactly(":method: CONNECT", ":protocol: websocket",
                ":scheme: http", ":authority: example.test", ":path: /x", "sec-websocket-version: 13",
                "sec-websocket-extensions: permessage-deflate");
        assertThat(H2Handshake.checkRequest(HttpHead.ofHttp2(h2), true)).isEmpty();
    }

    @Test
    void responsesBothWays() {
        List<HttpHead.Header> ok = List.of(f(":status", "200"), f("sec-websocket-protocol", "chat"));
        String accept = Handshake.acceptFor("dGhlIHNhbXBsZSBub25jZQ==");
        String h1 = UpgradeTranslation.h1Response(ok, true, accept);
        assertThat(h1).isEqualTo("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\nSec-WebSocket-Protocol: chat\r\n\r\n");
        HttpHead req = parse("GET / HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: chat\r\n\r\n");
        assertThat(Handshake.check(req, parse(h1)).valid()).isTrue();
        assertThat(UpgradeTranslation.h1Response(List.of(f(":status", "403"), f("content-length", "5")), true, accept))
                .isEqualTo("HTTP/1.1 403 Forbidden\r\nContent-Length: 5\r\nConnection: close\r\n\r\n");

        HttpHead switched = parse(h1);
        assertThat(UpgradeTranslation.h2Response(switched)).extracting(h -> h.name() + ": " + h.value())
                .containsExactly(":status: 200", "sec-websocket-protocol: chat");
        assertThat(UpgradeTranslation.h2Response(parse("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nKeep-Alive: 5\r\n\r\n")))
                .extracting(h -> h.name() + ": " + h.value()).containsExactly(":status: 404", "content-length: 0");
    }
}
