package dev.wsdebug.sniff;

import dev.wsdebug.capture.ErrorEvent;
import dev.wsdebug.capture.EventSink;

/** What every connection of one capture shares: where events go, the options, the counts. */
final class DecodeContext {
    final EventSink sink;
    final DecodeOptions options;
    final CaptureSummary summary = new CaptureSummary();
    final StreamFiles streams;
    /** Names for addresses a pcapng's Name Resolution Blocks give. */
    final java.util.Map<java.net.InetAddress, String> names = new java.util.concurrent.ConcurrentHashMap<>();

    DecodeContext(EventSink sink, DecodeOptions options) {
        this.sink = sink;
        this.options = options;
        this.streams = options.streamsDir == null ? null : new StreamFiles(options.streamsDir);
    }

    /** An endpoint as shown: {@code 10.0.0.1:80}, or {@code 10.0.0.1:80 (example.com)} when the capture names it. */
    String show(dev.wsdebug.sniff.packet.Endpoint e) {
        String name = names.get(e.address());
        return name == null ? e.toString() : e + " (" + name + ")";
    }

    void error(String conn, long timeNanos, String kind, String sentence) {
        sink.accept(new ErrorEvent(conn, Math.floorDiv(timeNanos, 1000), kind, sentence));
    }
}
