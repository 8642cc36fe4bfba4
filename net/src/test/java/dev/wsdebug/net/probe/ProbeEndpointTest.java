package dev.wsdebug.net.probe;

import dev.wsdebug.capture.EventSink;
import dev.wsdebug.capture.FindingEvent;
import dev.wsdebug.net.fault.FaultPlan;
import dev.wsdebug.net.proxy.ProxyOptions;
import dev.wsdebug.net.proxy.WsProxy;
import dev.wsdebug.net.server.ServerOptions;
import dev.wsdebug.net.server.WsServer;
import dev.wsdebug.net.tls.Tls;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The endpoint probe against real servers on loopback: a healthy {@link WsServer}, one with each
 * misbehaviour knob, TLS, and a {@link WsProxy} with an idle timeout in front.
 */
class ProbeEndpointTest {
    @TempDir
    Path dir;

    /** Everything a probe reported, in order. */
    static final class Seen implements ProbeListener {
        final List<ProbeCheck> checks = new ArrayList<>();
        final List<FindingEvent> findings = new ArrayList<>();
        EndpointProbe.Outcome outcome;

        @Override
        public void check(ProbeCheck check) {
            checks.add(check);
        }

        @Override
        public void finding(FindingEvent finding) {
            findings.add(finding);
        }

        List<ProbeCheck> of(String id) {
            return checks.stream().filter(c -> c.check().equals(id)).toList();
        }

        ProbeCheck one(String id) {
            List<ProbeCheck> all = of(id);
            assertThat(all).as(id + " in " + checks).hasSize(1);
            return all.get(0);
        }

        List<String> errorRules() {
            return findings.stream().filter(FindingEvent::isError).map(FindingEvent::rule).toList();
        }

        @Override
        public String toString() {
            StringBuilder sb = new StringBuilder();
            checks.forEach(c -> sb.append(c.toJson()).append('\n'));
            findings.forEach(f -> sb.append(f.rule()).append(": ").append(f.summary()).append('\n'));
            return sb.toString();
        }
    }

    private static Seen probe(String url, Consumer<ProbeOptions> tweak) throws Exception {
        ProbeOptions o = new ProbeOptions();
        o.url = URI.create(url);
        tweak.accept(o);
        Seen seen = new Seen();
        seen.outcome = new EndpointProbe(o).run(seen);
        return seen;
    }

    /** A started server and its port. */
    record Started(WsServer server, int port) implements AutoCloseable {
        @Override
        public void close() {
            server.close();
        }
    }

    private static Started server(Consumer<ServerOptions> knobs) throws Exception {
        ServerOptions so = new ServerOptions();
        so.host = "127.0.0.1";
        so.port = 0;
        knobs.accept(so);
        WsServer s = new WsServer(so, EventSink.all());
        try {
            return new Started(s, s.start().getPort());
        } catch (Exception e) {
            s.close();
            throw e;
        }
    }

    @Test
    @Timeout(30)
    void aHealthyServerPassesEveryCheckWithItsFigures() throws Exception {
        ServerOptions so = new ServerOptions();
        so.host = "127.0.0.1";
        so.port = 0;
        so.subprotocols = List.of("chat");
        try (WsServer server = new WsServer(so, EventSink.all())) {
            int port = server.start().getPort();
            Seen seen = probe("ws://127.0.0.1:" + port + "/x", o -> o.subprotocols = List.of("chat"));
            assertThat(seen.checks).as(seen.toString()).allSatisfy(c -> assertThat(c.status()).isEqualTo(ProbeCheck.Status.OK));
            assertThat(seen.outcome.failed()).isFalse();
            assertThat(seen.findings).as(seen.toString()).isEmpty();
            assertThat(seen.one("dns").detail()).isEqualTo("an address: nothing to resolve");
            assertThat(seen.one("tcp").ms()).isPositive();
            assertThat(seen.one("upgrade").detail()).startsWith("101");
            assertThat(seen.one("accept").status()).isEqualTo(ProbeCheck.Status.OK);
            assertThat(seen.one("subprotocol").detail()).isEqualTo("chat selected");
            List<ProbeCheck> deflate = seen.of("deflate");
            assertThat(deflate).hasSize(2);
            assertThat(deflate.get(0).detail()).startsWith("accepted with").contains("client_max_window_bits=15")
                    .contains("server context takeover");
            assertThat(deflate.get(1).detail()).contains("no extension");
            ProbeCheck ping = seen.one("ping");
            assertThat(ping.detail()).contains("min").contains("median");
            assertThat(ping.ms()).isPositive().isLessThan(1000.0);
            ProbeCheck close = seen.one("close");
            assertThat(close.detail()).startsWith("with 1000 in").contains("TCP closed");
            assertThat(close.ms()).isLessThan(1000.0);
            assertThat(seen.of("idle")).isEmpty();
            assertThat(ping.toJson()).startsWith("{\"event\":\"probe\",\"check\":\"ping\",\"ok\":true,");
        }
    }

    @Test
    @Timeout(30)
    void aRejectedUpgradeIsHandshakeRejected() throws Exception {
        try (Started server = server(so -> so.reject = 403)) {
            Seen seen = probe("ws://127.0.0.1:" + server.port() + "/x", o -> { });
            assertThat(seen.one("upgrade").status()).as(seen.toString()).isEqualTo(ProbeCheck.Status.FAIL);
            assertThat(seen.one("upgrade").detail()).startsWith("403");
            assertThat(seen.errorRules()).containsExactly("handshake-rejected");
            assertThat(seen.of("ping")).isEmpty();
            assertThat(seen.outcome.failed()).isTrue();
        }
    }

    @Test
    @Timeout(30)
    void aWrongAcceptIsBadAccept() throws Exception {
        try (Started server = server(so -> so.badAccept = true)) {
            Seen seen = probe("ws://127.0.0.1:" + server.port() + "/x", o -> { });
            assertThat(seen.one("accept").status()).as(seen.toString()).isEqualTo(ProbeCheck.Status.FAIL);
            assertThat(seen.errorRules()).containsExactly("bad-accept");
            assertThat(seen.outcome.failed()).isTrue();
        }
    }

    @Test
    @Timeout(30)
    void aServerThatNeverPongsIsAZombie() throws Exception {
        try (Started server = server(so -> so.noPong = true)) {
            Seen seen = probe("ws://127.0.0.1:" + server.port() + "/x", o -> o.pingTimeoutMillis = 1_000);
            assertThat(seen.one("ping").status()).as(seen.toString()).isEqualTo(ProbeCheck.Status.FAIL);
            assertThat(seen.one("ping").detail()).startsWith("0 of 1 answered");
            assertThat(seen.errorRules()).containsExactly("zombie");
            assertThat(seen.one("close").status()).isEqualTo(ProbeCheck.Status.OK);
        }
    }

    @Test
    @Timeout(30)
    void aServerWithoutCompressionDeclinesDeflateAsInformation() throws Exception {
        try (Started server = server(so -> so.compress = false)) {
            Seen seen = probe("ws://127.0.0.1:" + server.port() + "/x", o -> o.subprotocols = List.of("chat"));
            assertThat(seen.of("deflate").get(0).status()).as(seen.toString()).isEqualTo(ProbeCheck.Status.WARN);
            assertThat(seen.one("subprotocol").status()).isEqualTo(ProbeCheck.Status.WARN);
            assertThat(seen.findings).extracting(FindingEvent::rule).containsExactly("subprotocol-mismatch", "deflate-declined");
            assertThat(seen.outcome.failed()).isFalse();
        }
    }

    @Test
    @Timeout(30)
    void wssShowsTheTlsSessionAndTheChainWithItsExpiry() throws Exception {
        try (Started server = server(so -> so.tls = true)) {
            int port = server.port();
            Path ca = dir.resolve("ca.pem");
            Tls.writePem(server.server().identity().certificate(), ca);
            Seen seen = probe("wss://127.0.0.1:" + port + "/x", o -> o.ca = ca);
            assertThat(seen.one("tls").detail()).as(seen.toString()).startsWith("TLSv1.").contains("ALPN");
            List<ProbeCheck> certs = seen.of("certificate");
            // the self-signed certificate of serve lives one day: under the 14-day warning
            assertThat(certs.get(0).status()).isEqualTo(ProbeCheck.Status.WARN);
            assertThat(certs.get(0).what()).contains("CN=wsdebug serve");
            assertThat(certs.get(0).detail()).contains("0 days left");
            assertThat(certs.get(certs.size() - 1).what()).isEqualTo("certificate chain trusted");
            assertThat(certs.get(certs.size() - 1).status()).isEqualTo(ProbeCheck.Status.OK);
            assertThat(seen.one("hostname").status()).isEqualTo(ProbeCheck.Status.OK);
            assertThat(seen.one("close").status()).isEqualTo(ProbeCheck.Status.OK);
            assertThat(seen.findings).extracting(FindingEvent::rule).containsExactly("certificate-expiring");
            assertThat(seen.outcome.failed()).isFalse();

            Seen untrusted = probe("wss://127.0.0.1:" + port + "/x", o -> { });
            assertThat(untrusted.errorRules()).as(untrusted.toString()).containsExactly("tls-untrusted");
            assertThat(untrusted.of("upgrade")).isEmpty();
        }
    }

    @Test
    @Timeout(30)
    void aClosedPortFailsTheTcpCheck() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        Seen seen = probe("ws://127.0.0.1:" + port + "/x", o -> { });
        assertThat(seen.one("tcp").status()).as(seen.toString()).isEqualTo(ProbeCheck.Status.FAIL);
        assertThat(seen.one("tcp").detail()).contains("refused");
        assertThat(seen.errorRules()).containsExactly("tcp-connect-failed");
        assertThat(seen.of("upgrade")).isEmpty();
    }

    @Test
    @Timeout(40)
    void anIdleTimeoutOfAProxyIsMeasuredAndPingsAtHalfOfItKeepTheConnection() throws Exception {
        try (Started server = server(so -> { })) {
            ProxyOptions po = new ProxyOptions();
            po.port = 0;
            po.upstream = URI.create("ws://127.0.0.1:" + server.port());
            po.faults = FaultPlan.parse(List.of("idle-timeout=2"));
            try (WsProxy proxy = new WsProxy(po, EventSink.all())) {
                int port = proxy.start().getPort();
                Seen seen = probe("ws://127.0.0.1:" + port + "/x", o -> o.idleSeconds = 5);
                ProbeCheck idle = seen.one("idle");
                assertThat(idle.status()).as(seen.toString()).isEqualTo(ProbeCheck.Status.FAIL);
                assertThat(idle.ms()).isBetween(1800.0, 3500.0);
                assertThat(idle.detail()).startsWith("dropped after 2.").contains("without a close frame")
                        .contains("send pings at most every 1 s");
                ProbeCheck keepalive = seen.one("keepalive");
                assertThat(keepalive.status()).isEqualTo(ProbeCheck.Status.OK);
                assertThat(keepalive.detail()).startsWith("still open after");
                FindingEvent f = seen.findings.stream().filter(x -> x.rule().equals("idle-timeout")).findFirst().orElseThrow();
                assertThat(f.fix()).contains("every 1 s");
                assertThat(seen.errorRules()).containsExactly("idle-timeout");
                assertThat(seen.outcome.failed()).isTrue();
            }
        }
    }

    /** A Node http2 server in clear text (h2c by prior knowledge) with SETTINGS_ENABLE_CONNECT_PROTOCOL on or off. */
    private static Seen http2Of(boolean connectProtocol) throws Exception {
        dev.wsdebug.capture.peer.Peer.requireInstalled(dev.wsdebug.capture.peer.Peer.Kind.NODE_WS);
        Process node = new ProcessBuilder("node", "-e", String.join("\n",
                "const http2 = require('http2');",
                "const s = http2.createServer({settings: {enableConnectProtocol: process.argv[1] === 'on'}});",
                "s.on('stream', (st) => st.respond({':status': 200}));",
                "s.listen(0, '127.0.0.1', () => console.log('PORT ' + s.address().port));",
                "setTimeout(() => process.exit(0), 30000);"), connectProtocol ? "on" : "off")
                .redirectErrorStream(true).start();
        try {
            String line = new java.io.BufferedReader(new java.io.InputStreamReader(node.getInputStream())).readLine();
            assertThat(line).startsWith("PORT ");
            int port = Integer.parseInt(line.substring(5).trim());
            ProbeOptions o = new ProbeOptions();
            o.url = URI.create("ws://127.0.0.1:" + port + "/");
            Seen seen = new Seen();
            Http2Step.run(o, java.net.InetAddress.getLoopbackAddress(), "127.0.0.1", port, false, seen);
            return seen;
        } finally {
            node.destroyForcibly();
            node.waitFor(5, java.util.concurrent.TimeUnit.SECONDS);
        }
    }

    @Test
    void http2AndExtendedConnectAreReported() throws Exception {
        assertThat(http2Of(true).one("http2").detail()).startsWith("offered, with extended CONNECT"
                + " (SETTINGS_ENABLE_CONNECT_PROTOCOL = 1)");
        assertThat(http2Of(false).one("http2").detail()).isEqualTo("offered, without extended CONNECT: WebSockets to it go"
                + " over a separate HTTP/1.1 connection");
        // an HTTP/1.1-only server answers the preface in HTTP/1.x (or closes): not offered, and the probe goes on
        try (Started server = server(so -> { })) {
            Seen seen = probe("ws://127.0.0.1:" + server.port() + "/x", o -> { });
            ProbeCheck h2 = seen.one("http2");
            assertThat(h2.status()).isEqualTo(ProbeCheck.Status.OK);
            assertThat(h2.detail()).as(seen.toString()).startsWith("not offered (").endsWith("; WebSockets go over HTTP/1.1");
            assertThat(seen.outcome.failed()).isFalse();
        }
    }
}
