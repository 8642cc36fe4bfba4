package dev.wsdebug.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/** `wsdebug decode` end to end: the packaged jar, its output streams and exit codes. */
@org.junit.jupiter.api.Tag("packaged-jar")
class DecodeCommandIT {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    /** RFC 7692 7.2.3.2: "Hello" twice, the second compressed against the first's window. */
    private static final String SHARED_WINDOW = "c1 07 f2 48 cd c9 c9 07 00 c1 05 f2 00 11 00 00";

    private static List<JsonNode> json(String out) throws Exception {
        List<JsonNode> nodes = new ArrayList<>();
        for (String line : out.split("\n")) {
            nodes.add(MAPPER.readTree(line));
        }
        return nodes;
    }

    @Test
    void decodesTheRfcHelloFrame() throws Exception {
        WsdebugProcess.Result r = WsdebugProcess.run("decode", "--hex", "81 05 48 65 6c 6c 6f");
        assertThat(r.exit()).isZero();
        assertThat(r.out()).contains("text").contains("FIN").contains("unmasked").contains("\"Hello\"");
        assertThat(r.err()).isEmpty();
    }

    @Test
    void theApplicationProtocolIsReadToo() throws Exception {
        // 42["chat","hi"]: a Socket.IO event, found by its first bytes
        String frame = "81 0f 34 32 5b 22 63 68 61 74 22 2c 22 68 69 22 5d";
        WsdebugProcess.Result r = WsdebugProcess.run("decode", "--color", "never", "--hex", frame);
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).contains("socket.io EVENT \"chat\" ns=/ (1 arg)");
        List<JsonNode> lines = json(WsdebugProcess.run("decode", "--json", "--hex", frame).out());
        assertThat(lines.get(1).at("/decoded/value/event").asText()).isEqualTo("chat");
        // forced to a protocol it is not: shown as it is, with the reason
        WsdebugProcess.Result forced = WsdebugProcess.run("decode", "--color", "never", "--decode", "mqtt", "--hex", frame);
        assertThat(forced.out()).contains("mqtt: MQTT over WebSocket travels in binary messages; this one is text.");
        assertThat(WsdebugProcess.run("decode", "--decode", "none", "--hex", frame).out()).doesNotContain("socket.io");
        WsdebugProcess.Result bad = WsdebugProcess.run("decode", "--decode", "klingon", "--hex", frame);
        assertThat(bad.exit()).isEqualTo(2);
        assertThat(bad.err()).contains("--decode takes none or one of ").contains("not klingon.");
    }

    @Test
    void jsonPrintsSchemaV1LinesOnly() throws Exception {
        WsdebugProcess.Result r = WsdebugProcess.run("decode", "--json", "--hex", "81 85 37 fa 21 3d 7f 9f 4d 51 58");
        assertThat(r.exit()).isZero();
        List<JsonNode> lines = json(r.out());
        assertThat(lines).extracting(n -> n.get("event").asText()).containsExactly("frame", "message");
        assertThat(lines.get(0).get("dir").asText()).isEqualTo("c2s");
        assertThat(lines.get(0).get("maskKey").asText()).isEqualTo("37fa213d");
        assertThat(lines.get(1).get("text").asText()).isEqualTo("Hello");
    }

    @Test
    void deflateParametersApplyToTheirOwnDirection() throws Exception {
        // server_no_context_takeover governs s2c: the second message cannot reach back into the first
        WsdebugProcess.Result reset = WsdebugProcess.run("decode", "--json", "--hex", SHARED_WINDOW,
                "--deflate=permessage-deflate; server_no_context_takeover");
        List<JsonNode> a = json(reset.out());
        assertThat(a.get(1).get("text").asText()).isEqualTo("Hello");
        assertThat(a.get(2).get("violations").get(0).get("rule").asText()).isEqualTo("deflate-stream-invalid");
        // client_no_context_takeover governs c2s only, so s2c keeps its window and both decode
        WsdebugProcess.Result kept = WsdebugProcess.run("decode", "--json", "--hex", SHARED_WINDOW,
                "--deflate=permessage-deflate; client_no_context_takeover");
        assertThat(json(kept.out())).filteredOn(n -> n.get("event").asText().equals("message"))
                .extracting(n -> n.get("text").asText()).containsExactly("Hello", "Hello");
        assertThat(kept.exit()).isZero();
    }

    @Test
    void badHexKeepsTheCompleteFramesBeforeIt() throws Exception {
        WsdebugProcess.Result r = WsdebugProcess.run("decode", "--hex", "81 02 68 69 81 0z");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.out()).contains("\"hi\"");
        assertThat(r.err().strip()).isEqualTo("wsdebug decode: --hex: 'z' at position 17 is not a hex digit.");
    }

    @Test
    void truncatedInputIsOneErrorLineAndExit2() throws Exception {
        WsdebugProcess.Result r = WsdebugProcess.run("decode", "--hex", "81 02 68 69 82 7e 01");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.out()).contains("\"hi\"");
        assertThat(r.err().lines()).singleElement().asString()
                .startsWith("wsdebug decode: s2c: The stream ends after 3 of the frame header's 4 bytes.");
    }

    @Test
    void readsBinaryFromAFileAndFromStdin(@TempDir Path dir) throws Exception {
        byte[] bytes = HexFormat.of().parseHex("8205deadbeef00" + "8a00");
        Path f = dir.resolve("frames.bin");
        Files.write(f, bytes);
        WsdebugProcess.Result file = WsdebugProcess.run("decode", "--file", f.toString());
        assertThat(file.exit()).isZero();
        assertThat(file.out()).contains("de ad be ef 00").contains("pong");
        WsdebugProcess.Result stdin = WsdebugProcess.run(bytes, Map.of(), "decode", "--file", "-");
        assertThat(stdin.out()).isEqualTo(file.out());
    }

    @Test
    void usageErrorsExitWith2AndOneSentence(@TempDir Path dir) throws Exception {
        WsdebugProcess.Result missing = WsdebugProcess.run("decode", "--file", dir.resolve("nope.bin").toString());
        assertThat(missing.exit()).isEqualTo(2);
        assertThat(missing.err()).contains("no such file").doesNotContain("Exception");

        WsdebugProcess.Result none = WsdebugProcess.run("decode");
        assertThat(none.exit()).isEqualTo(2);
        assertThat(none.err()).contains("Missing required argument").contains("wsdebug decode --help");

        WsdebugProcess.Result badDir = WsdebugProcess.run("decode", "--hex", "8100", "--dir", "up");
        assertThat(badDir.exit()).isEqualTo(2);
        assertThat(badDir.err()).contains("--dir must be c2s or s2c");

        WsdebugProcess.Result badDeflate = WsdebugProcess.run("decode", "--hex", "8100", "--deflate=permessage-deflate; server_max_window_bits=99");
        assertThat(badDeflate.exit()).isEqualTo(2);
        assertThat(badDeflate.err()).contains("not a window size from 8 to 15");
    }

    @Test
    void garbageNeverCrashes(@TempDir Path dir) throws Exception {
        byte[] junk = new byte[4096];
        new Random(99).nextBytes(junk);
        Path f = dir.resolve("junk.bin");
        Files.write(f, junk);
        WsdebugProcess.Result r = WsdebugProcess.run("decode", "--file", f.toString());
        assertThat(r.exit()).isIn(0, 2);
        assertThat(r.err()).doesNotContain("Exception").doesNotContain("\tat ");
        assertThat(r.out()).contains("#1");
    }

    @Test
    void helpExplainsTheCommand() throws Exception {
        WsdebugProcess.Result r = WsdebugProcess.run("decode", "--help");
        assertThat(r.exit()).isZero();
        assertThat(r.out()).contains("--hex").contains("--deflate").contains("Examples:");
        WsdebugProcess.Result top = WsdebugProcess.run("--help");
        assertThat(top.out()).contains("decode").contains("Exit codes");
    }

    @Test
    void colourOnlyWhenAsked() throws Exception {
        WsdebugProcess.Result plain = WsdebugProcess.run("decode", "--hex", "8100");
        assertThat(plain.out()).doesNotContain("\u001b[");
        WsdebugProcess.Result colour = WsdebugProcess.run("decode", "--hex", "8100", "--color=always");
        assertThat(colour.out()).contains("\u001b[");
    }
}
