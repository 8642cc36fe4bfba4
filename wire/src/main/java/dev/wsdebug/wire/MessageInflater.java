package dev.wsdebug.wire;

import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * Inflates the messages of one direction (RFC 7692 7.2.2). Each message's compressed payload
 * streams through {@link #inflate}; {@link #end} appends the 0x00 0x00 0xff 0xff tail the sender
 * removed. With context takeover the LZ77 window carries over to the next message; without it
 * the inflater starts afresh for every message.
 *
 * <p>A raw inflater always keeps a 32 KiB window, so it reads streams made with any smaller
 * negotiated window too. The zlib stream (native memory) is created at the first compressed
 * message, so a connection that negotiated compression and stays idle costs nothing here.
 */
public final class MessageInflater implements AutoCloseable {
    private static final byte[] TAIL = {0x00, 0x00, (byte) 0xFF, (byte) 0xFF};
    private static final int OUT = 16 * 1024;
    /**
     * Output buffer, one per thread rather than per connection: it is only used inside
     * {@link #drain}, and what it holds is handed to the sink, which must not keep the array.
     */
    private static final ThreadLocal<byte[]> OUT_BUFFER = ThreadLocal.withInitial(() -> new byte[OUT]);

    private final boolean noContextTakeover;
    private Inflater inflater;
    private boolean resetBeforeNext;
    private boolean abandoned;
    private boolean closed;
    /** {@link Inflater#getBytesRead()} when the current message began. */
    private long readAtBegin;
    private long failedAt = -1;

    public MessageInflater(boolean noContextTakeover) {
        this.noContextTakeover = noContextTakeover;
    }

    /** True when every message starts from an empty window (no context takeover). */
    public boolean resetsEveryMessage() {
        return noContextTakeover;
    }

    /** Call at the first frame of every compressed message. */
    public void begin() {
        if (inflater == null) {
            if (closed) {
                throw new IllegalStateException("the inflater is closed");
            }
            inflater = new Inflater(true);
        } else if (noContextTakeover || resetBeforeNext) {
            inflater.reset();
        }
        resetBeforeNext = false;
        abandoned = false;
        readAtBegin = inflater.getBytesRead();
        failedAt = -1;
    }

    /**
     * Stops the current message here (its output passed a limit): the next {@link #drain} returns
     * at once. Without context takeover the next message starts afresh; with it the window no longer
     * matches the sender's, and later messages cannot be inflated.
     */
    public void abandon() {
        abandoned = true;
        resetBeforeNext = true;
        if (!noContextTakeover) {
            close(); // of no further use: free the native stream now
        }
    }

    /**
     * After {@link #inflate} or {@link #end} threw: the position, within this message's compressed
     * payload, of the byte the stream broke at (the last byte zlib consumed; positions from the
     * payload length on are the appended tail); -1 if nothing failed. It does not depend on how the
     * payload was split into calls.
     */
    public long failedAt() {
        return failedAt;
    }

    /**
     * Inflates part of a message's compressed payload.
     *
     * @throws DataFormatException when the bytes are not a valid deflate stream; the next message
     *                             then starts from an empty window
     */
    public void inflate(byte[] b, int off, int len, ByteSink sink) throws DataFormatException {
        if (len == 0 || abandoned) {
            return;
        }
        inflater.setInput(b, off, len);
        drain(sink);
    }

    /** Ends the message: feeds the removed tail and flushes what remains. */
    public void end(ByteSink sink) throws DataFormatException {
        if (abandoned) {
            return;
        }
        inflater.setInput(TAIL, 0, TAIL.length);
        drain(sink);
    }

    private void drain(ByteSink sink) throws DataFormatException {
        byte[] out = OUT_BUFFER.get();
        long written = inflater.getBytesWritten();
        try {
            while (!abandoned) {
                if (inflater.finished()) {
                    // A final block (BFINAL=1) ended the deflate stream; RFC 7692 7.2.3.4 allows it.
                    // What follows in this message is ignored by zlib, and the next message needs a new stream.
                    resetBeforeNext = true;
                    return;
                }
                written = inflater.getBytesWritten();
                int n = inflater.inflate(out);
                if (n > 0) {
                    sink.write(out, 0, n);
                } else if (inflater.needsInput()) {
                    return;
                } else if (inflater.needsDictionary()) {
                    throw new DataFormatException("the stream asks for a preset dictionary");
                }
            }
        } catch (DataFormatException e) {
            // The failing call still wrote what it decoded before the bad bits and counted it (and the
            // input it consumed); deliver it, so the output and the failure position are the same
            // however the input was split.
            int lost = (int) (inflater.getBytesWritten() - written);
            if (lost > 0) {
                sink.write(out, 0, lost);
            }
            failedAt = Math.max(0, inflater.getBytesRead() - readAtBegin - 1);
            resetBeforeNext = true;
            throw e;
        }
    }

    @Override
    public void close() {
        closed = true;
        if (inflater != null) {
            inflater.end();
            inflater = null;
        }
    }
}
