package dev.wsdebug.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.wsdebug.cli.SynthCapture.Block;
import dev.wsdebug.cli.SynthCapture.Packet;
import dev.wsdebug.cli.SynthCapture.Tcp;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code wsdebug read} on packet captures and bad input, through the packaged jar: captures cut at
 * every kind of record and block boundary and in the middle (what came before is shown, one
 * sentence, exit 2), files that are not captures, content rather than names deciding the kind,
 * standard input, files merged by time, --streams, --save, --filter, an unsupported link type.
 */
@Tag("packaged-jar")
class ReadCaptureFilesIT {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    @TempDir
    static Path dir;
    /** Connection 1 (a whole WebSocket), then connection 2 (another), as packets. */
    static List<Packet> packets;
    static int firstConnectionPackets;
    static Path pcap;
    static byte[] pcapBytes;
    static List<Integer> pcapEnds = new ArrayList<>();
    static Path pcapng;
    static byte[] pcapngBytes;
    static List<Block> blocks = new ArrayList<>();
    /** The whole pcap read with --json. */
    static WsdebugProcess.Result full;
    static WsdebugProcess.Result fullNg;

    @BeforeAll
    static void captures() throws Exception {
        Tcp one = SynthCapture.webSocket(new Tcp(1, 50001, 8080), "/one", "first");
        Tcp two = SynthCapture.webSocket(new Tcp(3, 50003, 8080), "/two", "second");
        List<byte[]> data = new ArrayList<>(one.packets());
        firstConnectionPackets = data.size();
        data.addAll(two.packets());
        packets = SynthCapture.timed(SynthCapture.T0_MICROS, 1000, data);
        pcapBytes = SynthCapture.pcap(1, packets, pcapEnds);
        pcap = Files.write(dir.resolve("two.pcap"), pcapBytes);
        pcapngBytes = SynthCapture.pcapng(packets, firstConnectionPackets + 6, blocks);
        pcapng = Files.write(dir.resolve("two.pcapng"), pcapngBytes);
        List<WsdebugProcess.Result> r = parallel(List.of(() -> WsdebugProcess.run("read", "--json", pcap.toString()),
                () -> WsdebugProcess.run("read", "--json", pcapng.toString())));
        full = r.get(0);
        fullNg = r.get(1);
    }

    /** Runs the jar twice at a time (2 cores), results in order. */
    private static List<WsdebugProcess.Result> parallel(List<Callable<WsdebugProcess.Result>> runs) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            List<Future<WsdebugProcess.Result>> futures = new ArrayList<>();
            for (Callable<WsdebugProcess.Result> c : runs) {
                futures.add(pool.submit(c));
            }
            List<WsdebugProcess.Result> out = new ArrayList<>();
            for (Future<WsdebugProcess.Result> f : futures) {
                out.add(f.get());
            }
            return out;
        } finally {
            pool.shutdownNow();
        }
    }

    private static List<JsonNode> json(String out) throws Exception {
        List<JsonNode> nodes = new ArrayList<>();
        for (String line : out.split("\n")) {
            if (!line.isEmpty()) {
                nodes.add(MAPPER.readTree(line));
            }
        }
        return nodes;
    }

    private static List<String> lines(String out, String conn) throws Exception {
        return Arrays.stream(out.split("\n")).filter(l -> !l.isEmpty()).filter(l -> {
            try {
                return MAPPER.readTree(l).path("conn").asText().equals(conn);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }).collect(Collectors.toList());
    }

    private static String summaryLine(int packets, int webSockets) {
        return "# " + packets + " packets: " + webSockets + " WebSocket connection" + (webSockets == 1 ? "" : "s")
                + ", 0 HTTP exchanges, 0 TLS connections (0 decrypted), 0 other TCP connections (0 bytes), 0 UDP and 0"
                + " other packets.";
    }

    @Test
    void wholeCaptures() throws Exception {
        assertThat(full.exit()).as(full.err()).isZero();
        assertThat(full.err().lines()).containsExactly(summaryLine(packets.size(), 2));
        List<JsonNode> events = json(full.out());
        // per connection: handshake, text c2s, text s2c, binary s2c (3 packets), ping, pong, close both ways, close
        assertThat(events.stream().map(n -> n.get("conn").asText() + " " + n.get("event").asText()
                + (n.has("dir") ? " " + n.get("dir").asText() + " " + n.get("type").asText() : "")))
                .containsExactly("1 handshake", "1 frame c2s text", "1 message c2s text", "1 frame s2c text",
                        "1 message s2c text", "1 frame s2c binary", "1 message s2c binary", "1 frame c2s ping",
                        "1 frame s2c pong", "1 frame c2s close", "1 frame s2c close", "1 close",
                        "2 handshake", "2 frame c2s text", "2 message c2s text", "2 frame s2c text",
                        "2 message s2c text", "2 frame s2c binary", "2 message s2c binary", "2 frame c2s ping",
                        "2 frame s2c pong", "2 frame c2s close", "2 frame s2c close", "2 close");
        assertThat(events.get(5).get("packets").toString()).isEqualTo("[8,9,10]");
        assertThat(events.get(14).get("text").asText()).isEqualTo("second");
        // the same packets in a pcapng: the same events
        assertThat(fullNg.exit()).as(fullNg.err()).isZero();
        assertThat(fullNg.out()).isEqualTo(full.out());
    }

    /** A cut, what it is, and how many packets are whole before it. */
    private record Cut(String what, int at, int packets) {
    }

    /**
     * Cut inside connection 2: at a record end (a file that simply ends there: exit 0), and inside a
     * record header, inside its data, one byte short of its end (exit 2 with one sentence). Every
     * time connection 1 is shown exactly as in the whole file.
     */
    @Test
    void truncatedPcap() throws Exception {
        // connection 2: 1-3 SYN..ACK, 4 request, 5 101, 6-7 text both ways, 8-10 binary, 11-12 ping pong, 13-14 close, 15-17 FINs
        int k = firstConnectionPackets + 7; // record k ends at pcapEnds.get(k)
        int end = pcapEnds.get(k);
        int next = pcapEnds.get(k + 1);
        List<Cut> cuts = List.of(new Cut("record end", end, k), new Cut("record header", end + 7, k),
                new Cut("record data", (end + 16 + next) / 2, k), new Cut("last byte", next - 1, k));
        checkCuts("pcap", pcapBytes, cuts);
    }

    @Test
    void truncatedPcapng() throws Exception {
        List<Block> epbs = blocks.stream().filter(b -> b.kind().equals("EPB")).toList();
        Block epb = epbs.get(firstConnectionPackets + 8);
        Block nrb = blocks.stream().filter(b -> b.kind().equals("NRB")).findFirst().orElseThrow();
        assertThat(nrb.start()).isLessThan(epb.start());
        int n = firstConnectionPackets + 8;
        List<Cut> cuts = List.of(new Cut("block end", epb.start(), n), new Cut("block type", epb.start() + 2, n),
                new Cut("block length", epb.start() + 6, n), new Cut("block body", epb.start() + 30, n),
                new Cut("trailing length", epb.end() - 2, n), new Cut("name resolution block", nrb.start() + 9, n - 1));
        checkCuts("pcapng", pcapngBytes, cuts);
    }

    /** Each cut lies in connection 2: all of connection 1 is before it. */
    private void checkCuts(String kind, byte[] file, List<Cut> cuts) throws Exception {
        List<Callable<WsdebugProcess.Result>> runs = new ArrayList<>();
        List<Path> paths = new ArrayList<>();
        for (Cut c : cuts) {
            Path p = Files.write(dir.resolve("cut-" + kind + "-" + c.what().replace(' ', '-') + "." + kind),
                    Arrays.copyOf(file, c.at()));
            paths.add(p);
            runs.add(() -> WsdebugProcess.run("read", "--json", p.toString()));
        }
        List<WsdebugProcess.Result> results = parallel(runs);
        List<String> one = lines(full.out(), "1");
        for (int i = 0; i < cuts.size(); i++) {
            Cut c = cuts.get(i);
            WsdebugProcess.Result r = results.get(i);
            String as = kind + " cut at " + c.what() + " (" + c.at() + "): " + r.err();
            assertThat(lines(r.out(), "1")).as(as).containsExactlyElementsOf(one);
            List<String> twoSoFar = lines(r.out(), "2");
            assertThat(twoSoFar).as(as).isNotEmpty();
            assertThat(twoSoFar.get(0)).as(as).contains("\"event\":\"handshake\"");
            assertThat(twoSoFar.get(twoSoFar.size() - 1)).as(as).contains("\"event\":\"close\"").contains("\"code\":1006");
            if (c.what().endsWith("end")) {
                assertThat(r.exit()).as(as).isZero();
                assertThat(r.err().lines()).as(as).containsExactly(summaryLine(c.packets(), 2));
            } else {
                assertThat(r.exit()).as(as).isEqualTo(2);
                // with --json the summary goes to stderr (stdout stays JSON Lines), then the one sentence
                List<String> err = r.err().lines().toList();
                assertThat(err).as(as).hasSize(2);
                assertThat(err.get(0)).as(as).isEqualTo(summaryLine(c.packets(), 2));
                assertThat(err.get(1)).as(as).startsWith("wsdebug read: cannot read " + paths.get(i) + ": the capture ends inside")
                        .endsWith(".");
            }
        }
    }

    /** In the transcript the summary goes to stdout: stderr holds the one sentence alone. */
    @Test
    void truncatedTranscriptHasOneSentenceOnStderr() throws Exception {
        Path p = Files.write(dir.resolve("cut-transcript.pcap"), Arrays.copyOf(pcapBytes, pcapBytes.length - 3));
        Path header = Files.write(dir.resolve("cut-header.pcap"), Arrays.copyOf(pcapBytes, 10));
        Path shb = Files.write(dir.resolve("cut-shb.pcapng"), Arrays.copyOf(pcapngBytes, 20));
        List<WsdebugProcess.Result> r = parallel(List.of(() -> WsdebugProcess.run("read", p.toString()),
                () -> WsdebugProcess.run("read", header.toString()), () -> WsdebugProcess.run("read", shb.toString())));
        assertThat(r.get(0).exit()).isEqualTo(2);
        assertThat(r.get(0).out()).contains("\"first\"").contains("\"second\"");
        assertThat(r.get(0).err().lines()).singleElement().asString()
                .startsWith("wsdebug read: cannot read " + p + ": the capture ends inside packet " + packets.size());
        assertThat(r.get(1).exit()).isEqualTo(2);
        assertThat(r.get(1).err().lines()).singleElement().asString()
                .isEqualTo("wsdebug read: cannot read " + header + ": the capture ends inside its 24-byte pcap file header"
                        + " (10 bytes are there).");
        assertThat(r.get(2).exit()).isEqualTo(2);
        assertThat(r.get(2).err().lines()).singleElement().asString().startsWith("wsdebug read: cannot read " + shb + ": ");
        for (WsdebugProcess.Result x : r.subList(1, 3)) {
            assertThat(x.out()).doesNotContain("handshake");
        }
    }

    @Test
    void filesThatAreNotCaptures() throws Exception {
        Path empty = Files.write(dir.resolve("empty.pcap"), new byte[0]);
        byte[] noise = new byte[5000];
        new Random(9).nextBytes(noise);
        noise[0] = 0x13;
        Path random = Files.write(dir.resolve("random.pcapng"), noise);
        Path har = Files.writeString(dir.resolve("broken.har"), "{\"log\": {\"entries\": [ this is not JSON");
        Path directory = Files.createDirectory(dir.resolve("a-directory.pcap"));
        Path missing = dir.resolve("missing.pcap");
        List<WsdebugProcess.Result> r = parallel(List.of(() -> WsdebugProcess.run("read", empty.toString()),
                () -> WsdebugProcess.run("read", random.toString()), () -> WsdebugProcess.run("read", har.toString()),
                () -> WsdebugProcess.run("read", directory.toString()), () -> WsdebugProcess.run("read", missing.toString())));
        for (WsdebugProcess.Result x : r) {
            assertThat(x.exit()).as(x.err()).isEqualTo(2);
            assertThat(x.out()).as(x.err()).isEmpty();
            assertThat(x.err().lines()).as(x.err()).hasSize(1);
            assertThat(x.err()).startsWith("wsdebug read: ").endsWith(".\n");
        }
        assertThat(r.get(0).err()).isEqualTo("wsdebug read: cannot read " + empty + ": it is empty.\n");
        assertThat(r.get(1).err()).isEqualTo("wsdebug read: " + random + " is not a capture wsdebug reads: not a .wsdb"
                + " capture store, pcap, pcapng, HAR or JSON Lines file (it starts with 13 " + hex(noise, 1, 7) + " ...).\n");
        assertThat(r.get(2).err()).contains(har.toString());
        assertThat(r.get(3).err()).startsWith("wsdebug read: cannot read " + directory + ": ");
        assertThat(r.get(4).err()).isEqualTo("wsdebug read: cannot read " + missing + ": no such file.\n");
    }

    /**
     * CaptureInputs.open has the sentence "cannot read D: it is a directory.", but on Linux opening a
     * directory succeeds and the read in CaptureInputs.add fails, whose catch puts the OS's message
     * instead: "cannot read D: Is a directory.".
     */
    @Test
    void aDirectoryIsSaidToBeOne() throws Exception {
        Path directory = Files.createDirectories(dir.resolve("another-directory"));
        WsdebugProcess.Result r = WsdebugProcess.run("read", directory.toString());
        assertThat(r.err()).isEqualTo("wsdebug read: cannot read " + directory + ": it is a directory.\n");
    }

    private static String hex(byte[] b, int from, int n) {
        StringBuilder s = new StringBuilder();
        for (int i = from; i < from + n; i++) {
            s.append(i > from ? " " : "").append(String.format("%02x", b[i] & 0xFF));
        }
        return s.toString();
    }

    /**
     * --save writes a .wsdb that reads back as the pcap did (packet numbers aside: a store keeps
     * bytes, not packets); a .wsdb named .pcap and a pcap named .wsdb are read by their content.
     */
    @Test
    void saveAndNamesThatLie() throws Exception {
        Path store = dir.resolve("saved.wsdb");
        WsdebugProcess.Result saved = WsdebugProcess.run("read", "--json", pcap.toString(), "--save", store.toString());
        assertThat(saved.exit()).as(saved.err()).isZero();
        assertThat(saved.out()).isEqualTo(full.out());
        Path storeAsPcap = Files.copy(store, dir.resolve("actually-a-store.pcap"));
        Path pcapAsStore = Files.copy(pcap, dir.resolve("actually-a-pcap.wsdb"));
        List<WsdebugProcess.Result> r = parallel(List.of(() -> WsdebugProcess.run("read", "--json", store.toString()),
                () -> WsdebugProcess.run("read", "--json", storeAsPcap.toString()),
                () -> WsdebugProcess.run("read", "--json", pcapAsStore.toString())));
        for (WsdebugProcess.Result x : r) {
            assertThat(x.exit()).as(x.err()).isZero();
        }
        assertThat(withoutPackets(r.get(0).out())).isEqualTo(withoutPackets(full.out()));
        assertThat(r.get(1).out()).isEqualTo(r.get(0).out());
        assertThat(r.get(2).out()).isEqualTo(full.out());
        assertThat(r.get(0).err()).isEmpty();
    }

    private static List<JsonNode> withoutPackets(String out) throws Exception {
        List<JsonNode> nodes = json(out);
        for (JsonNode n : nodes) {
            ((ObjectNode) n).remove("packets");
        }
        return nodes;
    }

    /** {@code -} reads the capture from standard input (as tcpdump -w - | wsdebug read - would). */
    @Test
    void standardInput() throws Exception {
        WsdebugProcess.Result r = WsdebugProcess.run(pcapngBytes, Map.of(), "read", "--json", "-");
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).isEqualTo(full.out());
    }

    /**
     * Two files whose packets alternate in time (one connection each) read as one capture merged
     * by time: the same events as one file holding the packets merged, packet numbers included.
     */
    @Test
    void twoFilesMergedByTime() throws Exception {
        Tcp a = SynthCapture.webSocket(new Tcp(5, 50005, 9001), "/a", "from a");
        Tcp b = SynthCapture.webSocket(new Tcp(6, 50006, 9002), "/b", "from b");
        List<Packet> pa = SynthCapture.timed(SynthCapture.T0_MICROS, 2000, a.packets());
        List<Packet> pb = SynthCapture.timed(SynthCapture.T0_MICROS + 1000, 2000, b.packets());
        Path fa = Files.write(dir.resolve("a.pcap"), SynthCapture.pcap(pa));
        Path fb = Files.write(dir.resolve("b.pcapng"), SynthCapture.pcapng(pb, -1, new ArrayList<>()));
        List<Packet> merged = Stream.concat(pa.stream(), pb.stream())
                .sorted(java.util.Comparator.comparingLong(Packet::timeMicros)).toList();
        Path fm = Files.write(dir.resolve("merged.pcap"), SynthCapture.pcap(merged));
        List<WsdebugProcess.Result> r = parallel(List.of(
                () -> WsdebugProcess.run("read", "--json", fa.toString(), fb.toString()),
                () -> WsdebugProcess.run("read", "--json", fm.toString())));
        assertThat(r.get(0).exit()).as(r.get(0).err()).isZero();
        assertThat(r.get(0).out()).isEqualTo(r.get(1).out());
        List<JsonNode> events = json(r.get(0).out());
        // interleaved by time, not one file after the other
        String conns = events.stream().map(n -> n.get("conn").asText()).collect(Collectors.joining());
        assertThat(conns).startsWith("12").contains("21").doesNotContain("1111");
        assertThat(events.stream().map(n -> n.get("t").decimalValue()).toList()).isSorted();
    }

    /**
     * --streams DIR: one file per direction of each connection holding exactly its reassembled
     * bytes (here after reordered and repeated segments), whatever the protocol.
     */
    @Test
    void streams() throws Exception {
        Tcp ws = SynthCapture.webSocket(new Tcp(7, 50007, 8080), "/s", "stream me");
        List<byte[]> p = new ArrayList<>(ws.packets());
        java.util.Collections.swap(p, 7, 8); // the binary's first two segments
        p.add(9, p.get(6)); // a retransmission
        Tcp other = new Tcp(8, 50008, 22).open().send(false, SynthCapture.ascii("SSH-2.0-test\r\n"))
                .send(true, SynthCapture.ascii("SSH-2.0-client\r\n")).close();
        p.addAll(other.packets());
        Path file = Files.write(dir.resolve("streams.pcap"), SynthCapture.pcap(SynthCapture.timed(SynthCapture.T0_MICROS,
                1000, p)));
        Path out = dir.resolve("streams-out");
        WsdebugProcess.Result r = WsdebugProcess.run("read", file.toString(), "--streams", out.toString());
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).contains("\"stream me\"");
        Map<String, byte[]> files = new TreeMap<>();
        try (Stream<Path> list = Files.list(out)) {
            for (Path f : list.toList()) {
                files.put(f.getFileName().toString(), Files.readAllBytes(f));
            }
        }
        assertThat(files.keySet()).containsExactly("1_10.0.0.7_50007_10.0.0.2_8080.c2s", "1_10.0.0.7_50007_10.0.0.2_8080.s2c",
                "2_10.0.0.8_50008_10.0.0.2_22.c2s", "2_10.0.0.8_50008_10.0.0.2_22.s2c");
        assertThat(files.get("1_10.0.0.7_50007_10.0.0.2_8080.c2s")).isEqualTo(ws.c2s.toByteArray());
        assertThat(files.get("1_10.0.0.7_50007_10.0.0.2_8080.s2c")).isEqualTo(ws.s2c.toByteArray());
        assertThat(new String(files.get("2_10.0.0.8_50008_10.0.0.2_22.c2s"), StandardCharsets.ISO_8859_1))
                .isEqualTo("SSH-2.0-client\r\n");
        assertThat(new String(files.get("2_10.0.0.8_50008_10.0.0.2_22.s2c"), StandardCharsets.ISO_8859_1))
                .isEqualTo("SSH-2.0-test\r\n");
    }

    @Test
    void filterOnAPcap() throws Exception {
        List<WsdebugProcess.Result> r = parallel(List.of(
                () -> WsdebugProcess.run("read", "--json", "--filter", "type=close", pcap.toString()),
                () -> WsdebugProcess.run("read", "--json", "--filter", "conn=2 dir=s2c", "--filter", "type=binary",
                        pcap.toString())));
        assertThat(r.get(0).exit()).as(r.get(0).err()).isZero();
        assertThat(json(r.get(0).out()).stream().map(n -> n.get("conn").asText() + " " + n.get("event").asText()
                + (n.has("code") ? " " + n.get("code").asInt() : n.has("closeCode") ? " " + n.get("closeCode").asInt() : "")))
                .containsExactly("1 frame 1000", "1 frame 1000", "1 close 1000", "2 frame 1000", "2 frame 1000", "2 close 1000");
        assertThat(r.get(1).exit()).as(r.get(1).err()).isZero();
        List<JsonNode> binary = json(r.get(1).out());
        assertThat(binary).extracting(n -> n.get("event").asText() + " " + n.get("conn").asText() + " " + n.get("dir").asText())
                .containsExactly("frame 2 s2c", "message 2 s2c");
        assertThat(binary.get(0).get("packets").toString()).isEqualTo("[" + (firstConnectionPackets + 8) + ","
                + (firstConnectionPackets + 9) + "," + (firstConnectionPackets + 10) + "]");
    }

    /** A pcap of 802.11 frames (LINKTYPE_IEEE802_11, 105): exit 2, one sentence naming the link type. */
    @Test
    void unsupportedLinkType() throws Exception {
        Path wifi = Files.write(dir.resolve("wifi.pcap"), SynthCapture.pcap(105,
                SynthCapture.timed(SynthCapture.T0_MICROS, 1000, List.of(new byte[40], new byte[40])), new ArrayList<>()));
        WsdebugProcess.Result r = WsdebugProcess.run("read", wifi.toString());
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err().lines()).singleElement().asString().startsWith("wsdebug read: cannot read " + wifi + ": ")
                .contains("LINKTYPE_IEEE802_11 (105)").endsWith(".");
    }
}
