package dev.wsdebug.capture.export;

import dev.wsdebug.capture.Event;
import dev.wsdebug.capture.EventSink;
import dev.wsdebug.capture.JsonLinesSink;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * {@code --jsonl}: the JSON Lines stream of schema v1, exactly as {@link JsonLinesSink} writes it
 * live. This only adds owning a file: {@link JsonLinesSink#close} flushes but leaves its stream
 * open, the sink returned by {@link #create} also closes the file.
 */
public final class JsonlExport {
    private JsonlExport() {
    }

    /** A schema v1 sink into {@code out}, buffered (not flushed per event); closing it does not close {@code out}. */
    public static EventSink to(OutputStream out) {
        return new JsonLinesSink(out, false);
    }

    /** A schema v1 sink that creates (or replaces) {@code file} and closes it on {@link EventSink#close}. */
    public static EventSink create(Path file) throws IOException {
        OutputStream out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 16);
        JsonLinesSink lines = new JsonLinesSink(out, false);
        return new EventSink() {
            @Override
            public void accept(Event event) {
                lines.accept(event);
            }

            @Override
            public void flush() {
                lines.flush();
            }

            @Override
            public void close() {
                try (out) {
                    lines.close();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        };
    }
}
