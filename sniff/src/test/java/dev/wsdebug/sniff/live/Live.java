package dev.wsdebug.sniff.live;

import dev.wsdebug.capture.peer.Peer;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What the live-capture tests share: the tools they run (dumpcap, tshark, editcap, openssl), found
 * on the PATH, and the peer scripts under {@code live/}. A missing tool skips the calling test, or
 * fails it under {@code CI=true}, as {@link Peer#requireInstalled} does for the peers.
 */
final class Live {
    private static final Map<String, String> FOUND = new ConcurrentHashMap<>();

    private Live() {
    }

    /** The tool's path; skips (or under CI=true fails) the calling test when it is not installed. */
    static String tool(String name) {
        String path = FOUND.computeIfAbsent(name, Live::find);
        if (path.isEmpty()) {
            unavailable(name + " is not installed (scripts/install-peers.sh installs it)");
        }
        return path;
    }

    /** Skips the calling test, or fails it under CI=true, for this reason. */
    static void unavailable(String message) {
        if ("true".equals(System.getenv("CI"))) {
            Assertions.fail(message + " — CI=true requires it.");
        }
        Assumptions.abort(message);
    }

    private static String find(String name) {
        String dirs = System.getenv().getOrDefault("PATH", "/usr/bin:/bin") + File.pathSeparator + "/usr/sbin:/sbin";
        for (String dir : dirs.split(File.pathSeparator)) {
            Path p = Path.of(dir, name);
            if (Files.isExecutable(p)) {
                return p.toString();
            }
        }
        return "";
    }

    /** A peer script of {@code live/} as a file. */
    static Path script(String name) {
        URL url = Live.class.getResource("/live/" + name);
        if (url == null) {
            throw new IllegalStateException("test resource /live/" + name + " is missing");
        }
        try {
            if ("file".equals(url.getProtocol())) {
                return Path.of(url.toURI());
            }
            Path copy = Files.createTempFile("wsdebug-live-", "-" + name);
            copy.toFile().deleteOnExit();
            try (InputStream in = url.openStream()) {
                Files.copy(in, copy, StandardCopyOption.REPLACE_EXISTING);
            }
            return copy;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * A self-signed certificate for 127.0.0.1 and localhost made by openssl: {@code rsa} (RSA 2048)
     * or {@code ec} (P-256); returns {certificate, key} (PEM files in dir).
     */
    static Path[] selfSigned(Path dir, String type) throws IOException, InterruptedException {
        Path cert = dir.resolve(type + ".crt");
        Path key = dir.resolve(type + ".key");
        List<String> alg = type.equals("rsa") ? List.of("-newkey", "rsa:2048")
                : List.of("-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256");
        List<String> cmd = new java.util.ArrayList<>(List.of(tool("openssl"), "req", "-x509"));
        cmd.addAll(alg);
        cmd.addAll(List.of("-nodes", "-keyout", key.toString(), "-out", cert.toString(), "-subj", "/CN=localhost",
                "-days", "2", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"));
        try (LiveProcess p = LiveProcess.start("openssl req", cmd, Map.of())) {
            int exit = p.waitFor(30_000);
            if (exit != 0) {
                throw new IllegalStateException("openssl req failed: " + p.describe());
            }
        }
        return new Path[] {cert, key};
    }

    static String sha256(byte[] b) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }
}
