package dev.wsdebug.wire;

import java.io.ByteArrayOutputStream;
import java.util.zip.Deflater;

/**
 * Compresses outgoing messages for permessage-deflate (RFC 7692 7.2.1): raw deflate, flushed with
 * a sync flush, with the trailing 0x00 0x00 0xff 0xff removed. The JDK's deflater always uses a
 * 15-bit window, so a direction whose peer asked for a smaller window must be sent uncompressed.
 */
public final class MessageDeflater implements AutoCloseable {
    /** Output buffer, one per thread: used only inside {@link #deflate}. */
    private static final ThreadLocal<byte[]> BUFFER = ThreadLocal.withInitial(() -> new byte[16 * 1024]);

    private final boolean noContextTakeover;
    private final int level;
    /** Created at the first message: zlib's compressor holds about 256 KiB of native memory. */
    private Deflater deflater;

    public MessageDeflater(boolean noContextTakeover) {
        this(noContextTakeover, Deflater.DEFAULT_COMPRESSION);
    }

    public MessageDeflater(boolean noContextTakeover, int level) {
        this.noContextTakeover = noContextTakeover;
        this.level = level;
    }

    /** True if this deflater can honour a negotiated window of {@code windowBits}. */
    public static boolean supportsWindowBits(int windowBits) {
        return windowBits == 15;
    }

    public byte[] deflate(byte[] message) {
        return deflate(message, 0, message.length);
    }

    /** The compressed payload for one message (an empty message becomes the single byte 0x00). */
    public byte[] deflate(byte[] message, int off, int len) {
        if (deflater == null) {
            deflater = new Deflater(level, true);
        }
        byte[] buf = BUFFER.get();
        ByteArrayOutputStream out = new ByteArrayOutputStream(Math.max(16, len / 2));
        deflater.setInput(message, off, len);
        int n;
        do {
            n = deflater.deflate(buf, 0, buf.length, Deflater.SYNC_FLUSH);
            out.write(buf, 0, n);
        } while (n == buf.length);
        byte[] all = out.toByteArray();
        if (noContextTakeover) {
            deflater.reset();
        }
        int size = all.length;
        if (size >= 4 && all[size - 4] == 0 && all[size - 3] == 0 && all[size - 2] == (byte) 0xFF
                && all[size - 1] == (byte) 0xFF) {
            size -= 4;
        }
        if (size == 0) {
            // zlib emits nothing for a sync flush right after another one (an empty message in a
            // context-takeover stream), and an empty payload would leave the receiver's inflater inside
            // a stored block header. RFC 7692 7.2.1 appends an empty stored block instead; the stream is
            // byte-aligned after a sync flush, so that is 00 00 00 ff ff, and 00 without the tail.
            return new byte[] {0x00};
        }
        return java.util.Arrays.copyOf(all, size);
    }

    @Override
    public void close() {
        if (deflater != null) {
            deflater.end();
        }
    }
}
