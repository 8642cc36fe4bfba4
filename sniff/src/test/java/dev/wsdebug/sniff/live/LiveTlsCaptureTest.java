package dev.wsdebug.sniff.live;

import dev.wsdebug.capture.FrameEvent;
import dev.wsdebug.capture.HandshakeEvent;
import dev.wsdebug.capture.MessageEvent;
import dev.wsdebug.sniff.tls.KeyLog;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * wss:// between real peers, every AEAD suite of TLS 1.2 and 1.3 forced in turn, recorded by dumpcap
 * and decrypted with the key logs the peers wrote (python: SSLContext.keylog_filename; node:
 * --tls-keylog): the decrypted frames and messages are what the peers sent and received, and agree
 * with tshark given the same key log. The same capture with its secrets injected by
 * {@code editcap --inject-secrets} decrypts the same without a key log.
 *
 * <p>One capture per server (python websockets with an RSA certificate, Node ws with a P-256 one
 * and P-384 as its only key exchange group, so that every TLS 1.3 handshake has a HelloRetryRequest),
 * six client connections each: TLS 1.3 with AES-128-GCM, AES-256-GCM and ChaCha20-Poly1305, TLS 1.2
 * with ECDHE and AES-128-GCM, AES-256-GCM and ChaCha20-Poly1305. Python cannot pick TLS 1.3 suites
 * (SSLContext.set_ciphers is for TLS 1.2 and below), so its clients get an OPENSSL_CONF whose
 * system_default section sets Ciphersuites.
 */
@Tag("live-capture")
class LiveTlsCaptureTest {

    /** A suite to force: its TLS version, its OpenSSL name, the name our TLS summary gives it. */
    record Suite(String version, String openssl, String iana) {
        boolean tls13() {
            return version.equals("1.3");
        }
    }

    static final List<Suite> TLS13 = List.of(
            new Suite("1.3", "TLS_AES_128_GCM_SHA256", "TLS_AES_128_GCM_SHA256"),
            new Suite("1.3", "TLS_AES_256_GCM_SHA384", "TLS_AES_256_GCM_SHA384"),
            new Suite("1.3", "TLS_CHACHA20_POLY1305_SHA256", "TLS_CHACHA20_POLY1305_SHA256"));

    static List<Suite> suites(String auth) {
        List<Suite> out = new ArrayList<>(TLS13);
        out.add(new Suite("1.2", "ECDHE-" + auth + "-AES128-GCM-SHA256", "TLS_ECDHE_" + auth + "_WITH_AES_128_GCM_SHA256"));
        out.add(new Suite("1.2", "ECDHE-" + auth + "-AES256-GCM-SHA384", "TLS_ECDHE_" + auth + "_WITH_AES_256_GCM_SHA384"));
        out.add(new Suite("1.2", "ECDHE-" + auth + "-CHACHA20-POLY1305", "TLS_ECDHE_" + auth + "_WITH_CHACHA20_POLY1305_SHA256"));
        return out;
    }

    @TempDir
    static Path dir;
    private static Path[] rsa;
    private static Path[] ec;
    /** The capture of the python server with node clients, made once (two tests read it). */
    private static Recorded pythonServer;

    record Recorded(Path pcap, Path serverKeys, List<Path> clientKeys, List<Suite> suites, List<Plan> plans,
                    List<PeerLog> clients, List<PeerLog> servers, LivePeer client, LivePeer server) {
    }

    @BeforeAll
    static void certificates() throws Exception {
        rsa = Live.selfSigned(dir, "rsa");
        ec = Live.selfSigned(dir, "ec");
    }

    /** A few messages (40 kB: several TLS records); with ChaCha20 also 1 MiB of random bytes each way. */
    private static Plan plan(LivePeer client, LivePeer server, Suite s) {
        Plan p = new Plan(client, server).text("over " + s.openssl()).sized("binary", 40_000, true);
        if (s.openssl().contains("CHACHA20")) {
            p.sized("binary", 1 << 20, true);
        }
        return p.text("hello again").ping("7777").clientClose(4001, "tls bye");
    }

    /** Python server (RSA), one node client per suite. */
    private static synchronized Recorded pythonServer() throws Exception {
        if (pythonServer == null) {
            Path sub = Files.createDirectory(dir.resolve("python-server"));
            Path pcap = sub.resolve("tls.pcapng");
            Path serverKeys = sub.resolve("server.keys");
            List<Suite> suites = suites("RSA");
            List<Path> clientKeys = new ArrayList<>();
            List<Plan> plans = new ArrayList<>();
            List<PeerLog> clients = new ArrayList<>();
            List<PeerLog> servers = new ArrayList<>();
            try (LivePeer.Server srv = LivePeer.PYTHON.server(List.of(), Map.of(), "--tls-cert", rsa[0].toString(),
                    "--tls-key", rsa[1].toString(), "--keylog", serverKeys.toString())) {
                try (Dumpcap cap = Dumpcap.start(pcap, "tcp port " + srv.port())) {
                    for (int i = 0; i < suites.size(); i++) {
                        Suite s = suites.get(i);
                        Plan plan = plan(LivePeer.NODE, LivePeer.PYTHON, s);
                        Path keys = sub.resolve("client" + i + ".keys");
                        List<String> out = LivePeer.NODE.client(List.of("--tls-keylog=" + keys), Map.of(),
                                "wss://127.0.0.1:" + srv.port() + "/tls", plan.json(), "--insecure",
                                "--tls-version", s.version(), "--ciphers", s.openssl());
                        clientKeys.add(keys);
                        plans.add(plan);
                        clients.add(PeerLog.of(out, 0));
                        servers.add(srv.closedLog(i));
                    }
                    cap.stop();
                }
            }
            pythonServer = new Recorded(pcap, serverKeys, clientKeys, suites, plans, clients, servers,
                    LivePeer.NODE, LivePeer.PYTHON);
        }
        return pythonServer;
    }

    @Test
    @Timeout(120)
    void pythonServerNodeClientsEverySuite() throws Exception {
        check(pythonServer());
    }

    @Test
    @Timeout(120)
    void nodeServerPythonClientsEverySuite() throws Exception {
        Path sub = Files.createDirectory(dir.resolve("node-server"));
        Path pcap = sub.resolve("tls.pcapng");
        Path serverKeys = sub.resolve("server.keys");
        List<Suite> suites = suites("ECDSA");
        List<Path> clientKeys = new ArrayList<>();
        List<Plan> plans = new ArrayList<>();
        List<PeerLog> clients = new ArrayList<>();
        List<PeerLog> servers = new ArrayList<>();
        // the server's only group is P-384: python's TLS 1.3 clients offer an X25519 key share first, so
        // each of their handshakes goes through a HelloRetryRequest (and TLS 1.2 uses ECDHE on P-384)
        try (LivePeer.Server srv = LivePeer.NODE.server(List.of("--tls-keylog=" + serverKeys), Map.of(),
                "--tls-cert", ec[0].toString(), "--tls-key", ec[1].toString(), "--groups", "P-384")) {
            try (Dumpcap cap = Dumpcap.start(pcap, "tcp port " + srv.port())) {
                for (int i = 0; i < suites.size(); i++) {
                    Suite s = suites.get(i);
                    Plan plan = plan(LivePeer.PYTHON, LivePeer.NODE, s);
                    Path keys = sub.resolve("client" + i + ".keys");
                    List<String> options = new ArrayList<>(List.of("--insecure", "--tls-version", s.version(),
                            "--keylog", keys.toString()));
                    Map<String, String> env = Map.of();
                    if (s.tls13()) {
                        env = Map.of("OPENSSL_CONF", openSslConf(sub, s.openssl()).toString());
                    } else {
                        options.addAll(List.of("--ciphers", s.openssl()));
                    }
                    List<String> out = LivePeer.PYTHON.client(List.of(), env, "wss://127.0.0.1:" + srv.port() + "/tls",
                            plan.json(), options.toArray(String[]::new));
                    clientKeys.add(keys);
                    plans.add(plan);
                    clients.add(PeerLog.of(out, 0));
                    servers.add(srv.closedLog(i));
                }
                cap.stop();
            }
        }
        check(new Recorded(pcap, serverKeys, clientKeys, suites, plans, clients, servers, LivePeer.PYTHON, LivePeer.NODE));
        // two ClientHellos (one after the HelloRetryRequest) in each TLS 1.3 connection, one in each TLS 1.2 one
        List<String> hellos = TsharkWs.run(sub, List.of(Live.tool("tshark"), "-n", "-r", pcap.toString(), "-Y",
                "tls.handshake.type == 1", "-T", "fields", "-e", "tcp.stream"));
        for (int i = 0; i < suites.size(); i++) {
            String stream = Integer.toString(i);
            assertThat(hellos.stream().filter(stream::equals).count()).as("ClientHellos of connection " + (i + 1))
                    .isEqualTo(suites.get(i).tls13() ? 2 : 1);
        }
    }

    /** An OpenSSL configuration whose only TLS 1.3 suite is this one (for python's ssl). */
    private static Path openSslConf(Path dir, String suite) throws Exception {
        Path f = dir.resolve("openssl-" + suite + ".cnf");
        Files.writeString(f, String.join("\n", "openssl_conf = openssl_init", "[openssl_init]", "ssl_conf = ssl_sect",
                "[ssl_sect]", "system_default = system_default_sect", "[system_default_sect]",
                "Ciphersuites = " + suite, ""));
        return f;
    }

    private static void check(Recorded r) throws Exception {
        LiveDecoded d = LiveDecoded.of(r.pcap(), KeyLog.read(r.serverKeys()));
        SessionCheck.noErrors(d);
        assertThat(d.summary().webSockets()).as(d.summary().toString()).isEqualTo(r.suites().size());
        for (int i = 0; i < r.suites().size(); i++) {
            Suite s = r.suites().get(i);
            String conn = Integer.toString(i + 1);
            // the peers did use what was forced
            assertThat(r.clients().get(i).tls().path("version").asText()).as(r.client() + " client " + i)
                    .isEqualTo("TLSv" + s.version());
            assertThat(r.servers().get(i).tls().path("version").asText()).as(r.server() + " server " + i)
                    .isEqualTo("TLSv" + s.version());
            HandshakeEvent h = d.of(HandshakeEvent.class, conn).get(0);
            assertThat(h.tls()).as("connection " + conn + ": TLS summary").isNotNull();
            assertThat(h.tls().version()).as("connection " + conn + ": version").isEqualTo("TLS " + s.version());
            assertThat(h.tls().cipherSuite()).as("connection " + conn + ": suite").isEqualTo(s.iana());
            assertThat(h.url()).isEqualTo("wss://127.0.0.1:" + h.server().substring(h.server().indexOf(':') + 1) + "/tls");
            SessionCheck.againstPeers(d, conn, r.plans().get(i), r.clients().get(i), r.servers().get(i));
        }
        List<TsharkWs.Frame> tshark = TsharkWs.frames(r.pcap(), TsharkWs.keylog(r.serverKeys()));
        tsharkMisreadsOnlyAfterBigMaskedMessages(SessionCheck.againstTshark(d, tshark, null));

        // the clients' key logs decrypt the same
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        for (Path k : r.clientKeys()) {
            all.writeBytes(Files.readAllBytes(k));
        }
        LiveDecoded byClientKeys = LiveDecoded.of(r.pcap(), KeyLog.parse(all.toByteArray()));
        assertThat(summary(byClientKeys)).as("decrypted with the clients' key logs").isEqualTo(summary(d));
    }

    /** Secrets injected into the pcapng (Decryption Secrets Block) decrypt without --keylog. */
    @Test
    @Timeout(120)
    void secretsInjectedWithEditcapDecryptWithoutAKeyLog() throws Exception {
        Recorded r = pythonServer();
        Path injected = r.pcap().resolveSibling("injected.pcapng");
        try (LiveProcess p = LiveProcess.start("editcap", List.of(Live.tool("editcap"), "--inject-secrets",
                "tls," + r.serverKeys(), r.pcap().toString(), injected.toString()), Map.of())) {
            assertThat(p.waitFor(30_000)).as(p.describe()).isZero();
        }
        LiveDecoded withKeyLog = LiveDecoded.of(r.pcap(), KeyLog.read(r.serverKeys()));
        LiveDecoded plain = LiveDecoded.of(injected);
        SessionCheck.noErrors(plain);
        assertThat(plain.of(FrameEvent.class)).as("frames decrypted with the secrets of the file").isNotEmpty();
        assertThat(summary(plain)).isEqualTo(summary(withKeyLog));
        // tshark reads the same secrets from the file
        tsharkMisreadsOnlyAfterBigMaskedMessages(SessionCheck.againstTshark(plain, TsharkWs.frames(injected, List.of()), null));
        // and without them neither decrypts anything
        assertThat(LiveDecoded.of(r.pcap()).of(FrameEvent.class)).as("no key log, no secrets in the file").isEmpty();
    }

    /**
     * tshark gets wrong only the client's compressed text after the 1 MiB message of the ChaCha20
     * connections (it unmasks 256 KiB of a masked payload, so its inflater misses the rest: see
     * SessionCheck.againstTshark); our text there is the client's, checked against the peers. Now
     * and then tshark shows nothing of the client's side from that 1 MiB message on (see
     * SessionCheck.withoutTailsTsharkLost).
     */
    private static void tsharkMisreadsOnlyAfterBigMaskedMessages(List<String> wrong) {
        assertThat(wrong).as("texts tshark gets wrong").allSatisfy(w -> assertThat(w)
                .containsAnyOf(" C2S: ours \"hello again\"", " C2S: tshark lost "));
    }

    /** Per frame: connection, direction, seq, opcode, FIN, length, packets; per message: its key. */
    static List<String> summary(LiveDecoded d) {
        List<String> out = new ArrayList<>();
        for (var e : d.events()) {
            if (e instanceof FrameEvent f) {
                out.add(f.conn() + " " + f.dir() + " " + f.seq() + " op" + f.frame().opcode() + " fin=" + f.frame().fin()
                        + " len=" + f.frame().payloadLength() + " packets=" + Arrays.toString(f.packets()));
            } else if (e instanceof MessageEvent m) {
                out.add(m.conn() + " " + m.dir() + " " + m.seq() + " " + SessionCheck.key(m.message()));
            }
        }
        return out;
    }

    /**
     * A TLS 1.3 session whose keys change mid-way: openssl s_client (typing "K" sends a KeyUpdate
     * that requests the peer's, "k" one that does not) carries a WebSocket upgrade and masked frames
     * written by hand to the python server. Every message after each KeyUpdate still decrypts
     * (application_traffic_secret_N+1 derived from the key log's _0), as tshark agrees.
     */
    @Test
    @Timeout(60)
    void keyUpdateMidSession() throws Exception {
        Path sub = Files.createDirectory(dir.resolve("key-update"));
        Path pcap = sub.resolve("ku.pcapng");
        Path keys = sub.resolve("client.keys");
        List<String> texts = List.of("before any key update", "after a KeyUpdate that requests the server's",
                "after a KeyUpdate that does not");
        PeerLog server;
        try (LivePeer.Server srv = LivePeer.PYTHON.server(List.of(), Map.of(), "--tls-cert", rsa[0].toString(),
                "--tls-key", rsa[1].toString(), "--deflate", "off")) {
            try (Dumpcap cap = Dumpcap.start(pcap, "tcp port " + srv.port())) {
                try (LiveProcess sc = LiveProcess.start("openssl s_client", List.of(Live.tool("openssl"), "s_client",
                        "-connect", "127.0.0.1:" + srv.port(), "-servername", "localhost", "-tls1_3",
                        "-keylogfile", keys.toString()), Map.of())) {
                    sc.awaitLine(l -> l.startsWith("Verify return code"), 10_000);
                    sc.write(("GET /ku HTTP/1.1\r\nHost: 127.0.0.1:" + srv.port() + "\r\nUpgrade: websocket\r\n"
                            + "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                            + "Sec-WebSocket-Version: 13\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                    sc.awaitLine(l -> l.startsWith("HTTP/1.1 101"), 10_000);
                    String[] commands = {null, "K\n", "k\n"};
                    for (int i = 0; i < texts.size(); i++) {
                        if (commands[i] != null) {
                            int before = count(sc.stderr(), "KEYUPDATE");
                            sc.write(commands[i].getBytes(StandardCharsets.US_ASCII));
                            sc.awaitErrLine(l -> count(sc.stderr(), "KEYUPDATE") > before, 10_000);
                        }
                        String text = texts.get(i);
                        sc.write(maskedFrame(1, text.getBytes(StandardCharsets.UTF_8)));
                        srv.process().awaitLine(l -> l.contains("\"sent\"") && l.contains(text), 10_000);
                    }
                    byte[] close = {0x03, (byte) 0xE8, 'd', 'o', 'n', 'e'};
                    sc.write(maskedFrame(8, close));
                    server = srv.closedLog(0);
                    sc.closeStdin();
                    sc.waitFor(10_000);
                    // the echoes came back through s_client (raw frames on its stdout)
                    String echoed = String.join("\n", sc.lines());
                    assertThat(texts).allSatisfy(t -> assertThat(echoed).contains(t));
                }
                cap.stop();
            }
        }
        LiveDecoded d = LiveDecoded.of(pcap, KeyLog.read(keys));
        SessionCheck.noErrors(d);
        List<String> c2s = d.of(MessageEvent.class, "1").stream().filter(m -> m.dir() == dev.wsdebug.wire.Direction.C2S)
                .map(m -> m.message().text()).toList();
        List<String> s2c = d.of(MessageEvent.class, "1").stream().filter(m -> m.dir() == dev.wsdebug.wire.Direction.S2C)
                .map(m -> m.message().text()).toList();
        assertThat(c2s).isEqualTo(texts);
        assertThat(s2c).isEqualTo(texts);
        assertThat(server.received().stream().map(PeerLog.Msg::text).toList()).isEqualTo(texts);
        List<dev.wsdebug.capture.CloseEvent> close = d.of(dev.wsdebug.capture.CloseEvent.class, "1");
        assertThat(close).hasSize(1);
        assertThat(close.get(0).code()).isEqualTo(1000);
        assertThat(close.get(0).reason()).isEqualTo("done");
        assertThat(close.get(0).clean()).isTrue();
        assertThat(d.of(HandshakeEvent.class, "1").get(0).tls().version()).isEqualTo("TLS 1.3");

        // tshark: the KeyUpdates are there (client, server's answer, client again), and the frames agree
        List<String> keyUpdates = TsharkWs.run(sub, List.of(Live.tool("tshark"), "-n", "-r", pcap.toString(),
                "-o", "tls.keylog_file:" + keys.toAbsolutePath(), "-Y", "tls.handshake.type == 24", "-T", "fields",
                "-e", "frame.number")).stream().filter(l -> !l.isBlank()).toList();
        assertThat(keyUpdates).as("packets with a KeyUpdate, as tshark decrypts them").hasSize(3);
        assertThat(SessionCheck.againstTshark(d, TsharkWs.frames(pcap, TsharkWs.keylog(keys)), null)).isEmpty();
        assertThat(d.of(FrameEvent.class, "1")).hasSize(8);
    }

    private static int count(String s, String word) {
        int n = 0;
        for (int i = s.indexOf(word); i >= 0; i = s.indexOf(word, i + 1)) {
            n++;
        }
        return n;
    }

    /** A masked frame with FIN set (payload under 126 bytes). */
    private static byte[] maskedFrame(int opcode, byte[] payload) {
        byte[] mask = {0x11, 0x22, 0x33, 0x44};
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(0x80 | opcode);
        out.write(0x80 | payload.length);
        out.writeBytes(mask);
        for (int i = 0; i < payload.length; i++) {
            out.write(payload[i] ^ mask[i % 4]);
        }
        return out.toByteArray();
    }
}
