package dev.wsdebug.ui;

import com.fasterxml.jackson.databind.JsonNode;
import dev.wsdebug.capture.Conversation;
import dev.wsdebug.capture.JsonLinesSink;
import dev.wsdebug.capture.MessageEvent;
import dev.wsdebug.capture.store.CaptureBrowser;
import dev.wsdebug.sniff.DecodeOptions;
import dev.wsdebug.wire.Direction;
import dev.wsdebug.wire.FrameSpec;
import dev.wsdebug.wire.FrameWriter;
import dev.wsdebug.wire.Opcode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/** The UI opens JSON Lines (what connect --save writes) as it opens HAR: converted into a temporary store. */
class CapturesJsonLinesTest {
    private static final long T0 = 1_700_000_000_000_000L;

    @TempDir
    Path dir;

    /** Two connections' JSON Lines, as connect --save writes them. */
    private static byte[] session() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        JsonLinesSink sink = new JsonLinesSink(out, true);
        FrameWriter w = new FrameWriter(new Random(2));
        for (String conn : List.of("1", "2")) {
            Conversation c = new Conversation(conn, sink);
            c.feed(Direction.C2S, T0, ("GET /" + conn + " HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1));
            c.feed(Direction.S2C, T0 + 10, ("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    + "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            c.feed(Direction.C2S, T0 + 20, w.encode(FrameSpec.of(Opcode.TEXT, ("hello " + conn).getBytes(StandardCharsets.UTF_8))
                    .withMask(7)));
            c.feed(Direction.S2C, T0 + 30, w.encode(FrameSpec.of(Opcode.TEXT, ("echo " + conn).getBytes(StandardCharsets.UTF_8))));
            c.end(T0 + 40);
        }
        sink.flush();
        return out.toByteArray();
    }

    private static List<String> texts(CaptureBrowser b, String conn) {
        return b.messages(conn, 0, 10).stream().map(MessageEvent::message).map(m -> m.text()).toList();
    }

    @Test
    void opensJsonLinesWithTheirConnections() throws Exception {
        Path file = dir.resolve("s.jsonl");
        Files.write(file, session());
        try (Captures captures = new Captures(DecodeOptions::new, null)) {
            OpenCapture c = captures.open(file);
            assertThat(c.kind()).isEqualTo("jsonl");
            JsonNode entry = c.entry(c.browser().connectionCount());
            assertThat(entry.get("notice").isNull()).as(entry.toString()).isTrue();
            assertThat(c.browser().connectionCount()).isEqualTo(2);
            assertThat(texts(c.browser(), "2")).containsExactly("hello 2", "echo 2");
        }
    }

    @Test
    void aFileCutMidLineIsShownUpToTheCutWithItsWarning() throws Exception {
        byte[] all = session();
        Path file = dir.resolve("cut.jsonl");
        Files.write(file, Arrays.copyOf(all, all.length - 30)); // inside the last line
        try (Captures captures = new Captures(DecodeOptions::new, null)) {
            OpenCapture c = captures.open(file);
            assertThat(c.entry(0).get("notice").asText()).contains("cut.jsonl ends in the middle of line");
            assertThat(texts(c.browser(), "1")).containsExactly("hello 1", "echo 1");
        }
    }
}
