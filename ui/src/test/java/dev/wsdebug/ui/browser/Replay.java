package dev.wsdebug.ui.browser;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.wsdebug.capture.JsonLinesSink;
import dev.wsdebug.capture.store.CaptureReader;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** What the JSON Lines view says about one connection of a capture: the expectations of the tests. */
final class Replay {
    private static final ObjectMapper JSON = new ObjectMapper();

    final List<JsonNode> events = new ArrayList<>();

    static Replay of(Path file, String conn) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (CaptureReader reader = CaptureReader.open(file)) {
            JsonLinesSink sink = new JsonLinesSink(out, false);
            reader.replay(conn, sink);
            sink.flush();
        }
        Replay r = new Replay();
        for (String line : out.toString(StandardCharsets.UTF_8).split("\n")) {
            if (!line.isBlank()) {
                try {
                    r.events.add(JSON.readTree(line));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        }
        return r;
    }

    List<JsonNode> of(String event) {
        return events.stream().filter(e -> e.path("event").asText().equals(event)).toList();
    }

    /** The rows the messages pane shows: every data message and every control frame, in seq order. */
    List<JsonNode> rows() {
        return events.stream().filter(e -> e.path("event").asText().equals("message")
                        || (e.path("event").asText().equals("frame") && e.path("opcode").asInt() >= 8))
                .sorted((a, b) -> Long.compare(a.path("seq").asLong(), b.path("seq").asLong()))
                .toList();
    }

    JsonNode message(long seq) {
        return of("message").stream().filter(m -> m.path("seq").asLong() == seq).findFirst().orElseThrow();
    }

    /** The first message whose text satisfies the test. */
    JsonNode messageWith(java.util.function.Predicate<String> text) {
        return of("message").stream().filter(m -> m.hasNonNull("text") && text.test(m.path("text").asText()))
                .findFirst().orElseThrow();
    }
}
