package dev.wsdebug.capture.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.wsdebug.capture.Conversation;
import dev.wsdebug.capture.Event;
import dev.wsdebug.capture.EventSink;
import dev.wsdebug.capture.JsonLinesSink;
import dev.wsdebug.capture.MessageEvent;
import dev.wsdebug.capture.TranscriptPrinter;
import dev.wsdebug.capture.TranscriptStyle;
import dev.wsdebug.wire.DeflateParams;
import dev.wsdebug.wire.Direction;
import dev.wsdebug.wire.Message;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Timeout;

/**
 * Fuzzes the whole pipeline, {@link Conversation}, with both directions of a connection.
 *
 * <p>Input ({@link FuzzInput}): options bits 0-1 how the connection starts: 0 or 3 with the HTTP
 * upgrade in the bytes, 1 {@code assumeWebSocket(null)}, 2 {@code assumeWebSocket} with
 * permessage-deflate, client_no_context_takeover if bit 2, server_no_context_takeover if bit 3;
 * bit 4 a retention cap of 16 bytes instead of the default (truncated payloads, SHA-256); bit 5
 * {@code reportMissingClose(false)}; bit 6 colours in the transcript. The data is a list of segments, each a two-byte header (bit
 * 15 the direction, 1 for s2c; bits 0-14 its length, cut to what is there) and its bytes.
 *
 * <p>Three runs with a fixed clock, into {@link JsonLinesSink} and a {@link TranscriptPrinter}
 * (frames, headers, pretty JSON, no time column): each segment fed whole; each
 * segment in the fuzzer's chunks; each direction's bytes whole (all c2s, then all s2c). Checks:
 * <ul>
 *   <li>nothing throws, and every line is a JSON object with an {@code event};
 *   <li>frame seqs are distinct and grow in each direction, and a message event follows the frame
 *       event of the frame that completed it, with its seq;
 *   <li>a text message kept whole is valid UTF-8 by the JDK's strict decoder exactly when the
 *       pipeline says so;
 *   <li>the first two runs give the same JSON Lines and the same transcript, byte for byte: the
 *       pipeline promises that any chunking of the same reads in the same order gives the same
 *       events;
 *   <li>the third run may differ in order: seq numbers frames across both directions in the order
 *       the bytes arrived, the close event depends on which side's close came first, and the
 *       handshake depends on whether the request was complete when the response came. So it is
 *       compared per direction, frame, message and input-error lines without seq, and only when
 *       the handshake lines (handshake events, handshake errors) of both runs are the same and the
 *       direction's frames start at the same byte ({@link Conversation#webSocketStart}).
 * </ul>
 */
class ConversationFuzzTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long T = 1_700_000_000_000_000L;

    @Timeout(10)
    @FuzzTest(maxDuration = "15s")
    void conversation(byte[] input) {
        FuzzInput in = FuzzInput.parse(input);
        List<Segment> segments = Segment.split(in.data());
        Setup setup = new Setup(in.options());

        Output perSegment = run(setup, segments, FuzzInput.WHOLE);
        Output chunked = run(setup, segments, in.plan());
        Output perDirection = run(setup, Segment.byDirection(segments), FuzzInput.WHOLE);

        if (!perSegment.jsonl.equals(chunked.jsonl)) {
            throw new AssertionError("segments fed whole and in chunks give different events:\n--- whole\n"
                    + perSegment.jsonl + "--- chunked\n" + chunked.jsonl);
        }
        if (!perSegment.transcript.equals(chunked.transcript)) {
            throw new AssertionError("segments fed whole and in chunks give different transcripts:\n--- whole\n"
                    + perSegment.transcript + "--- chunked\n" + chunked.transcript);
        }
        if (perSegment.c2sStart != chunked.c2sStart || perSegment.s2cStart != chunked.s2cStart) {
            throw new AssertionError("webSocketStart differs by chunking: " + perSegment.c2sStart + "/" + perSegment.s2cStart
                    + " vs " + chunked.c2sStart + "/" + chunked.s2cStart);
        }
        if (perSegment.handshake.equals(perDirection.handshake)) {
            for (Direction dir : Direction.values()) {
                if (perSegment.start(dir) != perDirection.start(dir)) {
                    // The direction's frames begin elsewhere, so offsets (and what is a frame) differ.
                    // This happens when a 101 arrives while the client's request is still incomplete:
                    // the client bytes already taken by the HTTP head parser are then not decoded at
                    // all, whereas the same bytes arriving after the 101 are decoded as frames.
                    continue;
                }
                List<String> a = perSegment.projection(dir);
                List<String> b = perDirection.projection(dir);
                if (!a.equals(b)) {
                    throw new AssertionError(dir.id() + " decodes differently when the directions interleave:\n--- segments\n"
                            + String.join("\n", a) + "\n--- each direction whole\n" + String.join("\n", b)
                            + "\n--- full output, segments\n" + perSegment.jsonl);
                }
            }
        }
    }

    /** The options byte. */
    record Setup(int options) {
        boolean assume() {
            return (options & 3) == 1 || (options & 3) == 2;
        }

        DeflateParams deflate() {
            return (options & 3) == 2
                    ? new DeflateParams((options & 4) != 0, (options & 8) != 0, DeflateParams.ABSENT, DeflateParams.ABSENT)
                    : null;
        }

        int retain() {
            return (options & 16) != 0 ? 16 : Conversation.DEFAULT_RETAIN;
        }

        boolean reportMissingClose() {
            return (options & 32) == 0;
        }
    }

    /** One read: a direction and its bytes. */
    record Segment(Direction dir, byte[] bytes) {
        static List<Segment> split(byte[] data) {
            List<Segment> out = new ArrayList<>();
            int i = 0;
            while (i + 2 <= data.length) {
                int h = ((data[i] & 0xFF) << 8) | (data[i + 1] & 0xFF);
                int len = Math.min(h & 0x7FFF, data.length - i - 2);
                out.add(new Segment((h & 0x8000) != 0 ? Direction.S2C : Direction.C2S,
                        java.util.Arrays.copyOfRange(data, i + 2, i + 2 + len)));
                i += 2 + len;
            }
            return out;
        }

        /** All c2s bytes as one segment, then all s2c bytes as one. */
        static List<Segment> byDirection(List<Segment> segments) {
            List<Segment> out = new ArrayList<>();
            for (Direction dir : Direction.values()) {
                ByteArrayOutputStream b = new ByteArrayOutputStream();
                segments.stream().filter(s -> s.dir == dir).forEach(s -> b.writeBytes(s.bytes));
                out.add(new Segment(dir, b.toByteArray()));
            }
            return out;
        }
    }

    private static Output run(Setup setup, List<Segment> segments, int[] plan) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        JsonLinesSink json = new JsonLinesSink(out, false);
        ByteArrayOutputStream transcript = new ByteArrayOutputStream();
        TranscriptPrinter printer = new TranscriptPrinter(new PrintStream(transcript, true, StandardCharsets.UTF_8),
                TranscriptStyle.plain().withTime(false).withFrames(true).withHeaders(true).withPrettyJson(true)
                        .withUnicode(true).withColor((setup.options() & 64) != 0));
        List<Message> texts = new ArrayList<>();
        EventSink keepTexts = new EventSink() {
            @Override
            public void accept(Event e) {
                if (e instanceof MessageEvent m && m.message().isText()) {
                    texts.add(m.message());
                }
            }
        };
        Conversation conv = new Conversation("fuzz", EventSink.all(json, printer, keepTexts), setup.retain())
                .reportMissingClose(setup.reportMissingClose());
        if (setup.assume()) {
            conv.assumeWebSocket(setup.deflate());
        }
        FuzzInput.Chunker chunker = new FuzzInput.Chunker(plan);
        for (Segment s : segments) {
            chunker.split(s.bytes.length, (off, len) -> conv.feed(s.dir, T, s.bytes, off, len));
        }
        long c2sStart = conv.webSocketStart(Direction.C2S);
        long s2cStart = conv.webSocketStart(Direction.S2C);
        conv.end(T);
        json.close();
        printer.close();
        for (Message m : texts) {
            if (!m.truncated() && (m.utf8InvalidAt() < 0) != FrameParserFuzzTest.strictUtf8(m.payload(), 0, m.payload().length)) {
                throw new AssertionError("text message said " + (m.utf8InvalidAt() < 0 ? "valid" : "invalid at " + m.utf8InvalidAt())
                        + " but the JDK decoder disagrees: " + java.util.HexFormat.of().formatHex(m.payload()));
            }
        }
        return new Output(out.toString(StandardCharsets.UTF_8), transcript.toString(StandardCharsets.UTF_8), c2sStart, s2cStart);
    }

    /** One run's JSON Lines, parsed and checked. */
    static final class Output {
        final String jsonl;
        final String transcript;
        final long c2sStart;
        final long s2cStart;
        final List<ObjectNode> events = new ArrayList<>();
        final List<String> handshake = new ArrayList<>();

        Output(String jsonl, String transcript, long c2sStart, long s2cStart) {
            this.jsonl = jsonl;
            this.transcript = transcript;
            this.c2sStart = c2sStart;
            this.s2cStart = s2cStart;
            java.util.Set<Long> seqs = new java.util.HashSet<>();
            long[] lastSeq = new long[2];
            String previous = null;
            long previousSeq = 0;
            for (String line : jsonl.split("\n")) {
                if (line.isEmpty()) {
                    continue;
                }
                JsonNode node;
                try {
                    node = JSON.readTree(line);
                } catch (IOException e) {
                    throw new UncheckedIOException("not JSON: " + line, e);
                }
                if (!(node instanceof ObjectNode o) || !o.path("event").isTextual()) {
                    throw new AssertionError("not an event: " + line);
                }
                String event = o.get("event").asText();
                long seq = o.path("seq").asLong();
                if (event.equals("frame")) {
                    // seq counts frame starts in wire order; events come when frames end, so seqs of the
                    // two directions may interleave out of order and a frame cut off at the end leaves a gap
                    int d = o.path("dir").asText().equals("c2s") ? 0 : 1;
                    if (seq <= lastSeq[d] || !seqs.add(seq)) {
                        throw new AssertionError("frame seq " + seq + " repeats or goes back in its direction:\n" + jsonl);
                    }
                    lastSeq[d] = seq;
                } else if (event.equals("message") && (!"frame".equals(previous) || seq != previousSeq)) {
                    throw new AssertionError("message seq " + seq + " does not follow its frame:\n" + jsonl);
                }
                previous = event;
                previousSeq = seq;
                if (event.equals("handshake") || (event.equals("error") && o.path("kind").asText().equals("handshake"))) {
                    handshake.add(line);
                }
                events.add(o);
            }
        }

        long start(Direction dir) {
            return dir == Direction.C2S ? c2sStart : s2cStart;
        }

        /** This direction's frame and message events without seq, and the input errors about it. */
        List<String> projection(Direction dir) {
            List<String> out = new ArrayList<>();
            for (ObjectNode o : events) {
                String event = o.get("event").asText();
                if ((event.equals("frame") || event.equals("message")) && o.path("dir").asText().equals(dir.id())) {
                    ObjectNode copy = o.deepCopy();
                    copy.remove("seq");
                    out.add(copy.toString());
                } else if (event.equals("error") && o.path("kind").asText().equals("input")
                        && o.path("message").asText().startsWith(dir.id() + ":")) {
                    out.add(o.toString());
                }
            }
            return out;
        }
    }
}
