package dev.wsdebug.net;

import com.fasterxml.jackson.databind.JsonNode;
import dev.wsdebug.capture.CloseEvent;
import dev.wsdebug.capture.HandshakeEvent;
import dev.wsdebug.capture.peer.Peer;
import dev.wsdebug.net.server.ServerOptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code wsdebug serve --tls} with its self-signed certificate, to clients that trust exactly that certificate. */
class ServeTlsTest {
    private static final long WAIT_MILLIS = 5_000;
    private TestServer server;
    private Path pem;

    @BeforeEach
    void start(@TempDir Path dir) throws Exception {
        ServerOptions opts = new ServerOptions();
        opts.tls = true;
        server = TestServer.start(opts);
        assertThat(server.server.identity()).as("--tls without --cert generates an identity").isNotNull();
        pem = dir.resolve("serve-cert.pem");
        Files.writeString(pem, server.server.identity().certificatePem());
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void pythonClientTrustingThePemEchoesOverWss() throws Exception {
        assertThat(server.url("/secure")).startsWith("wss://");
        PeerClient.Plan plan = new PeerClient.Plan()
                .sendText("over tls ✓").recv()
                .sendBinary(70_000).recv()
                .close(1000, "");
        PeerClient.Result r = PeerClient.run(Peer.Kind.PYTHON_WEBSOCKETS, server.url("/secure"), plan,
                "--cafile", pem.toString());

        assertThat(r.all("open")).as(r.describe()).hasSize(1);
        assertThat(r.messages()).extracting(m -> m.path("sha256").asText()).containsExactly(
                Payloads.sha256(Payloads.utf8("over tls ✓")), Payloads.sha256(Payloads.binary(70_000)));
        HandshakeEvent hs = server.recorder.handshake();
        assertThat(hs.url()).startsWith("wss://").isEqualTo(server.url("/secure"));
        assertThat(server.recorder.await(CloseEvent.class, c -> true, WAIT_MILLIS).clean()).isTrue();
        server.alarms.assertNone("python websockets over wss");
    }

    @Test
    void nodeClientTrustingThePemEchoesOverWss() {
        PeerClient.Plan plan = new PeerClient.Plan().sendText("node over tls").recv().close(1000, "");
        PeerClient.Result r = PeerClient.run(Peer.Kind.NODE_WS, server.url("/n"), plan, "--cafile", pem.toString());

        assertThat(r.messages()).as(r.describe()).extracting(m -> m.path("text").asText()).containsExactly("node over tls");
        assertThat(server.recorder.handshake().url()).startsWith("wss://");
        server.alarms.assertNone("node ws over wss");
    }

    @Test
    void knobsWorkOverTlsToo() throws Exception {
        server.close();
        ServerOptions opts = new ServerOptions();
        opts.tls = true;
        opts.closeAfter = 1;
        opts.closeCode = 4000;
        opts.closeReason = "tls bye";
        opts.fragment = 4;
        server = TestServer.start(opts);
        Files.writeString(pem, server.server.identity().certificatePem());
        PeerClient.Result r = PeerClient.run(Peer.Kind.PYTHON_WEBSOCKETS, server.url("/"),
                new PeerClient.Plan().sendText("fragmented over tls").recv().waitClosed(3), "--cafile", pem.toString());

        assertThat(r.messages()).as(r.describe()).extracting(m -> m.path("text").asText())
                .containsExactly("fragmented over tls");
        assertThat(r.single("closed").path("code").asInt()).isEqualTo(4000);
        assertThat(r.single("closed").path("reason").asText()).isEqualTo("tls bye");
        assertThat(server.recorder.messages(dev.wsdebug.wire.Direction.S2C)).singleElement()
                .satisfies(m -> assertThat(m.message().frames()).isGreaterThan(1));
    }

    @Test
    void dropAfterOverTlsStillDeliversTheLastEcho() throws Exception {
        server.close();
        ServerOptions opts = new ServerOptions();
        opts.tls = true;
        opts.dropAfter = 1;
        server = TestServer.start(opts);
        Files.writeString(pem, server.server.identity().certificatePem());
        PeerClient.Result r = PeerClient.run(Peer.Kind.PYTHON_WEBSOCKETS, server.url("/"),
                new PeerClient.Plan().sendText("last words").recv().waitClosed(3), "--cafile", pem.toString());

        assertThat(r.messages()).as(r.describe()).extracting(m -> m.path("text").asText()).containsExactly("last words");
        assertThat(r.single("closed").path("code").asInt()).isEqualTo(1006);
    }

    @Test
    void aClientThatDoesNotTrustTheCertificateCannotConnect() throws Exception {
        // the system trust store does not know the self-signed certificate: verification is real
        PeerClient.Result r = PeerClient.run(Peer.Kind.PYTHON_WEBSOCKETS, server.url("/"),
                new PeerClient.Plan().sendText("x").recv());
        JsonNode error = r.single("connect_error");
        assertThat(error.path("error").asText() + " " + error.path("message").asText()).as(r.describe())
                .containsIgnoringCase("certificate");
        assertThat(server.recorder.handshakes()).isEmpty();

        // and the server still serves the next client
        PeerClient.Result ok = PeerClient.run(Peer.Kind.PYTHON_WEBSOCKETS, server.url("/"),
                new PeerClient.Plan().sendText("after").recv().close(1000, ""), "--cafile", pem.toString());
        assertThat(ok.messages()).as(ok.describe()).extracting(m -> m.path("text").asText()).containsExactly("after");
    }

    @Test
    void jdkClientWithATrustStoreHoldingTheCertificateEchoesOverWss() throws Exception {
        KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
        trust.load(null, null);
        trust.setCertificateEntry("wsdebug-serve", server.server.identity().certificate());
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext ssl = SSLContext.getInstance("TLS");
        ssl.init(null, tmf.getTrustManagers(), null);
        HttpClient http = HttpClient.newBuilder().sslContext(ssl).build();

        try (JdkPeer c = JdkPeer.connect(http, server.url("/jdk-tls"))) {
            c.sendText("jdk over tls", true);
            assertThat(c.next(JdkPeer.Text.class).text()).isEqualTo("jdk over tls");
            byte[] big = Payloads.binary(200_000);
            c.sendBinary(big, true);
            assertThat(Payloads.sha256(c.next(JdkPeer.Binary.class).data())).isEqualTo(Payloads.sha256(big));
            c.sendClose(1000, "");
            assertThat(c.next(JdkPeer.Closed.class).code()).isEqualTo(1000);
        }
        HandshakeEvent hs = server.recorder.handshake();
        assertThat(hs.url()).isEqualTo(server.url("/jdk-tls")).startsWith("wss://");
        assertThat(server.recorder.messages(dev.wsdebug.wire.Direction.S2C)).hasSize(2);
        List<CloseEvent> closes = server.recorder.awaitCloses(1, WAIT_MILLIS);
        assertThat(closes.get(0).code()).isEqualTo(1000);
        server.alarms.assertNone("JDK HttpClient over wss");
    }
}
