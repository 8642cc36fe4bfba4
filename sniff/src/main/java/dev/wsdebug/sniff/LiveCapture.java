package dev.wsdebug.sniff;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * A live capture through a capture tool in a subprocess — {@code dumpcap -w -} (pcapng) or
 * {@code tcpdump -U -w -} (pcap), whichever is installed — whose standard output is read like a
 * capture file. What the tool says on stderr when it cannot capture (no permission, no such
 * interface, a filter that is not BPF) becomes one sentence saying what to do.
 */
public final class LiveCapture implements AutoCloseable {
    /** A capture that cannot start or stopped with an error: one sentence for the user. */
    public static final class Failure extends Exception {
        public Failure(String sentence) {
            super(sentence);
        }
    }

    private final Process process;
    private final String tool;
    private final String iface;
    private final String filter;
    private final List<String> stderr = new ArrayList<>();
    private final Thread stderrReader;
    private volatile boolean stopping;

    private LiveCapture(Process process, String tool, String iface, String filter) {
        this.process = process;
        this.tool = tool;
        this.iface = iface;
        this.filter = filter;
        this.stderrReader = new Thread(this::readStderr, "capture-stderr");
        stderrReader.setDaemon(true);
        stderrReader.start();
    }

    /**
     * Starts capturing.
     *
     * @param filter a BPF capture filter, or null for every packet
     */
    public static LiveCapture start(String iface, String filter) throws Failure {
        Path dumpcap = find("dumpcap");
        Path tcpdump = dumpcap == null ? find("tcpdump") : null;
        if (dumpcap == null && tcpdump == null) {
            throw new Failure("sniff needs dumpcap or tcpdump to capture packets and finds neither on the PATH; install"
                    + " one (Debian/Ubuntu: apt-get install tcpdump, or apt-get install tshark for dumpcap).");
        }
        List<String> cmd = new ArrayList<>();
        String tool;
        // a 32 MiB kernel buffer (the tools default to 2 MiB): loopback bursts of 64 KiB segments
        // overflow the small one, and every dropped packet is a hole in a WebSocket stream
        if (dumpcap != null) {
            tool = "dumpcap";
            cmd.addAll(List.of(dumpcap.toString(), "-i", iface, "-q", "-B", "32", "-w", "-"));
            if (filter != null) {
                cmd.addAll(List.of("-f", filter));
            }
        } else {
            tool = "tcpdump";
            cmd.addAll(List.of(tcpdump.toString(), "-i", iface, "-U", "-n", "-B", "32768", "-w", "-"));
            if (filter != null) {
                cmd.add(filter);
            }
        }
        try {
            return new LiveCapture(new ProcessBuilder(cmd).start(), tool, iface, filter);
        } catch (IOException e) {
            throw new Failure("cannot start " + tool + ": " + e.getMessage() + ".");
        }
    }

    private static Path find(String name) {
        String path = System.getenv("PATH");
        if (path == null) {
            return null;
        }
        for (String dir : path.split(File.pathSeparator)) {
            Path p = Path.of(dir.isEmpty() ? "." : dir, name);
            if (Files.isExecutable(p)) {
                return p;
            }
        }
        return null;
    }

    /** The capture tool's output: a pcapng (dumpcap) or pcap (tcpdump) stream. */
    public InputStream packets() {
        return process.getInputStream();
    }

    /** "dumpcap" or "tcpdump". */
    public String tool() {
        return tool;
    }

    public long pid() {
        return process.pid();
    }

    /**
     * Why the capture ended, as a sentence, or null when it ended because it was stopped (or the
     * tool said nothing wrong). Call after its output has ended.
     */
    public String failure() throws InterruptedException {
        process.waitFor(5, TimeUnit.SECONDS);
        stderrReader.join(2_000);
        if (stopping) {
            return null;
        }
        String all;
        synchronized (stderr) {
            all = String.join("\n", stderr);
        }
        String lower = all.toLowerCase(Locale.ROOT);
        if (lower.contains("permission") || lower.contains("operation not permitted")) {
            return "sniff has no permission to capture on " + iface + ": run it as root, or let " + tool + " capture ("
                    + (tool.equals("dumpcap") ? "sudo setcap cap_net_raw,cap_net_admin=eip $(command -v dumpcap)"
                    : "sudo setcap cap_net_raw,cap_net_admin=eip $(command -v tcpdump)") + ").";
        }
        if (lower.contains("no device named") || lower.contains("no such device") || lower.contains("doesn't exist")) {
            return "there is no interface named " + iface + " (ip link lists them; lo is the loopback).";
        }
        if (lower.contains("invalid capture filter") || lower.contains("syntax error") || lower.contains("can't parse filter")) {
            return "the capture filter '" + filter + "' is not valid BPF (" + toolLine(all) + ").";
        }
        boolean failed = process.isAlive() ? false : process.exitValue() != 0;
        return failed || all.contains(tool + ":") ? tool + " failed: " + toolLine(all) + "." : null;
    }

    /** The tool's own error line ("dumpcap: Invalid capture filter ..."), without its name; else the last line. */
    private String toolLine(String text) {
        for (String l : text.split("\n")) {
            if (l.startsWith(tool + ": ")) {
                String m = l.substring(tool.length() + 2).strip();
                return m.endsWith(".") ? m.substring(0, m.length() - 1) : m;
            }
        }
        return lastLine(text);
    }

    /** The lines the tool wrote on stderr so far ("Capturing on 'lo'", errors). */
    public List<String> messages() {
        synchronized (stderr) {
            return new ArrayList<>(stderr);
        }
    }

    private static String lastLine(String text) {
        String[] lines = text.strip().split("\n");
        for (int i = lines.length - 1; i >= 0; i--) {
            String l = lines[i].strip();
            if (!l.isEmpty() && !l.startsWith("(")) {
                return l.endsWith(".") ? l.substring(0, l.length() - 1) : l;
            }
        }
        return "no message";
    }

    private void readStderr() {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                synchronized (stderr) {
                    if (stderr.size() < 200) {
                        stderr.add(line);
                    }
                }
            }
        } catch (IOException e) {
            // the tool is gone
        }
    }

    /** Stops the tool (it flushes what it captured and ends its output). */
    public void stop() {
        stopping = true;
        process.destroy();
    }

    @Override
    public void close() {
        stopping = true;
        process.destroy();
        try {
            if (!process.waitFor(3, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
