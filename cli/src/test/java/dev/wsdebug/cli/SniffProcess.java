package dev.wsdebug.cli;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The packaged {@code wsdebug sniff -i lo ARGS} as a child process: started and waited for until it
 * says it is capturing, its stderr kept by line, stopped with SIGTERM (it then finishes what it has).
 */
final class SniffProcess implements AutoCloseable {
    private final Process process;
    private final List<String> err = new ArrayList<>();
    /** Standard output so far, line by line. */
    private final List<String> outLines = new ArrayList<>();
    private final CompletableFuture<String> out;

    /** Fails under CI=true (and skips elsewhere) when neither capture tool is installed. */
    static void requireCaptureTool() {
        boolean has = Files.isExecutable(Path.of("/usr/bin/dumpcap")) || Files.isExecutable(Path.of("/usr/bin/tcpdump"))
                || Files.isExecutable(Path.of("/usr/sbin/tcpdump"));
        if (!has && "true".equals(System.getenv("CI"))) {
            fail("dumpcap or tcpdump is needed (scripts/install-peers.sh installs tshark, which brings dumpcap)");
        }
        assumeTrue(has, "no dumpcap or tcpdump");
    }

    private SniffProcess(Process process) throws Exception {
        this.process = process;
        CompletableFuture<Boolean> capturing = new CompletableFuture<>();
        Thread t = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    synchronized (err) {
                        err.add(line);
                    }
                    if (line.startsWith("capturing on lo")) {
                        capturing.complete(true);
                    }
                }
            } catch (java.io.IOException e) {
                // gone
            } finally {
                capturing.complete(false);
            }
        }, "sniff-stderr");
        t.setDaemon(true);
        t.start();
        this.out = CompletableFuture.supplyAsync(() -> {
            StringBuilder all = new StringBuilder();
            try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    all.append(line).append('\n');
                    synchronized (outLines) {
                        outLines.add(line);
                        outLines.notifyAll();
                    }
                }
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            return all.toString();
        });
        boolean started = capturing.get(20, TimeUnit.SECONDS);
        if (!started) {
            close();
        }
        assertThat(started).as("sniff stderr: %s", errLines()).isTrue();
        Thread.sleep(500); // dumpcap is running once it says so; give the kernel filter a moment
    }

    /** Starts {@code wsdebug sniff -i lo ARGS...}. */
    static SniffProcess start(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", WsdebugProcess.jar().toString(), "sniff", "-i", "lo"));
        cmd.addAll(List.of(args));
        return new SniffProcess(new ProcessBuilder(cmd).start());
    }

    List<String> errLines() {
        synchronized (err) {
            return new ArrayList<>(err);
        }
    }

    /**
     * {@link #stop()} once a line of standard output contains {@code seen} (the close event of the
     * traffic recorded, say), or after 20 s: on a loaded machine the last packets can take a while
     * to go through dumpcap and the decoder.
     */
    String stopAfter(String seen) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        synchronized (outLines) {
            while (outLines.stream().noneMatch(l -> l.contains(seen)) && System.nanoTime() < deadline && process.isAlive()) {
                outLines.wait(200);
            }
        }
        return stop();
    }

    /** SIGTERM, after a moment for the last packets to reach dumpcap and the decoder; then its stdout. */
    String stop() throws Exception {
        Thread.sleep(1_000);
        process.toHandle().destroy(); // SIGTERM; Process.destroy would also close the pipes being read
        assertThat(process.waitFor(20, TimeUnit.SECONDS)).as("sniff stopped").isTrue();
        return out.get(10, TimeUnit.SECONDS);
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.destroyForcibly();
            process.waitFor(5, TimeUnit.SECONDS);
        }
    }
}
