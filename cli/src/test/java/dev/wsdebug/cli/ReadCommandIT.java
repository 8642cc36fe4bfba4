package dev.wsdebug.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.wsdebug.capture.Conversation;
import dev.wsdebug.capture.EventSink;
import dev.wsdebug.capture.JsonLinesSink;
import dev.wsdebug.capture.peer.Peer;
import dev.wsdebug.capture.store.CaptureStore;
import dev.wsdebug.wire.Direction;
import dev.wsdebug.wire.FrameSpec;
import dev.wsdebug.wire.FrameWriter;
import dev.wsdebug.wire.Opcode;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** `wsdebug read` end to end: a capture written by CaptureStore, read by the packaged jar. */
@org.junit.jupiter.api.Tag("packaged-jar")
class ReadCommandIT {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final long T0 = 1_700_000_000_000_000L;

    @TempDir
    static Path dir;
    static Path capture;
    /** What a live JSON view showed while the capture was written. */
    static String liveJson;

    private static byte[] request(String path) {
        return ("GET " + path + " HTTP/1.1\r\nHost: server.example.com\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
                .getBytes(StandardCharsets.ISO_8859_1);
    }

    private static byte[] response() {
        return ("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1);
    }

    private static byte[] text(FrameWriter w, String s, boolean masked) {
        FrameSpec spec = FrameSpec.of(Opcode.TEXT, s.getBytes(StandardCharsets.UTF_8));
        return w.encode(masked ? spec.withMask(0x0badf00d) : spec);
    }

    @BeforeAll
    static void writeCapture() {
        capture = dir.resolve("session.wsdb");
        FrameWriter w = new FrameWriter(new Random(5));
        ByteArrayOutputStream json = new ByteArrayOutputStream();
        JsonLinesSink live = new JsonLinesSink(json, false);
        try (CaptureStore store = CaptureStore.create(capture)) {
            // the live views decode the messages too (proxy, connect, sniff)
            EventSink sinks = EventSink.all(new dev.wsdebug.capture.decode.DecodingSink(live, null), store);
            Conversation one = new Conversation("1", sinks).endpoints("127.0.0.1:40000", "127.0.0.1:9000");
            one.feed(Direction.C2S, T0, request("/prices"));
            one.feed(Direction.S2C, T0 + 1000, response());
            one.feed(Direction.C2S, T0 + 2000, text(w, "{\"op\":\"subscribe\",\"id\":42}", true));
            one.feed(Direction.S2C, T0 + 3000, text(w, "subscribed to prices", false));
            one.feed(Direction.S2C, T0 + 4000, w.encode(FrameSpec.of(Opcode.BINARY, new byte[] {1, 2, 3})));
            one.feed(Direction.S2C, T0 + 5000, w.encode(FrameSpec.of(Opcode.PING, "hb".getBytes(StandardCharsets.UTF_8))));
            one.feed(Direction.C2S, T0 + 6000, w.encode(FrameSpec.of(Opcode.PONG, "hb".getBytes(StandardCharsets.UTF_8)).withMask(1)));
            one.feed(Direction.C2S, T0 + 7000, w.encode(FrameSpec.of(Opcode.CLOSE, FrameWriter.closePayload(1000, "done")).withMask(2)));
            one.feed(Direction.S2C, T0 + 8000, w.encode(FrameSpec.of(Opcode.CLOSE, FrameWriter.closePayload(1000, "done"))));
            one.end(T0 + 9000);
            Conversation two = new Conversation("2", sinks);
            two.feed(Direction.C2S, T0 + 10_000, request("/chat"));
            two.feed(Direction.S2C, T0 + 11_000, response());
            two.feed(Direction.S2C, T0 + 12_000, text(w, "hello two", false));
            two.feed(Direction.S2C, T0 + 13_000, w.encode(FrameSpec.of(Opcode.CLOSE, FrameWriter.closePayload(4001, "bye"))));
            two.feed(Direction.C2S, T0 + 14_000, w.encode(FrameSpec.of(Opcode.CLOSE, FrameWriter.closePayload(4001, "bye")).withMask(3)));
            two.end(T0 + 15_000);
        }
        live.flush();
        liveJson = json.toString(StandardCharsets.UTF_8);
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

    /** "conn event [dir] [type]" per line of a --json run. */
    private static List<String> summary(WsdebugProcess.Result r) throws Exception {
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.err()).isEmpty();
        List<String> out = new ArrayList<>();
        for (JsonNode n : json(r.out())) {
            StringBuilder s = new StringBuilder(n.get("conn").asText() + " " + n.get("event").asText());
            if (n.has("dir")) {
                s.append(' ').append(n.get("dir").asText()).append(' ').append(n.get("type").asText());
            }
            if (n.has("code")) {
                s.append(' ').append(n.get("code").asInt());
            }
            out.add(s.toString());
        }
        return out;
    }

    @Test
    void printsTheTranscript() throws Exception {
        WsdebugProcess.Result r = WsdebugProcess.run("read", capture.toString());
        assertThat(r.exit()).isZero();
        assertThat(r.err()).isEmpty();
        assertThat(r.out()).contains("handshake ws://server.example.com/prices").contains("\"subscribed to prices\"")
                .contains("subscribe").contains("close 1000").contains("4001").contains("hello two")
                .doesNotContain("\u001b[").doesNotContain("Sec-WebSocket-Key").doesNotContain("FIN");
        // two connections: every line says which
        assertThat(r.out().lines().filter(l -> l.contains("hello two")).findFirst().orElseThrow()).contains("2");
    }

    @Test
    void veryVerboseShowsHeadersAndFrames() throws Exception {
        String vv = WsdebugProcess.run("read", "-vv", capture.toString()).out();
        assertThat(vv).contains("Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==").contains("FIN").contains("mask 0badf00d")
                .contains("unmasked");
    }

    @Test
    void jsonIsExactlyWhatTheLiveViewPrinted() throws Exception {
        WsdebugProcess.Result r = WsdebugProcess.run("read", "--json", capture.toString());
        assertThat(r.exit()).isZero();
        assertThat(r.out()).isEqualTo(liveJson);
    }

    @Test
    void filterConn() throws Exception {
        assertThat(summary(WsdebugProcess.run("read", "--json", "--filter", "conn=2", capture.toString())))
                .containsExactly("2 handshake", "2 frame s2c text", "2 message s2c text", "2 frame s2c close",
                        "2 frame c2s close", "2 close 4001");
    }

    @Test
    void filterDir() throws Exception {
        assertThat(summary(WsdebugProcess.run("read", "--json", "--filter", "conn=1 dir=c2s", capture.toString())))
                .containsExactly("1 handshake", "1 frame c2s text", "1 message c2s text", "1 frame c2s pong",
                        "1 frame c2s close", "1 close 1000");
    }

    @Test
    void filterType() throws Exception {
        assertThat(summary(WsdebugProcess.run("read", "--json", "--filter", "type=ping,binary", capture.toString())))
                .containsExactly("1 frame s2c binary", "1 message s2c binary", "1 frame s2c ping");
    }

    @Test
    void filterMatch() throws Exception {
        // quotes are the filter's own quoting: single quotes keep the double ones in the regex
        assertThat(summary(WsdebugProcess.run("read", "--json", "--filter", "match='\"id\":\\d+|^hello'", capture.toString())))
                .containsExactly("1 message c2s text", "2 message s2c text");
    }

    @Test
    void filterCode() throws Exception {
        assertThat(summary(WsdebugProcess.run("read", "--json", "--filter", "code=4001", capture.toString())))
                .containsExactly("2 frame s2c close", "2 frame c2s close", "2 close 4001");
        // terms from several --filter options all apply
        assertThat(summary(WsdebugProcess.run("read", "--json", "--filter", "code=1000,4001", "--filter", "dir=c2s",
                "--filter", "type=close", capture.toString())))
                .containsExactly("1 frame c2s close", "1 close 1000", "2 frame c2s close", "2 close 4001");
    }

    @Test
    void filterTextInTheTranscript() throws Exception {
        WsdebugProcess.Result r = WsdebugProcess.run("read", "--filter", "text='to prices'", capture.toString());
        assertThat(r.exit()).isZero();
        assertThat(r.out().strip().lines()).singleElement().asString().contains("\"subscribed to prices\"");
    }

    @Test
    void aBadFilterIsExit2NamingTheToken() throws Exception {
        WsdebugProcess.Result r = WsdebugProcess.run("read", "--filter", "conn=1 dir=sideways", capture.toString());
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.out()).isEmpty();
        assertThat(r.err().strip()).isEqualTo("wsdebug read: --filter: Bad filter term 'dir=sideways': dir is c2s or s2c.");
    }

    @Test
    void garbageIsExit2WithOneSentence() throws Exception {
        Path garbage = dir.resolve("garbage.wsdb");
        Files.writeString(garbage, "GET / HTTP/1.1\r\n\r\nnot a capture at all");
        WsdebugProcess.Result r = WsdebugProcess.run("read", garbage.toString());
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.out()).isEmpty();
        assertThat(r.err().lines()).singleElement().asString()
                .isEqualTo("wsdebug read: " + garbage + " is not a capture wsdebug reads: not a .wsdb capture store, pcap,"
                        + " pcapng, HAR or JSON Lines file (it starts with 47 45 54 20 2f 20 48 54 ...).");
    }

    @Test
    void aPcapCutInItsFileHeaderIsOneSentence() throws Exception {
        Path pcap = dir.resolve("traffic.cap");
        Files.write(pcap, new byte[] {(byte) 0xd4, (byte) 0xc3, (byte) 0xb2, (byte) 0xa1, 2, 0, 4, 0, 0, 0, 0, 0});
        WsdebugProcess.Result r = WsdebugProcess.run("read", pcap.toString());
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err().lines()).singleElement().asString().startsWith("wsdebug read: cannot read " + pcap + ": ")
                .endsWith(".");
    }

    /** A HAR (here our own export of the capture) is read by content, whatever its name. */
    @Test
    void aHarFileIsReadEntryByEntry() throws Exception {
        Path har = dir.resolve("exported.json");
        WsdebugProcess.Result exported = WsdebugProcess.run("export", capture.toString(), "--har", har.toString());
        assertThat(exported.exit()).as(exported.err()).isZero();
        WsdebugProcess.Result r = WsdebugProcess.run("read", "--json", "--filter", "type=handshake,text,binary", har.toString());
        assertThat(summary(r)).containsExactly("1 handshake", "1 message c2s text", "1 message s2c text",
                "1 message s2c binary", "2 handshake", "2 message s2c text");
        List<JsonNode> nodes = json(r.out());
        assertThat(nodes.get(0).path("url").asText()).isEqualTo("ws://server.example.com/prices");
        assertThat(nodes.get(1).path("text").asText()).isEqualTo("{\"op\":\"subscribe\",\"id\":42}");
        assertThat(nodes.get(1).path("frames").asInt()).isZero();
        assertThat(nodes.get(1).path("wireLength").asInt()).isEqualTo(-1);

        WsdebugProcess.Result text = WsdebugProcess.run("read", har.toString());
        assertThat(text.exit()).as(text.err()).isZero();
        assertThat(text.out()).contains("handshake ws://server.example.com/prices").contains("\"subscribed to prices\"")
                .contains("error (input) Connection 1 comes from the HAR file");

        Path notHar = dir.resolve("not-a.har");
        Files.writeString(notHar, "{\"hello\": \"world\"}");
        WsdebugProcess.Result bad = WsdebugProcess.run("read", notHar.toString());
        assertThat(bad.exit()).isEqualTo(2);
        assertThat(bad.err().strip()).isEqualTo("wsdebug read: " + notHar + " is JSON but not a HAR file: it has no log.entries.");
    }

    @Test
    void aMissingFileIsExit2() throws Exception {
        WsdebugProcess.Result r = WsdebugProcess.run("read", capture.toString(), dir.resolve("nope.wsdb").toString());
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.out()).as("nothing is printed before every file is known to be readable").isEmpty();
        assertThat(r.err().strip()).isEqualTo("wsdebug read: cannot read " + dir.resolve("nope.wsdb") + ": no such file.");
    }

    @Test
    void severalFilesAreShownOneAfterTheOther() throws Exception {
        Path copy = dir.resolve("copy.wsdb");
        Files.copy(capture, copy, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        WsdebugProcess.Result r = WsdebugProcess.run("read", "--json", "--filter", "type=handshake", capture.toString(),
                copy.toString());
        assertThat(summary(r)).containsExactly("1 handshake", "2 handshake", "1 handshake", "2 handshake");
    }

    private static long textMessages(String jsonLines) throws Exception {
        return json(jsonLines).stream().filter(n -> n.get("event").asText().equals("message") && n.has("text")).count();
    }

    /**
     * A recording proxy killed with SIGKILL leaves its capture in WAL mode: read in place (with its
     * -wal file) or as a copy of the main file alone, read says so on stderr and in the JSON Lines,
     * shows what there is (less without the -wal file) and exits 0; it changes nothing and leaves
     * nothing beside the copy. A capture closed cleanly has no warning (every other test here).
     */
    @Test
    void aCaptureNotClosedCleanlyIsShownWithAWarning(@TempDir Path tmp) throws Exception {
        Path cap = tmp.resolve("killed.wsdb");
        try (Peer echo = Peer.start(Peer.Kind.PYTHON_WEBSOCKETS);
             ProxyProcess proxy = ProxyProcess.start("--to", "ws://127.0.0.1:" + echo.port(), "--save", cap.toString())) {
            WsdebugProcess.Result r = ConnectSupport.wsdebug("connect", "ws://127.0.0.1:" + proxy.port + "/k", "--json",
                    "-x", "one", "-x", "two", "-w", "0.5");
            assertThat(r.exit()).as(ConnectSupport.explain(r)).isZero();
            Thread.sleep(500); // the writer commits at least every 50 ms
            proxy.kill();
            assertThat(proxy.process.isAlive()).isFalse();
        }
        assertThat(Path.of(cap + "-wal")).exists();
        byte[] file = Files.readAllBytes(cap);
        byte[] wal = Files.readAllBytes(Path.of(cap + "-wal"));

        // 1: in place, with its -wal file
        WsdebugProcess.Result inPlace = WsdebugProcess.run("read", "--json", cap.toString());
        assertThat(inPlace.exit()).as(inPlace.err()).isZero();
        String running = cap + " is still being written (or its writer stopped without closing it): showing what was"
                + " committed so far.";
        assertThat(inPlace.err().lines()).containsExactly("wsdebug read: " + running);
        JsonNode first = json(inPlace.out()).get(0);
        assertThat(first.get("event").asText()).isEqualTo("error");
        assertThat(first.get("conn").isNull()).isTrue();
        assertThat(first.get("kind").asText()).isEqualTo("capture");
        assertThat(first.get("message").asText()).isEqualTo(running);
        long all = textMessages(inPlace.out());
        assertThat(all).as(inPlace.out()).isEqualTo(4); // one and two, each way
        WsdebugProcess.Result transcript = WsdebugProcess.run("read", cap.toString());
        assertThat(transcript.exit()).isZero();
        assertThat(transcript.err().lines()).containsExactly("wsdebug read: " + running);
        assertThat(transcript.out()).contains("\"one\"").doesNotContain(running);
        assertThat(Files.readAllBytes(cap)).as("read changed nothing").isEqualTo(file);
        assertThat(Files.readAllBytes(Path.of(cap + "-wal"))).isEqualTo(wal);

        // 2: the file alone, as copied by someone who did not know about the -wal file
        Path copyDir = Files.createDirectory(tmp.resolve("copy"));
        Path copy = copyDir.resolve("killed.wsdb");
        Files.copy(cap, copy);
        WsdebugProcess.Result alone = WsdebugProcess.run("read", "--json", copy.toString());
        assertThat(alone.exit()).as(alone.err()).isZero();
        String missing = copy + " was not closed cleanly and its -wal file is missing: whatever its writer committed"
                + " after its last checkpoint is not in this copy, so some traffic may be missing.";
        assertThat(alone.err().lines()).containsExactly("wsdebug read: " + missing);
        assertThat(json(alone.out()).get(0).get("message").asText()).isEqualTo(missing);
        assertThat(textMessages(alone.out())).isLessThan(all);
        WsdebugProcess.Result export = WsdebugProcess.run("export", copy.toString(), "--jsonl", "-");
        assertThat(export.exit()).as(export.err()).isZero();
        assertThat(export.err().lines()).containsExactly("wsdebug export: " + missing);
        assertThat(export.out()).isEqualTo(alone.out());
        try (Stream<Path> beside = Files.list(copyDir)) {
            assertThat(beside.map(p -> p.getFileName().toString())).as("no -wal or -shm created").containsExactly("killed.wsdb");
        }
        assertThat(Files.readAllBytes(copy)).isEqualTo(file);
    }
}
