package dev.wsdebug.capture.peer;

import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A real, independent WebSocket implementation running as a child process on 127.0.0.1.
 *
 * <p>The peer script (a test resource under {@code peers/}) listens on port 0 and prints
 * {@code PORT <n>} on stdout once it accepts connections; {@link #start} waits for that line
 * (bounded) and {@link #close} stops the process by its id, forcibly if it does not exit in time.
 *
 * <p>{@link #run} instead runs any peer script (a client, say) to completion, bounded by a timeout,
 * and returns its exit code and output.
 *
 * <p>A missing peer skips the test through {@link Assumptions}; with the environment variable
 * {@code CI=true} it fails it instead, so that CI cannot pass without running against real peers.
 */
public final class Peer implements AutoCloseable {
    /** How long a peer may take to print its port. */
    public static final long START_TIMEOUT_MILLIS = 20_000;
    private static final long STOP_TIMEOUT_MILLIS = 5_000;
    private static final long PROBE_TIMEOUT_MILLIS = 15_000;
    private static final int OUTPUT_KEEP = 16 * 1024;
    private static final Pattern PORT_LINE = Pattern.compile("PORT (\\d{1,5})");
    private static final Map<Kind, String> MISSING = new ConcurrentHashMap<>();

    /** The implementations the tests run against. */
    public enum Kind {
        /** python websockets, through the system interpreter /usr/bin/python3. */
        PYTHON_WEBSOCKETS("python websockets", "echo_server.py"),
        /** Node ws from test-peers/node/node_modules. */
        NODE_WS("node ws", "echo_server.js");

        private final String label;
        private final String script;

        Kind(String label, String script) {
            this.label = label;
            this.script = script;
        }

        public String label() {
            return label;
        }

        @Override
        public String toString() {
            return label;
        }
    }

    private final Kind kind;
    private final Process process;
    private final int port;
    private final StringBuilder output;

    private Peer(Kind kind, Process process, int port, StringBuilder output) {
        this.kind = kind;
        this.process = process;
        this.port = port;
        this.output = output;
    }

    public Kind kind() {
        return kind;
    }

    /** The TCP port the peer listens on, on 127.0.0.1. */
    public int port() {
        return port;
    }

    public long pid() {
        return process.pid();
    }

    /** What the peer printed so far (stdout and stderr, the last few KiB): for failure messages. */
    public String output() {
        synchronized (output) {
            return output.toString();
        }
    }

    /**
     * Starts the peer's echo server with these arguments (its command-line flags) and waits until it
     * listens. Skips the calling test, or fails it under CI=true, when the peer is not installed.
     */
    public static Peer start(Kind kind, String... args) {
        requireInstalled(kind);
        Path root = repoRoot();
        List<String> cmd = new ArrayList<>();
        cmd.add(interpreter(kind));
        cmd.add(script("/peers/" + kind.script).toString());
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        environment(kind, pb, root);
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + kind + ": " + cmd, e);
        }
        StringBuilder out = new StringBuilder();
        CompletableFuture<Integer> portFound = new CompletableFuture<>();
        Thread reader = new Thread(() -> pump(p.getInputStream(), out, portFound), "peer-" + kind.name() + "-" + p.pid());
        reader.setDaemon(true);
        reader.start();
        Peer peer = null;
        try {
            Integer found = null;
            try {
                found = portFound.get(START_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                // reported below, with the peer's output
            } catch (ExecutionException e) {
                throw new IllegalStateException(e.getCause());
            }
            if (found == null) {
                throw new IllegalStateException(kind + " (pid " + p.pid() + ") did not print its port within "
                        + START_TIMEOUT_MILLIS + " ms" + (p.isAlive() ? "" : "; it exited with " + p.exitValue())
                        + ". Output:\n" + snapshot(out));
            }
            peer = new Peer(kind, p, found, out);
            return peer;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while starting " + kind, e);
        } finally {
            if (peer == null) {
                stop(p);
            }
        }
    }

    /**
     * What a script run to completion by {@link #run} printed.
     *
     * @param exitCode its exit status, or -1 when it was stopped after the timeout
     * @param timedOut whether it had to be stopped
     * @param stdout   what it printed on stdout (at most the last {@value Peer#RUN_OUTPUT_KEEP} characters)
     * @param stderr   what it printed on stderr (likewise)
     */
    public record Run(int exitCode, boolean timedOut, String stdout, String stderr) {
        /** The non-blank lines of stdout. */
        public List<String> lines() {
            return stdout.lines().filter(l -> !l.isBlank()).toList();
        }

        /** For failure messages. */
        public String describe() {
            return "exit " + exitCode + (timedOut ? " (stopped after the timeout)" : "")
                    + "\n--- stdout ---\n" + stdout + "--- stderr ---\n" + stderr;
        }
    }

    /** Most output kept per stream by {@link #run}. */
    public static final int RUN_OUTPUT_KEEP = 1 << 20;

    /**
     * Runs a peer script (a class-path resource such as {@code /peers/client.py}, run by the
     * interpreter of {@code kind}) with these arguments until it exits, and returns its exit code and
     * output. A script still running after {@code timeoutMillis} is stopped by its id (its result says
     * so). Skips the calling test, or fails it under CI=true, when the peer is not installed.
     */
    public static Run run(Kind kind, String resource, long timeoutMillis, String... args) {
        requireInstalled(kind);
        Path root = repoRoot();
        List<String> cmd = new ArrayList<>();
        cmd.add(interpreter(kind));
        cmd.add(script(resource).toString());
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        environment(kind, pb, root);
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + kind + ": " + cmd, e);
        }
        try {
            p.getOutputStream().close();
            CompletableFuture<String> out = drainAsync(p.getInputStream(), "peer-run-out-" + p.pid());
            CompletableFuture<String> err = drainAsync(p.getErrorStream(), "peer-run-err-" + p.pid());
            boolean exited = p.waitFor(timeoutMillis, TimeUnit.MILLISECONDS);
            if (!exited) {
                stop(p);
            }
            // The streams end once the process has gone.
            String stdout = out.get(STOP_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
            String stderr = err.get(STOP_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
            return new Run(exited ? p.exitValue() : -1, !exited, stdout, stderr);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running " + cmd, e);
        } catch (ExecutionException | TimeoutException | IOException e) {
            throw new IllegalStateException("cannot read the output of " + cmd, e);
        } finally {
            stop(p);
        }
    }

    /**
     * Runs a Node script (a class-path resource) that needs these packages of test-peers/node, and
     * Debian's Chromium when {@code chromium} is set ({@link #CHROMIUM} is passed to it in the
     * environment as {@code WSDEBUG_CHROMIUM}), until it exits; as {@link #run}. The script and every
     * process it started (a browser) are stopped by their ids after the timeout. Skips the calling
     * test, or fails it under CI=true, when a package or the browser is missing.
     */
    public static Run runNode(String resource, List<String> modules, boolean chromium, Map<String, String> env,
                              long timeoutMillis, String... args) {
        requireNode(modules, chromium);
        List<String> cmd = new ArrayList<>(List.of("node", script(resource).toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().put("NODE_PATH", nodeModules(repoRoot()).toString());
        pb.environment().put("WSDEBUG_CHROMIUM", CHROMIUM);
        pb.environment().putAll(env);
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + cmd, e);
        }
        try {
            p.getOutputStream().close();
            CompletableFuture<String> out = drainAsync(p.getInputStream(), "node-run-out-" + p.pid());
            CompletableFuture<String> err = drainAsync(p.getErrorStream(), "node-run-err-" + p.pid());
            boolean exited = p.waitFor(timeoutMillis, TimeUnit.MILLISECONDS);
            if (!exited) {
                stop(p);
            }
            String stdout = out.get(STOP_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
            String stderr = err.get(STOP_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
            return new Run(exited ? p.exitValue() : -1, !exited, stdout, stderr);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running " + cmd, e);
        } catch (ExecutionException | TimeoutException | IOException e) {
            throw new IllegalStateException("cannot read the output of " + cmd, e);
        } finally {
            stop(p);
        }
    }

    /**
     * Debian's browser binary itself: its /usr/bin/chromium wrapper would add the flags of
     * /etc/chromium.d (remote extensions, API keys) that bring background traffic back.
     */
    public static final String CHROMIUM = Files.isExecutable(Paths.get("/usr/lib/chromium/chromium"))
            ? "/usr/lib/chromium/chromium" : "/usr/bin/chromium";

    /** Skips (or under CI=true fails) the calling test unless node, these packages and, if asked, Chromium are here. */
    public static void requireNode(List<String> modules, boolean chromium) {
        List<String> missing = new ArrayList<>();
        Path root;
        try {
            root = repoRoot();
            for (String m : modules) {
                if (!Files.isRegularFile(nodeModules(root).resolve(m).resolve("package.json"))) {
                    missing.add("no " + nodeModules(root).resolve(m));
                }
            }
        } catch (IllegalStateException e) {
            missing.add(e.getMessage());
        }
        if (chromium && !Files.isExecutable(Paths.get(CHROMIUM))) {
            missing.add("no " + CHROMIUM + " (Debian package chromium)");
        }
        if (missing.isEmpty()) {
            String node = MISSING_TOOLS.computeIfAbsent("node", k -> {
                try {
                    Process p = new ProcessBuilder("node", "--version").redirectErrorStream(true).start();
                    p.getOutputStream().close();
                    if (!p.waitFor(PROBE_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS)) {
                        stop(p);
                        return "node --version did not finish";
                    }
                    return p.exitValue() == 0 ? "" : "node --version failed";
                } catch (IOException e) {
                    return "cannot run node: " + e.getMessage();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return "interrupted";
                }
            });
            if (!node.isEmpty()) {
                missing.add(node);
            }
        }
        if (missing.isEmpty()) {
            return;
        }
        String message = String.join("; ", missing) + "; run scripts/install-peers.sh";
        if ("true".equals(System.getenv("CI"))) {
            Assertions.fail(message + " — CI=true requires every real peer.");
        }
        Assumptions.abort(message);
    }

    private static final Map<String, String> MISSING_TOOLS = new ConcurrentHashMap<>();

    /** Reads the stream to its end on a thread of its own (never a shared pool's: reads block). */
    private static CompletableFuture<String> drainAsync(InputStream in, String threadName) {
        CompletableFuture<String> result = new CompletableFuture<>();
        Thread t = new Thread(() -> result.complete(drain(in)), threadName);
        t.setDaemon(true);
        t.start();
        return result;
    }

    private static String drain(InputStream in) {
        StringBuilder out = new StringBuilder();
        char[] buf = new char[8192];
        try (InputStreamReader r = new InputStreamReader(in, StandardCharsets.UTF_8)) {
            int n;
            while ((n = r.read(buf)) >= 0) {
                out.append(buf, 0, n);
                if (out.length() > 2 * RUN_OUTPUT_KEEP) {
                    out.delete(0, out.length() - RUN_OUTPUT_KEEP);
                }
            }
        } catch (IOException e) {
            // the process went away; keep what was read
        }
        if (out.length() > RUN_OUTPUT_KEEP) {
            out.delete(0, out.length() - RUN_OUTPUT_KEEP);
        }
        return out.toString();
    }

    private static String interpreter(Kind kind) {
        return kind == Kind.PYTHON_WEBSOCKETS ? "/usr/bin/python3" : "node";
    }

    /** Stops the process by its id: a polite destroy first, then a forced one after a timeout. */
    @Override
    public void close() {
        stop(process);
    }

    private static void stop(Process p) {
        // The handle of this very child (its pid, but never a later process that reused the pid).
        ProcessHandle handle = p.toHandle();
        // what it started (a browser and its helpers), by their ids, taken while they are still its descendants
        List<ProcessHandle> descendants = handle.descendants().toList();
        if (!handle.isAlive()) {
            descendants.forEach(ProcessHandle::destroyForcibly);
            return;
        }
        descendants.forEach(ProcessHandle::destroy);
        handle.destroy();
        try {
            if (!p.waitFor(STOP_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS)) {
                handle.destroyForcibly();
                p.waitFor(STOP_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            handle.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        descendants.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
    }

    private static void pump(InputStream in, StringBuilder out, CompletableFuture<Integer> port) {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                synchronized (out) {
                    out.append(line).append('\n');
                    if (out.length() > OUTPUT_KEEP) {
                        out.delete(0, out.length() - OUTPUT_KEEP);
                    }
                }
                Matcher m = PORT_LINE.matcher(line.trim());
                if (!port.isDone() && m.matches()) {
                    port.complete(Integer.parseInt(m.group(1)));
                }
            }
        } catch (IOException e) {
            // the process went away; whoever waits for the port times out with its output
        } finally {
            port.complete(null);
        }
    }

    private static String snapshot(StringBuilder out) {
        synchronized (out) {
            return out.toString();
        }
    }

    /**
     * Skips (or under CI=true fails) the calling test when this peer cannot run here.
     */
    public static void requireInstalled(Kind kind) {
        String missing = MISSING.computeIfAbsent(kind, Peer::probe);
        if (missing.isEmpty()) {
            return;
        }
        String message = kind + " is not available (" + missing + "); run scripts/install-peers.sh";
        if ("true".equals(System.getenv("CI"))) {
            Assertions.fail(message + " — CI=true requires every real peer.");
        }
        Assumptions.abort(message);
    }

    /** Empty when the peer can run, else why not. */
    private static String probe(Kind kind) {
        Path root;
        try {
            root = repoRoot();
        } catch (IllegalStateException e) {
            return e.getMessage();
        }
        List<String> cmd = kind == Kind.PYTHON_WEBSOCKETS
                ? List.of("/usr/bin/python3", "-c", "import websockets")
                : List.of("node", "-e", "require('ws')");
        if (kind == Kind.PYTHON_WEBSOCKETS && !Files.isExecutable(Paths.get("/usr/bin/python3"))) {
            return "/usr/bin/python3 not found";
        }
        if (kind == Kind.NODE_WS && !Files.isRegularFile(nodeModules(root).resolve("ws/package.json"))) {
            return "no " + nodeModules(root).resolve("ws");
        }
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        environment(kind, pb, root);
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            return "cannot run " + cmd.get(0) + ": " + e.getMessage();
        }
        try {
            p.getOutputStream().close();
            if (!p.waitFor(PROBE_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS)) {
                stop(p);
                return String.join(" ", cmd) + " did not finish in " + PROBE_TIMEOUT_MILLIS + " ms";
            }
            String text = new String(p.getInputStream().readNBytes(4096), StandardCharsets.UTF_8).trim();
            return p.exitValue() == 0 ? "" : String.join(" ", cmd) + " failed: " + text;
        } catch (IOException e) {
            return "cannot read " + cmd.get(0) + ": " + e.getMessage();
        } catch (InterruptedException e) {
            stop(p);
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }

    private static void environment(Kind kind, ProcessBuilder pb, Path root) {
        if (kind == Kind.NODE_WS) {
            pb.environment().put("NODE_PATH", nodeModules(root).toString());
        } else {
            pb.environment().put("PYTHONDONTWRITEBYTECODE", "1");
            pb.environment().put("PYTHONUNBUFFERED", "1");
        }
    }

    private static Path nodeModules(Path root) {
        return root.resolve("test-peers").resolve("node").resolve("node_modules");
    }

    /** The repository root: the nearest directory at or above user.dir holding scripts/install-peers.sh. */
    public static Path repoRoot() {
        Path dir = Paths.get(System.getProperty("user.dir")).toAbsolutePath();
        for (int depth = 0; dir != null && depth < 64; depth++, dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve("scripts").resolve("install-peers.sh"))) {
                return dir;
            }
        }
        throw new IllegalStateException("no directory at or above " + System.getProperty("user.dir")
                + " contains scripts/install-peers.sh");
    }

    /** A peer script (class-path resource) as a file: the resource itself, or a temporary copy of it. */
    private static Path script(String name) {
        URL url = Peer.class.getResource(name);
        if (url == null) {
            throw new IllegalStateException("test resource " + name + " is missing");
        }
        try {
            if ("file".equals(url.getProtocol())) {
                return Paths.get(url.toURI());
            }
            Path copy = Files.createTempFile("wsdebug-peer-", "-" + name.substring(name.lastIndexOf('/') + 1));
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
}
