package dev.wsdebug.sniff.pcap;

import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs tshark, the oracle for what a capture holds. Skips the calling test when tshark is not
 * installed, or fails it under {@code CI=true}. Output for a given file and arguments is kept in
 * {@code target/tshark-cache} (keyed by the file's SHA-256 and the arguments), since starting
 * tshark costs most of a second and the corpus has a hundred files.
 */
public final class Tshark {
    private static final long TIMEOUT_SECONDS = 60;
    private static final Path CACHE = Path.of("target", "tshark-cache");

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

    /** {@code tshark -n -r file args...}: its standard output, one string per line. */
    public static List<String> lines(Path file, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(path(), "-n", "-r", file.toString()));
        cmd.addAll(List.of(args));
        Path cached = CACHE.resolve(key(file, cmd) + ".out");
        if (Files.exists(cached)) {
            return Files.readAllLines(cached, StandardCharsets.UTF_8);
        }
        Files.createDirectories(CACHE);
        Path stdout = Files.createTempFile(CACHE, "tshark", ".tmp");
        Path stderr = Files.createTempFile(CACHE, "tshark", ".err");
        try {
            Process p = new ProcessBuilder(cmd).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .redirectOutput(stdout.toFile()).redirectError(stderr.toFile()).start();
            if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                Assertions.fail("tshark did not finish in " + TIMEOUT_SECONDS + " s: " + cmd);
            }
            if (p.exitValue() != 0) {
                Assertions.fail("tshark exited " + p.exitValue() + ": " + cmd + "\n"
                        + Files.readString(stderr, StandardCharsets.UTF_8));
            }
            List<String> lines = Files.readAllLines(stdout, StandardCharsets.UTF_8);
            Files.move(stdout, cached);
            return lines;
        } finally {
            Files.deleteIfExists(stdout);
            Files.deleteIfExists(stderr);
        }
    }

    /** {@code -T fields} output split into columns (tab-separated, empty for an absent field). */
    public static List<String[]> fields(Path file, List<String> options, String... fields)
            throws IOException, InterruptedException {
        List<String> args = new ArrayList<>(options);
        args.addAll(List.of("-T", "fields", "-E", "separator=/t", "-E", "occurrence=a", "-E", "aggregator=,"));
        for (String f : fields) {
            args.add("-e");
            args.add(f);
        }
        List<String[]> rows = new ArrayList<>();
        for (String line : lines(file, args.toArray(String[]::new))) {
            rows.add(line.split("\t", -1));
        }
        return rows;
    }

    private static String key(Path file, List<String> cmd) throws IOException {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(Files.readAllBytes(file));
            sha.update(String.join("\0", cmd.subList(4, cmd.size())).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(sha.digest()).substring(0, 32);
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }
}
