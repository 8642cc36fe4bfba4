package dev.wsdebug.capture.jsonl;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.wsdebug.capture.ErrorEvent;
import dev.wsdebug.capture.Event;
import dev.wsdebug.capture.EventSink;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reads JSON Lines of schema v1 (what {@code --json}, {@code connect --save} and
 * {@code export --jsonl} write) back into events, streaming: one line at a time is held and turned
 * into its event ({@link LineDecoder}), which goes to the sink before the next line is read.
 *
 * <p>Blank lines are skipped, and so are event kinds this reader does not know (a later version's,
 * or {@code replay} verdicts, which are output rather than traffic). A line that is not a JSON object
 * or lacks {@code event}, {@code conn} or {@code t} stops the reading with one sentence naming it,
 * after the events before it were passed on. A last line without its line end that is not JSON is
 * what a writer stopped part way leaves: the reading ends there with a warning, not a refusal.
 */
public final class JsonLinesReader {
    /** How many bytes of the first line {@link #looksLikeJsonLines} is given, at most. */
    public static final int SNIFF_LENGTH = 64 * 1024;

    private static final JsonFactory FACTORY = JsonFactory.builder()
            // one line may hold a large message (base64 of hundreds of MB)
            .streamReadConstraints(StreamReadConstraints.builder().maxStringLength(Lines.MAX_LINE).build())
            .build();
    private static final ObjectReader LINE = JsonMapper.builder(FACTORY)
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS) // times keep their microseconds
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS) // one object a line, nothing after it
            .build().reader();
    private static final int DETAIL_LENGTH = 120;
    /** The error kind of a capture file's own trouble, as for a .wsdb that was not closed cleanly. */
    private static final String CAPTURE = "capture";

    /**
     * What a read found.
     *
     * @param events  events passed to the sink
     * @param skipped lines of event kinds this reader does not know
     * @param warning when the file ends in the middle of a line: one sentence saying so, as an error
     *                of kind {@code capture} without a connection at the last event's time; else null
     */
    public record Result(long lines, long events, long skipped, ErrorEvent warning) {
    }

    private JsonLinesReader() {
    }

    /**
     * Reads the JSON Lines of {@code in} into {@code sink}, line by line.
     *
     * @param sourceName how sentences name the input (a file name)
     * @throws IllegalArgumentException one sentence naming the first line that is not an event (the
     *                                  events before it were passed on)
     * @throws IOException              when reading {@code in} fails
     */
    public static Result read(InputStream in, String sourceName, EventSink sink) throws IOException {
        Lines lines = new Lines(in);
        long events = 0;
        long skipped = 0;
        long lastMicros = 0;
        while (lines.next()) {
            if (lines.blank()) {
                continue;
            }
            JsonNode node;
            try {
                node = LINE.readTree(lines.bytes(), 0, lines.length());
            } catch (JsonProcessingException e) {
                if (!lines.terminated()) {
                    return new Result(lines.number(), events, skipped, new ErrorEvent(null, lastMicros, CAPTURE,
                            sourceName + " ends in the middle of line " + lines.number() + " (its writer stopped"
                            + " while writing it): the " + events + (events == 1 ? " event" : " events")
                            + " before it are read."));
                }
                throw new IllegalArgumentException("line " + lines.number() + " of " + sourceName
                        + " is not JSON (" + detail(e) + "), so the file is not JSON Lines from there on.");
            }
            if (!node.isObject()) {
                throw new IllegalArgumentException("line " + lines.number() + " of " + sourceName
                        + " is not a JSON object, so it is not a JSON Lines event.");
            }
            Event event;
            try {
                event = LineDecoder.decode(node);
            } catch (LineDecoder.BadField e) {
                throw new IllegalArgumentException("line " + lines.number() + " of " + sourceName
                        + " is not a wsdebug JSON Lines event: " + e.getMessage() + ".");
            }
            if (event == null) {
                skipped++;
            } else {
                sink.accept(event);
                events++;
                lastMicros = event.timeMicros();
            }
        }
        return new Result(lines.number(), events, skipped, null);
    }

    /** {@link #read(InputStream, String, EventSink)} of a file, named by its path. */
    public static Result read(Path file, EventSink sink) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return read(in, file.toString(), sink);
        }
    }

    /**
     * Whether a file starting with these bytes is JSON Lines: its first line that is not blank (after
     * a UTF-8 byte order mark) is a JSON object with an {@code event} field at its top level. A HAR
     * file is a JSON object too, but one spread over many lines or without that field.
     *
     * @param head the file's first bytes ({@link #SNIFF_LENGTH} are plenty: the writers put
     *             {@code event} first)
     */
    public static boolean looksLikeJsonLines(byte[] head, int len) {
        len = Math.min(len, head.length);
        int start = 0;
        if (len >= 3 && (head[0] & 0xFF) == 0xEF && (head[1] & 0xFF) == 0xBB && (head[2] & 0xFF) == 0xBF) {
            start = 3;
        }
        while (start < len && (head[start] == ' ' || head[start] == '\t' || head[start] == '\r' || head[start] == '\n')) {
            start++;
        }
        int end = start;
        while (end < len && head[end] != '\n') {
            end++;
        }
        try (JsonParser p = FACTORY.createParser(head, start, end - start)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return false;
            }
            // fields before "event" are stepped over, values and all, within the bytes given
            for (JsonToken t = p.nextToken(); t == JsonToken.FIELD_NAME; t = p.nextToken()) {
                if (p.currentName().equals("event")) {
                    return true;
                }
                p.nextToken();
                p.skipChildren();
            }
            return false;
        } catch (IOException notJsonOrCut) {
            return false;
        }
    }

    private static String detail(JsonProcessingException e) {
        String m = e.getOriginalMessage();
        if (m == null) {
            return "malformed";
        }
        int nl = m.indexOf('\n');
        m = nl >= 0 ? m.substring(0, nl) : m;
        int expecting = m.indexOf(": was expecting"); // Jackson's list of what JSON allows says nothing here
        m = expecting > 0 ? m.substring(0, expecting) : m;
        return m.length() > DETAIL_LENGTH ? m.substring(0, DETAIL_LENGTH) + "…" : m;
    }
}
