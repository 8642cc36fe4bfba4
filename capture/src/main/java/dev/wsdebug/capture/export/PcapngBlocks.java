package dev.wsdebug.capture.export;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Writes pcapng blocks (Section Header, Interface Description, Enhanced Packet) in little-endian
 * byte order, which the Section Header's byte-order magic announces to readers.
 */
final class PcapngBlocks {
    static final int SECTION_HEADER = 0x0A0D0D0A;
    static final int INTERFACE_DESCRIPTION = 0x00000001;
    static final int ENHANCED_PACKET = 0x00000006;
    static final int BYTE_ORDER_MAGIC = 0x1A2B3C4D;
    static final int LINKTYPE_ETHERNET = 1;
    /** Larger than any frame this writer builds (at most 14 + 40 + 60 + 65535 bytes). */
    static final int SNAPLEN = 262_144;

    private static final int OPT_END = 0;
    private static final int OPT_COMMENT = 1;
    private static final int SHB_USERAPPL = 4;
    private static final int IF_NAME = 2;
    private static final int IF_DESCRIPTION = 3;
    private static final int IF_TSRESOL = 9;

    private final OutputStream out;

    PcapngBlocks(OutputStream out) {
        this.out = out;
    }

    /** The section header (unknown section length) and one Ethernet interface with microsecond timestamps. */
    void header(String application) throws IOException {
        Block shb = new Block();
        shb.i32(BYTE_ORDER_MAGIC);
        shb.i16(1); // major version
        shb.i16(0); // minor version
        shb.i64(-1); // section length not given
        shb.option(SHB_USERAPPL, application.getBytes(StandardCharsets.UTF_8));
        shb.endOptions();
        shb.writeTo(out, SECTION_HEADER);

        Block idb = new Block();
        idb.i16(LINKTYPE_ETHERNET);
        idb.i16(0); // reserved
        idb.i32(SNAPLEN);
        idb.option(IF_NAME, "wsdebug".getBytes(StandardCharsets.UTF_8));
        idb.option(IF_DESCRIPTION, "TCP synthesized from the plaintext of WebSocket connections"
                .getBytes(StandardCharsets.UTF_8));
        idb.option(IF_TSRESOL, new byte[] {6}); // 10^-6 s
        idb.endOptions();
        idb.writeTo(out, INTERFACE_DESCRIPTION);
    }

    /** One packet on interface 0, timestamped in microseconds since the epoch, with an optional comment. */
    void packet(long timeMicros, byte[] frame, String comment) throws IOException {
        Block epb = new Block(frame.length + 64);
        epb.i32(0); // interface id
        epb.i32((int) (timeMicros >>> 32));
        epb.i32((int) timeMicros);
        epb.i32(frame.length); // captured length
        epb.i32(frame.length); // original length
        epb.bytes(frame);
        epb.pad();
        if (comment != null) {
            epb.option(OPT_COMMENT, comment.getBytes(StandardCharsets.UTF_8));
            epb.endOptions();
        }
        epb.writeTo(out, ENHANCED_PACKET);
    }

    /** The body of a block, between its type/length and its trailing length. */
    private static final class Block {
        private byte[] b;
        private int n;

        Block() {
            this(128);
        }

        Block(int capacity) {
            b = new byte[capacity];
        }

        void i16(int v) {
            ensure(2);
            b[n++] = (byte) v;
            b[n++] = (byte) (v >>> 8);
        }

        void i32(int v) {
            ensure(4);
            b[n++] = (byte) v;
            b[n++] = (byte) (v >>> 8);
            b[n++] = (byte) (v >>> 16);
            b[n++] = (byte) (v >>> 24);
        }

        void i64(long v) {
            i32((int) v);
            i32((int) (v >>> 32));
        }

        void bytes(byte[] v) {
            ensure(v.length);
            System.arraycopy(v, 0, b, n, v.length);
            n += v.length;
        }

        void pad() {
            ensure(3);
            while (n % 4 != 0) {
                b[n++] = 0;
            }
        }

        void option(int code, byte[] value) {
            i16(code);
            i16(value.length);
            bytes(value);
            pad();
        }

        void endOptions() {
            i16(OPT_END);
            i16(0);
        }

        void writeTo(OutputStream out, int type) throws IOException {
            int total = 12 + n;
            Block head = new Block(8);
            head.i32(type);
            head.i32(total);
            out.write(head.b, 0, 8);
            out.write(b, 0, n);
            out.write(head.b, 4, 4); // the total length again
        }

        private void ensure(int more) {
            if (n + more > b.length) {
                b = java.util.Arrays.copyOf(b, Math.max(b.length * 2, n + more));
            }
        }
    }
}
