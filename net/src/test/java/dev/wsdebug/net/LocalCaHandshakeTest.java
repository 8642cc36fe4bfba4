package dev.wsdebug.net;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.wsdebug.net.tls.LocalCa;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.ssl.SniHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.util.Mapping;
import io.netty.util.ReferenceCountUtil;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Real TLS handshakes against a server presenting the local CA's leaves, chosen by SNI as the proxy
 * does: the JDK, Node and Python each trust only the CA and verify the host name.
 */
class LocalCaHandshakeTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int SO_TIMEOUT_MILLIS = 10_000;

    /** A Node TLS client: prints one JSON line (authorized, SAN, response) or its error. */
    private static final String NODE_CLIENT = String.join("\n",
            "const tls = require('tls');",
            "const port = Number(process.argv[1]), servername = process.argv[2];",
            "const out = (o) => process.stdout.write(JSON.stringify(o) + '\\n');",
            "const opts = {host: '127.0.0.1', port};",
            "if (servername) opts.servername = servername;",
            "const s = tls.connect(opts, () => {",
            "  const c = s.getPeerCertificate();",
            "  let body = '';",
            "  s.on('data', (d) => { body += d; });",
            "  s.on('end', () => { out({authorized: s.authorized, san: c.subjectaltname, issuer: c.issuer.CN, response: body});"
                    + " process.exit(0); });",
            "  s.write('GET / HTTP/1.1\\r\\nHost: ' + (servername || '127.0.0.1') + '\\r\\nConnection: close\\r\\n\\r\\n');",
            "});",
            "s.setTimeout(10000, () => { out({error: 'timeout'}); process.exit(4); });",
            "s.on('error', (e) => { out({error: e.code || String(e)}); process.exit(3); });");

    /** A Python TLS client with the verification Python 3.13 enables by default (X509 strict). */
    private static final String PYTHON_CLIENT = String.join("\n",
            "import json, socket, ssl, sys",
            "port, host, cafile = int(sys.argv[1]), sys.argv[2], sys.argv[3]",
            "ctx = ssl.create_default_context(cafile=cafile)",
            "ctx.verify_flags |= ssl.VERIFY_X509_STRICT",
            "try:",
            "    with socket.create_connection(('127.0.0.1', port), timeout=10) as raw:",
            "        with ctx.wrap_socket(raw, server_hostname=host) as s:",
            "            cert = s.getpeercert()",
            "            s.sendall(('GET / HTTP/1.1\\r\\nHost: %s\\r\\nConnection: close\\r\\n\\r\\n' % host).encode())",
            "            body = b''",
            "            while True:",
            "                chunk = s.recv(4096)",
            "                if not chunk:",
            "                    break",
            "                body += chunk",
            "    print(json.dumps({'san': [list(x) for x in cert['subjectAltName']],",
            "                      'response': body.decode()}))",
            "except ssl.SSLCertVerificationError as e:",
            "    print(json.dumps({'error': 'verify', 'message': e.verify_message}))",
            "    sys.exit(3)",
            "except Exception as e:",
            "    print(json.dumps({'error': type(e).__name__, 'message': str(e)}))",
            "    sys.exit(3)");

    private static EventLoopGroup group;
    private LocalCa ca;
    private Channel listener;
    private final Queue<String> sniSeen = new ConcurrentLinkedQueue<>();

    @BeforeAll
    static void startGroup() {
        group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    }

    @AfterAll
    static void stopGroup() {
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    @BeforeEach
    void makeCa(@TempDir Path dir) throws IOException {
        ca = LocalCa.loadOrCreate(dir.resolve("ca"));
    }

    @AfterEach
    void stopServer() {
        if (listener != null) {
            listener.close().syncUninterruptibly();
        }
    }

    /**
     * Starts a TLS server on 127.0.0.1 whose certificate is {@code ca.serverContext(certHost(sni))}
     * (SNI null when the client sent none); it answers any request with a small HTTP response
     * naming the SNI it saw, then closes.
     */
    private int serve(Function<String, String> certHost) throws InterruptedException {
        Mapping<String, SslContext> mapping = sni -> {
            sniSeen.add(String.valueOf(sni));
            return ca.serverContext(certHost.apply(sni));
        };
        listener = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new SniHandler(mapping), new ChannelInboundHandlerAdapter() {
                            private boolean answered;

                            @Override
                            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                                ReferenceCountUtil.release(msg);
                                if (answered) {
                                    return;
                                }
                                answered = true;
                                byte[] body = ("hello from wsdebug " + sniSeen.peek()).getBytes(StandardCharsets.UTF_8);
                                ByteBuf res = Unpooled.copiedBuffer(("HTTP/1.1 200 OK\r\nContent-Length: " + body.length
                                        + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII), body);
                                ctx.writeAndFlush(res).addListener(ChannelFutureListener.CLOSE);
                            }

                            @Override
                            public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                                ctx.close(); // clients that refuse the certificate end up here
                            }
                        });
                    }
                })
                .bind("127.0.0.1", 0).sync().channel();
        return ((InetSocketAddress) listener.localAddress()).getPort();
    }

    /** The usual server: the leaf for the SNI name, or for 127.0.0.1 when there is none (an IP). */
    private int serveBySni() throws InterruptedException {
        return serve(sni -> sni == null ? "127.0.0.1" : sni);
    }

    private static SSLContext trusting(X509Certificate anchor) throws Exception {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("wsdebug-ca", anchor);
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext ssl = SSLContext.getInstance("TLS");
        ssl.init(null, tmf.getTrustManagers(), null);
        return ssl;
    }

    /** What a JDK client trusting only {@code anchor} gets from 127.0.0.1:port, verifying {@code host}. */
    private record JdkResult(String response, X509Certificate peer, String protocol) {
    }

    private static JdkResult jdkGet(SSLContext ssl, int port, String host) throws Exception {
        return jdkGet(ssl, port, host, null);
    }

    private static JdkResult jdkGet(SSLContext ssl, int port, String host, String protocol) throws Exception {
        try (Socket raw = new Socket()) {
            raw.connect(new InetSocketAddress("127.0.0.1", port), SO_TIMEOUT_MILLIS);
            raw.setSoTimeout(SO_TIMEOUT_MILLIS);
            try (SSLSocket s = (SSLSocket) ssl.getSocketFactory().createSocket(raw, host, port, true)) {
                SSLParameters p = s.getSSLParameters();
                p.setEndpointIdentificationAlgorithm("HTTPS"); // host-name verification, as HttpClient does
                if (!host.matches("[0-9.]+")) {
                    p.setServerNames(List.of(new SNIHostName(host)));
                }
                if (protocol != null) {
                    p.setProtocols(new String[] {protocol});
                }
                s.setSSLParameters(p);
                s.startHandshake();
                s.getOutputStream().write(("GET / HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
                s.getOutputStream().flush();
                InputStream in = s.getInputStream();
                String response = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                return new JdkResult(response, (X509Certificate) s.getSession().getPeerCertificates()[0],
                        s.getSession().getProtocol());
            }
        }
    }

    @Test
    void jdkClientTrustingOnlyTheCaVerifiesNamesAndAddresses() throws Exception {
        int port = serveBySni();
        SSLContext ssl = trusting(ca.certificate());

        JdkResult byName = jdkGet(ssl, port, "localhost");
        assertThat(byName.response()).startsWith("HTTP/1.1 200 OK").endsWith("hello from wsdebug localhost");
        assertThat(byName.peer()).isSameAs(ca.leafFor("localhost").certificate());
        assertThat(byName.protocol()).isIn("TLSv1.3", "TLSv1.2");

        JdkResult tls12 = jdkGet(ssl, port, "localhost", "TLSv1.2");
        assertThat(tls12.protocol()).isEqualTo("TLSv1.2");
        assertThat(tls12.response()).endsWith("hello from wsdebug localhost");

        sniSeen.clear();
        JdkResult byAddress = jdkGet(ssl, port, "127.0.0.1");
        assertThat(byAddress.response()).endsWith("hello from wsdebug null"); // no SNI for an IP literal
        assertThat(byAddress.peer().getSubjectAlternativeNames()).containsExactly(List.of(7, "127.0.0.1"));
    }

    @Test
    void jdkClientRefusesAnotherCaAndAWrongName(@TempDir Path other) throws Exception {
        int port = serve(sni -> "localhost");
        SSLContext stranger = trusting(LocalCa.loadOrCreate(other).certificate());
        assertThatThrownBy(() -> jdkGet(stranger, port, "localhost")).isInstanceOf(SSLHandshakeException.class)
                .hasMessageContaining("PKIX path");
        // the certificate names localhost, the client asked for 127.0.0.1
        SSLContext trusted = trusting(ca.certificate());
        assertThatThrownBy(() -> jdkGet(trusted, port, "127.0.0.1")).isInstanceOf(SSLHandshakeException.class)
                .hasMessageContaining("127.0.0.1");
    }

    private static JsonNode lastJson(CaClientProcess.Result r) throws IOException {
        List<String> lines = r.out().lines().filter(l -> !l.isBlank()).toList();
        assertThat(lines).as(r.describe()).isNotEmpty();
        return JSON.readTree(lines.get(lines.size() - 1));
    }

    @Test
    void nodeTrustsTheCaThroughNodeExtraCaCerts() throws Exception {
        CaClientProcess.requireNode();
        int port = serveBySni();
        Map<String, String> env = Map.of("NODE_EXTRA_CA_CERTS", ca.certificatePath().toString());

        CaClientProcess.Result r = CaClientProcess.run(List.of("node", "-e", NODE_CLIENT, Integer.toString(port), "localhost"), env);
        assertThat(r.exit()).as(r.describe()).isZero();
        JsonNode j = lastJson(r);
        assertThat(j.path("authorized").asBoolean()).as(r.describe()).isTrue();
        assertThat(j.path("san").asText()).isEqualTo("DNS:localhost");
        assertThat(j.path("issuer").asText()).startsWith("wsdebug local CA (");
        assertThat(j.path("response").asText()).endsWith("hello from wsdebug localhost");
        assertThat(sniSeen).contains("localhost");

        // without the variable Node's bundled roots do not know the CA
        CaClientProcess.Result refused = CaClientProcess.run(
                List.of("node", "-e", NODE_CLIENT, Integer.toString(port), "localhost"), Map.of());
        assertThat(refused.exit()).as(refused.describe()).isEqualTo(3);
        assertThat(lastJson(refused).path("error").asText()).isIn("UNABLE_TO_VERIFY_LEAF_SIGNATURE",
                "UNABLE_TO_GET_ISSUER_CERT_LOCALLY", "SELF_SIGNED_CERT_IN_CHAIN");
    }

    @Test
    void nodeVerifiesTheAddressOfAnIpLeaf() throws Exception {
        CaClientProcess.requireNode();
        int port = serveBySni();
        Map<String, String> env = Map.of("NODE_EXTRA_CA_CERTS", ca.certificatePath().toString());
        CaClientProcess.Result r = CaClientProcess.run(List.of("node", "-e", NODE_CLIENT, Integer.toString(port)), env);
        assertThat(r.exit()).as(r.describe()).isZero();
        JsonNode j = lastJson(r);
        assertThat(j.path("authorized").asBoolean()).isTrue();
        assertThat(j.path("san").asText()).isEqualTo("IP Address:127.0.0.1");
    }

    @Test
    void pythonTrustsTheCaAsCafileUnderStrictChecks() throws Exception {
        CaClientProcess.requirePython();
        int port = serveBySni();
        String cafile = ca.certificatePath().toString();

        for (String host : List.of("localhost", "127.0.0.1")) {
            CaClientProcess.Result r = CaClientProcess.run(
                    List.of(CaClientProcess.PYTHON, "-c", PYTHON_CLIENT, Integer.toString(port), host, cafile), Map.of());
            assertThat(r.exit()).as(r.describe()).isZero();
            JsonNode j = lastJson(r);
            JsonNode san = j.path("san").get(0);
            assertThat(san.get(0).asText() + ":" + san.get(1).asText())
                    .isEqualTo(host.equals("localhost") ? "DNS:localhost" : "IP Address:127.0.0.1");
            assertThat(j.path("response").asText()).startsWith("HTTP/1.1 200 OK");
        }

        // a CA file holding another CA: verification fails
        Path otherCa = ca.dir().resolveSibling("other-ca");
        String strangerFile = LocalCa.loadOrCreate(otherCa).certificatePath().toString();
        CaClientProcess.Result refused = CaClientProcess.run(
                List.of(CaClientProcess.PYTHON, "-c", PYTHON_CLIENT, Integer.toString(port), "localhost", strangerFile), Map.of());
        assertThat(refused.exit()).as(refused.describe()).isEqualTo(3);
        assertThat(lastJson(refused).path("error").asText()).isEqualTo("verify");
    }
}
