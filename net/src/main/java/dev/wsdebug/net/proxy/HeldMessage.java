package dev.wsdebug.net.proxy;

import dev.wsdebug.wire.Frame;
import dev.wsdebug.wire.Masking;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The frames of one data message that the fault relay holds until its last frame has arrived:
 * each frame as the input pipeline reported it, with its bytes exactly as the sender sent them.
 */
final class HeldMessage {
    private final List<Frame> frames = new ArrayList<>();
    private final List<byte[]> raw = new ArrayList<>();
    private int length;

    void add(Frame frame, byte[] bytes) {
        frames.add(frame);
        raw.add(bytes);
        length += bytes.length;
    }

    boolean isEmpty() {
        return raw.isEmpty();
    }

    /** Bytes held: headers and payloads of the frames so far. */
    int length() {
        return length;
    }

    /** The frames as they came. */
    byte[] bytes() {
        byte[] out = new byte[length];
        int p = 0;
        for (byte[] r : raw) {
            System.arraycopy(r, 0, out, p, r.length);
            p += r.length;
        }
        return out;
    }

    /**
     * The payload as it was on the wire (still compressed if it was), unmasked: what a compressed
     * message is re-fragmented from, since its decoded payload would have to be compressed again.
     */
    byte[] wirePayload() {
        ByteArrayOutputStream out = new ByteArrayOutputStream(length);
        for (int i = 0; i < frames.size(); i++) {
            Frame f = frames.get(i);
            byte[] r = raw.get(i);
            byte[] p = Arrays.copyOfRange(r, f.headerLength(), r.length);
            if (f.masked()) {
                Masking.xor(p, 0, p, 0, p.length, f.maskKey(), 0);
            }
            out.writeBytes(p);
        }
        return out.toByteArray();
    }
}
