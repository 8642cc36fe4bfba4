package dev.wsdebug.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.wsdebug.capture.peer.Peer;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static dev.wsdebug.cli.ConnectSupport.jsonLines;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code --proto FILE.desc} end to end (the packaged jar): protoc makes the descriptor set from
 * chat.proto (capture's test resource, importing google/protobuf's well-known types); a ws server written with protobufjs, which reads chat.proto
 * itself (resources/decode/protobuf-server.js), sends protobuf to {@code wsdebug connect --save};
 * {@code connect --json} and {@code read --json} of the saved capture must show the fields by the
 * names and values protobufjs was told to send, and the messages that are not an Envelope with the
 * reason. Then the usage errors, each one sentence and exit 2.
 */
@Tag("packaged-jar")
class DecodeProtobufIT {
    @TempDir
    Path dir;

    /** Skips (or under CI=true fails) unless protoc (Debian's protobuf-compiler) runs. */
    private static void requireProtoc() throws InterruptedException {
        String problem;
        try {
            Process p = new ProcessBuilder("protoc", "--version").redirectErrorStream(true).start();
            p.getOutputStream().close();
            boolean done = p.waitFor(20, TimeUnit.SECONDS);
            if (!done) {
                p.destroyForcibly();
            }
            problem = done && p.exitValue() == 0 ? null : "protoc --version failed";
        } catch (IOException e) {
            problem = "cannot run protoc (Debian package protobuf-compiler): " + e.getMessage();
        }
        if (problem == null) {
            return;
        }
        if ("true".equals(System.getenv("CI"))) {
            Assertions.fail(problem + "; run scripts/install-peers.sh — CI=true requires every real peer.");
        }
        Assumptions.abort(problem + "; run scripts/install-peers.sh");
    }

    /** chat.proto out of capture's test resources, and chat.desc made from it by protoc. */
    private Path descriptorSet() throws Exception {
        Path proto = dir.resolve("chat.proto");
        try (InputStream in = DecodeProtobufIT.class.getResourceAsStream("/decode/protobuf/chat.proto")) {
            assertThat(in).isNotNull();
            Files.copy(in, proto);
        }
        Path desc = dir.resolve("chat.desc");
        Process p = new ProcessBuilder("protoc", "--proto_path=" + dir, "--include_imports", "--descriptor_set_out=" + desc,
                proto.toString())
                .redirectErrorStream(true).start();
        p.getOutputStream().close();
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(new String(p.getInputStream().readAllBytes())).isZero();
        return desc;
    }

    @Test
    @Timeout(120)
    void protobufjsServerDecodedWithTheSchemaProtocMade() throws Exception {
        requireProtoc();
        Peer.requireNode(List.of("protobufjs", "ws"), false);
        Path desc = descriptorSet();
        Path wsdb = dir.resolve("chat.wsdb");
        Map<String, String> env = Map.of("NODE_PATH", Peer.repoRoot().resolve("test-peers/node/node_modules").toString());
        String script = Path.of(DecodeProtobufIT.class.getResource("/decode/protobuf-server.js").toURI()).toString();
        List<String> schema = List.of("--proto", desc.toString(), "--proto-type", "chat.v1.Envelope");
        WsdebugProcess.Result[] live = new WsdebugProcess.Result[1];
        try (LiveCaptureSupport.Child server = new LiveCaptureSupport.Child("protobufjs server",
                List.of("node", script, dir.resolve("chat.proto").toString()), env)) {
            JsonNode ready = jsonLines(server.await(l -> l.startsWith("{\"port\""), true, 20_000)).get(0);
            // wsdebug connect, itself decoding live, through wsdebug proxy --save (decoding its own view too)
            DiagnoseSupport.throughProxy(wsdb, ready.path("port").asInt(), schema, proxyPort -> {
                List<String> args = new ArrayList<>(List.of("connect", "ws://127.0.0.1:" + proxyPort + "/chat", "--json",
                        "--binary-hex", ready.path("clientHex").asText(), "-w", "-1"));
                args.addAll(schema);
                live[0] = WsdebugProcess.run(args.toArray(new String[0]));
                assertThat(live[0].exit()).as(live[0].err() + server.describe()).isZero();
            });
            server.await(l -> l.contains("\"received\":{\"user\":\"client\""), true, 5_000);
        }
        assertDecoded(live[0].out());

        WsdebugProcess.Result read = WsdebugProcess.run("read", wsdb.toString(), "--json", "--proto", desc.toString(),
                "--proto-type", "chat.v1.Envelope");
        assertThat(read.exit()).as(read.err()).isZero();
        assertDecoded(read.out());

        // the transcript: the summary on one line, the reason on the next
        WsdebugProcess.Result shown = WsdebugProcess.run("read", wsdb.toString(), "--color", "never", "--proto",
                desc.toString(), "--proto-type", "chat.v1.Envelope");
        assertThat(shown.exit()).as(shown.err()).isZero();
        assertThat(shown.out()).contains("protobuf chat.v1.Envelope {user, text, sent_at, kind, tags, counts, …}")
                .contains("protobuf chat.v1.Envelope {user, kind, image, #15, #16}")
                .contains("protobuf: It does not parse as chat.v1.Envelope: protocol message had invalid UTF-8.");

        // without --proto the same capture is only guessed at: no names
        WsdebugProcess.Result guessed = WsdebugProcess.run("read", wsdb.toString(), "--json", "--decode", "protobuf");
        assertThat(guessed.out()).contains("\"summary\":\"message, fields 1 2 3").doesNotContain("sent_at");

        // the web UI over the same capture, with the same schema: the rows' readings and an item's tree
        uiShowsTheSchema(wsdb, desc);

        // --proto names a set with three messages: the type must be chosen
        WsdebugProcess.Result unchosen = WsdebugProcess.run("read", wsdb.toString(), "--proto", desc.toString());
        assertUsage(unchosen, "wsdebug read: " + desc + " has 3 message types (chat.v1.Point, chat.v1.Envelope,"
                + " chat.v1.Presence): choose one with --proto-type.");
    }

    /** {@code wsdebug ui FILE --proto …}: the API gives each binary message its schema reading. */
    private static void uiShowsTheSchema(Path wsdb, Path desc) throws Exception {
        List<String> cmd = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar",
                WsdebugProcess.jar().toString(), "ui", wsdb.toString(), "--proto", desc.toString(), "--proto-type",
                "chat.v1.Envelope");
        try (LiveCaptureSupport.Child ui = new LiveCaptureSupport.Child("wsdebug ui", cmd, Map.of())) {
            String line = ui.await(l -> l.startsWith("UI on "), true, 30_000);
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("UI on (http://127\\.0\\.0\\.1:\\d+)/\\?token=(\\S+)")
                    .matcher(line);
            assertThat(m.find()).as(line).isTrue();
            java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
            java.util.function.Function<String, JsonNode> get = path -> {
                try {
                    var r = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(m.group(1) + path))
                            .header("X-Wsdebug-Token", m.group(2)).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
                    assertThat(r.statusCode()).as(path + ": " + r.body()).isEqualTo(200);
                    return new com.fasterxml.jackson.databind.ObjectMapper().readTree(r.body());
                } catch (Exception e) {
                    throw new AssertionError(path, e);
                }
            };
            JsonNode captures = get.apply("/api/captures");
            String cid = captures.path("captures").path(0).path("id").asText();
            String conn = get.apply("/api/captures/" + cid + "/connections").path("connections").path(0).path("conn").asText();
            JsonNode items = get.apply("/api/captures/" + cid + "/connections/" + conn + "/items?show=data&limit=100");
            List<JsonNode> rows = new ArrayList<>();
            items.path("items").forEach(rows::add);
            assertThat(rows).as(items.toString()).hasSize(6);
            assertThat(rows.get(1).path("decoded").path("protocol").asText()).isEqualTo("protobuf");
            assertThat(rows.get(1).path("decoded").path("summary").asText())
                    .isEqualTo("chat.v1.Envelope {user, text, sent_at, kind, tags, counts, …}");
            assertThat(rows.get(4).path("decoded").path("problem").asText())
                    .isEqualTo("It does not parse as chat.v1.Envelope: protocol message had invalid UTF-8.");
            JsonNode item = get.apply("/api/captures/" + cid + "/connections/" + conn + "/items/"
                    + rows.get(1).path("seq").asText());
            JsonNode v = item.path("decoded").path("value");
            assertThat(v.path("kind").asText()).as(item.toString()).isEqualTo("KIND_CHAT");
            assertThat(v.path("counts").toString()).isEqualTo("{\"x\":1,\"y\":-2}");
            assertThat(v.path("where").toString()).isEqualTo("{\"lat\":52.5,\"lon\":-13.25}");
        }
    }

    /** What protobuf-server.js and its client message say, as wsdebug shows them. */
    private static void assertDecoded(String jsonLinesOut) throws IOException {
        List<JsonNode> messages = jsonLines(jsonLinesOut).stream()
                .filter(e -> e.path("event").asText().equals("message")).toList();
        assertThat(messages).as(jsonLinesOut).hasSize(6);

        JsonNode fromClient = messages.get(0);
        assertThat(fromClient.path("dir").asText()).isEqualTo("c2s");
        assertThat(fromClient.path("decoded").path("value").toString())
                .isEqualTo("{\"user\":\"client\",\"kind\":\"KIND_SYSTEM\",\"image\":\"aGk=\","
                        + "\"edited_at\":\"2024-12-06T15:46:40.005Z\",\"ttl\":\"1s\"}");

        JsonNode full = messages.get(1).path("decoded");
        assertThat(full.path("protocol").asText()).isEqualTo("protobuf");
        assertThat(full.path("summary").asText()).isEqualTo("chat.v1.Envelope {user, text, sent_at, kind, tags, counts, …}");
        JsonNode v = full.path("value");
        assertThat(v.path("user").asText()).isEqualTo("alice");
        assertThat(v.path("text").asText()).isEqualTo("héllo ✓");
        assertThat(v.path("sent_at").asLong()).isEqualTo(1733500000123L);
        assertThat(v.path("kind").asText()).isEqualTo("KIND_CHAT"); // enum by name
        assertThat(v.path("tags").toString()).isEqualTo("[\"a\",\"b\"]"); // repeated
        assertThat(v.path("counts").toString()).isEqualTo("{\"x\":1,\"y\":-2}"); // map
        assertThat(v.path("where").toString()).isEqualTo("{\"lat\":52.5,\"lon\":-13.25}"); // nested
        assertThat(v.path("note").asText()).isEqualTo("first"); // the oneof's member that was set
        assertThat(v.has("image")).isFalse();
        assertThat(v.path("digest").asText()).isEqualTo("AAEC/w=="); // bytes [0, 1, 2, 255]
        assertThat(v.path("path").toString()).isEqualTo("[{\"lat\":1.0,\"lon\":2.0},{\"lat\":3.0,\"lon\":4.0}]");
        assertThat(v.path("big").bigIntegerValue().toString()).isEqualTo("18446744073709551615");
        assertThat(v.path("delta").asInt()).isEqualTo(-3);
        assertThat(v.path("ratio").asDouble()).isEqualTo(0.5);
        assertThat(full.has("problem")).isFalse();

        JsonNode newer = messages.get(2).path("decoded");
        assertThat(newer.path("summary").asText()).isEqualTo("chat.v1.Envelope {user, kind, image, #15, #16}");
        assertThat(newer.path("value").toString()).isEqualTo("{\"user\":\"bob\",\"kind\":7,\"image\":\"iVBORw==\","
                + "\"15\":\"t-1\",\"16\":{\"fixed32\":9,\"float\":1.3E-44}}");

        // text messages are decoded as before
        assertThat(messages.get(3).path("decoded").path("protocol").asText()).isEqualTo("json");

        JsonNode presence = messages.get(4).path("decoded");
        assertThat(presence.path("protocol").asText()).isEqualTo("protobuf");
        assertThat(presence.path("problem").asText())
                .isEqualTo("It does not parse as chat.v1.Envelope: protocol message had invalid UTF-8.");
        assertThat(presence.path("value").toString()).isEqualTo("{\"1\":\"carol\",\"2\":{\"$binary\":\"//4A\"},\"3\":1}");
        assertThat(messages.get(4).path("base64").asText()).isEqualTo("CgVjYXJvbBID//4AGAE="); // the raw message kept

        JsonNode cut = messages.get(5).path("decoded");
        assertThat(cut.path("problem").asText()).isEqualTo("It does not parse as chat.v1.Envelope: while parsing a"
                + " protocol message, the input ended unexpectedly in the middle of a field.");
    }

    @Test
    @Timeout(120)
    void badSchemasAreUsageErrors() throws Exception {
        Path garbage = dir.resolve("garbage.desc");
        Files.write(garbage, "syntax = \"proto3\";\nmessage A { string a = 1; }\n".getBytes());
        String hex = "820300aabb"; // a server's binary message
        assertUsage(WsdebugProcess.run("decode", "--hex", hex, "--proto", dir.resolve("none.desc").toString()),
                "wsdebug decode: --proto: cannot read " + dir.resolve("none.desc") + ": no such file.");
        assertUsage(WsdebugProcess.run("decode", "--hex", hex, "--proto", garbage.toString()),
                "wsdebug decode: " + garbage + " is not a protobuf descriptor set (make one with protoc"
                        + " --descriptor_set_out=FILE.desc --include_imports FILE.proto).");
        assertUsage(WsdebugProcess.run("decode", "--hex", hex, "--proto-type", "chat.v1.Envelope"),
                "wsdebug decode: --proto-type needs --proto FILE.desc.");
        assertUsage(WsdebugProcess.run("decode", "--hex", hex, "--proto", dir.toString()),
                "wsdebug decode: --proto: " + dir + " is a directory, not a descriptor set.");

        requireProtoc();
        Path desc = descriptorSet();
        Path source = dir.resolve("chat.proto");
        assertUsage(WsdebugProcess.run("decode", "--hex", hex, "--proto", source.toString()),
                "wsdebug decode: " + source + " is a .proto source, not a descriptor set: make one with protoc"
                        + " --descriptor_set_out=" + dir.resolve("chat.desc") + " --include_imports " + source + ".");
        assertUsage(WsdebugProcess.run("decode", "--hex", hex, "--proto", desc.toString(), "--proto-type", "chat.v1.Nope"),
                "wsdebug decode: chat.v1.Nope is not a message type of " + desc
                        + "; it has chat.v1.Point, chat.v1.Envelope, chat.v1.Presence.");
        assertUsage(WsdebugProcess.run("decode", "--hex", hex, "--proto", desc.toString(), "--proto-type", "chat.v1.Point",
                        "--decode", "json"),
                "wsdebug decode: --proto reads messages as protobuf, so it cannot go with --decode json.");

        // and a good one: decode --hex of an Envelope {user: "x"} in a binary frame
        WsdebugProcess.Result ok = WsdebugProcess.run("decode", "--hex", "8203" + "0a0178", "--json", "--proto",
                desc.toString(), "--proto-type", "chat.v1.Envelope");
        assertThat(ok.exit()).as(ok.err()).isZero();
        assertThat(ok.out()).contains("\"decoded\":{\"protocol\":\"protobuf\",\"summary\":\"chat.v1.Envelope {user}\","
                + "\"value\":{\"user\":\"x\"}}");

        WsdebugProcess.Result help = WsdebugProcess.run("read", "--help");
        assertThat(help.out().replaceAll("\\s+", " ")).contains("--proto=FILE.desc Read binary messages as protobuf")
                .contains("--proto-type=NAME The message type of --proto").contains("protoc --descriptor_set_out");
    }

    private static void assertUsage(WsdebugProcess.Result r, String sentence) {
        assertThat(r.exit()).as(r.out() + r.err()).isEqualTo(2);
        assertThat(r.err().strip()).isEqualTo(sentence);
        assertThat(r.out()).isEmpty();
    }
}
