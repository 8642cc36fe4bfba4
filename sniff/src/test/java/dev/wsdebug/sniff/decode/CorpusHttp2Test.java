package dev.wsdebug.sniff.decode;

import dev.wsdebug.capture.ErrorEvent;
import dev.wsdebug.capture.HttpEvent;
import dev.wsdebug.sniff.DecodeOptions;
import dev.wsdebug.sniff.pcap.RealCaps;
import dev.wsdebug.sniff.tls.KeyLog;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every HTTP/2 capture of the shared corpus (h2c in {@code h2/}, TLS with ALPN h2 and a key log in
 * {@code tls/}), read end to end: each request tshark's HPACK decoding lists ({@code :method},
 * {@code :path}, {@code :authority}, pushed ones included) is an {@code http} event of the same
 * connection with that method and URL, and the final statuses it lists are those of the events.
 * The oss-fuzz reproducers give error events or nothing, never an exception.
 */
class CorpusHttp2Test {
    /** A request or a final status as the oracle lists it, on the oracle's tcp.stream (0-based). */
    record Expected(int stream, String method, String path, String authority, int status) {
    }

    @TestFactory
    Stream<DynamicTest> everyHttp2CaptureListsTsharksStreams() throws IOException {
        List<Path> captures = new ArrayList<>(RealCaps.captures("h2"));
        for (Path tls : RealCaps.captures("tls")) {
            if (Files.readString(Path.of(tls + ".tshark.txt")).contains("## HTTP/2 frames")) {
                captures.add(tls);
            }
        }
        assertThat(captures).hasSizeGreaterThan(20);
        return captures.stream().map(c -> DynamicTest.dynamicTest(c.getFileName().toString(), () -> check(c)));
    }

    private static void check(Path capture) throws Exception {
        List<String> oracle = Files.readAllLines(Path.of(capture + ".tshark.txt"), StandardCharsets.UTF_8);
        String base = capture.getFileName().toString().replaceAll("\\.pcap(ng)?$", "");
        Path keys = capture.resolveSibling(base + ".keys");
        DecodeOptions options = new DecodeOptions();
        if (Files.exists(keys)) {
            options.keys = KeyLog.read(keys);
        }
        Decoded d = Decoded.of(capture, options);
        List<Expected> expected = expected(oracle);
        List<HttpEvent> http = d.of(HttpEvent.class);
        String shown = http.stream().map(h -> h.conn() + " " + h.method() + " " + h.url() + " " + h.status()).toList()
                + "\nerrors: " + d.of(ErrorEvent.class).stream().map(ErrorEvent::message).toList();
        List<String> wantRequests = new ArrayList<>();
        List<String> wantStatuses = new ArrayList<>();
        for (Expected e : expected) {
            String conn = Integer.toString(e.stream() + 1);
            if (e.method() != null) {
                wantRequests.add(conn + " " + e.method() + " " + e.authority() + e.path());
            } else {
                wantStatuses.add(conn + " " + e.status());
            }
        }
        // HTTP/1.1 exchanges (a CONNECT before a tunnel, an h2c upgrade's request, which becomes stream 1)
        // are listed by tshark under HTTP, not among the HTTP/2 fields
        List<String> gotRequests = http.stream().filter(h -> h.method() != null)
                .filter(h -> "HTTP/2".equals(h.request().version()) && !h.request().tokens("Upgrade").contains("h2c"))
                .map(h -> h.conn() + " " + h.method() + " " + h.url().replaceFirst("^[a-z]+://", "")).toList();
        List<String> gotStatuses = http.stream().filter(h -> h.status() >= 0 && "HTTP/2".equals(h.response().version())).map(h -> h.conn() + " " + h.status())
                .toList();
        assertThat(gotRequests).as(shown).containsExactlyInAnyOrderElementsOf(wantRequests);
        assertThat(gotStatuses).as(shown).containsExactlyInAnyOrderElementsOf(wantStatuses);
        if (!FUZZED.contains(base)) {
            // a GOAWAY with an error code is said (kind h2); nothing else of a well-formed capture is a problem
            assertThat(d.of(ErrorEvent.class)).as(shown).allSatisfy(e -> assertThat(e.kind()).isEqualTo("h2"));
        }
    }

    /** The oss-fuzz reproducers: broken on purpose (tshark reports malformed packets in them). */
    private static final java.util.Set<String> FUZZED = java.util.Set.of("suricata__drop-protocol-change",
            "suricata__transform-base64-7296");

    /**
     * The requests and final statuses of the oracle's HTTP/2 section: its header names and values
     * are aligned by position, several frames of a packet joined with "|"; a {@code :method} starts
     * a request, a {@code :status} other than 1xx is a response.
     */
    static List<Expected> expected(List<String> oracle) {
        List<Expected> out = new ArrayList<>();
        int i = oracle.indexOf("frame.number\ttcp.stream\thttp2.streamid\thttp2.type\thttp2.flags\thttp2.length"
                + "\thttp2.header.name\thttp2.header.value");
        if (i < 0) {
            return out;
        }
        for (String line : oracle.subList(i + 1, oracle.size())) {
            if (line.isEmpty() || line.startsWith("#")) {
                break;
            }
            String[] col = line.split("\t", -1);
            if (col.length < 8 || col[6].isEmpty()) {
                continue;
            }
            int stream = Integer.parseInt(col[1]);
            String[] names = col[6].split("\\|", -1);
            String[] values = col[7].split("\\|", -1);
            String method = null;
            String path = null;
            String authority = null;
            java.util.Set<String> seen = new java.util.HashSet<>();
            boolean regular = false;
            for (int k = 0; k < names.length; k++) {
                String v = k < values.length ? values[k] : "";
                if (names[k].startsWith(":") && (regular || seen.contains(names[k]))) {
                    // the next field block of the packet begins (pseudo-headers come first in each)
                    if (method != null) {
                        out.add(new Expected(stream, method, path, authority, -1));
                    }
                    method = null;
                    path = null;
                    authority = null;
                    seen.clear();
                    regular = false;
                }
                seen.add(names[k]);
                regular |= !names[k].startsWith(":");
                switch (names[k]) {
                    case ":method" -> method = v;
                    case ":path" -> path = v;
                    case ":authority" -> authority = v;
                    case ":status" -> {
                        if (!v.startsWith("1")) {
                            out.add(new Expected(stream, null, null, null, Integer.parseInt(v)));
                        }
                    }
                    default -> {
                    }
                }
            }
            if (method != null) {
                out.add(new Expected(stream, method, path, authority, -1));
            }
        }
        return out;
    }
}
