package dev.wsdebug.net;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.wsdebug.capture.CloseEvent;
import dev.wsdebug.capture.ErrorEvent;
import dev.wsdebug.capture.FrameEvent;
import dev.wsdebug.capture.HandshakeEvent;
import dev.wsdebug.capture.MessageEvent;
import dev.wsdebug.capture.SynchronizedSink;
import dev.wsdebug.capture.peer.Peer;
import dev.wsdebug.net.proxy.ProxyOptions;
import dev.wsdebug.net.proxy.WsProxy;
import dev.wsdebug.net.server.ServerOptions;
import dev.wsdebug.net.tls.LocalCa;
import dev.wsdebug.net.tls.Tls;
import dev.wsdebug.wire.Direction;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The forward proxy intercepting wss:// from Node ws: the client opens a CONNECT tunnel, speaks TLS
 * inside it trusting only the system roots plus the local CA (NODE_EXTRA_CA_CERTS), and the proxy
 * decrypts, records and re-encrypts towards a TLS echo server whose self-signed certificate it
 * verifies by name.
 */
class ProxyInterceptTest {
    private static final long WAIT_MILLIS = 10_000;
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;
    private LocalCa ca;
    private TestServer upstream;
    private WsProxy proxy;
    private int proxyPort;
    private final ServerRecorder recorder = new ServerRecorder();
    /** The analysis rules over what the proxy records, for the sessions that are healthy. */
    private final NoFalseAlarms alarms = new NoFalseAlarms();

    @BeforeEach
    void start() throws Exception {
        ca = LocalCa.loadOrCreate(dir.resolve("ca"));
        ServerOptions so = new ServerOptions();
        so.tls = true; // self-signed for localhost, 127.0.0.1 and ::1
        upstream = TestServer.start(so);
        Path upstreamCert = dir.resolve("upstream.pem");
        Tls.writePem(upstream.server.identity().certificate(), upstreamCert);

        ProxyOptions po = new ProxyOptions();
        po.port = 0;
        po.interceptContext = ca::serverContext;
        po.upstreamCa = upstreamCert; // verified, with the host name, not --upstream-insecure
        proxy = new WsProxy(po, new SynchronizedSink(alarms.tee(recorder)));
        proxyPort = proxy.start().getPort();
    }

    @AfterEach
    void stop() {
        if (proxy != null) {
            proxy.close();
        }
        if (upstream != null) {
            upstream.close();
        }
    }

    /** Runs ws_connect_tunnel.js through the proxy to localhost:upstream with these messages. */
    private CaClientProcess.Result runNode(boolean trustCa, List<String> messages) {
        Peer.requireInstalled(Peer.Kind.NODE_WS);
        Map<String, String> env = new HashMap<>();
        env.put("NODE_PATH", Peer.repoRoot().resolve("test-peers/node/node_modules").toString());
        if (trustCa) {
            env.put("NODE_EXTRA_CA_CERTS", ca.certificatePath().toString());
        }
        List<String> cmd = new ArrayList<>(List.of("node", resource("/peers/ws_connect_tunnel.js").toString(),
                Integer.toString(proxyPort), "localhost:" + upstream.port(), "/x"));
        cmd.addAll(messages);
        return CaClientProcess.run(cmd, env);
    }

    private static Path resource(String name) {
        URL url = ProxyInterceptTest.class.getResource(name);
        assertThat(url).as("test resource " + name).isNotNull();
        try {
            return Path.of(url.toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private static List<JsonNode> events(CaClientProcess.Result r, String name) throws IOException {
        List<JsonNode> out = new ArrayList<>();
        for (String line : r.out().lines().filter(l -> !l.isBlank()).toList()) {
            JsonNode j = JSON.readTree(line);
            if (name.equals(j.path("event").asText())) {
                out.add(j);
            }
        }
        return out;
    }

    private static JsonNode single(CaClientProcess.Result r, String name) throws IOException {
        List<JsonNode> found = events(r, name);
        assertThat(found).as("one '%s' line from Node:\n%s", name, r.describe()).hasSize(1);
        return found.get(0);
    }

    @Test
    void nodeWsTrustingTheLocalCaIsDecryptedEndToEnd() throws Exception {
        List<String> sent = List.of("hello through an intercepted tunnel", "ünïcödé ✓ 🚀", Payloads.text(40_000), "bye");
        CaClientProcess.Result r = runNode(true, sent);
        assertThat(r.exit()).as(r.describe()).isZero();

        // Node verified the proxy's leaf against the CA it was told to trust, and got every echo
        assertThat(single(r, "connect").path("status").asInt()).isEqualTo(200);
        JsonNode tls = single(r, "tls");
        assertThat(tls.path("authorized").asBoolean()).as(r.describe()).isTrue();
        assertThat(tls.path("san").asText()).isEqualTo("DNS:localhost");
        assertThat(tls.path("issuer").asText()).startsWith("wsdebug local CA (");
        assertThat(events(r, "message")).extracting(m -> m.path("text").asText()).containsExactlyElementsOf(sent);
        JsonNode closed = single(r, "close");
        assertThat(closed.path("code").asInt()).isEqualTo(1000);

        // the proxy recorded the decrypted conversation
        String url = "wss://localhost:" + upstream.port() + "/x";
        HandshakeEvent h = recorder.await(HandshakeEvent.class, e -> true, WAIT_MILLIS);
        assertThat(h.url()).isEqualTo(url);
        assertThat(h.request().method()).isEqualTo("GET");
        assertThat(h.request().target()).isEqualTo("/x");
        assertThat(h.result().valid()).as(recorder.dump()).isTrue();
        assertThat(h.result().deflate()).as("Node ws offers permessage-deflate, the server takes it").isNotNull();
        assertThat(h.server()).isEqualTo("localhost:" + upstream.port());
        List<MessageEvent> c2s = recorder.awaitCount(MessageEvent.class, m -> m.dir() == Direction.C2S, sent.size(), WAIT_MILLIS);
        List<MessageEvent> s2c = recorder.awaitCount(MessageEvent.class, m -> m.dir() == Direction.S2C, sent.size(), WAIT_MILLIS);
        assertThat(c2s).extracting(m -> m.message().text()).containsExactlyElementsOf(sent);
        assertThat(s2c).extracting(m -> m.message().text()).containsExactlyElementsOf(sent);
        CloseEvent close = recorder.await(CloseEvent.class, c -> true, WAIT_MILLIS);
        assertThat(close.code()).isEqualTo(1000);
        assertThat(close.reason()).isEqualTo("node done");
        assertThat(close.initiator()).isEqualTo("client");
        assertThat(close.clean()).isTrue();
        assertThat(recorder.of(FrameEvent.class)).allSatisfy(f -> assertThat(f.frame().violations()).isEmpty());
        assertThat(recorder.of(ErrorEvent.class)).as(recorder.dump()).isEmpty();
        assertThat(recorder.handshakes()).hasSize(1);

        // and the echo server itself saw the same conversation, re-encrypted by the proxy
        HandshakeEvent atServer = upstream.recorder.await(HandshakeEvent.class, e -> true, WAIT_MILLIS);
        assertThat(atServer.url()).isEqualTo(url);
        assertThat(upstream.recorder.awaitCount(MessageEvent.class, m -> m.dir() == Direction.C2S, sent.size(), WAIT_MILLIS))
                .extracting(m -> m.message().text()).containsExactlyElementsOf(sent);
        alarms.assertNone("node ws through the intercepting proxy, at the proxy");
        upstream.alarms.assertNone("node ws through the intercepting proxy, at the server");
    }

    @Test
    void nodeWithoutTheCaRefusesTheLeafAndTheProxySaysWhy() throws Exception {
        CaClientProcess.Result r = runNode(false, List.of("never sent"));
        assertThat(r.exit()).as(r.describe()).isEqualTo(3);
        JsonNode error = single(r, "error");
        assertThat(error.path("stage").asText()).as(r.describe()).isEqualTo("tls");
        // the proxy presents leaf + CA: Node meets a root it does not know
        assertThat(error.path("code").asText()).isIn("SELF_SIGNED_CERT_IN_CHAIN", "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
                "UNABLE_TO_VERIFY_LEAF_SIGNATURE");
        assertThat(events(r, "open")).isEmpty();

        ErrorEvent e = recorder.await(ErrorEvent.class, x -> x.kind().equals("tls"), WAIT_MILLIS);
        assertThat(e.message()).contains("localhost").contains("wsdebug ca")
                // Node checks the certificate once TLS is up and hangs up without an alert
                .contains("closed the connection during the intercepted TLS handshake");
        // the client went away before any request: nothing was decoded or sent upstream
        assertThat(recorder.handshakes()).isEmpty();
        assertThat(recorder.of(MessageEvent.class)).isEmpty();
        assertThat(upstream.server.connections()).isZero();
        List<String> kinds = recorder.of(ErrorEvent.class).stream().map(ErrorEvent::kind).collect(Collectors.toList());
        Thread.sleep(500); // anything the proxy would report after the refusal
        assertThat(kinds).as("one report of the refused certificate:\n" + recorder.dump()).containsExactly("tls");
    }
}
