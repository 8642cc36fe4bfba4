package dev.wsdebug.sniff.tls;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Every TLS capture of the shared real-capture corpus, decrypted connection by connection with its
 * key log and compared with tshark's decryption (the oracle's per-stream byte counts and SHA-256
 * of the application data per direction). The TCP payload of each connection comes from tshark
 * ({@code -z follow,tcp,raw}), fed chunk by chunk in capture order, so this tests TLS alone.
 */
class RealCapturesTest {
    private static final Pattern STREAM = Pattern.compile("^stream (\\d+) \\(client port \\d+\\): .*");
    private static final Pattern SIDE = Pattern.compile("^  (c>s|s>c): (\\d+) bytes sha256=([0-9a-f]{64}).*");

    /** One direction of one stream as tshark decrypted it. */
    record Expected(long bytes, String sha256) {
    }

    /** tshark's decryption of one TCP stream: client to server, server to client. */
    record StreamOracle(int stream, Expected toServer, Expected toClient) {
    }

    /** One chunk of TCP payload as tshark's follow prints it: which node sent it, and the bytes. */
    record Chunk(int node, byte[] bytes) {
    }

    /**
     * Problems the corpus must produce, by capture and stream: the key logs lack these keys (tshark
     * decrypts nothing there either).
     */
    private static final Map<String, String> EXPECTED_PROBLEMS = Map.of(
            // The key log has the first session's master secret only; tshark too stops at the renegotiation.
            "hotplace__tls12renogotiation.pcapng#0", "No key in the key log matches the client random a3eb163c… of this connection's renegotiation",
            // Two connections, one key log line: the TLS 1.0 connection's key is not there.
            "snet__tls1_1.pcap#0", "No key in the key log matches this connection's client random 66a28685…");

    /** The follow output of each capture, read once per run (tshark is the slow part). */
    private static final Map<Path, Map<Integer, List<Chunk>>> FOLLOWED = new ConcurrentHashMap<>();

    static Path corpus() {
        // RealCaps says where the corpus is, and fails rather than skips under CI=true
        Path tls = dev.wsdebug.sniff.pcap.RealCaps.dir().resolve("tls");
        boolean tshark = tsharkRuns();
        if ("true".equals(System.getenv("CI"))) {
            Assertions.assertTrue(tshark, "CI=true requires tshark to read the real-capture corpus");
        }
        Assumptions.assumeTrue(tshark, "tshark is not installed");
        return tls;
    }

    private static boolean tsharkRuns() {
        try {
            Process p = new ProcessBuilder("tshark", "--version").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    static List<Path> captures(Path tls) throws IOException {
        try (Stream<Path> files = Files.list(tls)) {
            return files.filter(p -> p.toString().endsWith(".pcap") || p.toString().endsWith(".pcapng"))
                    .filter(p -> Files.exists(Path.of(p + ".tshark.txt")))
                    .sorted()
                    .toList();
        }
    }

    @TestFactory
    Stream<DynamicTest> everyCaptureDecryptsAsTsharkDoes() throws IOException {
        Path tls = corpus();
        return captures(tls).stream().map(capture -> DynamicTest.dynamicTest(capture.getFileName().toString(),
                () -> checkCapture(capture)));
    }

    private static void checkCapture(Path capture) throws Exception {
        List<StreamOracle> oracle = oracle(Path.of(capture + ".tshark.txt"));
        assertThat(oracle).as("streams in the oracle").isNotEmpty();
        KeyLog keys = KeyLog.parse(keyLogText(capture));
        Map<Integer, List<Chunk>> streams = follow(capture, oracle.stream().map(StreamOracle::stream).toList());
        List<String> mismatches = new ArrayList<>();
        StringBuilder report = new StringBuilder(capture.getFileName().toString()).append(':');
        for (StreamOracle expected : oracle) {
            Recorder recorder = decrypt(keys, streams.getOrDefault(expected.stream(), List.of()), 0, new Recorder());
            String toServer = compare(recorder.fromClient.toByteArray(), expected.toServer());
            String toClient = compare(recorder.fromServer.toByteArray(), expected.toClient());
            TlsInfo info = recorder.lastInfo();
            report.append(String.format("%n  stream %d %s %s, c>s %s, s>c %s%s", expected.stream(),
                    info == null ? "-" : info.version(), info == null ? "-" : info.cipherSuite(), toServer, toClient,
                    recorder.problems.isEmpty() ? "" : ", problems " + recorder.problems));
            if (!toServer.startsWith("ok") || !toClient.startsWith("ok")) {
                mismatches.add("stream " + expected.stream() + ": c>s " + toServer + ", s>c " + toClient + " "
                        + recorder.problems);
            }
            String problem = EXPECTED_PROBLEMS.get(capture.getFileName() + "#" + expected.stream());
            if (problem == null) {
                assertThat(recorder.problems).as("problems of stream %d", expected.stream()).isEmpty();
                assertThat(info).as("info of stream %d", expected.stream()).isNotNull();
                assertThat(info.decrypting()).as("decrypting, stream %d", expected.stream()).isTrue();
            } else {
                assertThat(recorder.problems).as("problems of stream %d", expected.stream()).singleElement()
                        .asString().startsWith(problem);
            }
        }
        System.out.println(report);
        assertThat(mismatches).as(capture.getFileName().toString()).isEmpty();
    }

    /** Feeds a stream's chunks to a new connection, each chunk split into pieces of at most {@code piece} bytes (0: whole). */
    static Recorder decrypt(TlsSecrets keys, List<Chunk> chunks, int piece, Recorder recorder) {
        int clientNode = clientNode(chunks);
        TlsConnection connection = new TlsConnection(keys, recorder);
        long packet = 0;
        for (Chunk c : chunks) {
            packet++;
            boolean fromClient = c.node() == clientNode;
            if (piece <= 0) {
                connection.feed(fromClient, packet, packet * 1_000_000L, c.bytes(), 0, c.bytes().length);
            } else {
                for (int i = 0; i < c.bytes().length; i += piece) {
                    connection.feed(fromClient, packet, packet * 1_000_000L, c.bytes(), i, Math.min(piece, c.bytes().length - i));
                }
            }
        }
        connection.end((packet + 1) * 1_000_000L);
        return recorder;
    }

    /** The node that sent the ClientHello (tshark's c>s side); node 0 when neither did. */
    static int clientNode(List<Chunk> chunks) {
        for (Chunk c : chunks) {
            if (TlsConnection.looksLikeTls(c.bytes(), 0, c.bytes().length)) {
                return c.node();
            }
        }
        return 0;
    }

    private static String compare(byte[] actual, Expected expected) throws NoSuchAlgorithmException {
        String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(actual));
        if (actual.length == expected.bytes() && sha.equals(expected.sha256())) {
            return "ok " + actual.length + " B";
        }
        return "MISMATCH " + actual.length + " B (tshark " + expected.bytes() + " B)";
    }

    static List<StreamOracle> oracle(Path tsharkText) throws IOException {
        List<StreamOracle> streams = new ArrayList<>();
        List<String> lines = Files.readAllLines(tsharkText, StandardCharsets.UTF_8);
        for (int i = 0; i < lines.size(); i++) {
            Matcher m = STREAM.matcher(lines.get(i));
            if (!m.matches() || i + 2 >= lines.size()) {
                continue;
            }
            Map<String, Expected> sides = new LinkedHashMap<>();
            for (int j = 1; j <= 2; j++) {
                Matcher s = SIDE.matcher(lines.get(i + j));
                if (s.matches()) {
                    sides.put(s.group(1), new Expected(Long.parseLong(s.group(2)), s.group(3)));
                }
            }
            streams.add(new StreamOracle(Integer.parseInt(m.group(1)), sides.get("c>s"), sides.get("s>c")));
        }
        return streams;
    }

    /** The capture's key log: NAME.keys beside it, else the Decryption Secrets Blocks of a pcapng. */
    static byte[] keyLogText(Path capture) throws IOException {
        String name = capture.getFileName().toString();
        Path keys = capture.resolveSibling(name.substring(0, name.lastIndexOf('.')) + ".keys");
        if (Files.exists(keys)) {
            return Files.readAllBytes(keys);
        }
        return decryptionSecrets(Files.readAllBytes(capture));
    }

    /**
     * The TLS key log text of a pcapng's Decryption Secrets Blocks (block type 0x0000000A, secrets
     * type 0x544c534b "TLSK", pcapng draft section 4.7). Enough of pcapng for that: block type and
     * total length, byte order from each Section Header Block's magic.
     */
    static byte[] decryptionSecrets(byte[] pcapng) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteBuffer b = ByteBuffer.wrap(pcapng);
        int at = 0;
        while (at + 12 <= pcapng.length) {
            b.order(ByteOrder.LITTLE_ENDIAN);
            int type = b.getInt(at);
            if (type == 0x0A0D0D0A) {
                int magic = b.getInt(at + 8);
                b.order(magic == 0x1A2B3C4D ? ByteOrder.LITTLE_ENDIAN : ByteOrder.BIG_ENDIAN);
            } else {
                b.order(b.order());
            }
            type = b.getInt(at);
            int length = b.getInt(at + 4);
            if (length < 12 || at + length > pcapng.length) {
                break;
            }
            if (type == 0x0000000A && b.getInt(at + 8) == 0x544c534b) {
                int secretsLength = b.getInt(at + 12);
                out.write(pcapng, at + 16, secretsLength);
                out.write('\n');
            }
            at += length;
        }
        return out.toByteArray();
    }

    /** Each stream's TCP payload chunks in capture order, from one tshark run per capture. */
    static Map<Integer, List<Chunk>> follow(Path capture, List<Integer> streamNumbers) throws IOException, InterruptedException {
        Map<Integer, List<Chunk>> cached = FOLLOWED.get(capture);
        if (cached != null && cached.keySet().containsAll(streamNumbers)) {
            return cached;
        }
        String text = followText(capture, streamNumbers);
        Map<Integer, List<Chunk>> streams = new LinkedHashMap<>();
        List<Chunk> current = null;
        for (String line : text.split("\n")) {
            if (line.startsWith("Filter: tcp.stream eq ")) {
                current = new ArrayList<>();
                streams.put(Integer.parseInt(line.substring("Filter: tcp.stream eq ".length()).trim()), current);
            } else if (current != null && !line.isBlank() && !line.startsWith("=") && !line.startsWith("Node ")
                    && !line.startsWith("Follow:")) {
                boolean second = line.startsWith("\t");
                current.add(new Chunk(second ? 1 : 0, HexFormat.of().parseHex(line.strip())));
            }
        }
        FOLLOWED.put(capture, streams);
        return streams;
    }

    /**
     * tshark's follow output for the streams; kept under target/ between runs (keyed by the
     * capture's name, size, modification time and the streams), since tshark takes a second a file.
     */
    private static String followText(Path capture, List<Integer> streamNumbers) throws IOException, InterruptedException {
        Path cacheDir = Path.of("target", "realcaps-follow");
        String key = capture.getFileName() + "." + Files.size(capture) + "." + Files.getLastModifiedTime(capture).toMillis()
                + "." + streamNumbers.stream().map(String::valueOf).reduce((a, b) -> a + "-" + b).orElse("") + ".txt";
        Path cached = cacheDir.resolve(key);
        if (Files.exists(cached)) {
            return Files.readString(cached, StandardCharsets.US_ASCII);
        }
        List<String> command = new ArrayList<>(List.of("tshark", "-r", capture.toString(), "-q"));
        for (int n : streamNumbers) {
            command.add("-z");
            command.add("follow,tcp,raw," + n);
        }
        Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("tshark finished").isTrue();
        assertThat(p.exitValue()).as("tshark exit status").isZero();
        Files.createDirectories(cacheDir);
        Path partial = Files.createTempFile(cacheDir, "follow", ".part");
        Files.writeString(partial, text, StandardCharsets.US_ASCII);
        Files.move(partial, cached, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        return text;
    }

    @TestFactory
    Stream<DynamicTest> everyCaptureDecryptsTheSameFedOneByteAtATime() throws IOException {
        Path tls = corpus();
        return captures(tls).stream().map(capture -> DynamicTest.dynamicTest(capture.getFileName().toString(), () -> {
            KeyLog keys = KeyLog.parse(keyLogText(capture));
            List<StreamOracle> oracle = oracle(Path.of(capture + ".tshark.txt"));
            Map<Integer, List<Chunk>> streams = follow(capture, oracle.stream().map(StreamOracle::stream).toList());
            for (StreamOracle expected : oracle) {
                List<Chunk> chunks = streams.getOrDefault(expected.stream(), List.of());
                Recorder whole = decrypt(keys, chunks, 0, new Recorder());
                Recorder bytewise = decrypt(keys, chunks, 1, new Recorder());
                assertThat(bytewise.fromClient.toByteArray()).as("c>s of stream %d", expected.stream())
                        .isEqualTo(whole.fromClient.toByteArray());
                assertThat(bytewise.fromServer.toByteArray()).as("s>c of stream %d", expected.stream())
                        .isEqualTo(whole.fromServer.toByteArray());
                assertThat(bytewise.infos).isEqualTo(whole.infos);
                assertThat(bytewise.problems).isEqualTo(whole.problems);
                assertThat(bytewise.clientPackets).isEqualTo(whole.clientPackets);
                assertThat(bytewise.serverPackets).isEqualTo(whole.serverPackets);
            }
        }));
    }

    /** One stream of a corpus capture, with its key log text. */
    private static List<Chunk> stream(String name, int stream) throws Exception {
        Path capture = corpus().resolve(name);
        return follow(capture, oracle(Path.of(capture + ".tshark.txt")).stream().map(StreamOracle::stream).toList())
                .get(stream);
    }

    private static byte[] keyText(String name) throws IOException {
        return keyLogText(corpus().resolve(name));
    }

    @Test
    void keyUpdatesInBothDirectionsAreFollowed() throws Exception {
        String name = "snet__tls1.3_keyupdates_aes256.pcap";
        Recorder r = decrypt(KeyLog.parse(keyText(name)), stream(name, 0), 0, new Recorder());
        assertThat(r.problems).isEmpty();
        assertThat(r.fromClient.toString(StandardCharsets.US_ASCII)).isEqualTo("hello\nkeyupdate\nhello\nbye\nkill\n");
        assertThat(r.fromServer.toString(StandardCharsets.US_ASCII)).isEqualTo("hello\nkeyupdate\nhello\nbye\n");
        // Both sides' last records are under an updated key: the bytes after "keyupdate" come out.
        assertThat(r.clientPackets).hasSize(5);
        assertThat(r.serverPackets).hasSize(4);
    }

    /** Each secret of the key log text with its last hex digit changed. */
    private static String damaged(byte[] keyLog) {
        StringBuilder out = new StringBuilder();
        for (String line : new String(keyLog, StandardCharsets.US_ASCII).split("\r?\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            char last = line.charAt(line.length() - 1);
            out.append(line, 0, line.length() - 1).append(last == '0' ? '1' : '0').append('\n');
        }
        return out.toString();
    }

    @Test
    void wrongKeysGiveOneProblemPerConnection() throws Exception {
        for (String name : List.of("snet__tls1.3_keyupdates_aes256.pcap", "snet__tls1_2.pcap", "snet__tls1_0.pcap",
                "hotplace__tls12etm_TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256.pcapng", "zeek__tls-1.2-stream-keylog.pcap")) {
            Recorder r = decrypt(KeyLog.parse(damaged(keyText(name))), stream(name, 0), 0, new Recorder());
            assertThat(r.problems).as(name).singleElement().asString()
                    .contains("does not decrypt the").contains("(authentication failed)");
            assertThat(r.infos).as(name).singleElement().extracting(TlsInfo::decrypting).isEqualTo(true);
            assertThat(r.fromClient.size() + r.fromServer.size()).as(name).isZero();
        }
    }

    @Test
    void noKeyGivesTheSentenceOnHowToGetOne() throws Exception {
        String name = "zeek__tls12-decryption.pcap";
        List<Chunk> chunks = stream(name, 0);
        Recorder r = decrypt(KeyLog.parse(""), chunks, 0, new Recorder());
        String random = Hex.of(firstClientRandom(chunks), 0, 4);
        assertThat(r.problems).containsExactly("No key in the key log matches this connection's client random " + random
                + "…; to get one, set SSLKEYLOGFILE=/path for Chrome, Firefox and curl, run node with"
                + " --tls-keylog=/path, or set keylog_filename on Python's SSLContext.");
        assertThat(r.infos).containsExactly(new TlsInfo("heise.de", "TLS 1.2", "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
                List.of("h2", "http/1.1"), "http/1.1", false));
    }

    /** The client random of the first ClientHello: record header 5, message header 4, version 2. */
    private static byte[] firstClientRandom(List<Chunk> chunks) {
        for (Chunk c : chunks) {
            if (TlsConnection.looksLikeTls(c.bytes(), 0, c.bytes().length)) {
                return java.util.Arrays.copyOfRange(c.bytes(), 11, 43);
            }
        }
        throw new AssertionError("no ClientHello");
    }

    @Test
    void aKeyLogWrittenDuringTheCaptureIsWaitedFor() throws Exception {
        // As in a live capture: the browser writes its secrets just after the handshake packets pass.
        for (String name : List.of("snet__tls1.3_curl_google.pcap", "scapy__tls_tcp_frag_withnss.pcap")) {
            List<Chunk> chunks = stream(name, 0);
            KeyLog live = new KeyLog();
            Recorder r = new Recorder();
            TlsConnection c = new TlsConnection(live, r);
            int clientNode = clientNode(chunks);
            for (int i = 0; i < chunks.size(); i++) {
                if (i == chunks.size() / 2) {
                    live.add(keyText(name));
                }
                Chunk chunk = chunks.get(i);
                c.feed(chunk.node() == clientNode, i + 1, (i + 1) * 1_000L, chunk.bytes(), 0, chunk.bytes().length);
            }
            c.end(Long.MAX_VALUE);
            Recorder reference = decrypt(KeyLog.parse(keyText(name)), chunks, 0, new Recorder());
            assertThat(r.problems).as(name).isEmpty();
            assertThat(r.infos).as(name).isEqualTo(reference.infos);
            assertThat(r.fromClient.toByteArray()).as(name).isEqualTo(reference.fromClient.toByteArray());
            assertThat(r.fromServer.toByteArray()).as(name).isEqualTo(reference.fromServer.toByteArray());
            assertThat(r.serverPackets).as(name).isEqualTo(reference.serverPackets);
        }
    }

    @Test
    void decryptionSecretsBlocksAreFound() throws IOException {
        Path tls = corpus();
        byte[] text = decryptionSecrets(Files.readAllBytes(tls.resolve("ja4__http2-with-cookies-dsb.pcapng")));
        KeyLog log = KeyLog.parse(text);
        assertThat(log.size()).isGreaterThanOrEqualTo(4);
        assertThat(log.malformedLines()).isZero();
    }
}
