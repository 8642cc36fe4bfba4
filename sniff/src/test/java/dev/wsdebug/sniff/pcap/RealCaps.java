package dev.wsdebug.sniff.pcap;

import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The shared real-capture corpus ({@code ../shared/realcaps} beside the repository; see its
 * INDEX.md). It is read in place, never copied. Without it the calling test is skipped, except
 * under {@code CI=true}, where CI provides it and its absence fails the test.
 */
public final class RealCaps {
    private RealCaps() {
    }

    /** The corpus folder. */
    public static Path dir() {
        return dir(repositoryRoot(), "true".equals(System.getenv("CI")));
    }

    /** The corpus beside {@code root}; when it is missing, a failed test under CI, else a skipped one. */
    static Path dir(Path root, boolean ci) {
        Path dir = root == null ? null : root.resolve("../shared/realcaps").normalize();
        if (dir == null || !Files.isRegularFile(dir.resolve("INDEX.md"))) {
            String message = "the real-capture corpus is not at ../shared/realcaps beside the repository"
                    + (root == null ? "" : " (" + root + ")");
            if (ci) {
                Assertions.fail(message + " — CI=true requires it.");
            }
            Assumptions.abort(message);
        }
        return dir;
    }

    /** The .pcap and .pcapng files of these corpus folders (ws, tls, h2), sorted. */
    public static List<Path> captures(String... folders) throws IOException {
        Path dir = dir();
        List<Path> out = new ArrayList<>();
        for (String f : folders) {
            try (Stream<Path> files = Files.list(dir.resolve(f))) {
                files.filter(p -> p.toString().endsWith(".pcap") || p.toString().endsWith(".pcapng")).sorted()
                        .forEach(out::add);
            }
        }
        return out;
    }

    /**
     * The folder holding the {@code wsdebug} launcher and the parent pom that lists the sniff
     * module, found by walking up from the working directory (the module folder under Maven).
     */
    static Path repositoryRoot() {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            Path pom = p.resolve("pom.xml");
            try {
                if (Files.isRegularFile(p.resolve("wsdebug")) && Files.isRegularFile(pom)
                        && Files.readString(pom).contains("<module>sniff</module>")) {
                    return p;
                }
            } catch (IOException e) {
                // unreadable: not the root
            }
        }
        return null;
    }
}
