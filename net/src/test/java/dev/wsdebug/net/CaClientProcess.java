package dev.wsdebug.net;

import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * A TLS client of another implementation (Node's {@code tls}, Python's {@code ssl}) run as a child
 * process to completion, bounded in time and stopped by its id. As with the project's peers
 * ({@code capture.peer.Peer}), a missing interpreter skips the test, or fails it when {@code CI=true}.
 */
final class CaClientProcess {
    static final String PYTHON = "/usr/bin/python3";
    private static final long TIMEOUT_MILLIS = 20_000;
    private static final long STOP_MILLIS = 5_000;
    private static final Map<String, String> MISSING = new ConcurrentHashMap<>();

    /** What a finished client printed. */
    record Result(int exit, boolean timedOut, String out, String err) {
        String describe() {
            return "exit " + exit + (timedOut ? " (stopped after the timeout)" : "")
                    + "\n--- stdout ---\n" + out + "--- stderr ---\n" + err;
        }
    }

    private CaClientProcess() {
    }

    /** Skips (or under CI=true fails) the calling test when Node is not on the PATH. */
    static void requireNode() {
        require("node", () -> {
            try {
                Result r = run(List.of("node", "-e", "process.stdout.write(process.version)"), Map.of());
                return r.exit() == 0 ? "" : "node -e failed: " + r.describe();
            } catch (UncheckedIOException e) {
                return "cannot run node: " + e.getCause().getMessage();
            }
        });
    }

    /** Skips (or under CI=true fails) the calling test when /usr/bin/python3 is missing. */
    static void requirePython() {
        require("python", () -> Files.isExecutable(Path.of(PYTHON)) ? "" : PYTHON + " not found");
    }

    private static void require(String what, java.util.function.Supplier<String> probe) {
        String missing = MISSING.computeIfAbsent(what, k -> probe.get());
        if (missing.isEmpty()) {
            return;
        }
        String message = what + " is not available (" + missing + "); run scripts/install-peers.sh";
        if ("true".equals(System.getenv("CI"))) {
            Assertions.fail(message + " — CI=true requires every real peer.");
        }
        Assumptions.abort(message);
    }

    /**
     * Runs the command with these extra environment variables (and without the variables that would
     * change what a TLS client trusts) until it exits or the timeout passes.
     */
    static Result run(List<String> cmd, Map<String, String> env) {
        ProcessBuilder pb = new ProcessBuilder(new ArrayList<>(cmd));
        Map<String, String> e = pb.environment();
        for (String v : List.of("NODE_EXTRA_CA_CERTS", "NODE_TLS_REJECT_UNAUTHORIZED", "NODE_OPTIONS",
                "SSL_CERT_FILE", "SSL_CERT_DIR", "REQUESTS_CA_BUNDLE", "PYTHONPATH", "PYTHONHOME")) {
            e.remove(v);
        }
        e.put("PYTHONDONTWRITEBYTECODE", "1");
        e.putAll(env);
        Process p;
        try {
            p = pb.start();
        } catch (IOException ex) {
            throw new UncheckedIOException("cannot start " + cmd, ex);
        }
        try {
            p.getOutputStream().close();
            CompletableFuture<String> out = drain(p.getInputStream(), "ca-client-out-" + p.pid());
            CompletableFuture<String> err = drain(p.getErrorStream(), "ca-client-err-" + p.pid());
            boolean exited = p.waitFor(TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
            if (!exited) {
                stop(p);
            }
            return new Result(exited ? p.exitValue() : -1, !exited,
                    out.get(STOP_MILLIS, TimeUnit.MILLISECONDS), err.get(STOP_MILLIS, TimeUnit.MILLISECONDS));
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running " + cmd, ex);
        } catch (Exception ex) {
            throw new IllegalStateException("cannot read the output of " + cmd, ex);
        } finally {
            stop(p);
        }
    }

    private static CompletableFuture<String> drain(InputStream in, String name) {
        CompletableFuture<String> result = new CompletableFuture<>();
        Thread t = new Thread(() -> {
            try (in) {
                result.complete(new String(in.readAllBytes(), StandardCharsets.UTF_8));
            } catch (IOException ex) {
                result.complete("");
            }
        }, name);
        t.setDaemon(true);
        t.start();
        return result;
    }

    /** Stops this very child by its handle: politely, then forcibly. */
    private static void stop(Process p) {
        ProcessHandle h = p.toHandle();
        if (!h.isAlive()) {
            return;
        }
        h.destroy();
        try {
            if (!p.waitFor(STOP_MILLIS, TimeUnit.MILLISECONDS)) {
                h.destroyForcibly();
                p.waitFor(STOP_MILLIS, TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException ex) {
            h.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
