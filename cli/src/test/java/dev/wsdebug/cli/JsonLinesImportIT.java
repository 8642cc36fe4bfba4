package dev.wsdebug.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.wsdebug.capture.JsonLinesSink;
import dev.wsdebug.capture.jsonl.JsonLinesReader;
import dev.wsdebug.capture.peer.Peer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * JSON Lines as input, end to end with the packaged jar: a session recorded by {@code connect --save}
 * against the real echo peers is read, exported and replayed; a damaged file is refused at its line,
 * a file cut off by its writer is shown up to the cut; and a .wsdb reads the same as its JSON Lines
 * export.
 */
@org.junit.jupiter.api.Tag("packaged-jar")
class JsonLinesImportIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private static String url(Peer peer) {
        return "ws://127.0.0.1:" + peer.port() + "/chat";
    }

    /**
     * {@code connect --json --save}: text, JSON, binary (compressed: both peers accept deflate), pings
     * and their pongs, a close with 4000; returns what the live JSON view printed.
     */
    private static String record(Peer peer, Path saved) throws Exception {
        WsdebugProcess.Result r = WsdebugProcess.run("connect", url(peer), "--json", "--save", saved.toString(),
                "-x", "hello", "-x", "{\"n\":1}", "--binary-hex", "de ad be ef", "--ping-interval", "0.2", "-w", "1",
                "--close", "4000:done");
        assertThat(r.exit()).as("%s\n%s", r.err(), peer.output()).isZero();
        return r.out();
    }

    private static List<JsonNode> jsonLines(String out) throws Exception {
        List<JsonNode> nodes = new ArrayList<>();
        for (String line : out.split("\n")) {
            if (!line.isBlank()) {
                nodes.add(JSON.readTree(line));
            }
        }
        return nodes;
    }

    private static List<String> texts(List<JsonNode> events) {
        return events.stream().filter(e -> e.path("event").asText().equals("message") && e.has("text"))
                .map(e -> e.get("dir").asText() + ":" + e.get("text").asText()).toList();
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Peer.Kind.class)
    void aSavedSessionIsReadExportedAndReplayed(Peer.Kind kind) throws Exception {
        Path saved = dir.resolve("s.jsonl");
        try (Peer peer = Peer.start(kind)) {
            String live = record(peer, saved);
            byte[] file = Files.readAllBytes(saved);
            String text = new String(file, StandardCharsets.UTF_8);
            assertThat(text).contains("\"compressed\":true").contains("\"type\":\"pong\"").contains("\"closeCode\":4000");

            // read back and written again by the library: the same bytes
            ByteArrayOutputStream again = new ByteArrayOutputStream();
            JsonLinesSink sink = new JsonLinesSink(again, false);
            JsonLinesReader.Result result = JsonLinesReader.read(saved, sink);
            sink.flush();
            assertThat(result.warning()).isNull();
            assertThat(again.toString(StandardCharsets.UTF_8)).isEqualTo(text);

            // read --json shows what connect --json showed live (payloads decoded again on the way)
            WsdebugProcess.Result json = WsdebugProcess.run("read", "--json", saved.toString());
            assertThat(json.exit()).as(json.err()).isZero();
            assertThat(json.err()).isEmpty();
            assertThat(json.out()).isEqualTo(live);
            assertThat(json.out()).contains("\"decoded\":{\"protocol\":\"json\"");

            WsdebugProcess.Result shown = WsdebugProcess.run("read", saved.toString());
            assertThat(shown.exit()).as(shown.err()).isZero();
            assertThat(shown.err()).isEmpty();
            assertThat(shown.out()).contains("handshake " + url(peer)).contains("→ text 5 B (deflated")
                    .contains("\"hello\"").contains("binary 4 B (deflated").contains("de ad be ef").contains("← pong 8 B")
                    .contains("closed 4000");

            Path har = dir.resolve("x.har");
            WsdebugProcess.Result export = WsdebugProcess.run("export", saved.toString(), "--har", har.toString());
            assertThat(export.exit()).as(export.err()).isZero();
            WsdebugProcess.Result harRead = WsdebugProcess.run("read", "--json", har.toString());
            assertThat(harRead.exit()).as(harRead.err()).isZero();
            assertThat(texts(jsonLines(harRead.out()))).containsExactlyElementsOf(texts(jsonLines(text)));

            // pcapng is rebuilt from wire bytes, which neither file keeps: one sentence, exit 2, no file
            for (Path bare : List.of(saved, har)) {
                Path pcapng = dir.resolve("x.pcapng");
                WsdebugProcess.Result refused = WsdebugProcess.run("export", bare.toString(), "--pcapng", pcapng.toString());
                assertThat(refused.exit()).as(refused.err()).isEqualTo(2);
                assertThat(refused.err().strip()).isEqualTo("wsdebug export: --pcapng rebuilds packets from the bytes that"
                        + " crossed the wire, which " + bare + " does not keep (HAR and JSON Lines hold decoded messages);"
                        + " export a .wsdb, pcap or pcapng capture instead.");
                assertThat(pcapng).doesNotExist();
            }

            // the echo server answers the replayed client as it answered the recorded one
            WsdebugProcess.Result replay = WsdebugProcess.run("replay", saved.toString(), "--to", url(peer));
            assertThat(replay.exit()).as("%s\n%s", replay.out(), replay.err()).isZero();
            assertThat(replay.out()).contains("3 server messages recorded, 3 replayed: 3 the same").contains("SAME");

            WsdebugProcess.Result stdin = WsdebugProcess.run(file, Map.of(), "read", "--json", "-");
            assertThat(stdin.exit()).as(stdin.err()).isZero();
            assertThat(stdin.out()).isEqualTo(live);
        }
    }

    @Test
    void aLineThatIsNotJsonIsRefusedByItsNumber() throws Exception {
        Path saved = dir.resolve("s.jsonl");
        try (Peer peer = Peer.start(Peer.Kind.NODE_WS)) {
            record(peer, saved);
        }
        List<String> lines = new ArrayList<>(Files.readAllLines(saved));
        lines.add(3, "garbage");
        Path damaged = dir.resolve("damaged.jsonl");
        Files.write(damaged, lines);
        WsdebugProcess.Result r = WsdebugProcess.run("read", damaged.toString());
        assertThat(r.exit()).isEqualTo(Main.USAGE);
        assertThat(r.err().lines().toList()).containsExactly("wsdebug read: line 4 of " + damaged
                + " is not JSON (Unrecognized token 'garbage'), so the file is not JSON Lines from there on.");
        assertThat(r.out()).as("the events before it are shown").contains("handshake").contains("\"hello\"")
                .doesNotContain("closed");
    }

    @Test
    void aFileItsWriterLeftMidLineIsShownUpToThereWithAWarning() throws Exception {
        Path saved = dir.resolve("s.jsonl");
        try (Peer peer = Peer.start(Peer.Kind.PYTHON_WEBSOCKETS)) {
            record(peer, saved);
        }
        byte[] all = Files.readAllBytes(saved);
        List<String> lines = Files.readAllLines(saved);
        // as if connect --save had been killed while writing its last event (the close)
        Path cut = dir.resolve("cut.jsonl");
        Files.write(cut, Arrays.copyOf(all, all.length - 1 - lines.get(lines.size() - 1).length() / 2));
        String warning = cut + " ends in the middle of line " + lines.size() + " (its writer stopped while writing"
                + " it): the " + (lines.size() - 1) + " events before it are read.";

        WsdebugProcess.Result r = WsdebugProcess.run("read", cut.toString());
        assertThat(r.exit()).as("shown, as a .wsdb not closed cleanly is").isZero();
        assertThat(r.err().lines().toList()).containsExactly("wsdebug read: " + warning);
        assertThat(r.out()).contains("handshake").contains("\"hello\"").contains("close 4000").doesNotContain("closed 4000");

        WsdebugProcess.Result json = WsdebugProcess.run("read", "--json", cut.toString());
        assertThat(json.exit()).isZero();
        List<JsonNode> events = jsonLines(json.out());
        JsonNode last = events.get(events.size() - 1);
        assertThat(last.get("event").asText()).isEqualTo("error");
        assertThat(last.get("kind").asText()).isEqualTo("capture");
        assertThat(last.get("message").asText()).isEqualTo(warning);
        assertThat(events.stream().filter(e -> !e.path("event").asText().equals("error")).count())
                .isEqualTo(lines.size() - 1);
    }

    @Test
    void aWsdbReadsTheSameAsItsJsonLinesExport() throws Exception {
        Path cap = dir.resolve("cap.wsdb");
        try (Peer echo = Peer.start(Peer.Kind.PYTHON_WEBSOCKETS);
             ProxyProcess proxy = ProxyProcess.start("--to", "ws://127.0.0.1:" + echo.port(), "--save", cap.toString())) {
            WsdebugProcess.Result r = WsdebugProcess.run("connect", "ws://127.0.0.1:" + proxy.port + "/chat", "--json",
                    "-x", "first", "-x", "{\"op\":\"second\"}", "--binary-hex", "00ff10", "--ping-interval", "0.2",
                    "-w", "1", "--close", "4000:bye");
            assertThat(r.exit()).as(r.err()).isZero();
            proxy.close(); // SIGTERM: the capture is closed by the shutdown hook
        }
        Path jsonl = dir.resolve("cap.jsonl");
        WsdebugProcess.Result export = WsdebugProcess.run("export", cap.toString(), "--jsonl", jsonl.toString());
        assertThat(export.exit()).as(export.err()).isZero();

        WsdebugProcess.Result fromStore = WsdebugProcess.run("read", "--json", cap.toString());
        WsdebugProcess.Result fromLines = WsdebugProcess.run("read", "--json", jsonl.toString());
        assertThat(fromStore.exit()).as(fromStore.err()).isZero();
        assertThat(fromLines.exit()).as(fromLines.err()).isZero();
        assertThat(fromLines.err()).isEmpty();
        assertThat(texts(jsonLines(fromStore.out()))).contains("c2s:first", "s2c:{\"op\":\"second\"}");
        assertThat(fromLines.out()).isEqualTo(fromStore.out());
        // and the transcripts, headers and frames included; only the connection ids differ: a store knows it
        // holds one connection before it is read, a JSON Lines file (as a HAR) does not, so they are shown
        assertThat(WsdebugProcess.run("read", "-vv", jsonl.toString()).out().replace(" [1] ", " "))
                .isEqualTo(WsdebugProcess.run("read", "-vv", cap.toString()).out());
    }
}
