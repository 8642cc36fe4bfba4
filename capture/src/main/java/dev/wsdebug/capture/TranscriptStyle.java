package dev.wsdebug.capture;

/**
 * How a transcript looks: what it shows and whether it may use colour and non-ASCII arrows.
 *
 * @param frames     show every frame with its header fields, not only messages and control frames
 * @param headers    show the handshake's request and response header lines
 * @param prettyJson indent text payloads that are JSON
 * @param time       prefix lines with the local time of day (microseconds)
 * @param color      ANSI colours (only for a terminal)
 * @param unicode    arrows and rules drawn with non-ASCII characters (only for a UTF-8 terminal)
 * @param maxChars   longest payload excerpt shown, in characters
 * @param conn       prefix lines with the connection id (for sources with many connections)
 */
public record TranscriptStyle(boolean frames, boolean headers, boolean prettyJson, boolean time, boolean color,
                              boolean unicode, int maxChars, boolean conn) {

    public static TranscriptStyle plain() {
        return new TranscriptStyle(false, false, false, true, false, false, 200, false);
    }

    public TranscriptStyle withFrames(boolean v) {
        return new TranscriptStyle(v, headers, prettyJson, time, color, unicode, maxChars, conn);
    }

    public TranscriptStyle withHeaders(boolean v) {
        return new TranscriptStyle(frames, v, prettyJson, time, color, unicode, maxChars, conn);
    }

    public TranscriptStyle withPrettyJson(boolean v) {
        return new TranscriptStyle(frames, headers, v, time, color, unicode, maxChars, conn);
    }

    public TranscriptStyle withTime(boolean v) {
        return new TranscriptStyle(frames, headers, prettyJson, v, color, unicode, maxChars, conn);
    }

    public TranscriptStyle withColor(boolean v) {
        return new TranscriptStyle(frames, headers, prettyJson, time, v, unicode, maxChars, conn);
    }

    public TranscriptStyle withUnicode(boolean v) {
        return new TranscriptStyle(frames, headers, prettyJson, time, color, v, maxChars, conn);
    }

    public TranscriptStyle withConn(boolean v) {
        return new TranscriptStyle(frames, headers, prettyJson, time, color, unicode, maxChars, v);
    }

    public TranscriptStyle withMaxChars(int v) {
        return new TranscriptStyle(frames, headers, prettyJson, time, color, unicode, v, conn);
    }
}
