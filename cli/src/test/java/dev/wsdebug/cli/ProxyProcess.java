package dev.wsdebug.cli;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The packaged {@code wsdebug proxy} as a child process started with --json, so its status lines
 * (the listening line first) are on stderr and only events on stdout.
 */
final class ProxyProcess implements AutoCloseable {
    private static final Pattern LISTENING = Pattern.compile("proxy listening on 127\\.0\\.0\\.1:(\\d+)");

    final Process process;
    final int port;
    private final List<String> errLines = new ArrayList<>();
    private final CompletableFuture<String> out;

    private ProxyProcess(Process process) throws Exception {
        this.process = process;
        this.out = CompletableFuture.supplyAsync(() -> readAll(process));
        CompletableFuture<Integer> found = new CompletableFuture<>();
        Thread t = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    synchronized (errLines) {
                        errLines.add(line);
                    }
                    Matcher m = LISTENING.matcher(line);
                    if (m.find()) {
                        found.complete(Integer.parseInt(m.group(1)));
                    }
                }
            } catch (java.io.IOException e) {
                // the process went away
            } finally {
                found.complete(-1);
            }
        }, "proxy-stderr");
        t.setDaemon(true);
        t.start();
        this.port = found.get(20, TimeUnit.SECONDS);
        if (port < 0) {
            close();
            throw new AssertionError("the proxy did not start: " + errLines());
        }
        // status lines that follow the listening line come in the same flush
        Thread.sleep(100);
    }

    /** Starts {@code wsdebug proxy --listen 127.0.0.1:0 --json ARGS...}. */
    static ProxyProcess start(String... args) throws Exception {
        return start(java.util.Map.of(), args);
    }

    /** As {@link #start(String...)}, with these environment variables (XDG_DATA_HOME: a local CA of its own). */
    static ProxyProcess start(java.util.Map<String, String> env, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", WsdebugProcess.jar().toString(), "proxy", "--listen", "127.0.0.1:0", "--json"));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().putAll(env);
        return new ProxyProcess(pb.start());
    }

    List<String> errLines() {
        synchronized (errLines) {
            return new ArrayList<>(errLines);
        }
    }

    /** Standard output once the process has ended. */
    String out() throws Exception {
        return out.get(10, TimeUnit.SECONDS);
    }

    /** SIGKILL: no shutdown hook runs. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.destroy();
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                kill();
            }
        }
    }

    private static String readAll(Process p) {
        try {
            return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
