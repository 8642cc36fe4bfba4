package dev.wsdebug.sniff.live;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A child process of a test (a peer, dumpcap, openssl): its stdout kept line by line and its
 * stderr as text, every wait bounded, and stopped by its id (and those of the processes it
 * started), never by name.
 */
final class LiveProcess implements AutoCloseable {
    private static final long STOP_MILLIS = 5_000;
    private static final int KEEP = 1 << 20;

    private final String name;
    private final Process process;
    private final List<String> lines = new ArrayList<>();
    private final StringBuilder err = new StringBuilder();
    private final Thread outReader;
    private final Thread errReader;

    private LiveProcess(String name, Process process) {
        this.name = name;
        this.process = process;
        this.outReader = pump(process.getInputStream(), true);
        this.errReader = pump(process.getErrorStream(), false);
    }

    static LiveProcess start(String name, List<String> cmd, Map<String, String> env) {
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().putAll(env);
        try {
            return new LiveProcess(name, pb.start());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + name + ": " + cmd, e);
        }
    }

    long pid() {
        return process.pid();
    }

    private Thread pump(InputStream in, boolean stdout) {
        Thread t = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    synchronized (this) {
                        if (stdout) {
                            lines.add(line);
                        } else {
                            err.append(line).append('\n');
                            if (err.length() > 2 * KEEP) {
                                err.delete(0, err.length() - KEEP);
                            }
                        }
                        notifyAll();
                    }
                }
            } catch (IOException e) {
                // the process went away
            }
        }, name + "-" + (stdout ? "out" : "err") + "-" + process.pid());
        t.setDaemon(true);
        t.start();
        return t;
    }

    /** The lines of stdout so far. */
    synchronized List<String> lines() {
        return new ArrayList<>(lines);
    }

    synchronized String stderr() {
        return err.toString();
    }

    /** Waits (bounded) for a line of stdout that matches; fails with the output when none comes. */
    String awaitLine(Predicate<String> wanted, long millis) throws InterruptedException {
        return await(wanted, millis, true);
    }

    /** Waits (bounded) for a line of stderr that matches. */
    String awaitErrLine(Predicate<String> wanted, long millis) throws InterruptedException {
        return await(wanted, millis, false);
    }

    private synchronized String await(Predicate<String> wanted, long millis, boolean stdout) throws InterruptedException {
        long deadline = System.nanoTime() + millis * 1_000_000;
        while (true) {
            List<String> seen = stdout ? lines : err.toString().lines().toList();
            for (String l : seen) {
                if (wanted.test(l)) {
                    return l;
                }
            }
            long left = (deadline - System.nanoTime()) / 1_000_000;
            if (left <= 0) {
                throw new AssertionError(name + " (pid " + process.pid() + ") did not print the expected line within "
                        + millis + " ms" + (process.isAlive() ? "" : "; it exited with " + process.exitValue())
                        + "\n" + describeLocked());
            }
            wait(Math.min(left, 100));
        }
    }

    /** Writes to its stdin. */
    void write(byte[] b) throws IOException {
        OutputStream in = process.getOutputStream();
        in.write(b);
        in.flush();
    }

    void closeStdin() {
        try {
            process.getOutputStream().close();
        } catch (IOException e) {
            // gone already
        }
    }

    /** Waits (bounded) for it to exit and for its output to be read; stops it and fails after the timeout. */
    int waitFor(long millis) throws InterruptedException {
        if (!process.waitFor(millis, TimeUnit.MILLISECONDS)) {
            close();
            throw new AssertionError(name + " (pid " + process.pid() + ") did not finish within " + millis + " ms\n"
                    + describe());
        }
        outReader.join(STOP_MILLIS);
        errReader.join(STOP_MILLIS);
        return process.exitValue();
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** SIGTERM (ProcessHandle.destroy) and a bounded wait; SIGKILL after that. Returns the exit status. */
    int terminate() throws InterruptedException {
        process.toHandle().destroy();
        if (!process.waitFor(STOP_MILLIS, TimeUnit.MILLISECONDS)) {
            process.toHandle().destroyForcibly();
            process.waitFor(STOP_MILLIS, TimeUnit.MILLISECONDS);
        }
        outReader.join(STOP_MILLIS);
        errReader.join(STOP_MILLIS);
        return process.isAlive() ? -1 : process.exitValue();
    }

    synchronized String describe() {
        return describeLocked();
    }

    private String describeLocked() {
        StringBuilder s = new StringBuilder("--- " + name + " stdout ---\n");
        int from = Math.max(0, lines.size() - 200);
        for (String l : lines.subList(from, lines.size())) {
            s.append(l.length() > 500 ? l.substring(0, 500) + "..." : l).append('\n');
        }
        s.append("--- ").append(name).append(" stderr ---\n");
        s.append(err.length() > 20_000 ? err.substring(err.length() - 20_000) : err);
        return s.toString();
    }

    /** Stops the process and what it started, by their ids: politely, then forcibly after a timeout. */
    @Override
    public void close() {
        ProcessHandle handle = process.toHandle();
        List<ProcessHandle> descendants = handle.descendants().toList();
        if (handle.isAlive()) {
            descendants.forEach(ProcessHandle::destroy);
            handle.destroy();
            try {
                if (!process.waitFor(STOP_MILLIS, TimeUnit.MILLISECONDS)) {
                    handle.destroyForcibly();
                    process.waitFor(STOP_MILLIS, TimeUnit.MILLISECONDS);
                }
            } catch (InterruptedException e) {
                handle.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
        descendants.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
    }
}
