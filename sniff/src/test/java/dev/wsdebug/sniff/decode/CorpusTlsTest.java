package dev.wsdebug.sniff.decode;

import dev.wsdebug.capture.HttpEvent;
import dev.wsdebug.sniff.DecodeOptions;
import dev.wsdebug.sniff.pcap.RealCaps;
import dev.wsdebug.sniff.tls.KeyLog;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every TLS capture of the shared corpus, read end to end (our pcap reader, TCP reassembly and TLS
 * decryption with its key log, or the secrets its pcapng carries): each connection's decrypted
 * bytes per direction (written with {@code --streams}) have the byte count and SHA-256 its oracle
 * lists from tshark's follow,tls, and the decrypted HTTP/1 requests and responses are the
 * {@code http} events' methods, targets and statuses.
 */
class CorpusTlsTest {
    private static final Pattern STREAM = Pattern.compile("^stream (\\d+) \\(client port (\\d+)\\).*");
    private static final Pattern BYTES = Pattern.compile("^  (c>s|s>c): (\\d+) bytes sha256=([0-9a-f]{64}).*");

    /** One direction of one connection, as the oracle lists it. */
    record Flow(int stream, boolean fromClient, long bytes, String sha256) {
    }

    /** One decrypted HTTP/1 message, as the oracle lists it. */
    record HttpLine(int stream, String method, String uri, String status) {
    }

    @TestFactory
    Stream<DynamicTest> everyTlsCaptureDecryptsAsTsharkDoes() throws IOException {
        List<Path> captures = RealCaps.captures("tls");
        assertThat(captures).hasSizeGreaterThan(40);
        return captures.stream().map(c -> DynamicTest.dynamicTest(c.getFileName().toString(), () -> check(c)));
    }

    private static void check(Path capture) throws Exception {
        Path oracleFile = Path.of(capture + ".tshark.txt");
        List<String> oracle = Files.readAllLines(oracleFile, StandardCharsets.UTF_8);
        String base = capture.getFileName().toString().replaceAll("\\.pcap(ng)?$", "");
        Path keys = capture.resolveSibling(base + ".keys");
        DecodeOptions options = new DecodeOptions();
        if (Files.exists(keys)) {
            options.keys = KeyLog.read(keys);
        }
        Path streams = Files.createTempDirectory("corpus-tls-");
        try {
            options.streamsDir = streams;
            Decoded d = Decoded.of(capture, options);
            for (Flow f : flows(oracle)) {
                byte[] ours = streamBytes(streams, f.stream + 1, f.fromClient);
                String what = capture.getFileName() + " stream " + f.stream + (f.fromClient ? " c>s" : " s>c");
                assertThat(ours.length).as(what + ": bytes").isEqualTo(f.bytes);
                assertThat(sha256(ours)).as(what + ": sha256").isEqualTo(f.sha256);
            }
            // HTTP/1 messages here; HTTP/2 streams (ALPN h2) are CorpusHttp2Test's
            List<HttpEvent> http = d.of(HttpEvent.class).stream()
                    .filter(e -> !"HTTP/2".equals(e.request().version())).toList();
            for (HttpLine h : httpLines(oracle)) {
                String conn = Integer.toString(h.stream + 1);
                if (!h.method.isEmpty()) {
                    assertThat(http).as("%s: request %s %s on stream %d", capture.getFileName(), h.method, h.uri, h.stream)
                            .anySatisfy(e -> {
                                assertThat(e.conn()).isEqualTo(conn);
                                assertThat(e.method()).isEqualTo(h.method);
                                assertThat(e.request().target()).isEqualTo(h.uri);
                            });
                } else {
                    assertThat(http).as("%s: response %s on stream %d", capture.getFileName(), h.status, h.stream)
                            .anySatisfy(e -> {
                                assertThat(e.conn()).isEqualTo(conn);
                                assertThat(e.status()).isEqualTo(Integer.parseInt(h.status));
                            });
                }
            }
            long requests = httpLines(oracle).stream().filter(h -> !h.method.isEmpty()).count();
            assertThat(http).as("%s: one http event per request", capture.getFileName()).hasSize((int) requests);
        } finally {
            try (Stream<Path> files = Files.walk(streams)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    /** The decrypted bytes of one direction: the --streams file of the connection with that id, or none. */
    private static byte[] streamBytes(Path dir, long id, boolean fromClient) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            Path f = files.filter(p -> p.getFileName().toString().startsWith(id + "_")
                    && p.getFileName().toString().endsWith(fromClient ? ".c2s" : ".s2c")).findFirst().orElse(null);
            return f == null ? new byte[0] : Files.readAllBytes(f);
        }
    }

    static List<Flow> flows(List<String> oracle) {
        List<Flow> out = new ArrayList<>();
        int stream = -1;
        for (String line : oracle) {
            Matcher s = STREAM.matcher(line);
            if (s.matches()) {
                stream = Integer.parseInt(s.group(1));
                continue;
            }
            Matcher b = BYTES.matcher(line);
            if (b.matches() && stream >= 0) {
                out.add(new Flow(stream, b.group(1).equals("c>s"), Long.parseLong(b.group(2)), b.group(3)));
            }
        }
        return out;
    }

    static List<HttpLine> httpLines(List<String> oracle) {
        List<HttpLine> out = new ArrayList<>();
        boolean in = false;
        for (String line : oracle) {
            if (line.startsWith("frame.number\ttcp.stream\thttp.request.method")) {
                in = true;
                continue;
            }
            if (!in) {
                continue;
            }
            if (line.isBlank() || line.startsWith("#") || line.startsWith("$")) {
                break;
            }
            String[] f = line.split("\t", -1);
            out.add(new HttpLine(Integer.parseInt(f[1]), f[2], f[3], f[4]));
        }
        return out;
    }

    private static String sha256(byte[] b) throws NoSuchAlgorithmException {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    }
}
