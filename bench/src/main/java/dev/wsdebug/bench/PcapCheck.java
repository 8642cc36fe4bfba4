package dev.wsdebug.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.CRC32;

/**
 * Checks, for {@code bench/pcap.sh}, that wsdebug and tshark saw the same WebSocket traffic in a
 * capture written by {@link PcapGen}: the number of frames and of RSV1 (compressed) frames agrees
 * with the generator's count, and for every connection and direction the text of all text
 * messages, concatenated in order, is the same (CRC32 and length) in wsdebug's JSON
 * ({@code message} events) and in tshark's {@code websocket.payload.text} (inflated by tshark).
 *
 * <pre>
 * java -cp bench/target/benchmarks.jar dev.wsdebug.bench.PcapCheck GEN_LINE_FILE TSHARK.tsv WSDEBUG.jsonl
 * </pre>
 * TSHARK.tsv: {@code tshark -T fields -E occurrence=a -E aggregator='|'} with the columns frame.number,
 * tcp.stream, websocket.fin, .rsv, .opcode, .mask, .payload_length, ..._ext_16, ..._ext_64, .pmc,
 * .payload.close.status_code, .payload.close.reason, .payload.text (the generator's text has no '|').
 * Prints one {@code CHECK ...} line per comparison; exits 1 when anything differs.
 */
public final class PcapCheck {
    private static final Pattern GEN = Pattern.compile("(\\w+)=(\\d+)");

    /** Text bytes of one connection direction. */
    private static final class Texts {
        final CRC32 crc = new CRC32();
        long bytes;
        long messages;

        void add(String text) {
            byte[] b = text.getBytes(StandardCharsets.UTF_8);
            crc.update(b);
            bytes += b.length;
        }
    }

    private PcapCheck() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 3) {
            System.err.println("usage: PcapCheck GEN_LINE_FILE TSHARK.tsv WSDEBUG.jsonl");
            System.exit(2);
        }
        Map<String, Long> gen = new TreeMap<>();
        Matcher m = GEN.matcher(Files.readString(Path.of(args[0])));
        while (m.find()) {
            gen.put(m.group(1), Long.parseLong(m.group(2)));
        }

        long tsFrames = 0;
        long tsRsv1 = 0;
        Map<String, Texts> tsTexts = new TreeMap<>();
        try (BufferedReader r = Files.newBufferedReader(Path.of(args[1]), StandardCharsets.UTF_8)) {
            String line;
            while ((line = r.readLine()) != null) {
                String[] f = line.split("\t", -1);
                if (f.length < 13 || f[0].equals("frame.number")) {
                    continue;
                }
                String[] fins = f[2].split("\\|", -1);
                tsFrames += fins.length;
                for (String rsv : f[3].split("\\|", -1)) {
                    if ((Integer.decode(rsv) & 4) != 0) {
                        tsRsv1++;
                    }
                }
                String dir = f[5].startsWith("1") ? "c2s" : "s2c"; // a packet carries one direction
                Texts t = tsTexts.computeIfAbsent((Integer.parseInt(f[1]) + 1) + " " + dir, k -> new Texts());
                if (!f[12].isEmpty()) {
                    for (String part : f[12].split("\\|", -1)) {
                        t.add(unescape(part));
                    }
                }
            }
        }

        long wsFrames = 0;
        long wsRsv1 = 0;
        long errors = 0;
        long truncated = 0;
        Map<String, Texts> wsTexts = new TreeMap<>();
        ObjectMapper json = new ObjectMapper();
        try (BufferedReader r = Files.newBufferedReader(Path.of(args[2]), StandardCharsets.UTF_8)) {
            String line;
            while ((line = r.readLine()) != null) {
                JsonNode e = json.readTree(line);
                switch (e.path("event").asText()) {
                    case "frame" -> {
                        wsFrames++;
                        if (e.path("rsv1").asBoolean()) {
                            wsRsv1++;
                        }
                    }
                    case "message" -> {
                        if (e.path("truncated").asBoolean()) {
                            truncated++;
                        }
                        if (e.path("type").asText().equals("text")) {
                            Texts t = wsTexts.computeIfAbsent(e.path("conn").asText() + " " + e.path("dir").asText(),
                                    k -> new Texts());
                            t.add(e.path("text").asText());
                            t.messages++;
                        }
                    }
                    case "error" -> errors++;
                    default -> {
                    }
                }
            }
        }

        boolean ok = true;
        ok &= line("frames", gen.get("frames"), tsFrames, wsFrames);
        ok &= line("RSV1 frames", gen.get("compressed"), tsRsv1, wsRsv1);
        int same = 0;
        int differ = 0;
        long textBytes = 0;
        long textMessages = 0;
        for (String k : union(tsTexts, wsTexts)) {
            Texts a = tsTexts.get(k);
            Texts b = wsTexts.get(k);
            long aBytes = a == null ? 0 : a.bytes;
            long bBytes = b == null ? 0 : b.bytes;
            long aCrc = a == null ? 0 : a.crc.getValue();
            long bCrc = b == null ? 0 : b.crc.getValue();
            if (aBytes == bBytes && aCrc == bCrc) {
                same++;
            } else {
                differ++;
                if (differ <= 5) {
                    System.out.printf("CHECK text of conn %s: tshark %d bytes crc %08x, wsdebug %d bytes crc %08x%n", k,
                            aBytes, aCrc, bBytes, bCrc);
                }
            }
            textBytes += bBytes;
            textMessages += b == null ? 0 : b.messages;
        }
        System.out.printf("CHECK text per connection and direction: %d equal, %d differ (wsdebug: %d text messages, %d bytes"
                + " after inflation)%n", same, differ, textMessages, textBytes);
        ok &= differ == 0;
        System.out.printf("CHECK wsdebug error events: %d, truncated messages: %d%n", errors, truncated);
        ok &= errors == 0 && truncated == 0;
        System.out.println(ok ? "CHECK OK" : "CHECK FAILED");
        System.exit(ok ? 0 : 1);
    }

    private static boolean line(String what, Long generated, long tshark, long wsdebug) {
        boolean ok = generated != null && generated == tshark && tshark == wsdebug;
        System.out.printf("CHECK %s: generated %s, tshark %d, wsdebug %d%s%n", what, generated, tshark, wsdebug,
                ok ? "" : "  <-- differ");
        return ok;
    }

    private static Iterable<String> union(Map<String, Texts> a, Map<String, Texts> b) {
        TreeMap<String, Boolean> keys = new TreeMap<>();
        a.keySet().forEach(k -> keys.put(k, true));
        b.keySet().forEach(k -> keys.put(k, true));
        return keys.keySet();
    }

    /** tshark's escapes in text fields: \n, \r, \t, \\, \" and \xNN. */
    static String unescape(String s) {
        if (s.indexOf('\\') < 0) {
            return s;
        }
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c != '\\' || i + 1 == s.length()) {
                out.append(c);
                continue;
            }
            char n = s.charAt(++i);
            switch (n) {
                case 'n' -> out.append('\n');
                case 'r' -> out.append('\r');
                case 't' -> out.append('\t');
                case '\\' -> out.append('\\');
                case '"' -> out.append('"');
                case 'x' -> {
                    out.append((char) Integer.parseInt(s.substring(i + 1, i + 3), 16));
                    i += 2;
                }
                default -> out.append('\\').append(n);
            }
        }
        return out.toString();
    }
}
