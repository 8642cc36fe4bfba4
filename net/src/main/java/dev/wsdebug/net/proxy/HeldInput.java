package dev.wsdebug.net.proxy;

import java.util.Arrays;

/**
 * What one sender has sent that the fault relay has not handed on yet: its bytes from stream
 * offset {@code base} to {@link #end()}. Offsets are those of the relay's input pipeline (bytes
 * of that direction fed to it), so a frame the pipeline reports can be cut out by its offsets.
 */
final class HeldInput {
    /** A buffer that grew past this for one large frame shrinks again once mostly empty. */
    private static final int SHRINK_ABOVE = 1 << 16;

    private byte[] buf = new byte[0];
    private int length;
    private long base;

    HeldInput(long base) {
        this.base = base;
    }

    /** The stream offset just after the last byte held. */
    long end() {
        return base + length;
    }

    void append(byte[] b, int off, int len) {
        if (length + len > buf.length) {
            buf = Arrays.copyOf(buf, Math.max(length + len, buf.length * 2));
        }
        System.arraycopy(b, off, buf, length, len);
        length += len;
    }

    /** A copy of the bytes from offset {@code from} to {@code to}, both within what is held. */
    byte[] slice(long from, long to) {
        if (from < base || to > end() || from > to) {
            throw new IllegalArgumentException("bytes " + from + ".." + to + " are not held (" + base + ".." + end() + ")");
        }
        return Arrays.copyOfRange(buf, (int) (from - base), (int) (to - base));
    }

    /** Forgets the bytes before {@code offset}: they have been handed on or dropped. */
    void release(long offset) {
        int consumed = (int) (Math.min(offset, end()) - base);
        if (consumed <= 0) {
            return;
        }
        System.arraycopy(buf, consumed, buf, 0, length - consumed);
        length -= consumed;
        base += consumed;
        if (buf.length > SHRINK_ABOVE && length < buf.length / 4) {
            buf = Arrays.copyOf(buf, Math.max(length, 1 << 12));
        }
    }
}
