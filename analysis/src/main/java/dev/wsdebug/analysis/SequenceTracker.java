package dev.wsdebug.analysis;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.wsdebug.capture.MessageEvent;
import dev.wsdebug.wire.Direction;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Numeric sequence fields in JSON text messages ({@code seq}, {@code sequence}, {@code s},
 * {@code id}, at the top level), per direction. A field is a sequence when it normally goes up by
 * exactly one from message to message (nine steps in ten, over several steps): then its jumps and
 * repeats are messages lost or sent twice. A request id echoed by several replies, a timestamp or a
 * random id does not qualify. Only the top-level object's fields are read, with a streaming parser
 * that skips nested values, so a large message costs little.
 */
final class SequenceTracker {
    static final List<String> FIELDS = List.of("seq", "sequence", "s", "id");
    private static final int MIN_STEPS = 4;
    private static final int BREAKS_KEPT = 5;
    private static final JsonFactory JSON = new JsonFactory();

    /** A jump or repeat: the field, its direction, the value expected and the one seen. */
    record Break(String field, Direction dir, long expected, long seen, long seq, long t) {
    }

    /** One field in one direction. */
    static final class Field {
        final String name;
        final Direction dir;
        long last;
        boolean seen;
        long steps;
        long plusOne;
        final List<Break> breaks = new ArrayList<>();
        long breakCount;

        Field(String name, Direction dir) {
            this.name = name;
            this.dir = dir;
        }

        /** Whether it counts up by one nearly always, and broke that at least once. */
        boolean brokenSequence() {
            return steps >= MIN_STEPS && breakCount > 0 && plusOne * 10 >= steps * 9;
        }
    }

    private final Field[][] fields = new Field[2][FIELDS.size()];

    void message(MessageEvent e) {
        byte[] p = e.message().payload();
        if (p.length == 0 || p[0] != '{') {
            return;
        }
        int d = e.dir() == Direction.C2S ? 0 : 1;
        try (JsonParser parser = JSON.createParser(p)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                return;
            }
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String name = parser.currentName();
                JsonToken value = parser.nextToken();
                int f = FIELDS.indexOf(name);
                if (f >= 0 && value == JsonToken.VALUE_NUMBER_INT) {
                    step(d, f, parser.getLongValue(), e);
                } else if (value == JsonToken.START_OBJECT || value == JsonToken.START_ARRAY) {
                    parser.skipChildren();
                }
            }
        } catch (IOException | RuntimeException notJson) {
            // not JSON after all: nothing to track
        }
    }

    private void step(int d, int f, long v, MessageEvent e) {
        Field s = fields[d][f];
        if (s == null) {
            s = fields[d][f] = new Field(FIELDS.get(f), e.dir());
        }
        if (!s.seen) {
            s.seen = true;
            s.last = v;
            return;
        }
        s.steps++;
        if (v == s.last + 1) {
            s.plusOne++;
        } else {
            s.breakCount++;
            if (s.breaks.size() < BREAKS_KEPT) {
                s.breaks.add(new Break(s.name, e.dir(), s.last + 1, v, e.seq(), e.timeMicros()));
            }
        }
        s.last = v;
    }

    /** The sequence fields that broke, most steps first. */
    List<Field> broken() {
        List<Field> out = new ArrayList<>();
        for (Field[] dir : fields) {
            for (Field f : dir) {
                if (f != null && f.brokenSequence()) {
                    out.add(f);
                }
            }
        }
        out.sort((a, b) -> Long.compare(b.steps, a.steps));
        return out;
    }
}
