package dev.wsdebug.sniff.pcap;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * Reads a pcapng file (draft-ietf-opsawg-pcapng) block by block, in one pass.
 *
 * <p><b>Sections.</b> Each Section Header Block sets the byte order of the blocks after it and
 * starts a new list of interfaces; its section length (often -1, unknown) is not needed to read
 * in one pass and is ignored. Interface ids in {@link Packet} count the interfaces of the whole
 * file, so those of a later section never reuse an earlier section's ids.
 *
 * <p><b>Packets.</b> Enhanced Packet Blocks, Simple Packet Blocks and the obsolete Packet Block
 * are numbered together from 1, as tshark numbers frames. Wireshark also shows custom blocks and
 * systemd journal export blocks as frames, so they take a number too (no packet is returned for
 * them): packet numbers stay tshark's frame numbers, which users look up. A Simple Packet Block belongs to the
 * section's first interface; its captured length is its original length cut to that interface's
 * snap length, and, since it has no timestamp, it is given the time of the packet before it in
 * the file (0 when none came before). Timestamps apply the interface's {@code if_tsresol} (a
 * power of 10 or of 2; microseconds when absent) and {@code if_tsoffset}.
 *
 * <p><b>Other blocks.</b> Name Resolution Blocks give their IPv4 and IPv6 records to
 * {@link #onName} (a malformed record ends that block's names, not the reading: names are only
 * decoration); Decryption Secrets Blocks of type TLS key log give their text to
 * {@link #onSecrets}, other secret types are ignored; Interface Statistics, custom, systemd
 * journal and unknown blocks are skipped by their length.
 *
 * <p><b>Errors.</b> Every block's total length is checked at both ends. A cut exactly between two
 * blocks is a clean end; a cut inside a block, a length that disagrees with itself or a field
 * that runs past its block is a {@link CaptureFormatException} naming the block's byte offset,
 * thrown once the packets before it have been returned; {@link #next} returns null after it.
 */
public final class PcapngReader implements PacketReader {
    static final int SECTION_HEADER = 0x0A0D0D0A;
    static final int BYTE_ORDER_MAGIC = 0x1A2B3C4D;
    static final int INTERFACE_DESCRIPTION = 1;
    static final int PACKET = 2;
    static final int SIMPLE_PACKET = 3;
    static final int NAME_RESOLUTION = 4;
    static final int INTERFACE_STATISTICS = 5;
    static final int ENHANCED_PACKET = 6;
    static final int SYSTEMD_JOURNAL_EXPORT = 9;
    static final int DECRYPTION_SECRETS = 0x0A;
    static final int CUSTOM = 0x0BAD;
    static final int CUSTOM_NO_COPY = 0x40000BAD;
    /** Decryption Secrets Block type: NSS key log text. */
    static final int SECRETS_TLS_KEY_LOG = 0x544C534B;
    /** Blocks read whole (all but packets and skipped ones) may be at most this long. */
    static final long MAX_HELD_BLOCK = 64L << 20;
    private static final int OPT_END = 0;
    private static final int IF_TSRESOL = 9;
    private static final int IF_FCSLEN = 13;
    private static final int IF_TSOFFSET = 14;
    private static final int NRB_END = 0;
    private static final int NRB_IPV4 = 1;
    private static final int NRB_IPV6 = 2;

    private final CaptureInput input;
    private final byte[] head = new byte[28];
    private final List<PcapngInterface> interfaces = new ArrayList<>();
    private Endian order;
    private int interfacesBefore;
    private long packets;
    private long lastTimeNanos;
    private Consumer<byte[]> secrets = s -> {
    };
    private BiConsumer<byte[], String> names = (a, n) -> {
    };
    private boolean done;

    /**
     * Reads the first Section Header Block. The stream is read block by block (wrapped in a
     * buffer unless it is one) and closed by {@link #close}.
     *
     * @throws CaptureFormatException when the stream does not start with a valid section header
     */
    public PcapngReader(InputStream in) throws IOException {
        input = new CaptureInput(in instanceof BufferedInputStream ? in : new BufferedInputStream(in, 1 << 16), 0);
        int got = input.read(head, 0, 8);
        if (got < 4 || Endian.BIG.i32(head, 0) != SECTION_HEADER) {
            throw new CaptureFormatException(CaptureFiles.notACapture(head, got));
        }
        if (got < 8) {
            throw cutHeader(0, got);
        }
        section(0);
    }

    @Override
    public void onSecrets(Consumer<byte[]> keyLogText) {
        secrets = keyLogText;
    }

    @Override
    public void onName(BiConsumer<byte[], String> addressAndName) {
        names = addressAndName;
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
        while (true) {
            long at = input.offset();
            int got = input.read(head, 0, 8);
            if (got == 0) {
                done = true;
                return null;
            }
            if (got < 8) {
                throw cutHeader(at, got);
            }
            // The section header's type reads the same in both byte orders, so it is found
            // before its own byte-order magic says how to read the rest.
            int type = order.i32(head, 0);
            if (type == SECTION_HEADER) {
                section(at);
                continue;
            }
            long total = order.u32(head, 4);
            if (total < 12 || total % 4 != 0) {
                throw new CaptureFormatException("the " + name(type) + " at byte offset " + at + " declares a length of "
                        + total + " bytes, " + (total < 12 ? "less than the 12 of an empty block." : "not a multiple of 4."));
            }
            switch (type) {
                case ENHANCED_PACKET, PACKET:
                    return timedPacket(at, type, total);
                case SIMPLE_PACKET:
                    return simplePacket(at, total);
                case INTERFACE_DESCRIPTION:
                    interfaceDescription(at, total);
                    break;
                case NAME_RESOLUTION:
                    nameResolution(at, total);
                    break;
                case DECRYPTION_SECRETS:
                    decryptionSecrets(at, total);
                    break;
                case CUSTOM, CUSTOM_NO_COPY, SYSTEMD_JOURNAL_EXPORT:
                    skip(at, type, total);
                    packets++;
                    break;
                default:
                    skip(at, type, total);
            }
        }
    }

    /** A Section Header Block whose first 8 bytes are in {@link #head}. */
    private void section(long at) throws IOException {
        if (input.read(head, 8, 4) < 4) {
            throw cut(at, SECTION_HEADER, -1);
        }
        Endian o = Endian.of(BYTE_ORDER_MAGIC, head, 8);
        if (o == null) {
            throw new CaptureFormatException("the section header block at byte offset " + at
                    + " has no valid byte-order magic (it reads " + CaptureFiles.hex(head, 8, 4) + ").");
        }
        long total = o.u32(head, 4);
        if (total < 28 || total % 4 != 0 || total > MAX_HELD_BLOCK) {
            throw new CaptureFormatException("the section header block at byte offset " + at + " declares a length of "
                    + total + " bytes, which no section header has.");
        }
        byte[] rest = input.read((int) total - 12);
        if (rest.length < total - 12) {
            throw cut(at, SECTION_HEADER, total);
        }
        int major = o.u16(rest, 0);
        if (major != 1) {
            throw new CaptureFormatException("the section at byte offset " + at + " is pcapng version " + major + "."
                    + o.u16(rest, 2) + ", which this reader does not know (it reads 1.x).");
        }
        checkTrailer(at, SECTION_HEADER, total, o.u32(rest, rest.length - 4));
        order = o;
        interfacesBefore += interfaces.size();
        interfaces.clear();
    }

    /** An Enhanced Packet Block or an obsolete Packet Block: the same fields, but a 16-bit interface id. */
    private Packet timedPacket(long at, int type, long total) throws IOException {
        long number = packets + 1;
        if (total < 32) {
            throw tooShort(at, type, total);
        }
        if (input.read(head, 8, 20) < 20) {
            throw cut(at, type, total);
        }
        long interfaceId = type == PACKET ? order.u16(head, 8) : order.u32(head, 8);
        long units = order.u32(head, 12) << 32 | order.u32(head, 16);
        long captured = order.u32(head, 20);
        long original = order.u32(head, 24);
        PcapngInterface iface = iface(at, number, interfaceId);
        checkCaptured(at, type, number, captured);
        if (captured > total - 32) {
            throw new CaptureFormatException("the " + name(type) + " of packet " + number + " at byte offset " + at
                    + " says it holds " + captured + " captured bytes but is only " + total + " bytes long.");
        }
        byte[] data = packetBytes(at, type, total, (int) captured);
        long timeNanos = iface.timeNanos(units);
        lastTimeNanos = timeNanos;
        packets = number;
        return new Packet(number, timeNanos, iface.linkType(), Fcs.strip(data, original, iface.fcsBytes()),
                Fcs.originalLength(original, iface.fcsBytes()), iface.id());
    }

    private Packet simplePacket(long at, long total) throws IOException {
        long number = packets + 1;
        if (total < 16) {
            throw tooShort(at, SIMPLE_PACKET, total);
        }
        if (input.read(head, 8, 4) < 4) {
            throw cut(at, SIMPLE_PACKET, total);
        }
        long original = order.u32(head, 8);
        if (interfaces.isEmpty()) {
            throw new CaptureFormatException("the simple packet block of packet " + number + " at byte offset " + at
                    + " comes before any interface description in its section.");
        }
        PcapngInterface iface = interfaces.get(0);
        long captured = iface.snapLength() > 0 ? Math.min(original, iface.snapLength()) : original;
        checkCaptured(at, SIMPLE_PACKET, number, captured);
        if (captured > total - 16) {
            throw new CaptureFormatException("the simple packet block of packet " + number + " at byte offset " + at
                    + " is for a packet of " + captured + " captured bytes but is only " + total + " bytes long.");
        }
        byte[] data = packetBytes(at, SIMPLE_PACKET, total, (int) captured);
        packets = number;
        return new Packet(number, lastTimeNanos, iface.linkType(), Fcs.strip(data, original, iface.fcsBytes()),
                Fcs.originalLength(original, iface.fcsBytes()), iface.id());
    }

    /** A block may be 4 GiB long, but no packet is: a damaged length must not reach an int. */
    private static void checkCaptured(long at, int type, long number, long captured) throws CaptureFormatException {
        if (captured > PcapReader.MAX_CAPTURED_LENGTH) {
            throw new CaptureFormatException("the " + name(type) + " of packet " + number + " at byte offset " + at
                    + " claims " + captured + " captured bytes, more than any packet has: the file is damaged.");
        }
    }

    /** The packet bytes that follow the fixed fields, then the rest of the block (padding, options) skipped. */
    private byte[] packetBytes(long at, int type, long total, int captured) throws IOException {
        byte[] data = input.read(captured);
        if (data.length < captured) {
            throw cut(at, type, total);
        }
        long rest = total - (input.offset() - at) - 4;
        if (input.skip(rest) < rest) {
            throw cut(at, type, total);
        }
        readTrailer(at, type, total);
        return data;
    }

    private PcapngInterface iface(long at, long number, long interfaceId) throws CaptureFormatException {
        if (interfaceId >= interfaces.size()) {
            throw new CaptureFormatException("packet " + number + " (byte offset " + at + ") names interface "
                    + interfaceId + ", but its section describes " + (interfaces.isEmpty() ? "none"
                    : "only " + interfaces.size()) + ".");
        }
        return interfaces.get((int) interfaceId);
    }

    private void interfaceDescription(long at, long total) throws IOException {
        if (total < 20) {
            throw tooShort(at, INTERFACE_DESCRIPTION, total);
        }
        byte[] body = body(at, INTERFACE_DESCRIPTION, total);
        int linkType = order.u16(body, 0);
        long snapLength = order.u32(body, 4);
        TimeResolution resolution = TimeResolution.MICROS;
        long offsetSeconds = 0;
        int fcsBytes = 0;
        int end = body.length - 4;
        int p = 8;
        while (p + 4 <= end) {
            int code = order.u16(body, p);
            int length = order.u16(body, p + 2);
            p += 4;
            if (code == OPT_END) {
                break;
            }
            if (p + length > end) {
                throw new CaptureFormatException("the interface description block at byte offset " + at
                        + " has an option (code " + code + ") that runs past its end.");
            }
            if (code == IF_TSRESOL && length >= 1) {
                resolution = TimeResolution.of(body[p] & 0xFF);
            } else if (code == IF_TSOFFSET && length >= 8) {
                offsetSeconds = order.i64(body, p);
            } else if (code == IF_FCSLEN && length >= 1 && (body[p] & 0xFF) % 8 == 0) {
                // The draft gives if_fcslen in bits; a value that is no whole number of bytes
                // can only be a writer's mistake and is ignored.
                fcsBytes = (body[p] & 0xFF) / 8;
            }
            p += padded(length);
        }
        interfaces.add(new PcapngInterface(interfacesBefore + interfaces.size(), linkType, snapLength, resolution,
                offsetSeconds, fcsBytes));
    }

    private void nameResolution(long at, long total) throws IOException {
        byte[] body = body(at, NAME_RESOLUTION, total);
        int end = body.length - 4;
        int p = 0;
        while (p + 4 <= end) {
            int type = order.u16(body, p);
            int length = order.u16(body, p + 2);
            p += 4;
            if (type == NRB_END || p + length > end) {
                break;
            }
            int addressLength = type == NRB_IPV4 ? 4 : type == NRB_IPV6 ? 16 : -1;
            if (addressLength > 0 && length > addressLength) {
                byte[] address = Arrays.copyOfRange(body, p, p + addressLength);
                int s = p + addressLength;
                int recordEnd = p + length;
                // One or more names, each ended by a zero byte (the last one possibly not).
                while (s < recordEnd) {
                    int z = s;
                    while (z < recordEnd && body[z] != 0) {
                        z++;
                    }
                    if (z > s) {
                        names.accept(address.clone(), new String(body, s, z - s, StandardCharsets.UTF_8));
                    }
                    s = z + 1;
                }
            }
            p += padded(length);
        }
    }

    private void decryptionSecrets(long at, long total) throws IOException {
        if (total < 20) {
            throw tooShort(at, DECRYPTION_SECRETS, total);
        }
        byte[] body = body(at, DECRYPTION_SECRETS, total);
        long secretsType = order.u32(body, 0);
        long length = order.u32(body, 4);
        if (length > body.length - 12) {
            throw new CaptureFormatException("the decryption secrets block at byte offset " + at + " says it holds "
                    + length + " bytes of secrets but is only " + total + " bytes long.");
        }
        if (secretsType == (SECRETS_TLS_KEY_LOG & 0xFFFF_FFFFL)) {
            secrets.accept(Arrays.copyOfRange(body, 8, 8 + (int) length));
        }
    }

    /** The rest of a block that is read whole (after its 8-byte header, trailer included, checked). */
    private byte[] body(long at, int type, long total) throws IOException {
        if (total > MAX_HELD_BLOCK) {
            throw new CaptureFormatException("the " + name(type) + " at byte offset " + at + " declares a length of "
                    + total + " bytes, more than such a block can need: the file is damaged.");
        }
        byte[] body = input.read((int) total - 8);
        if (body.length < total - 8) {
            throw cut(at, type, total);
        }
        checkTrailer(at, type, total, order.u32(body, body.length - 4));
        return body;
    }

    private void skip(long at, int type, long total) throws IOException {
        if (input.skip(total - 12) < total - 12) {
            throw cut(at, type, total);
        }
        readTrailer(at, type, total);
    }

    private void readTrailer(long at, int type, long total) throws IOException {
        if (input.read(head, 0, 4) < 4) {
            throw cut(at, type, total);
        }
        checkTrailer(at, type, total, order.u32(head, 0));
    }

    private static void checkTrailer(long at, int type, long total, long trailer) throws CaptureFormatException {
        if (trailer != total) {
            throw new CaptureFormatException("the " + name(type) + " at byte offset " + at + " gives its length as "
                    + total + " bytes at its start but " + trailer + " at its end.");
        }
    }

    private CaptureFormatException cut(long at, int type, long total) {
        long have = input.offset() - at;
        return new CaptureFormatException("the capture ends inside the " + name(type) + " at byte offset " + at
                + (total < 0 ? "" : " (" + have + " of its " + total + " bytes are there)") + ".");
    }

    private static CaptureFormatException cutHeader(long at, int got) {
        return new CaptureFormatException("the capture ends inside the header of a block at byte offset " + at + " ("
                + got + " of its 8 bytes are there).");
    }

    private CaptureFormatException tooShort(long at, int type, long total) {
        return new CaptureFormatException("the " + name(type) + " at byte offset " + at + " is only " + total
                + " bytes long, too short for its fields.");
    }

    private static int padded(int length) {
        return (length + 3) & ~3;
    }

    /** A block type as the draft names it, for messages. */
    static String name(int type) {
        return switch (type) {
            case SECTION_HEADER -> "section header block";
            case INTERFACE_DESCRIPTION -> "interface description block";
            case PACKET -> "packet block";
            case SIMPLE_PACKET -> "simple packet block";
            case NAME_RESOLUTION -> "name resolution block";
            case INTERFACE_STATISTICS -> "interface statistics block";
            case ENHANCED_PACKET -> "enhanced packet block";
            case DECRYPTION_SECRETS -> "decryption secrets block";
            case CUSTOM, CUSTOM_NO_COPY -> "custom block";
            case SYSTEMD_JOURNAL_EXPORT -> "systemd journal export block";
            default -> String.format("block of type 0x%08x", type);
        };
    }

    @Override
    public String format() {
        return "pcapng";
    }

    @Override
    public void close() throws IOException {
        input.close();
    }
}
