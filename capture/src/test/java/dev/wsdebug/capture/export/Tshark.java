package dev.wsdebug.capture.export;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs tshark, the oracle for the pcapng export. Skips the calling test when tshark is not
 * installed, or fails it under {@code CI=true} (scripts/install-peers.sh installs it).
 */
final class Tshark {
    private static final long TIMEOUT_SECONDS = 60;
    /** Checksums are verified, WebSocket payloads decompressed (the default, made explicit). */
    private static final List<String> PREFS = List.of("-o", "tcp.check_checksum:TRUE", "-o", "ip.check_checksum:TRUE",
            "-o", "websocket.decompress:TRUE");

    private Tshark() {
    }

    static String path() {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(File.pathSeparator)) {
            Path p = Path.of(dir, "tshark");
            if (Files.isExecutable(p)) {
                return p.toString();
            }
        }
        String message = "tshark is not installed (scripts/install-peers.sh installs it)";
        if ("true".equals(System.getenv("CI"))) {
            Assertions.fail(message + " — CI=true requires it.");
        }
        Assumptions.abort(message);
        return null;
    }

    /** tshark -r file with the checking preferences and these arguments; returns stdout. */
    static String run(Path file, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(path());
        cmd.add("-n"); // no name resolution
        cmd.add("-r");
        cmd.add(file.toString());
        cmd.addAll(PREFS);
        cmd.addAll(List.of(args));
        Path stdout = Files.createTempFile(file.getParent(), "tshark", ".out");
        Path stderr = Files.createTempFile(file.getParent(), "tshark", ".err");
        Process p = new ProcessBuilder(cmd).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectOutput(stdout.toFile()).redirectError(stderr.toFile()).start();
        if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            Assertions.fail("tshark did not finish in " + TIMEOUT_SECONDS + " s: " + cmd);
        }
        String out = Files.readString(stdout, StandardCharsets.UTF_8);
        String err = Files.readString(stderr, StandardCharsets.UTF_8);
        if (p.exitValue() != 0) {
            Assertions.fail("tshark exited " + p.exitValue() + ": " + cmd + "\n" + err);
        }
        return out;
    }

    /** Every packet as the JSON of {@code -T json -e ...}: one layers object per packet. */
    static List<JsonNode> fields(Path file, String... fields) throws IOException, InterruptedException {
        List<String> args = new ArrayList<>(List.of("-T", "json"));
        for (String f : fields) {
            args.add("-e");
            args.add(f);
        }
        JsonNode root = new ObjectMapper().readTree(run(file, args.toArray(String[]::new)));
        List<JsonNode> packets = new ArrayList<>();
        for (JsonNode p : root) {
            packets.add(p.path("_source").path("layers"));
        }
        return packets;
    }

    /** The values of one field in one packet (several for several occurrences), empty when absent. */
    static List<String> values(JsonNode layers, String field) {
        List<String> out = new ArrayList<>();
        for (JsonNode v : layers.path(field)) {
            out.add(v.asText());
        }
        return out;
    }
}
