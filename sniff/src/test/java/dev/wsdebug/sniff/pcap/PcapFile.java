package dev.wsdebug.sniff.pcap;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/** Writes classic pcap files for tests, in either byte order, field by field as the draft lays them out. */
public final class PcapFile {
    public static final int MICROS = 0xA1B2C3D4;
    public static final int NANOS = 0xA1B23C4D;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteOrder order;
    private final List<Integer> boundaries = new ArrayList<>();

    /** {@code linkField}: the whole 32-bit link-type field, FCS bits included. */
    public PcapFile(ByteOrder order, int magic, long snapLength, int linkField) {
        this.order = order;
        ByteBuffer b = ByteBuffer.allocate(24).order(order);
        b.putInt(magic).putShort((short) 2).putShort((short) 4).putInt(0).putInt(0).putInt((int) snapLength)
                .putInt(linkField);
        out.writeBytes(b.array());
        boundaries.add(out.size());
    }

    public static PcapFile ethernet() {
        return new PcapFile(ByteOrder.LITTLE_ENDIAN, MICROS, 65535, 1);
    }

    /** A record whose header states {@code capturedLength} (normally data.length) and {@code originalLength}. */
    public PcapFile record(long seconds, long fraction, byte[] data, long capturedLength, long originalLength) {
        ByteBuffer b = ByteBuffer.allocate(16).order(order);
        b.putInt((int) seconds).putInt((int) fraction).putInt((int) capturedLength).putInt((int) originalLength);
        out.writeBytes(b.array());
        out.writeBytes(data);
        boundaries.add(out.size());
        return this;
    }

    public PcapFile record(long seconds, long fraction, byte[] data) {
        return record(seconds, fraction, data, data.length, data.length);
    }

    public byte[] bytes() {
        return out.toByteArray();
    }

    /** Offsets where a record (or the file header) ends: a cut there is a clean end. */
    public List<Integer> boundaries() {
        return boundaries;
    }

    /** Offsets where a record ends. */
    public List<Integer> packetEnds() {
        return boundaries.subList(1, boundaries.size());
    }
}
