package dev.wsdebug.capture;

import dev.wsdebug.capture.InteropSupport.Decoded;
import dev.wsdebug.capture.InteropSupport.Outgoing;
import dev.wsdebug.capture.peer.Peer;
import dev.wsdebug.capture.peer.RecordingClient;
import dev.wsdebug.capture.peer.RecordingClient.Chunk;
import dev.wsdebug.capture.peer.RecordingClient.ReceivedFrame;
import dev.wsdebug.wire.DeflateParams;
import dev.wsdebug.wire.Direction;
import dev.wsdebug.wire.FrameWriter;
import dev.wsdebug.wire.Handshake;
import dev.wsdebug.wire.Message;
import dev.wsdebug.wire.MessageDeflater;
import dev.wsdebug.wire.Opcode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import java.util.zip.Inflater;

import static dev.wsdebug.wire.DeflateParams.ABSENT;
import static dev.wsdebug.capture.InteropSupport.Outgoing.text;
import static dev.wsdebug.capture.InteropSupport.acceptIndependently;
import static dev.wsdebug.capture.InteropSupport.closeCode;
import static dev.wsdebug.capture.InteropSupport.closeFrame;
import static dev.wsdebug.capture.InteropSupport.decode;
import static dev.wsdebug.capture.InteropSupport.readClose;
import static dev.wsdebug.capture.InteropSupport.readEcho;
import static dev.wsdebug.capture.InteropSupport.send;
import static dev.wsdebug.capture.InteropSupport.summary;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

/**
 * permessage-deflate against real, independent implementations: python websockets and Node ws run
 * echo servers; this test is the client over a plain socket, compressing with wire's
 * {@link MessageDeflater} and framing with {@link FrameWriter}. It records both byte streams as they
 * crossed the socket and then decodes the recording with a {@link Conversation}.
 *
 * <p>What that proves: the decoder reads the peers' handshake answers, frames and compressed
 * messages (with and without context takeover, with reduced windows) exactly; and what we send
 * compressed is what the peers accepted, since they echo it back unchanged.
 */
class DeflateInteropTest {
    private static final String CLOSE_REASON = "done";
    private static final byte[] PING_PAYLOAD = "ping inside a fragmented message".getBytes(StandardCharsets.UTF_8);

    /** One negotiation: what the peer is told, what the client offers, what must come out. */
    record Scenario(String name, List<String> peerArgs, String offer, DeflateParams expected) {
        @Override
        public String toString() {
            return name;
        }
    }

    private static final String OFFER = "permessage-deflate; client_max_window_bits";

    static List<Scenario> scenarios() {
        return List.of(
                new Scenario("context takeover both ways", List.of(), OFFER,
                        new DeflateParams(false, false, ABSENT, ABSENT)),
                new Scenario("server_no_context_takeover offered by the client", List.of(),
                        "permessage-deflate; server_no_context_takeover; client_max_window_bits",
                        new DeflateParams(false, true, ABSENT, ABSENT)),
                new Scenario("server_no_context_takeover required by the server", List.of("--server-no-context-takeover"),
                        OFFER, new DeflateParams(false, true, ABSENT, ABSENT)),
                new Scenario("client_no_context_takeover offered by the client", List.of(),
                        "permessage-deflate; client_no_context_takeover; client_max_window_bits",
                        new DeflateParams(true, false, ABSENT, ABSENT)),
                new Scenario("client_no_context_takeover required by the server", List.of("--client-no-context-takeover"),
                        OFFER, new DeflateParams(true, false, ABSENT, ABSENT)),
                new Scenario("server_max_window_bits=10 offered by the client", List.of(),
                        "permessage-deflate; server_max_window_bits=10; client_max_window_bits",
                        new DeflateParams(false, false, ABSENT, 10)),
                new Scenario("server_max_window_bits=9 required by the server", List.of("--server-max-window-bits", "9"),
                        OFFER, new DeflateParams(false, false, ABSENT, 9)),
                new Scenario("client_max_window_bits=10 required by the server", List.of("--client-max-window-bits", "10"),
                        OFFER, new DeflateParams(false, false, 10, ABSENT)),
                new Scenario("no context takeover both ways and server window 10", List.of(),
                        "permessage-deflate; client_no_context_takeover; server_no_context_takeover;"
                                + " server_max_window_bits=10; client_max_window_bits",
                        new DeflateParams(true, true, ABSENT, 10)));
    }

    static Stream<Arguments> matrix() {
        List<Arguments> out = new ArrayList<>();
        for (Peer.Kind kind : Peer.Kind.values()) {
            for (Scenario s : scenarios()) {
                out.add(Arguments.of(kind, s));
            }
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("matrix")
    void echoedCompressedMessagesDecodeExactly(Peer.Kind kind, Scenario scenario) throws Exception {
        List<Outgoing> messages = messages();
        List<Chunk> recording;
        String key = RecordingClient.newKey();
        RecordingClient.Response response;
        boolean compressC2s;
        List<ReceivedFrame> pongs = new ArrayList<>();
        ReceivedFrame closeReply;
        try (Peer peer = Peer.start(kind, scenario.peerArgs().toArray(String[]::new));
             RecordingClient client = RecordingClient.connect(peer.port())) {
            response = client.handshake("/interop?peer=" + kind.name().toLowerCase(Locale.ROOT), key, scenario.offer());
            assertThat(response.status()).as("%s answered:\n%s%s", kind, response.raw(), peer.output()).isEqualTo(101);
            String accepted = response.header("Sec-WebSocket-Extensions");
            assertThat(accepted).as("%s accepted no extension:\n%s", kind, response.raw()).isNotNull();

            // The client's own reading of the answer decides how it compresses, independently of the decoder.
            Map<String, String> params = extensionParams(accepted);
            boolean clientNoContextTakeover = params.containsKey("client_no_context_takeover");
            int clientWindowBits = params.containsKey("client_max_window_bits")
                    ? Integer.parseInt(params.get("client_max_window_bits")) : 15;
            compressC2s = MessageDeflater.supportsWindowBits(clientWindowBits);

            FrameWriter writer = new FrameWriter();
            try (MessageDeflater deflater = new MessageDeflater(clientNoContextTakeover)) {
                for (Outgoing m : messages) {
                    send(client, writer, compressC2s ? deflater : null, m, PING_PAYLOAD);
                    List<ReceivedFrame> echo;
                    try {
                        echo = readEcho(client, pongs);
                    } catch (AssertionError | IOException e) {
                        throw new AssertionError(kind + " did not echo " + m.label() + " (sent "
                                + (compressC2s ? "compressed" : "uncompressed") + "): " + e.getMessage()
                                + "\npeer output:\n" + peer.output(), e);
                    }
                    assertThat(echo.get(0).opcode()).as("echo of %s", m.label()).isEqualTo(m.opcode());
                    assertThat(echo.get(0).rsv1()).as("%s compresses the echo of %s", kind, m.label()).isTrue();
                }
            }
            client.write(closeFrame(writer, 1000, CLOSE_REASON));
            closeReply = readClose(client);
            client.readUntilEof(2_000);
            recording = client.recording();
        }

        Decoded d = decode(recording, Integer.MAX_VALUE);

        // No errors, one valid handshake that negotiated exactly what the peer answered.
        assertThat(d.errors).as("error events").isEmpty();
        assertThat(d.handshakes).hasSize(1);
        HandshakeEvent hs = d.handshakes.get(0);
        assertThat(hs.result().problems()).as("handshake problems").isEmpty();
        assertThat(hs.result().valid()).isTrue();
        assertThat(hs.result().status()).isEqualTo(101);
        assertThat(hs.result().actualAccept()).isEqualTo(response.header("Sec-WebSocket-Accept"));
        assertThat(hs.result().acceptValid()).isTrue();
        assertThat(response.header("Sec-WebSocket-Accept"))
                .as("the peer's accept value, computed independently here and by Handshake.acceptFor")
                .isEqualTo(acceptIndependently(key))
                .isEqualTo(Handshake.acceptFor(key));
        assertThat(hs.result().extensions()).isEqualTo(response.header("Sec-WebSocket-Extensions"));
        assertThat(hs.result().deflate()).as("negotiated by %s", kind).isEqualTo(scenario.expected());
        assertThat(hs.result().deflate()).as("as the test reads the peer's answer")
                .isEqualTo(paramsIndependently(response.header("Sec-WebSocket-Extensions")));
        assertThat(hs.request().header("Sec-WebSocket-Extensions")).isEqualTo(scenario.offer());

        // Every frame is clean; masking per direction; RSV1 only on the first frame of a compressed message.
        for (FrameEvent f : d.frames) {
            assertThat(f.frame().violations()).as("violations of %s %s", f.dir().id(), f.frame()).isEmpty();
            assertThat(f.frame().masked()).as("%s %s masked", f.dir().id(), f.frame()).isEqualTo(f.dir() == Direction.C2S);
            if (f.frame().opcode() == Opcode.CONTINUATION || f.frame().isControl()) {
                assertThat(f.frame().rsv1()).as("%s %s", f.dir().id(), f.frame()).isFalse();
            }
        }
        assertThat(d.frames).extracting(FrameEvent::seq).isSorted().doesNotHaveDuplicates();

        // What the client sent decodes to exactly what it sent, compressed when it could be.
        assertMessages(d.messages(Direction.C2S), messages, compressC2s, true);
        // Each echo decodes to exactly what was sent, and the peer compressed every one.
        assertMessages(d.messages(Direction.S2C), messages, true, false);

        // Context takeover shows in the sizes: the repeated message costs a few bytes the second time,
        // unless the compressor had to start afresh.
        assertContextTakeover(d.messages(Direction.S2C), hs.result().deflate().serverNoContextTakeover(),
                hs.result().deflate().serverWindowBits(), "server");
        if (compressC2s) {
            assertContextTakeover(d.messages(Direction.C2S), hs.result().deflate().clientNoContextTakeover(), 15, "client");
        }

        // The ping inside the fragmented message and the peer's pong.
        assertThat(d.frames).filteredOn(f -> f.dir() == Direction.C2S && f.frame().opcode() == Opcode.PING)
                .singleElement().satisfies(f -> assertThat(f.frame().controlPayload()).isEqualTo(PING_PAYLOAD));
        assertThat(pongs).as("pongs the client read").hasSize(1);
        assertThat(d.frames).filteredOn(f -> f.dir() == Direction.S2C && f.frame().opcode() == Opcode.PONG)
                .singleElement().satisfies(f -> assertThat(f.frame().controlPayload()).isEqualTo(PING_PAYLOAD));

        // The close handshake: the client started it with 1000, the peer answered, both frames are on the wire.
        assertThat(closeCode(closeReply)).as("%s answers the close", kind).isEqualTo(1000);
        assertThat(d.closes).hasSize(1);
        CloseEvent close = d.closes.get(0);
        assertThat(close.code()).isEqualTo(1000);
        assertThat(close.reason()).isEqualTo(CLOSE_REASON);
        assertThat(close.onWire()).isTrue();
        assertThat(close.initiator()).isEqualTo("client");
        assertThat(close.clean()).isTrue();
        assertThat(d.frames).filteredOn(f -> f.frame().opcode() == Opcode.CLOSE)
                .extracting(f -> f.dir(), f -> f.frame().closeCode())
                .containsExactly(tuple(Direction.C2S, 1000), tuple(Direction.S2C, 1000));

        // The same bytes in small pieces decode to the same messages.
        Decoded pieces = decode(recording, 7);
        assertThat(pieces.errors).isEmpty();
        assertThat(summary(pieces.all)).isEqualTo(summary(d.all));
    }

    /**
     * Without any peer: the bug both peers found. With context takeover zlib writes nothing for an
     * empty message (its flush follows the previous message's flush), and an empty compressed
     * payload plus the 00 00 ff ff every receiver appends is half a stored block, which breaks the
     * next message. Checked with the JDK's own inflater fed the way RFC 7692 7.2.2 says.
     */
    @Test
    void emptyMessageWithContextTakeoverKeepsTheStreamValid() throws Exception {
        byte[][] messages = {"before".getBytes(StandardCharsets.UTF_8), new byte[0], new byte[0],
                "after the empty ones, before".getBytes(StandardCharsets.UTF_8)};
        Inflater inflater = new Inflater(true);
        try (MessageDeflater deflater = new MessageDeflater(false)) {
            for (byte[] m : messages) {
                byte[] payload = deflater.deflate(m);
                assertThat(payload).as("a compressed payload is never empty").isNotEmpty();
                byte[] withTail = Arrays.copyOf(payload, payload.length + 4);
                withTail[withTail.length - 2] = (byte) 0xFF;
                withTail[withTail.length - 1] = (byte) 0xFF;
                inflater.setInput(withTail);
                byte[] out = new byte[m.length + 64];
                int n = inflater.inflate(out);
                assertThat(inflater.needsInput()).as("the payload ends on a block boundary").isTrue();
                assertThat(Arrays.copyOf(out, n)).isEqualTo(m);
            }
        } finally {
            inflater.end();
        }
    }

    private static void assertMessages(List<MessageEvent> got, List<Outgoing> sent, boolean compressed, boolean c2s) {
        assertThat(got).as("%s messages", c2s ? "c2s" : "s2c").hasSameSizeAs(sent);
        for (int i = 0; i < sent.size(); i++) {
            Outgoing want = sent.get(i);
            Message m = got.get(i).message();
            String what = (c2s ? "sent " : "echoed ") + want.label();
            assertThat(m.opcode()).as(what).isEqualTo(want.opcode());
            assertThat(m.compressed()).as("%s compressed", what).isEqualTo(compressed);
            assertThat(m.truncated()).as(what).isFalse();
            assertThat(m.length()).as("%s length", what).isEqualTo(want.data().length);
            assertThat(Arrays.equals(m.payload(), want.data())).as("%s decodes to the bytes sent", what).isTrue();
            assertThat(m.violations()).as(what).isEmpty();
            assertThat(m.utf8InvalidAt()).as("%s utf8", what).isEqualTo(-1L);
            if (want.opcode() == Opcode.TEXT) {
                assertThat(m.text()).as(what).isEqualTo(new String(want.data(), StandardCharsets.UTF_8));
            }
            if (c2s) {
                assertThat(m.frames()).as("%s frames", what).isEqualTo(want.fragments());
            }
        }
    }

    /** Messages 1 and 2 are the same text: with context takeover the second is far smaller on the wire. */
    private static void assertContextTakeover(List<MessageEvent> msgs, boolean noContextTakeover, int windowBits,
                                              String sender) {
        Message first = msgs.get(1).message();
        Message again = msgs.get(2).message();
        assertThat(Arrays.equals(first.payload(), again.payload())).isTrue();
        if (noContextTakeover) {
            assertThat(again.wireLength()).as("%s without context takeover compresses the repeat afresh", sender)
                    .isEqualTo(first.wireLength());
        } else if (windowBits == 15) {
            assertThat(again.wireLength()).as("%s with context takeover refers back to the first copy", sender)
                    .isLessThan(first.wireLength() / 8);
        }
    }

    // ---- what the client sends --------------------------------------------------------------

    static List<Outgoing> messages() {
        Random random = new Random(7692);
        String repeated = words(random, 3_000);
        StringBuilder accents = new StringBuilder();
        for (int i = 0; accents.length() < 600; i++) {
            accents.append(i).append(": Grüße aus Köln, 東京の天気は晴れ, Ελληνικά, עברית, emoji 🎉🚀 ");
        }
        byte[] binary = new byte[1_500];
        for (int i = 0; i < binary.length; i++) {
            binary[i] = (byte) (i % 7 == 0 ? random.nextInt(256) : i * 31);
        }
        ByteArrayOutputStream big = new ByteArrayOutputStream();
        byte[] noise = new byte[100 * 1024];
        random.nextBytes(noise);
        big.writeBytes(noise);
        while (big.size() < 200 * 1024) {
            big.writeBytes(words(random, 500).getBytes(StandardCharsets.UTF_8));
        }
        byte[] large = Arrays.copyOf(big.toByteArray(), 200 * 1024);
        return List.of(
                text("short text", "Hello, permessage-deflate!", 1),
                text("repeated text (first copy)", repeated, 1),
                text("repeated text (second copy)", repeated, 1),
                new Outgoing("binary", Opcode.BINARY, binary, 1),
                text("fragmented non-ASCII text", accents.toString(), 3),
                text("empty text", "", 1),
                new Outgoing("empty binary", Opcode.BINARY, new byte[0], 1),
                new Outgoing("200 KiB binary", Opcode.BINARY, large, 1),
                text("non-ASCII text", "Grüße — 日本語のテキスト — 🎉🚀 — Ελληνικά — ñandú — \u0000 NUL inside", 1));
    }

    private static String words(Random random, int length) {
        String[] vocabulary = {"frame", "mask", "deflate", "window", "context", "takeover", "socket", "message",
                "continuation", "opcode", "payload", "handshake", "extension", "inflate", "sync", "flush"};
        StringBuilder sb = new StringBuilder();
        while (sb.length() < length) {
            sb.append(vocabulary[random.nextInt(vocabulary.length)]).append(random.nextInt(1000)).append(' ');
        }
        return sb.substring(0, length);
    }

    // ---- independent readings of the handshake -----------------------------------------------

    /** The parameters of a one-extension Sec-WebSocket-Extensions answer, read with plain string splitting. */
    private static Map<String, String> extensionParams(String header) {
        String[] parts = header.split(";");
        assertThat(parts[0].trim()).isEqualToIgnoringCase("permessage-deflate");
        assertThat(header).as("a single extension").doesNotContain(",");
        Map<String, String> params = new LinkedHashMap<>();
        for (int i = 1; i < parts.length; i++) {
            String p = parts[i].trim();
            int eq = p.indexOf('=');
            String name = (eq < 0 ? p : p.substring(0, eq)).trim().toLowerCase(Locale.ROOT);
            String value = eq < 0 ? null : p.substring(eq + 1).trim().replace("\"", "");
            params.put(name, value);
        }
        return params;
    }

    private static DeflateParams paramsIndependently(String header) {
        Map<String, String> p = extensionParams(header);
        return new DeflateParams(p.containsKey("client_no_context_takeover"), p.containsKey("server_no_context_takeover"),
                p.containsKey("client_max_window_bits") ? Integer.parseInt(p.get("client_max_window_bits")) : ABSENT,
                p.containsKey("server_max_window_bits") ? Integer.parseInt(p.get("server_max_window_bits")) : ABSENT);
    }
}
