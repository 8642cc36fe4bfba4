package dev.wsdebug.sniff.pcap;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes pcapng files for tests, block by block as draft-ietf-opsawg-pcapng lays them out: each
 * section in its own byte order, options padded to 4 bytes, lengths at both ends of a block.
 */
public final class PcapngFile {
    public static final int SHB = 0x0A0D0D0A;
    public static final int IDB = 1;
    public static final int PB = 2;
    public static final int SPB = 3;
    public static final int NRB = 4;
    public static final int ISB = 5;
    public static final int EPB = 6;
    public static final int DSB = 0x0A;
    public static final int TLS_KEY_LOG = 0x544C534B;

    /** An option (or an NRB record): code and value. */
    public record Option(int code, byte[] value) {
    }

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final List<Integer> boundaries = new ArrayList<>();
    private final List<Integer> packetEnds = new ArrayList<>();
    private ByteOrder order;

    /** A file whose first section is in {@code order}, with an unknown section length. */
    public PcapngFile(ByteOrder order) {
        section(order, -1);
    }

    public static Option option(int code, byte[] value) {
        return new Option(code, value);
    }

    public static Option tsresol(int value) {
        return option(9, new byte[]{(byte) value});
    }

    public Option tsoffset(long seconds) {
        return option(14, ByteBuffer.allocate(8).order(order).putLong(seconds).array());
    }

    public PcapngFile section(ByteOrder order, long sectionLength, Option... options) {
        this.order = order;
        ByteBuffer b = ByteBuffer.allocate(16).order(order);
        b.putInt(0x1A2B3C4D).putShort((short) 1).putShort((short) 0).putLong(sectionLength);
        return block(SHB, b.array(), options);
    }

    public PcapngFile iface(int linkType, int snapLength, Option... options) {
        ByteBuffer b = ByteBuffer.allocate(8).order(order);
        b.putShort((short) linkType).putShort((short) 0).putInt(snapLength);
        return block(IDB, b.array(), options);
    }

    public PcapngFile epb(int interfaceId, long units, byte[] data, int originalLength, Option... options) {
        ByteBuffer b = ByteBuffer.allocate(20 + padded(data.length)).order(order);
        b.putInt(interfaceId).putInt((int) (units >>> 32)).putInt((int) units).putInt(data.length)
                .putInt(originalLength).put(data);
        return block(EPB, b.array(), options);
    }

    public PcapngFile epb(int interfaceId, long units, byte[] data) {
        return epb(interfaceId, units, data, data.length);
    }

    /** The obsolete Packet Block: 16-bit interface id and drop count. */
    public PcapngFile pb(int interfaceId, long units, byte[] data, int originalLength) {
        ByteBuffer b = ByteBuffer.allocate(20 + padded(data.length)).order(order);
        b.putShort((short) interfaceId).putShort((short) 0).putInt((int) (units >>> 32)).putInt((int) units)
                .putInt(data.length).putInt(originalLength).put(data);
        return block(PB, b.array());
    }

    public PcapngFile spb(int originalLength, byte[] data) {
        ByteBuffer b = ByteBuffer.allocate(4 + padded(data.length)).order(order);
        b.putInt(originalLength).put(data);
        return block(SPB, b.array());
    }

    /** Name resolution records (type 1 IPv4, 2 IPv6), then the end record. */
    public PcapngFile nrb(Option... records) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        for (Option r : records) {
            body.writeBytes(encode(r));
        }
        body.writeBytes(new byte[4]);
        return block(NRB, body.toByteArray());
    }

    public PcapngFile isb(int interfaceId) {
        ByteBuffer b = ByteBuffer.allocate(12).order(order);
        b.putInt(interfaceId).putInt(0).putInt(0);
        return block(ISB, b.array());
    }

    public PcapngFile dsb(int secretsType, byte[] secrets) {
        ByteBuffer b = ByteBuffer.allocate(8 + padded(secrets.length)).order(order);
        b.putInt(secretsType).putInt(secrets.length).put(secrets);
        return block(DSB, b.array());
    }

    /** A custom block (0x0BAD, or 0x40000BAD: not to be copied) of the example enterprise number 32473. */
    public PcapngFile custom(int type, byte[] data) {
        ByteBuffer b = ByteBuffer.allocate(4 + padded(data.length)).order(order);
        b.putInt(32473).put(data);
        return block(type, b.array());
    }

    /** Any block: type, body (already padded), options, with its lengths at both ends. */
    public PcapngFile block(int type, byte[] body, Option... options) {
        ByteArrayOutputStream opts = new ByteArrayOutputStream();
        for (Option o : options) {
            opts.writeBytes(encode(o));
        }
        if (options.length > 0) {
            opts.writeBytes(new byte[4]); // opt_endofopt
        }
        int total = 12 + body.length + opts.size();
        ByteBuffer b = ByteBuffer.allocate(total).order(order);
        b.putInt(type).putInt(total).put(body).put(opts.toByteArray()).putInt(total);
        out.writeBytes(b.array());
        boundaries.add(out.size());
        if (type == EPB || type == SPB || type == PB) {
            packetEnds.add(out.size());
        }
        return this;
    }

    /** Bytes as they are, for damaged files. */
    public PcapngFile raw(byte[] bytes) {
        out.writeBytes(bytes);
        return this;
    }

    private byte[] encode(Option o) {
        ByteBuffer b = ByteBuffer.allocate(4 + padded(o.value().length)).order(order);
        b.putShort((short) o.code()).putShort((short) o.value().length).put(o.value());
        return b.array();
    }

    static int padded(int n) {
        return (n + 3) & ~3;
    }

    public byte[] bytes() {
        return out.toByteArray();
    }

    /** Offsets where a block ends: a cut there is a clean end. */
    public List<Integer> boundaries() {
        return boundaries;
    }

    /** Offsets where a packet block ends. */
    public List<Integer> packetEnds() {
        return packetEnds;
    }
}
