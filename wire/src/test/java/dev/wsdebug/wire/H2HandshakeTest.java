package dev.wsdebug.wire;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** RFC 8441 extended CONNECT heads as HPACK decodes them, checked as the RFC and RFC 9113 say. */
class H2HandshakeTest {
    private static List<HttpHead.Header> fields(String... nameValues) {
        List<HttpHead.Header> out = new ArrayList<>();
        for (int i = 0; i < nameValues.length; i += 2) {
            out.add(new HttpHead.Header(nameValues[i], nameValues[i + 1]));
        }
        return out;
    }

    /** The request of RFC 8441 5.1's example, with an offer of permessage-deflate. */
    private static HttpHead request(String... extra) {
        List<HttpHead.Header> f = fields(":method", "CONNECT", ":protocol", "websocket", ":scheme", "https",
                ":path", "/chat", ":authority", "server.example.com", "sec-websocket-protocol", "chat, superchat",
                "sec-websocket-extensions", "permessage-deflate", "sec-websocket-version", "13",
                "origin", "http://www.example.com");
        f.addAll(fields(extra));
        return HttpHead.ofHttp2(f);
    }

    @Test
    void theRfcExampleNegotiatesWithoutKeyOrAccept() {
        HttpHead req = request();
        assertThat(req.startLine()).isEqualTo("CONNECT /chat HTTP/2");
        assertThat(req.method()).isEqualTo("CONNECT");
        assertThat(req.target()).isEqualTo("/chat");
        HttpHead resp = HttpHead.ofHttp2(fields(":status", "200", "sec-websocket-protocol", "chat",
                "sec-websocket-extensions", "permessage-deflate"));
        assertThat(resp.status()).isEqualTo(200);
        HandshakeResult r = H2Handshake.check(req, resp, true);
        assertThat(r.problems()).isEmpty();
        assertThat(r.valid()).isTrue();
        assertThat(r.upgraded()).isTrue();
        assertThat(r.h2()).isTrue();
        assertThat(r.subprotocol()).isEqualTo("chat");
        assertThat(r.deflate()).isNotNull();
        assertThat(r.expectedAccept()).isNull();
    }

    @Test
    void protocolWithoutTheServersSettingIsAViolation() {
        HandshakeResult r = H2Handshake.check(request(), HttpHead.ofHttp2(fields(":status", "200")), false);
        assertThat(r.upgraded()).isTrue();
        assertThat(r.valid()).isFalse();
        assertThat(r.problems()).containsExactly("The client sent :protocol, but the server's SETTINGS did not enable"
                + " extended CONNECT (SETTINGS_ENABLE_CONNECT_PROTOCOL = 1, RFC 8441 3).");
        // unknown SETTINGS (a capture that started late): not held against it
        assertThat(H2Handshake.check(request(), HttpHead.ofHttp2(fields(":status", "200")), null).problems()).isEmpty();
    }

    @Test
    void http1HeadersOnAnH2StreamAreViolations() {
        HttpHead req = request("sec-websocket-key", "dGhlIHNhbXBsZSBub25jZQ==", "connection", "Upgrade",
                "upgrade", "websocket");
        HttpHead resp = HttpHead.ofHttp2(fields(":status", "200", "sec-websocket-accept", "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="));
        List<String> p = H2Handshake.check(req, resp, true).problems();
        assertThat(p).hasSize(4);
        assertThat(p.get(0)).isEqualTo("The request carries Sec-WebSocket-Key, which RFC 8441 5 leaves out over HTTP/2"
                + " (there is no key and no accept).");
        assertThat(p.get(1)).isEqualTo("The request carries a Connection header, which HTTP/2 forbids (a"
                + " connection-specific field, RFC 9113 8.2.2).");
        assertThat(p.get(3)).startsWith("The response carries Sec-WebSocket-Accept");
    }

    @Test
    void aPlainConnectOrAMissingPseudoHeaderIsNotAWebSocket() {
        HttpHead req = HttpHead.ofHttp2(fields(":method", "CONNECT", ":authority", "server.example.com:443",
                "sec-websocket-version", "13"));
        assertThat(H2Handshake.checkRequest(req, true)).contains(
                "The CONNECT has no :protocol pseudo-header, so it asks for a plain TCP tunnel, not a WebSocket (RFC 8441 4).",
                "The extended CONNECT has no :path pseudo-header (RFC 8441 4).");
    }

    @Test
    void answersOtherThan2xxAreRejections() {
        HandshakeResult r = H2Handshake.check(request(), HttpHead.ofHttp2(fields(":status", "404")), true);
        assertThat(r.upgraded()).isFalse();
        assertThat(r.problems()).containsExactly("The server answered 404 instead of 200: no WebSocket endpoint at this"
                + " path.");
        assertThat(H2Handshake.check(request(), HttpHead.ofHttp2(fields(":status", "101")), true).problems().get(0))
                .startsWith("The server answered 101 on HTTP/2, where it does not exist");
        assertThat(H2Handshake.check(request(), HttpHead.ofHttp2(fields(":status", "405")), false).problems().get(0))
                .isEqualTo("The server answered 405 to the extended CONNECT: it does not take WebSockets over HTTP/2"
                        + " here. The server did not enable extended CONNECT in its SETTINGS.");
        // an HTTP/1.1 result is still 101-only
        assertThat(new HandshakeResult(true, 200, null, null, false, null, null, null, List.of()).upgraded()).isFalse();
    }

    @Test
    void aPlainRequestOnAStreamAskedForNoWebSocket() {
        HttpHead get = HttpHead.ofHttp2(fields(":method", "GET", ":scheme", "https", ":authority", "h", ":path", "/warm"));
        assertThat(H2Handshake.isExtendedConnect(get)).isFalse();
        assertThat(H2Handshake.isExtendedConnect(request())).isTrue();
        HandshakeResult r = H2Handshake.check(get, HttpHead.ofHttp2(fields(":status", "400")), true);
        assertThat(r.upgraded()).isFalse();
        assertThat(r.problems()).containsExactly("The request is GET /warm, not an extended CONNECT (RFC 8441): it asked"
                + " for no WebSocket; the server answered 400.");
    }

    @Test
    void errorCodesHaveTheirNames() {
        assertThat(H2Handshake.errorName(8)).isEqualTo("CANCEL (0x8)");
        assertThat(H2Handshake.errorName(0)).isEqualTo("NO_ERROR (0x0)");
        assertThat(H2Handshake.errorName(0x1234)).isEqualTo("error code 0x1234");
    }
}
