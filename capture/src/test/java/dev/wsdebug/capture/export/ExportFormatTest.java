package dev.wsdebug.capture.export;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.wsdebug.capture.EventSink;
import dev.wsdebug.capture.JsonLinesSink;
import dev.wsdebug.capture.export.Sessions.Session;
import dev.wsdebug.wire.Direction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class ExportFormatTest {
    @TempDir
    Path dir;

    private static List<Session> sessions() {
        return List.of(PcapngWriterTest.plain("1"), PcapngWriterTest.plain("2"),
                new Session("3").deflateUpgrade("/z", true).compressed(Direction.C2S, 1,
                        "zip".getBytes(StandardCharsets.UTF_8)).closeHandshake());
    }

    @Test
    void jsonlExportIsExactlyTheJsonLinesStream() throws Exception {
        ByteArrayOutputStream live = new ByteArrayOutputStream();
        Sessions.run(new JsonLinesSink(live, false), 5, sessions());
        Path file = dir.resolve("x.jsonl");
        Sessions.run(ExportFormat.JSONL.create(file), 5, sessions());
        assertThat(Files.readString(file)).isEqualTo(live.toString(StandardCharsets.UTF_8)).contains("\"event\":\"message\"");
        ByteArrayOutputStream to = new ByteArrayOutputStream();
        Sessions.run(ExportFormat.JSONL.to(to), 5, sessions());
        assertThat(to.toString(StandardCharsets.UTF_8)).isEqualTo(live.toString(StandardCharsets.UTF_8));
    }

    @Test
    void everyFormatCreatesACompleteFile() throws Exception {
        for (ExportFormat f : ExportFormat.values()) {
            Path file = dir.resolve("capture." + f.extension());
            EventSink sink = f.create(file);
            Sessions.run(sink, Integer.MAX_VALUE, sessions());
            byte[] bytes = Files.readAllBytes(file);
            switch (f) {
                case HAR -> assertThat(new ObjectMapper().readTree(bytes).path("log").path("entries")).hasSize(3);
                case PCAPNG -> assertThat(PcapngFile.parse(bytes).connections()).hasSize(3);
                case JSONL -> assertThat(new String(bytes, StandardCharsets.UTF_8).lines()
                        .filter(l -> l.contains("\"event\":\"handshake\""))).hasSize(3);
            }
        }
    }

    @Test
    void formatsByName() {
        assertThat(ExportFormat.of("har")).isEqualTo(ExportFormat.HAR);
        assertThat(ExportFormat.of("PCAPNG")).isEqualTo(ExportFormat.PCAPNG);
        assertThat(ExportFormat.of("jsonl")).isEqualTo(ExportFormat.JSONL);
        assertThat(ExportFormat.of("pcap")).isNull();
    }
}
