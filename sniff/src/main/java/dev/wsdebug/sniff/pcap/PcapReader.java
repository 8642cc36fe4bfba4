package dev.wsdebug.sniff.pcap;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * Reads a classic libpcap file (draft-ietf-opsawg-pcap): a 24-byte file header, then one
 * 16-byte record header and the captured bytes per packet, all in the writer's byte order,
 * which the magic number tells (0xa1b2c3d4 for microsecond timestamps, 0xa1b23c4d for
 * nanosecond ones).
 *
 * <p>The link-type field holds the link type in its low 16 bits; when its P bit (0x04000000) is
 * set, its top 4 bits give the length of an FCS, in 16-bit words, that ends every packet. That
 * FCS is removed from {@link Packet#data} and {@link Packet#originalLength}. The other bits are
 * ignored, as the draft says readers must.
 *
 * <p>Records longer than the snap length are returned whole (as Wireshark does; the snap length
 * is only what the writer meant to keep). A cut exactly after a record is a clean end; a cut
 * anywhere inside the file header or a record is a {@link CaptureFormatException} once the
 * packets before it have been returned, and {@link #next} returns null after it.
 */
public final class PcapReader implements PacketReader {
    static final int MAGIC_MICROS = 0xA1B2C3D4;
    static final int MAGIC_NANOS = 0xA1B23C4D;
    static final int HEADER_LENGTH = 24;
    private static final int RECORD_HEADER_LENGTH = 16;
    /** More than any link type's packets (Wireshark's largest limit is 128 MiB, for D-Bus). */
    static final long MAX_CAPTURED_LENGTH = 256L << 20;
    private static final int FCS_PRESENT = 0x0400_0000;

    private final CaptureInput input;
    private final Endian order;
    private final boolean nanosecond;
    private final int linkType;
    private final long snapLength;
    private final int fcsBytes;
    private final byte[] recordHeader = new byte[RECORD_HEADER_LENGTH];
    private long packets;
    private boolean done;

    /**
     * Reads the file header. The stream is read block by block (wrapped in a buffer unless it
     * is one) and closed by {@link #close}.
     *
     * @throws CaptureFormatException when the stream does not start with a complete pcap header
     */
    public PcapReader(InputStream in) throws IOException {
        this.input = new CaptureInput(in instanceof BufferedInputStream ? in : new BufferedInputStream(in, 1 << 16), 0);
        byte[] h = new byte[HEADER_LENGTH];
        int got = input.read(h, 0, HEADER_LENGTH);
        Endian micros = got >= 4 ? Endian.of(MAGIC_MICROS, h, 0) : null;
        Endian nanos = got >= 4 ? Endian.of(MAGIC_NANOS, h, 0) : null;
        if (micros == null && nanos == null) {
            throw new CaptureFormatException(CaptureFiles.notACapture(h, got));
        }
        if (got < HEADER_LENGTH) {
            throw new CaptureFormatException("the capture ends inside its 24-byte pcap file header (" + got
                    + " bytes are there).");
        }
        order = micros != null ? micros : nanos;
        nanosecond = nanos != null;
        int major = order.u16(h, 4);
        if (major < 2) {
            throw new CaptureFormatException("the file is pcap version " + major + "." + order.u16(h, 6)
                    + ", older than the 2.x this reader knows.");
        }
        snapLength = order.u32(h, 16);
        int field = order.i32(h, 20);
        linkType = field & 0xFFFF;
        fcsBytes = (field & FCS_PRESENT) != 0 ? (field >>> 28) * 2 : 0;
    }

    @Override
    public Packet next() throws IOException {
        if (done) {
            return null;
        }
        try {
            return read();
        } catch (CaptureFormatException e) {
            done = true;
            throw e;
        }
    }

    private Packet read() throws IOException {
        long at = input.offset();
        long number = packets + 1;
        int got = input.read(recordHeader, 0, RECORD_HEADER_LENGTH);
        if (got == 0) {
            done = true;
            return null;
        }
        if (got < RECORD_HEADER_LENGTH) {
            throw new CaptureFormatException("the capture ends inside the record header of packet " + number
                    + " at byte offset " + at + " (" + got + " of its 16 bytes are there).");
        }
        long seconds = order.u32(recordHeader, 0);
        long fraction = order.u32(recordHeader, 4);
        long captured = order.u32(recordHeader, 8);
        long original = order.u32(recordHeader, 12);
        if (captured > MAX_CAPTURED_LENGTH) {
            throw new CaptureFormatException("the record of packet " + number + " at byte offset " + at + " claims "
                    + captured + " captured bytes, more than any packet has: the file is damaged.");
        }
        byte[] data = input.read((int) captured);
        if (data.length < captured) {
            throw new CaptureFormatException("the capture ends inside packet " + number + ": its record at byte offset "
                    + at + " promises " + captured + " bytes but only " + data.length + " follow.");
        }
        packets = number;
        long timeNanos = seconds * 1_000_000_000L + (nanosecond ? fraction : fraction * 1000);
        return new Packet(number, timeNanos, linkType, Fcs.strip(data, original, fcsBytes),
                Fcs.originalLength(original, fcsBytes), 0);
    }

    /** The link type of every packet (the FCS bits removed). */
    public int linkType() {
        return linkType;
    }

    /** The snap length the file header states (0 in some files: no limit). */
    public long snapLength() {
        return snapLength;
    }

    /** Whether the timestamps are nanoseconds (magic 0xa1b23c4d) rather than microseconds. */
    public boolean nanosecond() {
        return nanosecond;
    }

    /** The FCS length removed from every packet, in bytes (0 when the file states none). */
    public int fcsBytes() {
        return fcsBytes;
    }

    @Override
    public String format() {
        return "pcap";
    }

    @Override
    public void close() throws IOException {
        input.close();
    }
}
