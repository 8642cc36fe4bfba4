package dev.wsdebug.sniff.pcap;

import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static dev.wsdebug.sniff.pcap.PcapReaderTest.bytes;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Decryption Secrets Blocks as the tools write them: {@code editcap --inject-secrets} puts a key
 * log into a capture, and the reader gives back exactly that text, before the packets; the one
 * corpus capture with secrets gives a key log with which tshark decrypts its TLS.
 */
class DecryptionSecretsTest {
    private static final byte[] KEY_LOG = ("# a comment\n"
            + "CLIENT_RANDOM 0101010101010101010101010101010101010101010101010101010101010101 "
            + "0202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202\n"
            + "CLIENT_HANDSHAKE_TRAFFIC_SECRET 0303030303030303030303030303030303030303030303030303030303030303 "
            + "0404040404040404040404040404040404040404040404040404040404040404\n").getBytes(StandardCharsets.US_ASCII);

    /** Skips the test without editcap (it comes with tshark), or fails it under CI=true. */
    private static String editcap() {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(File.pathSeparator)) {
            if (Files.isExecutable(Path.of(dir, "editcap"))) {
                return Path.of(dir, "editcap").toString();
            }
        }
        if ("true".equals(System.getenv("CI"))) {
            Assertions.fail("editcap is not installed — CI=true requires it.");
        }
        Assumptions.abort("editcap is not installed");
        return null;
    }

    private static void run(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            Assertions.fail(String.join(" ", cmd) + " failed: " + new String(out, StandardCharsets.UTF_8));
        }
    }

    private static List<String> events(Path file) throws IOException {
        List<String> events = new ArrayList<>();
        try (InputStream in = Files.newInputStream(file); PacketReader r = CaptureFiles.open(in)) {
            r.onSecrets(s -> events.add("secrets " + new String(s, StandardCharsets.US_ASCII)));
            for (Packet p = r.next(); p != null; p = r.next()) {
                events.add("packet " + p.number());
            }
        }
        return events;
    }

    @Test
    void editcapInjectedSecretsComeBackExactly(@TempDir Path dir) throws Exception {
        Path capture = dir.resolve("in.pcap");
        Files.write(capture, PcapFile.ethernet().record(1, 0, bytes(60, 1)).record(2, 0, bytes(60, 2)).bytes());
        Path keys = dir.resolve("keys.txt");
        Files.write(keys, KEY_LOG);
        Path out = dir.resolve("out.pcapng");
        run(editcap(), "--inject-secrets", "tls," + keys, capture.toString(), out.toString());
        assertThat(events(out)).containsExactly("secrets " + new String(KEY_LOG, StandardCharsets.US_ASCII),
                "packet 1", "packet 2");
    }

    @Test
    void theCorpusCaptureWithSecretsDecryptsInTsharkWithWhatItGives(@TempDir Path dir) throws Exception {
        Path capture = RealCaps.dir().resolve("tls/ja4__http2-with-cookies-dsb.pcapng");
        ByteArrayOutputStream secrets = new ByteArrayOutputStream();
        try (InputStream in = Files.newInputStream(capture); PacketReader r = CaptureFiles.open(in)) {
            r.onSecrets(secrets::writeBytes);
            while (r.next() != null) {
                // read to the end
            }
        }
        String keyLog = secrets.toString(StandardCharsets.US_ASCII);
        assertThat(keyLog).contains("CLIENT_").endsWith("\n");

        // Without its own secrets, the capture decrypts in tshark only with the key log read here.
        Path stripped = dir.resolve("stripped.pcapng");
        run(editcap(), "--discard-all-secrets", capture.toString(), stripped.toString());
        Path keys = Path.of("target", "dsb-test.keys").toAbsolutePath();
        Files.createDirectories(keys.getParent());
        Files.writeString(keys, keyLog, StandardCharsets.US_ASCII);
        List<String> plain = Tshark.lines(stripped, "-Y", "http2", "-T", "fields", "-e", "frame.number");
        List<String> decrypted = Tshark.lines(stripped, "-o", "tls.keylog_file:" + keys, "-Y", "http2", "-T", "fields",
                "-e", "frame.number");
        assertThat(plain).isEmpty();
        assertThat(decrypted).isNotEmpty();
        assertThat(decrypted).isEqualTo(Tshark.lines(capture, "-Y", "http2", "-T", "fields", "-e", "frame.number"));
    }
}
