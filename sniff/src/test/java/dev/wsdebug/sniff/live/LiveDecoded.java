package dev.wsdebug.sniff.live;

import dev.wsdebug.capture.Event;
import dev.wsdebug.capture.EventSink;
import dev.wsdebug.sniff.CaptureDecoder;
import dev.wsdebug.sniff.CaptureSummary;
import dev.wsdebug.sniff.DecodeOptions;
import dev.wsdebug.sniff.pcap.CaptureFiles;
import dev.wsdebug.sniff.pcap.PacketReader;
import dev.wsdebug.sniff.tls.KeyLog;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/** A capture decoded by the whole sniff pipeline (as decode.Decoded does), its events kept for assertions. */
record LiveDecoded(List<Event> events, CaptureSummary summary) {

    static LiveDecoded of(Path capture) throws IOException {
        return of(capture, new DecodeOptions());
    }

    /** Decrypting TLS with this key log. */
    static LiveDecoded of(Path capture, KeyLog keys) throws IOException {
        DecodeOptions options = new DecodeOptions();
        options.keys = keys;
        return of(capture, options);
    }

    static LiveDecoded of(Path capture, DecodeOptions options) throws IOException {
        List<Event> events = new ArrayList<>();
        EventSink sink = events::add;
        CaptureDecoder decoder = new CaptureDecoder(sink, options);
        try (InputStream in = Files.newInputStream(capture); PacketReader reader = CaptureFiles.open(in)) {
            decoder.read(reader);
        }
        decoder.finish();
        return new LiveDecoded(events, decoder.summary());
    }

    <T extends Event> List<T> of(Class<T> type) {
        return events.stream().filter(type::isInstance).map(type::cast).collect(Collectors.toList());
    }

    <T extends Event> List<T> of(Class<T> type, String conn) {
        return events.stream().filter(type::isInstance).map(type::cast).filter(e -> conn.equals(e.conn()))
                .collect(Collectors.toList());
    }
}
