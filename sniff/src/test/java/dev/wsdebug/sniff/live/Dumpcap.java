package dev.wsdebug.sniff.live;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * dumpcap recording the loopback interface into a pcapng file while a test's peers talk.
 *
 * <p>Stopping it at once with SIGTERM loses what the kernel still holds (libpcap hands packets over
 * in blocks, up to a timeout later): a capture of a short session stopped right after it is empty.
 * So {@link #stop} first sends a sentinel UDP datagram to a socket of the test (the capture filter
 * takes it in too) and waits until dumpcap has written it to the file — the packets before it
 * were delivered before it — then sends SIGTERM and waits for dumpcap to exit, and fails on
 * packets dumpcap reports dropped. The sentinel is the last packet of the capture: it shifts no
 * frame number.
 */
final class Dumpcap implements AutoCloseable {
    private static final long START_MILLIS = 15_000;
    private static final long SENTINEL_MILLIS = 10_000;
    private static final Pattern DROPPED = Pattern.compile("Packets received/dropped on interface '[^']*': (\\d+)/(\\d+)");

    private final LiveProcess process;
    private final Path file;
    private final DatagramSocket sink;
    private boolean stopped;

    private Dumpcap(LiveProcess process, Path file, DatagramSocket sink) {
        this.process = process;
        this.file = file;
        this.sink = sink;
    }

    /** Starts capturing on lo with this filter (e.g. {@code tcp port 8765}) and returns once dumpcap captures. */
    static Dumpcap start(Path file, String filter) throws IOException, InterruptedException {
        String dumpcap = Live.tool("dumpcap");
        DatagramSocket sink = new DatagramSocket(0, InetAddress.getLoopbackAddress());
        String f = "(" + filter + ") or (udp and dst port " + sink.getLocalPort() + ")";
        // -B 64: a kernel buffer that holds the 1 MiB messages of a burst while dumpcap shares 2 cores
        LiveProcess p = LiveProcess.start("dumpcap", List.of(dumpcap, "-i", "lo", "-n", "-B", "64", "-f", f,
                "-w", file.toString()), Map.of());
        Dumpcap d = new Dumpcap(p, file, sink);
        try {
            p.awaitErrLine(l -> l.contains("Capturing on") || !p.isAlive(), START_MILLIS);
        } catch (AssertionError | InterruptedException e) {
            d.close();
            throw e;
        }
        if (!p.stderr().contains("Capturing on")) {
            d.close();
            // not allowed to capture here (not root, no CAP_NET_RAW): like a missing tool
            Live.unavailable("dumpcap cannot capture on lo: " + p.stderr().strip());
        }
        return d;
    }

    /** Ends the capture (see the class comment) and returns the file. */
    Path stop() throws IOException, InterruptedException {
        if (stopped) {
            return file;
        }
        stopped = true;
        byte[] token = ("wsdebug-sentinel-" + UUID.randomUUID()).getBytes(StandardCharsets.US_ASCII);
        long deadline = System.nanoTime() + SENTINEL_MILLIS * 1_000_000;
        long scanned = 0;
        long lastSent = 0;
        boolean found = false;
        try (DatagramSocket out = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            while (!found && System.nanoTime() < deadline) {
                if (System.nanoTime() - lastSent > 500_000_000L) {
                    out.send(new DatagramPacket(token, token.length, InetAddress.getLoopbackAddress(), sink.getLocalPort()));
                    lastSent = System.nanoTime();
                }
                Thread.sleep(20);
                long[] pos = {scanned};
                found = contains(token, pos);
                scanned = pos[0];
            }
        }
        int exit = process.terminate();
        sink.close();
        if (!found) {
            throw new AssertionError("dumpcap did not write the sentinel packet within " + SENTINEL_MILLIS + " ms\n"
                    + process.describe());
        }
        if (exit != 0) {
            throw new AssertionError("dumpcap exited with " + exit + "\n" + process.describe());
        }
        Matcher m = DROPPED.matcher(process.stderr());
        if (m.find() && !m.group(2).equals("0")) {
            throw new AssertionError("dumpcap dropped packets: " + m.group() + "\n" + process.describe());
        }
        return file;
    }

    /** Whether the file holds the token at or after {@code pos[0] - token.length}; pos[0] becomes the file's length. */
    private boolean contains(byte[] token, long[] pos) throws IOException {
        if (!Files.exists(file)) {
            return false;
        }
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "r")) {
            long from = Math.max(0, pos[0] - token.length);
            long len = f.length();
            if (len <= from) {
                return false;
            }
            byte[] b = new byte[(int) (len - from)];
            f.seek(from);
            f.readFully(b);
            pos[0] = len;
            outer:
            for (int i = 0; i + token.length <= b.length; i++) {
                for (int j = 0; j < token.length; j++) {
                    if (b[i + j] != token[j]) {
                        continue outer;
                    }
                }
                return true;
            }
            return false;
        }
    }

    @Override
    public void close() {
        process.close();
        sink.close();
    }
}
