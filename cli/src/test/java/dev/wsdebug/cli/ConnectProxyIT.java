package dev.wsdebug.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.wsdebug.capture.peer.Peer;
import dev.wsdebug.net.tls.Tls;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;

import static dev.wsdebug.cli.ConnectSupport.events;
import static dev.wsdebug.cli.ConnectSupport.explain;
import static dev.wsdebug.cli.ConnectSupport.header;
import static dev.wsdebug.cli.ConnectSupport.jsonLines;
import static dev.wsdebug.cli.ConnectSupport.messages;
import static dev.wsdebug.cli.ConnectSupport.oneSentence;
import static dev.wsdebug.cli.ConnectSupport.texts;
import static dev.wsdebug.cli.ConnectSupport.url;
import static dev.wsdebug.cli.ConnectSupport.wsdebug;
import static org.assertj.core.api.Assertions.assertThat;

/** `wsdebug connect --proxy`: through an HTTP CONNECT tunnel to a real server, and a proxy that refuses. */
@org.junit.jupiter.api.Tag("packaged-jar")
class ConnectProxyIT {
    @Test
    void tunnelsThroughTheProxyToTheServer() throws Exception {
        try (Peer peer = Peer.start(Peer.Kind.PYTHON_WEBSOCKETS);
             ConnectProxy proxy = ConnectProxy.tunnelling()) {
            WsdebugProcess.Result r = wsdebug("connect", "--proxy", "http://127.0.0.1:" + proxy.port(), url(peer),
                    "--json", "-x", "via the tunnel", "-x", "wsdebug:close 1000 bye", "-w", "-1");
            String why = explain(r, peer) + "\nproxy saw: " + proxy.requestLines();
            assertThat(r.exit()).as(why).isZero();
            assertThat(r.err()).as(why).isEmpty();
            assertThat(proxy.requestLines()).containsExactly("CONNECT 127.0.0.1:" + peer.port() + " HTTP/1.1");
            List<JsonNode> all = jsonLines(r.out());
            // the upgrade request names the server, not the proxy
            JsonNode hs = events(all, "handshake").get(0);
            assertThat(header(hs.get("request"), "Host")).isEqualTo("127.0.0.1:" + peer.port());
            assertThat(hs.get("url").asText()).isEqualTo(url(peer) + "/");
            assertThat(texts(messages(all, "s2c"))).as(why).containsExactly("via the tunnel");
            assertThat(events(all, "close").get(0).get("clean").asBoolean()).isTrue();
        }
    }

    @Test
    void tlsRunsInsideTheTunnel(@TempDir Path dir) throws Exception {
        Tls.Identity id = Tls.selfSigned();
        Path cert = dir.resolve("cert.pem");
        Path key = dir.resolve("key.pem");
        Files.writeString(cert, id.certificatePem());
        Files.writeString(key, "-----BEGIN PRIVATE KEY-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(id.key().getEncoded())
                + "\n-----END PRIVATE KEY-----\n");
        try (Peer peer = Peer.start(Peer.Kind.PYTHON_WEBSOCKETS, "--tls-cert", cert.toString(), "--tls-key", key.toString());
             ConnectProxy proxy = ConnectProxy.tunnelling()) {
            WsdebugProcess.Result r = wsdebug("connect", "--proxy", "127.0.0.1:" + proxy.port(),
                    "wss://localhost:" + peer.port(), "--ca", cert.toString(), "--json",
                    "-x", "secret", "-x", "wsdebug:close 1000 bye", "-w", "-1");
            String why = explain(r, peer) + "\nproxy saw: " + proxy.requestLines();
            assertThat(r.exit()).as(why).isZero();
            // the proxy is asked for the name the certificate is checked against
            assertThat(proxy.requestLines()).containsExactly("CONNECT localhost:" + peer.port() + " HTTP/1.1");
            assertThat(texts(messages(jsonLines(r.out()), "s2c"))).as(why).containsExactly("secret");
        }
    }

    @Test
    void aRefusingProxyIsNamedInTheFailure() throws Exception {
        try (ConnectProxy proxy = ConnectProxy.refusing(403)) {
            WsdebugProcess.Result r = wsdebug("connect", "--proxy", "http://127.0.0.1:" + proxy.port(),
                    "ws://127.0.0.1:9/feed", "-x", "never sent");
            assertThat(r.exit()).as(explain(r)).isEqualTo(1);
            assertThat(oneSentence(r)).startsWith("wsdebug connect: The proxy 127.0.0.1:" + proxy.port()
                    + " did not open a tunnel to 127.0.0.1:9").contains("403");
            assertThat(proxy.requestLines()).containsExactly("CONNECT 127.0.0.1:9 HTTP/1.1");
            assertThat(r.out()).doesNotContain("handshake");
        }
    }
}
