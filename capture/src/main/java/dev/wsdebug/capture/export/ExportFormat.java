package dev.wsdebug.capture.export;

import dev.wsdebug.capture.EventSink;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.Locale;

/**
 * The formats of {@code wsdebug export}: each is an {@link EventSink} that a live or replayed
 * stream of chunks and events (many connections interleaved) is fed into, and that completes the
 * file on {@link EventSink#close}.
 */
public enum ExportFormat {
    /** HAR 1.2 with Chrome's {@code _webSocketMessages}: {@link HarWriter}. */
    HAR("har"),
    /** pcapng with synthesized TCP/IP: {@link PcapngWriter}. */
    PCAPNG("pcapng"),
    /** JSON Lines, schema v1: {@link JsonlExport}. */
    JSONL("jsonl");

    private final String extension;

    ExportFormat(String extension) {
        this.extension = extension;
    }

    /** The usual file extension, without the dot. */
    public String extension() {
        return extension;
    }

    /** A sink that creates (or replaces) {@code file} and closes it when the sink is closed. */
    public EventSink create(Path file) throws IOException {
        return switch (this) {
            case HAR -> HarWriter.create(file);
            case PCAPNG -> PcapngWriter.create(file);
            case JSONL -> JsonlExport.create(file);
        };
    }

    /** A sink into {@code out}; closing the sink completes the format and flushes, but leaves {@code out} open. */
    public EventSink to(OutputStream out) {
        return switch (this) {
            case HAR -> new HarWriter(out);
            case PCAPNG -> new PcapngWriter(out);
            case JSONL -> JsonlExport.to(out);
        };
    }

    /** By name or extension (har, pcapng, jsonl), case-insensitive; null when unknown. */
    public static ExportFormat of(String name) {
        for (ExportFormat f : values()) {
            if (f.extension.equalsIgnoreCase(name) || f.name().equalsIgnoreCase(name)) {
                return f;
            }
        }
        return name != null && name.toLowerCase(Locale.ROOT).equals("json-lines") ? JSONL : null;
    }
}
