package dev.wsdebug.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.wsdebug.capture.peer.Peer;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * The pieces of the live-capture integration tests (ProxyCaptureIT, ChromiumWssCaptureIT): tools on
 * the PATH (a missing one skips the test, or fails it under CI=true), child processes stopped by
 * their ids, dumpcap on lo stopped only once it has written a sentinel packet, tshark's WebSocket
 * frames, and the peer scripts of sniff/src/test/resources/live (the sniff module's live-capture tests
 * use them too; see py_peer.py for their plan language and output).
 */
final class LiveCaptureSupport {
    private LiveCaptureSupport() {
    }

    static String tool(String name) {
        String dirs = System.getenv().getOrDefault("PATH", "/usr/bin:/bin") + File.pathSeparator + "/usr/sbin:/sbin";
        for (String dir : dirs.split(File.pathSeparator)) {
            Path p = Path.of(dir, name);
            if (Files.isExecutable(p)) {
                return p.toString();
            }
        }
        String message = name + " is not installed (scripts/install-peers.sh installs it)";
        if ("true".equals(System.getenv("CI"))) {
            Assertions.fail(message + " — CI=true requires it.");
        }
        Assumptions.abort(message);
        return null;
    }

    /** A peer script of the sniff module's live tests. */
    static Path peerScript(String name) {
        Path p = Peer.repoRoot().resolve("sniff/src/test/resources/live").resolve(name);
        if (!Files.isRegularFile(p)) {
            throw new IllegalStateException(p + " is missing");
        }
        return p;
    }

    /** A child process: stdout kept by line, stderr as text; every wait bounded; stopped by its id. */
    static final class Child implements AutoCloseable {
        private final String name;
        private final Process process;
        private final List<String> out = new ArrayList<>();
        private final StringBuilder err = new StringBuilder();
        private final Thread[] readers = new Thread[2];

        Child(String name, List<String> cmd, Map<String, String> env) {
            this.name = name;
            ProcessBuilder pb = new ProcessBuilder(cmd);
            pb.environment().putAll(env);
            try {
                process = pb.start();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot start " + cmd, e);
            }
            try {
                process.getOutputStream().close();
            } catch (IOException e) {
                // nothing to say to it
            }
            readers[0] = pump(process.getInputStream(), true);
            readers[1] = pump(process.getErrorStream(), false);
        }

        private Thread pump(InputStream in, boolean stdout) {
            Thread t = new Thread(() -> {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                    String line;
                    while ((line = r.readLine()) != null) {
                        synchronized (this) {
                            if (stdout) {
                                out.add(line);
                            } else {
                                err.append(line).append('\n');
                            }
                            notifyAll();
                        }
                    }
                } catch (IOException e) {
                    // gone
                }
            }, name + (stdout ? "-out" : "-err"));
            t.setDaemon(true);
            t.start();
            return t;
        }

        synchronized List<String> lines() {
            return new ArrayList<>(out);
        }

        synchronized String stderr() {
            return err.toString();
        }

        /** The first line (stdout, or stderr) that matches, waiting for it (bounded). */
        synchronized String await(Predicate<String> wanted, boolean stdout, long millis) throws InterruptedException {
            long deadline = System.nanoTime() + millis * 1_000_000;
            while (true) {
                for (String l : stdout ? out : err.toString().lines().toList()) {
                    if (wanted.test(l)) {
                        return l;
                    }
                }
                long left = (deadline - System.nanoTime()) / 1_000_000;
                if (left <= 0) {
                    throw new AssertionError(name + " did not print the expected line within " + millis + " ms\n" + describe());
                }
                wait(Math.min(left, 100));
            }
        }

        int waitFor(long millis) throws InterruptedException {
            if (!process.waitFor(millis, TimeUnit.MILLISECONDS)) {
                close();
                throw new AssertionError(name + " did not finish within " + millis + " ms\n" + describe());
            }
            readers[0].join(5_000);
            readers[1].join(5_000);
            return process.exitValue();
        }

        /** SIGTERM, then SIGKILL after 10 s; returns the exit status. */
        int terminate() throws InterruptedException {
            process.toHandle().destroy();
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.toHandle().destroyForcibly();
                process.waitFor(5, TimeUnit.SECONDS);
            }
            readers[0].join(5_000);
            readers[1].join(5_000);
            return process.isAlive() ? -1 : process.exitValue();
        }

        synchronized String describe() {
            return "--- " + name + " stdout:\n" + String.join("\n", out.subList(Math.max(0, out.size() - 100), out.size()))
                    + "\n--- " + name + " stderr:\n" + err;
        }

        @Override
        public void close() {
            ProcessHandle h = process.toHandle();
            List<ProcessHandle> descendants = h.descendants().toList();
            if (h.isAlive()) {
                descendants.forEach(ProcessHandle::destroy);
                h.destroy();
                try {
                    if (!process.waitFor(5, TimeUnit.SECONDS)) {
                        h.destroyForcibly();
                        process.waitFor(5, TimeUnit.SECONDS);
                    }
                } catch (InterruptedException e) {
                    h.destroyForcibly();
                    Thread.currentThread().interrupt();
                }
            }
            descendants.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
        }
    }

    /**
     * dumpcap on lo into a pcapng. {@link #stop} sends a sentinel UDP datagram (the filter takes it
     * in) and waits until dumpcap has written it, since libpcap delivers packets in blocks and a
     * capture stopped at once loses the last ones; then SIGTERM.
     */
    static final class Dumpcap implements AutoCloseable {
        private final Child child;
        private final Path file;
        private final DatagramSocket sink;

        Dumpcap(Path file, String filter) throws IOException, InterruptedException {
            String dumpcap = tool("dumpcap");
            this.file = file;
            this.sink = new DatagramSocket(0, InetAddress.getLoopbackAddress());
            this.child = new Child("dumpcap", List.of(dumpcap, "-i", "lo", "-n", "-B", "64", "-f",
                    "(" + filter + ") or (udp and dst port " + sink.getLocalPort() + ")", "-w", file.toString()), Map.of());
            try {
                child.await(l -> l.contains("Capturing on") || !child.process.isAlive(), false, 15_000);
            } catch (AssertionError | InterruptedException e) {
                close();
                throw e;
            }
            if (!child.stderr().contains("Capturing on")) {
                close();
                // not allowed to capture here (not root, no CAP_NET_RAW): like a missing tool
                String message = "dumpcap cannot capture on lo: " + child.stderr().strip();
                if ("true".equals(System.getenv("CI"))) {
                    Assertions.fail(message + " — CI=true requires it.");
                }
                Assumptions.abort(message);
            }
        }

        Path stop() throws IOException, InterruptedException {
            byte[] token = ("wsdebug-sentinel-" + UUID.randomUUID()).getBytes(StandardCharsets.US_ASCII);
            boolean found = false;
            long deadline = System.nanoTime() + 10_000_000_000L;
            try (DatagramSocket s = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
                for (int i = 0; !found && System.nanoTime() < deadline; i++) {
                    if (i % 25 == 0) {
                        s.send(new DatagramPacket(token, token.length, InetAddress.getLoopbackAddress(), sink.getLocalPort()));
                    }
                    Thread.sleep(20);
                    found = contains(token);
                }
            }
            int exit = child.terminate();
            sink.close();
            if (!found || exit != 0) {
                throw new AssertionError("dumpcap: sentinel " + (found ? "written" : "never written") + ", exit " + exit
                        + "\n" + child.describe());
            }
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("Packets received/dropped on interface '[^']*': (\\d+)/(\\d+)")
                    .matcher(child.stderr());
            if (m.find() && !m.group(2).equals("0")) {
                throw new AssertionError("dumpcap dropped packets: " + m.group());
            }
            return file;
        }

        private boolean contains(byte[] token) throws IOException {
            if (!Files.exists(file)) {
                return false;
            }
            try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "r")) {
                long len = f.length();
                int n = (int) Math.min(len, 4096);
                byte[] b = new byte[n];
                f.seek(len - n);
                f.readFully(b);
                return new String(b, StandardCharsets.ISO_8859_1).contains(new String(token, StandardCharsets.ISO_8859_1));
            }
        }

        @Override
        public void close() {
            child.close();
            sink.close();
        }
    }

    /** One WebSocket frame as tshark shows it: packet, stream, fin, opcode, mask, payload length. */
    record TsharkFrame(long packet, int stream, boolean fin, int opcode, boolean masked, long length) {
    }

    /** tshark's WebSocket frames of a capture (several in one packet are '|'-joined per field and split here). */
    static List<TsharkFrame> tsharkFrames(Path pcap, List<String> options) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(tool("tshark"), "-n", "-r", pcap.toString()));
        cmd.addAll(options);
        cmd.addAll(List.of("-Y", "websocket", "-T", "fields", "-E", "occurrence=a", "-E", "aggregator=|",
                "-e", "frame.number", "-e", "tcp.stream", "-e", "websocket.fin", "-e", "websocket.opcode",
                "-e", "websocket.mask", "-e", "websocket.payload_length", "-e", "websocket.payload_length_ext_16",
                "-e", "websocket.payload_length_ext_64"));
        Path outFile = Files.createTempFile(pcap.getParent(), "tshark", ".out");
        Process p = new ProcessBuilder(cmd).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectOutput(outFile.toFile()).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("tshark did not finish in 60 s: " + cmd);
        }
        List<TsharkFrame> frames = new ArrayList<>();
        for (String line : Files.readAllLines(outFile, StandardCharsets.UTF_8)) {
            if (line.isBlank()) {
                continue;
            }
            String[] f = line.split("\t", -1);
            String[] fins = f[2].split("\\|");
            String[] ops = f[3].split("\\|");
            String[] masks = f[4].split("\\|");
            String[] lens = f[5].split("\\|");
            Iterator<String> ext16 = List.of(f[6].isEmpty() ? new String[0] : f[6].split("\\|")).iterator();
            Iterator<String> ext64 = List.of(f[7].isEmpty() ? new String[0] : f[7].split("\\|")).iterator();
            for (int i = 0; i < fins.length; i++) {
                long len = Long.parseLong(lens[i]);
                len = len == 126 ? Long.parseLong(ext16.next()) : len == 127 ? Long.parseLong(ext64.next()) : len;
                frames.add(new TsharkFrame(Long.parseLong(f[0]), Integer.parseInt(f[1].split("\\|")[0]),
                        fins[i].equals("1"), Integer.parseInt(ops[i]), masks[i].equals("1"), len));
            }
        }
        Files.deleteIfExists(outFile);
        return frames;
    }

    /** The events of one connection, of one kind ("frame", "message", "close", "handshake"). */
    static List<JsonNode> of(List<JsonNode> events, String conn, String event) {
        return events.stream().filter(e -> e.path("conn").asText().equals(conn) && e.path("event").asText().equals(event))
                .toList();
    }

    /** An event without what differs between two recordings of the same traffic: ids, times, seq, packets. */
    static JsonNode comparable(JsonNode event) {
        ObjectNode copy = event.deepCopy();
        copy.remove(List.of("conn", "t", "seq", "packets"));
        return copy;
    }

    /** "text 12 <sha256>" / "binary 1048576 <sha256>" of a message event (the payload digest when not truncated). */
    static String messageKey(JsonNode m) {
        String sha;
        if (m.has("sha256") && !m.get("sha256").isNull()) {
            sha = m.get("sha256").asText();
        } else {
            byte[] payload = m.has("text") && !m.get("text").isNull()
                    ? m.get("text").asText().getBytes(StandardCharsets.UTF_8)
                    : Base64.getDecoder().decode(m.get("base64").asText());
            try {
                sha = HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(payload));
            } catch (java.security.NoSuchAlgorithmException e) {
                throw new AssertionError(e);
            }
        }
        return m.get("type").asText() + " " + m.get("length").asLong() + " " + sha;
    }

    /** The same for a peer script's "sent"/"received" line. */
    static String peerKey(JsonNode n) {
        return n.get("kind").asText() + " " + n.get("len").asLong() + " " + n.get("sha256").asText();
    }
}
