package dev.wsdebug.sniff;

import dev.wsdebug.capture.ErrorEvent;
import dev.wsdebug.capture.EventSink;

/** What every connection of one capture shares: where events go, the options, the counts. */
final class DecodeContext {
    final EventSink sink;
    final DecodeOptions options;
    final CaptureSummary summary = new CaptureSummary();
    final StreamFiles streams;

    DecodeContext(EventSink sink, DecodeOptions options) {
        this.sink = sink;
        this.options = options;
        this.streams = options.streamsDir == null ? null : new StreamFiles(options.streamsDir);
    }

    void error(String conn, long timeNanos, String kind, String sentence) {
        sink.accept(new ErrorEvent(conn, Math.floorDiv(timeNanos, 1000), kind, sentence));
    }
}
