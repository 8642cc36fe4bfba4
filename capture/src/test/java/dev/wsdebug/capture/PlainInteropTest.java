package dev.wsdebug.capture;

import dev.wsdebug.capture.InteropSupport.Decoded;
import dev.wsdebug.capture.InteropSupport.Outgoing;
import dev.wsdebug.capture.peer.Peer;
import dev.wsdebug.capture.peer.RecordingClient;
import dev.wsdebug.capture.peer.RecordingClient.Chunk;
import dev.wsdebug.capture.peer.RecordingClient.ReceivedFrame;
import dev.wsdebug.wire.Direction;
import dev.wsdebug.wire.FrameWriter;
import dev.wsdebug.wire.Message;
import dev.wsdebug.wire.Opcode;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static dev.wsdebug.capture.InteropSupport.Outgoing.text;
import static dev.wsdebug.capture.InteropSupport.acceptIndependently;
import static dev.wsdebug.capture.InteropSupport.closeCode;
import static dev.wsdebug.capture.InteropSupport.closeFrame;
import static dev.wsdebug.capture.InteropSupport.closeReason;
import static dev.wsdebug.capture.InteropSupport.decode;
import static dev.wsdebug.capture.InteropSupport.readClose;
import static dev.wsdebug.capture.InteropSupport.readEcho;
import static dev.wsdebug.capture.InteropSupport.send;
import static dev.wsdebug.capture.InteropSupport.summary;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Uncompressed WebSocket against the real peers with permessage-deflate switched off: the offer is
 * declined, payload lengths sit on both sides of every length-encoding boundary, a text message is
 * fragmented in the middle of multi-byte characters with a ping between its fragments, and the
 * peer (not the client) starts the closing handshake.
 */
class PlainInteropTest {
    private static final byte[] PING_PAYLOAD = "between fragments".getBytes(StandardCharsets.UTF_8);
    private static final int SERVER_CLOSE_CODE = 1001;
    private static final String SERVER_CLOSE_REASON = "going away, as asked";

    @ParameterizedTest(name = "{0}")
    @EnumSource(Peer.Kind.class)
    void uncompressedMessagesAndServerInitiatedClose(Peer.Kind kind) throws Exception {
        List<Outgoing> messages = messages();
        String key = RecordingClient.newKey();
        String offer = "permessage-deflate; client_max_window_bits";
        RecordingClient.Response response;
        List<Chunk> recording;
        List<ReceivedFrame> pongs = new ArrayList<>();
        List<ReceivedFrame> echoFrames = new ArrayList<>();
        ReceivedFrame serverClose;
        try (Peer peer = Peer.start(kind, "--no-deflate");
             RecordingClient client = RecordingClient.connect(peer.port())) {
            response = client.handshake("/plain", key, offer);
            assertThat(response.status()).as("%s answered:\n%s%s", kind, response.raw(), peer.output()).isEqualTo(101);
            assertThat(response.header("Sec-WebSocket-Extensions")).as("%s declines permessage-deflate", kind).isNull();
            FrameWriter writer = new FrameWriter();
            for (Outgoing m : messages) {
                send(client, writer, null, m, PING_PAYLOAD);
                List<ReceivedFrame> echo = readEcho(client, pongs);
                assertThat(echo.get(0).opcode()).as("echo of %s", m.label()).isEqualTo(m.opcode());
                echoFrames.addAll(echo);
            }
            send(client, writer, null, text("close command", "wsdebug:close " + SERVER_CLOSE_CODE + " "
                    + SERVER_CLOSE_REASON, 1), null);
            serverClose = readClose(client);
            client.write(closeFrame(writer, closeCode(serverClose), ""));
            client.readUntilEof(2_000);
            recording = client.recording();
        }
        assertThat(closeCode(serverClose)).isEqualTo(SERVER_CLOSE_CODE);
        assertThat(closeReason(serverClose)).isEqualTo(SERVER_CLOSE_REASON);

        Decoded d = decode(recording, Integer.MAX_VALUE);
        assertThat(d.errors).as("error events").isEmpty();

        assertThat(d.handshakes).singleElement().satisfies(hs -> {
            assertThat(hs.result().problems()).isEmpty();
            assertThat(hs.result().valid()).isTrue();
            assertThat(hs.result().extensions()).isNull();
            assertThat(hs.result().deflate()).as("nothing negotiated").isNull();
            assertThat(hs.result().actualAccept()).isEqualTo(acceptIndependently(key));
            assertThat(hs.request().header("Sec-WebSocket-Extensions")).isEqualTo(offer);
        });

        for (FrameEvent f : d.frames) {
            assertThat(f.frame().violations()).as("violations of %s %s", f.dir().id(), f.frame()).isEmpty();
            assertThat(f.frame().rsv1() || f.frame().rsv2() || f.frame().rsv3()).isFalse();
            assertThat(f.frame().masked()).isEqualTo(f.dir() == Direction.C2S);
        }

        // The peer's data frames, as the decoder saw them, match the frames the client read, including
        // the length encoding the peer chose (RFC 6455 5.2: the minimal one).
        List<FrameEvent> s2cData = d.frames.stream()
                .filter(f -> f.dir() == Direction.S2C && !f.frame().isControl()).toList();
        assertThat(s2cData).hasSameSizeAs(echoFrames);
        for (int i = 0; i < echoFrames.size(); i++) {
            ReceivedFrame read = echoFrames.get(i);
            FrameEvent decoded = s2cData.get(i);
            assertThat(decoded.frame().opcode()).isEqualTo(read.opcode());
            assertThat(decoded.frame().fin()).isEqualTo(read.fin());
            assertThat(decoded.frame().payloadLength()).isEqualTo(read.payload().length);
            int len = read.payload().length;
            assertThat(decoded.frame().lengthEncoding()).as("length encoding of a %d-byte payload", len)
                    .isEqualTo(len <= 125 ? 7 : len <= 0xFFFF ? 16 : 64);
        }

        List<MessageEvent> c2s = d.messages(Direction.C2S);
        List<MessageEvent> s2c = d.messages(Direction.S2C);
        assertThat(c2s).hasSize(messages.size() + 1);
        assertThat(s2c).hasSize(messages.size());
        for (int i = 0; i < messages.size(); i++) {
            Outgoing want = messages.get(i);
            for (MessageEvent e : List.of(c2s.get(i), s2c.get(i))) {
                Message m = e.message();
                String what = e.dir().id() + " " + want.label();
                assertThat(m.opcode()).as(what).isEqualTo(want.opcode());
                assertThat(m.compressed()).as(what).isFalse();
                assertThat(m.wireLength()).as(what).isEqualTo(want.data().length);
                assertThat(Arrays.equals(m.payload(), want.data())).as("%s decodes to the bytes sent", what).isTrue();
                assertThat(m.utf8InvalidAt()).as(what).isEqualTo(-1L);
                assertThat(m.violations()).as(what).isEmpty();
            }
            assertThat(c2s.get(i).message().frames()).isEqualTo(want.fragments());
        }

        assertThat(pongs).hasSize(1);
        assertThat(d.frames(Direction.S2C, Opcode.PONG)).singleElement()
                .satisfies(f -> assertThat(f.frame().controlPayload()).isEqualTo(PING_PAYLOAD));

        // The peer started the close: its frame comes first, and the handshake completed.
        assertThat(d.closes).singleElement().satisfies(c -> {
            assertThat(c.code()).isEqualTo(SERVER_CLOSE_CODE);
            assertThat(c.reason()).isEqualTo(SERVER_CLOSE_REASON);
            assertThat(c.onWire()).isTrue();
            assertThat(c.initiator()).isEqualTo("server");
            assertThat(c.clean()).isTrue();
        });

        Decoded pieces = decode(recording, 3);
        assertThat(summary(pieces.all)).isEqualTo(summary(d.all));
    }

    static List<Outgoing> messages() {
        String accents = ">> " + "ÄÖÜ äöü ß — 漢字かな交じり文 — 🎉🚀✨ — ".repeat(9);
        byte[] utf8 = accents.getBytes(StandardCharsets.UTF_8);
        int fragments = 4;
        // The fragments are cut at byte positions; make sure some cut falls inside a character.
        boolean cutInside = false;
        for (int i = 1; i < fragments; i++) {
            int cut = (int) ((long) utf8.length * i / fragments);
            cutInside |= (utf8[cut] & 0xC0) == 0x80;
        }
        assertThat(cutInside).as("a fragment boundary splits a UTF-8 sequence").isTrue();
        return List.of(
                text("125-byte text", "x".repeat(125), 1),
                new Outgoing("126-byte binary", Opcode.BINARY, pattern(126), 1),
                new Outgoing("65535-byte binary", Opcode.BINARY, pattern(0xFFFF), 1),
                new Outgoing("65536-byte binary", Opcode.BINARY, pattern(0x10000), 1),
                text("fragmented non-ASCII text", accents, fragments),
                text("empty text", "", 1),
                text("non-ASCII text", "naïve café — Ελληνικά — 🎉", 1));
    }

    private static byte[] pattern(int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) (i * 7 + (i >>> 8));
        }
        return b;
    }
}
