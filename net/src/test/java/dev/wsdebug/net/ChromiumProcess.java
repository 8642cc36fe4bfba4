package dev.wsdebug.net;

import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Headless Chromium (Debian's {@code chromium}) as a child process with a profile and a HOME of
 * its own, stopped by its id together with every process it started (renderer, GPU, network
 * service, zygote). A missing browser or {@code certutil} skips the calling test, or fails it when
 * {@code CI=true}, like the project's other real peers.
 */
final class ChromiumProcess implements AutoCloseable {
    /**
     * Debian's browser binary itself: its /usr/bin/chromium wrapper would add the flags of
     * /etc/chromium.d (remote extensions, API keys) that bring background traffic back.
     */
    static final String BROWSER = Files.isExecutable(Path.of("/usr/lib/chromium/chromium"))
            ? "/usr/lib/chromium/chromium" : "chromium";
    static final String CERTUTIL = "certutil";
    private static final long STOP_MILLIS = 5_000;
    private static final int KEEP_OUTPUT = 64 * 1024;
    private static final AtomicReference<String> MISSING = new AtomicReference<>();

    private final Process process;
    private final StringBuilder output = new StringBuilder();
    private final Thread drainer;

    private ChromiumProcess(Process process) {
        this.process = process;
        this.drainer = new Thread(() -> drain(process.getInputStream()), "chromium-out-" + process.pid());
        drainer.setDaemon(true);
        drainer.start();
    }

    /** Skips (or under CI=true fails) the calling test when chromium or certutil cannot run here. */
    static void require() {
        String missing = MISSING.updateAndGet(m -> m != null ? m : probe());
        if (missing.isEmpty()) {
            return;
        }
        String message = "headless Chromium is not available (" + missing + "); run scripts/install-peers.sh"
                + " (Debian packages chromium and libnss3-tools)";
        if ("true".equals(System.getenv("CI"))) {
            Assertions.fail(message + " — CI=true requires every real peer.");
        }
        Assumptions.abort(message);
    }

    private static String probe() {
        for (List<String> cmd : List.of(List.of(BROWSER, "--version"), List.of(CERTUTIL, "--help"))) {
            try {
                CaClientProcess.Result r = CaClientProcess.run(cmd, Map.of());
                // certutil --help prints its usage and exits 1; only "cannot start" counts as missing
                if (r.timedOut() || (cmd.get(0).equals(BROWSER) && (r.exit() != 0 || !r.out().contains("Chrom")))) {
                    return String.join(" ", cmd) + " failed: " + r.describe();
                }
            } catch (UncheckedIOException e) {
                return "cannot run " + cmd.get(0) + ": " + e.getCause().getMessage();
            }
        }
        return "";
    }

    /**
     * A fresh NSS database under {@code home}/.pki/nssdb (where Chromium on Linux keeps the user's
     * certificates) trusting {@code caPem} as a certificate authority for TLS servers.
     */
    static void trustInNssDb(Path home, Path caPem) throws IOException {
        Path db = home.resolve(".pki").resolve("nssdb");
        Files.createDirectories(db);
        String dbArg = "sql:" + db;
        for (List<String> cmd : List.of(
                List.of(CERTUTIL, "-d", dbArg, "-N", "--empty-password"),
                List.of(CERTUTIL, "-d", dbArg, "-A", "-t", "C,,", "-n", "wsdebug-test", "-i", caPem.toString()),
                List.of(CERTUTIL, "-d", dbArg, "-L", "-n", "wsdebug-test"))) {
            CaClientProcess.Result r = CaClientProcess.run(cmd, Map.of("HOME", home.toString()));
            if (r.exit() != 0) {
                throw new IllegalStateException(String.join(" ", cmd) + " failed: " + r.describe());
            }
        }
    }

    /**
     * Starts {@code chromium --headless} with the given flags after the fixed ones that keep it
     * quiet (no background networking, no first run, no GPU, no QUIC), with this HOME.
     */
    static ChromiumProcess start(Path home, Path userDataDir, List<String> flags) {
        List<String> cmd = new ArrayList<>(List.of(BROWSER, "--headless", "--no-sandbox", "--disable-gpu",
                "--no-first-run", "--no-default-browser-check", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--disable-quic", "--disable-breakpad",
                "--disable-domain-reliability", "--disable-dev-shm-usage", "--metrics-recording-only",
                "--user-data-dir=" + userDataDir));
        cmd.addAll(flags);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        Map<String, String> env = pb.environment();
        for (String v : List.of("DISPLAY", "WAYLAND_DISPLAY", "XDG_CONFIG_HOME", "XDG_CACHE_HOME", "XDG_DATA_HOME",
                "SSL_CERT_FILE", "SSL_CERT_DIR", "http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY",
                "all_proxy", "ALL_PROXY", "no_proxy", "NO_PROXY", "CHROMIUM_FLAGS")) {
            env.remove(v);
        }
        env.put("HOME", home.toString());
        // its singleton socket and other scratch files go under the test's directory, not /tmp
        env.put("TMPDIR", home.toString());
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + cmd, e);
        }
        try {
            p.getOutputStream().close();
        } catch (IOException e) {
            // nothing to tell it anyway
        }
        return new ChromiumProcess(p);
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** The last 64 KiB that Chromium wrote to stdout and stderr, for failure messages. */
    String output() {
        synchronized (output) {
            return output.toString();
        }
    }

    private void drain(InputStream in) {
        char[] buf = new char[8192];
        try (InputStreamReader r = new InputStreamReader(in, StandardCharsets.UTF_8)) {
            int n;
            while ((n = r.read(buf)) >= 0) {
                synchronized (output) {
                    output.append(buf, 0, n);
                    if (output.length() > 2 * KEEP_OUTPUT) {
                        output.delete(0, output.length() - KEEP_OUTPUT);
                    }
                }
            }
        } catch (IOException e) {
            // the browser went away
        }
    }

    /**
     * Stops the browser and every process it started, by their ids: the descendants are listed
     * before anything is stopped (an orphan is no longer a descendant), the browser is asked to quit
     * (it ends its children itself), and whatever is still alive after a while is killed.
     */
    @Override
    public void close() {
        ProcessHandle browser = process.toHandle();
        List<ProcessHandle> family = new ArrayList<>(browser.descendants().toList());
        family.add(browser);
        browser.destroy();
        try {
            process.waitFor(STOP_MILLIS, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (ProcessHandle h : family) {
            if (h.isAlive()) {
                h.destroyForcibly();
            }
        }
        long deadline = System.nanoTime() + STOP_MILLIS * 1_000_000;
        for (ProcessHandle h : family) {
            while (h.isAlive() && System.nanoTime() < deadline) {
                try {
                    Thread.sleep(20);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
        }
        try {
            drainer.join(STOP_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
