package dev.wsdebug.sniff.live;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * tshark's WebSocket dissector, the oracle, on a capture a test recorded: one {@link Frame} per
 * WebSocket frame, in capture order, with the fields CorpusWebSocketTest compares.
 *
 * <p>A packet that carries several frames gives '|'-joined values per field, and fields a frame
 * lacks are left out, so they are put back per frame: the extended lengths follow the 7-bit length
 * (126: 16-bit, 127: 64-bit), the close code belongs to close frames with a payload, the reason to
 * those with more than two bytes. Text is kept only for a packet that carries a single frame
 * (where it cannot be attributed wrongly).
 */
final class TsharkWs {
    private static final long TIMEOUT_MILLIS = 90_000;
    private static final String[] FIELDS = {"frame.number", "tcp.stream", "websocket.fin", "websocket.rsv",
            "websocket.opcode", "websocket.mask", "websocket.payload_length", "websocket.payload_length_ext_16",
            "websocket.payload_length_ext_64", "websocket.payload.close.status_code",
            "websocket.payload.close.reason", "websocket.payload.text", "_ws.expert.message"};

    /**
     * One frame as tshark sees it.
     *
     * @param text   tshark's text (after its permessage-deflate inflation) when it shows one and the
     *               packet holds no other frame; else null
     * @param expert the expert messages of the packet ('|'-joined), e.g. "Decompression failed"
     */
    record Frame(long packet, int stream, boolean fin, int rsv, int opcode, boolean masked, long length,
                 Integer closeCode, String closeReason, String text, String expert, int framesInPacket) {
    }

    private TsharkWs() {
    }

    /** {@code tshark -n -r capture OPTIONS -Y websocket -T fields ...}, parsed. */
    static List<Frame> frames(Path capture, List<String> options) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(Live.tool("tshark"), "-n", "-r", capture.toString()));
        cmd.addAll(options);
        cmd.addAll(List.of("-Y", "websocket", "-T", "fields", "-E", "separator=/t", "-E", "occurrence=a",
                "-E", "aggregator=|"));
        for (String f : FIELDS) {
            cmd.add("-e");
            cmd.add(f);
        }
        List<Frame> out = new ArrayList<>();
        for (String line : run(capture.getParent(), cmd)) {
            if (!line.isEmpty()) {
                parse(line, out);
            }
        }
        return out;
    }

    /** "4.0.17" */
    static String version() throws IOException, InterruptedException {
        List<String> lines = run(Path.of(System.getProperty("java.io.tmpdir")), List.of(Live.tool("tshark"), "--version"));
        String first = lines.isEmpty() ? "" : lines.get(0);
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(\\d+\\.\\d+\\.\\d+)").matcher(first);
        return m.find() ? m.group(1) : first;
    }

    static List<String> run(Path dir, List<String> cmd) throws IOException, InterruptedException {
        Path stdout = Files.createTempFile(dir, "tshark", ".out");
        Path stderr = Files.createTempFile(dir, "tshark", ".err");
        Process p = new ProcessBuilder(cmd).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectOutput(stdout.toFile()).redirectError(stderr.toFile()).start();
        try {
            if (!p.waitFor(TIMEOUT_MILLIS, java.util.concurrent.TimeUnit.MILLISECONDS)) {
                throw new AssertionError("tshark did not finish in " + TIMEOUT_MILLIS + " ms: " + cmd);
            }
            if (p.exitValue() != 0) {
                throw new AssertionError("tshark exited " + p.exitValue() + ": " + cmd + "\n"
                        + Files.readString(stderr, StandardCharsets.UTF_8));
            }
            return Files.readAllLines(stdout, StandardCharsets.UTF_8);
        } finally {
            if (p.isAlive()) {
                p.toHandle().destroyForcibly();
                p.waitFor(5, java.util.concurrent.TimeUnit.SECONDS);
            }
            Files.deleteIfExists(stdout);
            Files.deleteIfExists(stderr);
        }
    }

    private static void parse(String line, List<Frame> out) {
        String[] f = line.split("\t", -1);
        long packet = Long.parseLong(f[0]);
        int stream = Integer.parseInt(first(f[1]));
        String[] fins = f[2].split("\\|", -1);
        int n = fins.length;
        String[] ext16 = values(f[7]);
        String[] ext64 = values(f[8]);
        String[] codes = values(f[9]);
        String[] reasons = values(f[10]);
        String[] texts = values(f[11]);
        String expert = f.length > 12 ? f[12] : "";
        int i16 = 0;
        int i64 = 0;
        int iCode = 0;
        int iReason = 0;
        for (int i = 0; i < n; i++) {
            int opcode = Integer.parseInt(part(f[4], i));
            long length = Long.parseLong(part(f[6], i));
            if (length == 126) {
                length = Long.parseLong(ext16[i16++]);
            } else if (length == 127) {
                length = Long.parseLong(ext64[i64++]);
            }
            Integer code = null;
            String reason = null;
            if (opcode == 8 && length >= 2 && iCode < codes.length) {
                code = Integer.parseInt(codes[iCode++]);
                reason = length > 2 && iReason < reasons.length ? unescape(reasons[iReason++]) : "";
            }
            String text = n == 1 && texts.length == 1 ? unescape(texts[0]) : null;
            out.add(new Frame(packet, stream, part(f[2], i).equals("1"), Integer.decode(part(f[3], i)), opcode,
                    part(f[5], i).equals("1"), length, code, reason, text, expert, n));
        }
    }

    private static String first(String column) {
        int bar = column.indexOf('|');
        return bar < 0 ? column : column.substring(0, bar);
    }

    private static String[] values(String column) {
        return column.isEmpty() ? new String[0] : column.split("\\|", -1);
    }

    private static String part(String column, int i) {
        String[] parts = column.split("\\|", -1);
        return i < parts.length ? parts[i] : "";
    }

    /** tshark's escapes in text fields: \n, \r, \t, \\, \" and \xNN (bytes, decoded as UTF-8). */
    static String unescape(String s) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c != '\\' || i + 1 == s.length()) {
                if (c < 0x80) {
                    out.write(c);
                } else {
                    int end = Character.isHighSurrogate(c) && i + 1 < s.length() ? i + 2 : i + 1;
                    out.writeBytes(s.substring(i, end).getBytes(StandardCharsets.UTF_8));
                    i = end - 1;
                }
                continue;
            }
            char n = s.charAt(++i);
            switch (n) {
                case 'n' -> out.write('\n');
                case 'r' -> out.write('\r');
                case 't' -> out.write('\t');
                case '\\' -> out.write('\\');
                case '"' -> out.write('"');
                case 'x' -> {
                    out.write(Integer.parseInt(s.substring(i + 1, i + 3), 16));
                    i += 2;
                }
                default -> {
                    out.write('\\');
                    out.write(n);
                }
            }
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    /** Decode-As for a WebSocket upgrade on a port tshark does not take for HTTP. */
    static List<String> httpOn(int port) {
        return List.of("-d", "tcp.port==" + port + ",http");
    }

    /** The key log tshark decrypts TLS with. */
    static List<String> keylog(Path keys) {
        return List.of("-o", "tls.keylog_file:" + keys.toAbsolutePath());
    }

    static Map<Integer, List<Frame>> byStream(List<Frame> frames) {
        Map<Integer, List<Frame>> out = new java.util.TreeMap<>();
        for (Frame f : frames) {
            out.computeIfAbsent(f.stream(), k -> new ArrayList<>()).add(f);
        }
        return out;
    }
}
