package dev.wsdebug.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.wsdebug.capture.peer.Peer;
import dev.wsdebug.net.tls.Tls;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static dev.wsdebug.cli.ConnectSupport.events;
import static dev.wsdebug.cli.ConnectSupport.explain;
import static dev.wsdebug.cli.ConnectSupport.jsonLines;
import static dev.wsdebug.cli.ConnectSupport.messages;
import static dev.wsdebug.cli.ConnectSupport.oneSentence;
import static dev.wsdebug.cli.ConnectSupport.texts;
import static dev.wsdebug.cli.ConnectSupport.url;
import static dev.wsdebug.cli.ConnectSupport.wsdebug;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * `wsdebug connect wss://...` against python websockets and Node ws serving TLS with a
 * self-signed certificate made for the test: trusted with --ca, refused without it, accepted with
 * -k; and wss:// aimed at a plain port.
 */
@org.junit.jupiter.api.Tag("packaged-jar")
class ConnectTlsIT {
    @TempDir
    static Path dir;
    private static Path certPem;
    private static Path keyPem;

    @BeforeAll
    static void certificate() throws Exception {
        Tls.Identity id = Tls.selfSigned();
        certPem = dir.resolve("cert.pem");
        keyPem = dir.resolve("key.pem");
        Files.writeString(certPem, id.certificatePem());
        // PKCS#8, which both Python's ssl module and Node's tls read
        String b64 = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(id.key().getEncoded());
        Files.writeString(keyPem, "-----BEGIN PRIVATE KEY-----\n" + b64 + "\n-----END PRIVATE KEY-----\n");
    }

    private static Peer tlsPeer(Peer.Kind kind) {
        return Peer.start(kind, "--tls-cert", certPem.toString(), "--tls-key", keyPem.toString());
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Peer.Kind.class)
    void caFileMakesTheSelfSignedCertificateTrusted(Peer.Kind kind) throws Exception {
        try (Peer peer = tlsPeer(kind)) {
            String url = "wss://localhost:" + peer.port();
            WsdebugProcess.Result r = wsdebug("connect", url, "--ca", certPem.toString(), "--json",
                    "-x", "over tls", "-x", "wsdebug:close 1000 bye", "-w", "-1");
            String why = explain(r, peer);
            assertThat(r.exit()).as(why).isZero();
            assertThat(r.err()).as(why).isEmpty();
            List<JsonNode> all = jsonLines(r.out());
            assertThat(events(all, "handshake").get(0).get("url").asText()).isEqualTo(url + "/");
            assertThat(texts(messages(all, "s2c"))).as(why).containsExactly("over tls");
            assertThat(events(all, "close").get(0).get("clean").asBoolean()).isTrue();
        }
    }

    @Test
    void withoutCaTheCertificateIsNotTrustedAndTheCloseIs1015() throws Exception {
        try (Peer peer = tlsPeer(Peer.Kind.PYTHON_WEBSOCKETS)) {
            WsdebugProcess.Result r = wsdebug("connect", "wss://localhost:" + peer.port(), "--json", "-x", "never sent");
            String why = explain(r, peer);
            assertThat(r.exit()).as(why).isEqualTo(1);
            assertThat(oneSentence(r)).contains("The TLS handshake with localhost:" + peer.port() + " failed")
                    .contains("the server's certificate is not trusted").contains("--ca FILE").contains("--insecure");
            List<JsonNode> all = jsonLines(r.out());
            assertThat(events(all, "error")).singleElement()
                    .satisfies(e -> assertThat(e.get("kind").asText()).isEqualTo("tls"));
            assertThat(events(all, "close")).singleElement().satisfies(c -> {
                assertThat(c.get("code").asInt()).isEqualTo(1015);
                assertThat(c.get("name").asText()).isEqualTo("TLS Handshake");
                assertThat(c.get("onWire").asBoolean()).isFalse();
            });
            assertThat(events(all, "handshake")).as("no upgrade request went out").isEmpty();
            assertThat(events(all, "message")).isEmpty();
        }
    }

    @Test
    void insecureSkipsVerificationAndTheConnectionEndsWithTheServersTls() throws Exception {
        try (Peer peer = tlsPeer(Peer.Kind.PYTHON_WEBSOCKETS)) {
            WsdebugProcess.Result r = wsdebug("connect", "wss://127.0.0.1:" + peer.port(), "-k",
                    "-x", "anyway", "-x", "wsdebug:close 1000 bye", "-w", "-1");
            String why = explain(r, peer);
            assertThat(r.exit()).as(why).isZero();
            assertThat(r.out()).as(why).containsPattern("<- text 6 B \\(deflated \\d+ B\\): \"anyway\"")
                    .contains("closed:   1000 Normal Closure, initiated by the server (clean)");
            // After the close handshake python sends TLS close_notify and waits for ours before it
            // closes TCP: the client must answer it at once, not sit out its 5 s close timeout.
            Matcher uptime = Pattern.compile("uptime: +(\\d+\\.\\d+) s").matcher(r.out());
            assertThat(uptime.find()).as(why).isTrue();
            assertThat(Double.parseDouble(uptime.group(1))).as(why).isLessThan(4.0);
        }
    }

    @Test
    void wssToAPlainPortSaysSoWithoutADumpOfTheReply() throws Exception {
        try (Peer peer = Peer.start(Peer.Kind.PYTHON_WEBSOCKETS)) {
            // python answers the ClientHello with a plain-text HTTP 400
            WsdebugProcess.Result r = wsdebug("connect", "wss://127.0.0.1:" + peer.port());
            assertThat(r.exit()).as(explain(r, peer)).isEqualTo(1);
            assertThat(oneSentence(r)).contains("The TLS handshake with 127.0.0.1:" + peer.port() + " failed")
                    .contains("does it speak TLS on this port? (try ws://)")
                    .doesNotContain("not an SSL/TLS record")
                    .doesNotContainPattern("[0-9a-f]{32}")
                    .doesNotContain("--ca");
            assertThat(r.out()).contains("closed 1015 TLS Handshake");
        }
    }
}
