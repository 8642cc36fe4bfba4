package dev.wsdebug.capture;

import dev.wsdebug.capture.InteropSupport.Outgoing;
import dev.wsdebug.capture.decode.DecodingSink;
import dev.wsdebug.capture.jsonl.JsonLinesReader;
import dev.wsdebug.capture.peer.Peer;
import dev.wsdebug.capture.peer.RecordingClient;
import dev.wsdebug.capture.peer.RecordingClient.Chunk;
import dev.wsdebug.capture.peer.RecordingClient.ReceivedFrame;
import dev.wsdebug.wire.FrameWriter;
import dev.wsdebug.wire.MessageDeflater;
import dev.wsdebug.wire.Opcode;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static dev.wsdebug.capture.InteropSupport.closeCode;
import static dev.wsdebug.capture.InteropSupport.closeFrame;
import static dev.wsdebug.capture.InteropSupport.readClose;
import static dev.wsdebug.capture.InteropSupport.readEcho;
import static dev.wsdebug.capture.InteropSupport.send;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * JSON Lines written from a real session and read back by {@link JsonLinesReader} are the same
 * events: python websockets and Node ws echo text (fragmented around a ping, multi-byte characters),
 * binary and compressed messages; the client closes with 4000. The recorded bytes are decoded by a
 * {@link Conversation} into {@link JsonLinesSink}; reading those lines back and writing them again
 * must give the same bytes, and the verbose transcript of both event streams must be the same too.
 * Lines written with the payload decoders' readings ({@code decoded}) read back as the events
 * without them, and decoding those again gives the same lines.
 */
class JsonLinesRoundTripTest {
    private static final byte[] PING = "between fragments".getBytes(StandardCharsets.UTF_8);
    private static final int CLOSE_CODE = 4000;

    private static List<Outgoing> messages() {
        return List.of(
                Outgoing.text("short text", "hello", 1),
                Outgoing.text("fragmented text with a ping between its frames", "Grüße, 世界 — ".repeat(40), 3),
                new Outgoing("binary", Opcode.BINARY, new byte[] {0, 1, 2, (byte) 0xfe, (byte) 0xff}, 1),
                Outgoing.text("JSON", "{\"op\":\"subscribe\",\"id\":42}", 1));
    }

    /** Runs the session against the peer and returns the recorded bytes. */
    private static List<Chunk> session(Peer.Kind kind) throws Exception {
        List<ReceivedFrame> pongs = new ArrayList<>();
        try (Peer peer = Peer.start(kind);
             RecordingClient client = RecordingClient.connect(peer.port())) {
            RecordingClient.Response response = client.handshake("/roundtrip", RecordingClient.newKey(), "permessage-deflate");
            assertThat(response.status()).as("%s answered:\n%s%s", kind, response.raw(), peer.output()).isEqualTo(101);
            assertThat(response.header("Sec-WebSocket-Extensions")).as("%s accepts deflate", kind).isNotNull();
            FrameWriter writer = new FrameWriter();
            try (MessageDeflater deflater = new MessageDeflater(false)) {
                for (Outgoing m : messages()) {
                    send(client, writer, deflater, m, PING);
                    readEcho(client, pongs);
                }
            }
            client.write(closeFrame(writer, CLOSE_CODE, "done"));
            assertThat(closeCode(readClose(client))).isEqualTo(CLOSE_CODE);
            client.readUntilEof(2_000);
            assertThat(pongs).as("the peer answered the ping").isNotEmpty();
            return client.recording();
        }
    }

    /** The recording decoded as a live source does it, into the sink. */
    private static void decode(List<Chunk> recording, EventSink sink) {
        Conversation c = new Conversation("1", sink).endpoints("127.0.0.1:40000", "127.0.0.1:9000");
        long last = 0;
        for (Chunk chunk : recording) {
            c.feed(chunk.dir(), chunk.timeMicros(), chunk.bytes());
            last = chunk.timeMicros();
        }
        c.end(last);
    }

    private static byte[] lines(List<Event> events) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        JsonLinesSink sink = new JsonLinesSink(out, false);
        events.forEach(sink::accept);
        sink.flush();
        return out.toByteArray();
    }

    private static String transcript(List<Event> events) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        TranscriptPrinter p = new TranscriptPrinter(new PrintStream(out, true, StandardCharsets.UTF_8),
                TranscriptStyle.plain().withHeaders(true).withFrames(true));
        events.forEach(p::accept);
        p.flush();
        return out.toString(StandardCharsets.UTF_8);
    }

    private static List<Event> read(byte[] jsonLines) throws Exception {
        List<Event> back = new ArrayList<>();
        JsonLinesReader.Result r = JsonLinesReader.read(new ByteArrayInputStream(jsonLines), "session.jsonl", back::add);
        assertThat(r.warning()).isNull();
        assertThat(r.events()).isEqualTo(back.size());
        return back;
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Peer.Kind.class)
    void aRealSessionReadBackIsWrittenAgainByteForByte(Peer.Kind kind) throws Exception {
        List<Chunk> recording = session(kind);
        List<Event> live = new ArrayList<>();
        decode(recording, live::add);
        byte[] written = lines(live);

        // what the session holds, so that the comparison below covers every kind of field
        String text = new String(written, StandardCharsets.UTF_8);
        assertThat(text).contains("\"event\":\"handshake\"").contains("\"deflate\":{").contains("\"type\":\"ping\"")
                .contains("\"type\":\"pong\"").contains("\"type\":\"continuation\"").contains("\"compressed\":true")
                .contains("\"base64\":").contains("\"closeCode\":4000").contains("\"event\":\"close\"")
                .contains("\"payloadHex\":").contains("Grüße");

        List<Event> back = read(written);
        assertThat(back).hasSameSizeAs(live);
        assertThat(new String(lines(back), StandardCharsets.UTF_8)).isEqualTo(text);
        assertThat(transcript(back)).isEqualTo(transcript(live));

        decodedReadingsAreLeftForTheDecodersToRedo(recording, written);
    }

    /** Lines written with the decoders' readings read back as the events without them. */
    private static void decodedReadingsAreLeftForTheDecodersToRedo(List<Chunk> recording, byte[] plain) throws Exception {
        ByteArrayOutputStream withDecoded = new ByteArrayOutputStream();
        JsonLinesSink sink = new JsonLinesSink(withDecoded, false);
        decode(recording, new DecodingSink(sink, null));
        sink.flush();
        assertThat(withDecoded.toString(StandardCharsets.UTF_8)).contains("\"decoded\":{\"protocol\":\"json\"");

        // read back: the decoded field is not an event field; decoding the events again restores it
        List<Event> back = read(withDecoded.toByteArray());
        assertThat(lines(back)).isEqualTo(plain);
        ByteArrayOutputStream again = new ByteArrayOutputStream();
        JsonLinesSink againSink = new JsonLinesSink(again, false);
        DecodingSink decoding = new DecodingSink(againSink, null);
        back.forEach(decoding::accept);
        againSink.flush();
        assertThat(again.toString(StandardCharsets.UTF_8)).isEqualTo(withDecoded.toString(StandardCharsets.UTF_8));
    }
}
