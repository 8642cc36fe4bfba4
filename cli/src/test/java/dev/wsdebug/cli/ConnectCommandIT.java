package dev.wsdebug.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.wsdebug.capture.peer.Peer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static dev.wsdebug.cli.ConnectSupport.ASCII;
import static dev.wsdebug.cli.ConnectSupport.awaitPeerOutput;
import static dev.wsdebug.cli.ConnectSupport.count;
import static dev.wsdebug.cli.ConnectSupport.events;
import static dev.wsdebug.cli.ConnectSupport.explain;
import static dev.wsdebug.cli.ConnectSupport.header;
import static dev.wsdebug.cli.ConnectSupport.jsonLines;
import static dev.wsdebug.cli.ConnectSupport.messages;
import static dev.wsdebug.cli.ConnectSupport.texts;
import static dev.wsdebug.cli.ConnectSupport.url;
import static dev.wsdebug.cli.ConnectSupport.wsdebug;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * `wsdebug connect` end to end: the packaged jar against independent servers (python websockets
 * and Node ws), in scripted (-x, --binary-hex) and standard-input modes, as a transcript and as
 * JSON Lines, and its usage errors.
 */
@org.junit.jupiter.api.Tag("packaged-jar")
class ConnectCommandIT {
    /** Asks either echo server to start the closing handshake itself, so a run ends without a fixed wait. */
    private static final String SERVER_CLOSES = "wsdebug:close 1000 bye";

    /** A python websockets echo server shared by the tests of one peer only. */
    private static Peer python;

    @BeforeAll
    static void startPython() {
        python = Peer.start(Peer.Kind.PYTHON_WEBSOCKETS);
    }

    @AfterAll
    static void stopPython() {
        if (python != null) {
            python.close();
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Peer.Kind.class)
    void scriptedMessagesAreEchoedDeflatedAndTheCloseCodeReachesTheServer(Peer.Kind kind) throws Exception {
        try (Peer peer = Peer.start(kind, "--report-close")) {
            WsdebugProcess.Result r = wsdebug("connect", url(peer), "-x", "hello", "-x", "{\"n\":1}",
                    "--binary-hex", "de ad be ef", "--close", "4000:done", "-w", "1");
            String why = explain(r, peer);
            assertThat(r.exit()).as(why).isZero();
            assertThat(r.err()).as(why).isEmpty();
            String out = r.out();
            assertThat(out).as(why).contains("== handshake ws://127.0.0.1:" + peer.port() + "/")
                    .contains("GET / -> 101 Switching Protocols  accept ok")
                    .containsPattern("(?m)^\\s*extensions:  permessage-deflate")
                    .containsPattern("(?m)^\\s*client->server: context takeover, 15-bit window");
            for (String dir : new String[] {"->", "<-"}) {
                // each message both ways, each compressed on the wire
                assertThat(out).as(why)
                        .containsPattern(Pattern.quote(dir) + " text 5 B \\(deflated \\d+ B\\): \"hello\"")
                        .containsPattern(Pattern.quote(dir) + " text 7 B \\(deflated \\d+ B\\): \"\\{\\\\\"n\\\\\":1\\}\"")
                        .containsPattern(Pattern.quote(dir) + " binary 4 B \\(deflated \\d+ B\\): de ad be ef");
            }
            assertThat(out).as(why).contains("-> close 4000 Private Use (4000-4999) \"done\"")
                    .contains("<- close 4000 Private Use (4000-4999) \"done\"")
                    .contains("== closed 4000 Private Use (4000-4999) \"done\" by client (close handshake complete)");
            assertThat(out).as(why).contains("statistics:")
                    .containsPattern("sent: +3 messages, 4 frames, \\d+ B on the wire \\(16 B of messages decoded\\)")
                    .containsPattern("received: +3 messages, 4 frames, \\d+ B on the wire \\(16 B of messages decoded\\)")
                    .containsPattern("uptime: +\\d+\\.\\d{3} s")
                    .contains("closed:   4000 Private Use (4000-4999), initiated by the client (clean)");
            assertThat(out.indexOf("statistics:")).as("the statistics come last").isGreaterThan(out.indexOf("== closed"));
            // the server itself says which close frame it received
            awaitPeerOutput(peer, "CLOSE 4000 done");
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Peer.Kind.class)
    void jsonShowsTheNegotiatedDeflateAndCompressedEchoes(Peer.Kind kind) throws Exception {
        try (Peer peer = Peer.start(kind)) {
            WsdebugProcess.Result r = wsdebug("connect", url(peer), "--json", "-x", "alpha", "-x", "beta beta beta",
                    "-x", SERVER_CLOSES, "-w", "-1");
            String why = explain(r, peer);
            assertThat(r.exit()).as(why).isZero();
            assertThat(r.err()).as(why).isEmpty();
            List<JsonNode> all = jsonLines(r.out());
            assertThat(all.get(0).get("event").asText()).isEqualTo("handshake");
            JsonNode hs = events(all, "handshake").get(0);
            assertThat(events(all, "handshake")).hasSize(1);
            assertThat(header(hs.get("request"), "Sec-WebSocket-Extensions")).isEqualTo(ConnectCommand.DEFAULT_OFFER);
            assertThat(hs.get("response").get("status").asInt()).isEqualTo(101);
            assertThat(hs.get("upgraded").asBoolean()).isTrue();
            assertThat(hs.get("accept").get("valid").asBoolean()).isTrue();
            assertThat(hs.get("extensions").asText()).startsWith("permessage-deflate");
            assertThat(hs.get("deflate").isObject()).as(why).isTrue();

            List<JsonNode> sent = messages(all, "c2s");
            List<JsonNode> received = messages(all, "s2c");
            assertThat(texts(sent)).containsExactly("alpha", "beta beta beta", SERVER_CLOSES);
            assertThat(texts(received)).as(why).containsExactly("alpha", "beta beta beta");
            assertThat(sent).allSatisfy(m -> assertThat(m.get("compressed").asBoolean()).isTrue());
            assertThat(received).allSatisfy(m -> {
                assertThat(m.get("compressed").asBoolean()).isTrue();
                assertThat(m.get("utf8").asText()).isEqualTo("valid");
            });
            // the repeated text really went through deflate: fewer bytes on the wire than decoded
            assertThat(received.get(1).get("wireLength").asInt()).isLessThan(received.get(1).get("length").asInt());
            // RSV1 marks the first frame of a compressed message, in both directions
            assertThat(events(all, "frame")).filteredOn(f -> f.get("type").asText().equals("text"))
                    .hasSize(5).allSatisfy(f -> assertThat(f.get("rsv1").asBoolean()).isTrue());
            assertThat(events(all, "frame")).filteredOn(f -> f.get("dir").asText().equals("c2s"))
                    .allSatisfy(f -> assertThat(f.get("masked").asBoolean()).isTrue());
            assertThat(events(all, "frame")).filteredOn(f -> f.get("dir").asText().equals("s2c"))
                    .allSatisfy(f -> assertThat(f.get("masked").asBoolean()).isFalse());

            JsonNode close = events(all, "close").get(0);
            assertThat(events(all, "close")).hasSize(1);
            assertThat(close.get("code").asInt()).isEqualTo(1000);
            assertThat(close.get("reason").asText()).isEqualTo("bye");
            assertThat(close.get("initiator").asText()).isEqualTo("server");
            assertThat(close.get("clean").asBoolean()).isTrue();
            assertThat(all.get(all.size() - 1)).isEqualTo(close);
            assertThat(events(all, "error")).isEmpty();
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Peer.Kind.class)
    void noCompressOffersNoExtensionAndNothingIsDeflated(Peer.Kind kind) throws Exception {
        try (Peer peer = Peer.start(kind)) {
            WsdebugProcess.Result r = wsdebug("connect", url(peer), "--no-compress", "--json", "-x", "plain plain plain",
                    "--binary-hex", "00ff", "-w", "1");
            String why = explain(r, peer);
            assertThat(r.exit()).as(why).isZero();
            List<JsonNode> all = jsonLines(r.out());
            JsonNode hs = events(all, "handshake").get(0);
            assertThat(header(hs.get("request"), "Sec-WebSocket-Extensions")).isNull();
            assertThat(header(hs.get("response"), "Sec-WebSocket-Extensions")).isNull();
            assertThat(hs.get("extensions").isNull()).isTrue();
            assertThat(hs.get("deflate").isNull()).isTrue();
            List<JsonNode> received = messages(all, "s2c");
            assertThat(received).as(why).hasSize(2);
            assertThat(received.get(0).get("text").asText()).isEqualTo("plain plain plain");
            assertThat(received.get(1).get("type").asText()).isEqualTo("binary");
            assertThat(received.get(1).get("base64").asText()).isEqualTo("AP8=");
            assertThat(all).filteredOn(n -> n.has("compressed"))
                    .allSatisfy(m -> assertThat(m.get("compressed").asBoolean()).isFalse());
            assertThat(received.get(0).get("wireLength").asInt()).isEqualTo(17);
            assertThat(events(all, "frame")).allSatisfy(f -> assertThat(f.get("rsv1").asBoolean()).isFalse());
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Peer.Kind.class)
    void aCustomOfferIsNegotiatedAndItsParametersApply(Peer.Kind kind) throws Exception {
        String big = "abcdefgh".repeat(400);
        try (Peer peer = Peer.start(kind)) {
            WsdebugProcess.Result r = wsdebug("connect", url(peer),
                    "--compress=permessage-deflate; server_no_context_takeover; client_max_window_bits=10", "--json",
                    "-x", big, "-x", big, "-x", SERVER_CLOSES, "-w", "-1");
            String why = explain(r, peer);
            assertThat(r.exit()).as(why).isZero();
            List<JsonNode> all = jsonLines(r.out());
            JsonNode hs = events(all, "handshake").get(0);
            assertThat(header(hs.get("request"), "Sec-WebSocket-Extensions"))
                    .isEqualTo("permessage-deflate; server_no_context_takeover; client_max_window_bits=10");
            JsonNode deflate = hs.get("deflate");
            assertThat(deflate.get("serverNoContextTakeover").asBoolean()).as(why).isTrue();
            assertThat(deflate.get("clientMaxWindowBits").asInt()).as(why).isEqualTo(10);
            // the server compresses each echo on its own: the second costs as much as the first
            List<JsonNode> received = messages(all, "s2c");
            assertThat(texts(received)).as(why).containsExactly(big, big);
            assertThat(received).allSatisfy(m -> assertThat(m.get("compressed").asBoolean()).isTrue());
            assertThat(received.get(1).get("wireLength").asInt()).isEqualTo(received.get(0).get("wireLength").asInt());
            // java.util.zip cannot keep to a 10-bit window, so wsdebug sends its messages uncompressed
            // (RSV1 clear), which permessage-deflate allows
            assertThat(messages(all, "c2s")).allSatisfy(m -> assertThat(m.get("compressed").asBoolean()).isFalse());
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Peer.Kind.class)
    void theServerPicksOneOfTheOfferedSubprotocols(Peer.Kind kind) throws Exception {
        // the server speaks only "b": it must pick the client's second offer, not just the first
        try (Peer peer = Peer.start(kind, "--subprotocol", "b")) {
            WsdebugProcess.Result r = wsdebug("connect", url(peer), "-s", "a", "-s", "b", "--json",
                    "-x", SERVER_CLOSES, "-w", "-1");
            String why = explain(r, peer);
            assertThat(r.exit()).as(why).isZero();
            JsonNode hs = events(jsonLines(r.out()), "handshake").get(0);
            assertThat(header(hs.get("request"), "Sec-WebSocket-Protocol")).isEqualTo("a, b");
            assertThat(header(hs.get("response"), "Sec-WebSocket-Protocol")).isEqualTo("b");
            assertThat(hs.get("subprotocol").asText()).isEqualTo("b");
            assertThat(hs.has("problems")).as(why).isFalse();
        }
    }

    @Test
    void stdinLinesAreSentAsTextMessages() throws Exception {
        WsdebugProcess.Result r = WsdebugProcess.run("a\nb\n".getBytes(StandardCharsets.UTF_8), ASCII,
                "connect", url(python), "--json");
        String why = explain(r, python);
        assertThat(r.exit()).as(why).isZero();
        assertThat(r.err()).as(why).isEmpty();
        List<JsonNode> all = jsonLines(r.out());
        assertThat(texts(messages(all, "c2s"))).containsExactly("a", "b");
        assertThat(texts(messages(all, "s2c"))).as(why).containsExactly("a", "b");
        JsonNode close = events(all, "close").get(0);
        assertThat(close.get("code").asInt()).isEqualTo(1000);
        assertThat(close.get("initiator").asText()).isEqualTo("client");
        assertThat(close.get("clean").asBoolean()).isTrue();
    }

    @Test
    void oneVShowsTheHandshakeHeadersButNoFrames() throws Exception {
        WsdebugProcess.Result r = wsdebug("connect", url(python), "-v", "-H", "X-Trace: 42", "--origin",
                "http://app.test", "-x", "hi", "-x", SERVER_CLOSES, "-w", "-1");
        String why = explain(r, python);
        assertThat(r.exit()).as(why).isZero();
        assertThat(r.out()).as(why).contains("> GET / HTTP/1.1")
                .contains("> Host: 127.0.0.1:" + python.port())
                .containsPattern("(?m)^\\s*> Sec-WebSocket-Key: [A-Za-z0-9+/]{22}==$")
                .contains("> Sec-WebSocket-Version: 13")
                .contains("> Origin: http://app.test")
                .contains("> X-Trace: 42")
                .contains("< HTTP/1.1 101 Switching Protocols")
                .containsPattern("(?m)^\\s*< Sec-WebSocket-Accept: [A-Za-z0-9+/]{27}=$")
                .contains("<- text 2 B");
        assertThat(r.out()).as("frame lines are for -vv").doesNotContain("mask ").doesNotContain("unmasked");
    }

    @Test
    void twoVShowFramesWithTheirMaskKeysAndSaveWritesTheSameConversation(@TempDir Path dir) throws Exception {
        Path saved = dir.resolve("conversation.jsonl");
        WsdebugProcess.Result r = wsdebug("connect", url(python), "-vv", "--save", saved.toString(), "-x", "hi",
                "-x", SERVER_CLOSES, "-w", "-1");
        String why = explain(r, python);
        assertThat(r.exit()).as(why).isZero();
        String out = r.out();
        assertThat(out).as(why).contains("> GET / HTTP/1.1").contains("< HTTP/1.1 101 Switching Protocols");
        // client frames are masked (with their key shown), server frames are not
        Pattern masked = Pattern.compile("(?m)^\\S+ -> #\\d+ +(text|close) +FIN (RSV1 )?mask ([0-9a-f]{8}) len \\d+");
        Set<String> keysShown = new TreeSet<>();
        Matcher m = masked.matcher(out);
        while (m.find()) {
            keysShown.add(m.group(3));
        }
        assertThat(keysShown).as(why).hasSize(3);
        assertThat(out).containsPattern("(?m)^\\S+ <- #\\d+ +text +FIN RSV1 unmasked len \\d+")
                .containsPattern("(?m)^\\S+ <- #\\d+ +close +FIN unmasked len 5");
        assertThat(count(out, "^\\S+ -> #\\d+ ")).isEqualTo(3);

        // --save: JSON Lines of the same conversation, whatever the screen shows
        List<JsonNode> all = jsonLines(Files.readString(saved));
        assertThat(all.get(0).get("event").asText()).isEqualTo("handshake");
        assertThat(all.get(all.size() - 1).get("event").asText()).isEqualTo("close");
        assertThat(texts(messages(all, "s2c"))).containsExactly("hi");
        Set<String> keysSaved = new TreeSet<>();
        for (JsonNode f : events(all, "frame")) {
            if (f.get("dir").asText().equals("c2s")) {
                keysSaved.add(f.get("maskKey").asText());
            }
        }
        assertThat(keysSaved).isEqualTo(keysShown);
    }

    @Test
    void usageErrorsExitWith2BeforeConnecting(@TempDir Path dir) throws Exception {
        try (ServerSocket listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            String url = "ws://127.0.0.1:" + listener.getLocalPort();
            assertUsage(wsdebug("connect", "http://127.0.0.1:" + listener.getLocalPort() + "/feed"),
                    "wsdebug connect: 'http://127.0.0.1:" + listener.getLocalPort() + "/feed' is an HTTP URL: use ws://127.0.0.1:"
                            + listener.getLocalPort() + "/feed or wss:// instead.");
            assertUsage(wsdebug("connect", url, "-H", "X-Token abc"),
                    "wsdebug connect: -H 'X-Token abc' is not a header: use 'Name: value'.");
            assertUsage(wsdebug("connect", url, "--close", "1005"),
                    "wsdebug connect: --close 1005 (No Status Received) cannot be sent in a close frame.");
            assertUsage(wsdebug("connect", url, "--binary-hex", "de ad b"),
                    "wsdebug connect: --binary-hex: the digit at position 7 has no partner; hex needs an even number of digits.");
            assertUsage(wsdebug("connect", url, "--binary-hex", "0x12zz"),
                    "wsdebug connect: --binary-hex: 'z' at position 5 is not a hex digit.");
            // none of them opened a connection
            listener.setSoTimeout(1);
            assertThatThrownBy(listener::accept).isInstanceOf(SocketTimeoutException.class);
        }
    }

    private static void assertUsage(WsdebugProcess.Result r, String sentence) {
        assertThat(r.exit()).as(explain(r)).isEqualTo(2);
        assertThat(r.err().strip()).as(explain(r)).isEqualTo(sentence);
        assertThat(r.out()).as(explain(r)).isEmpty();
    }
}
