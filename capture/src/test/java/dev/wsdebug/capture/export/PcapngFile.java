package dev.wsdebug.capture.export;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A reader for the tests, written from the pcapng and RFC layouts independently of the writer:
 * walks the blocks, decodes Ethernet / IPv4 / IPv6 / TCP, verifies the checksums itself, and
 * reassembles each TCP connection's two byte streams.
 */
final class PcapngFile {
    int linkType = -1;
    int tsresol = -1;
    String application;
    final List<Packet> packets = new ArrayList<>();

    /** One decoded packet. */
    record Packet(long timeMicros, String comment, byte[] frame, String src, int srcPort, String dst, int dstPort,
                  long seq, long ack, int flags, int window, int ipTotalLength, boolean ipChecksumOk,
                  boolean tcpChecksumOk, byte[] payload, byte[] tcpOptions) {
        boolean syn() {
            return (flags & 0x02) != 0;
        }

        boolean fin() {
            return (flags & 0x01) != 0;
        }

        boolean ackFlag() {
            return (flags & 0x10) != 0;
        }

        boolean psh() {
            return (flags & 0x08) != 0;
        }

        String from() {
            return src + "|" + srcPort;
        }

        String to() {
            return dst + "|" + dstPort;
        }
    }

    static PcapngFile parse(byte[] file) {
        PcapngFile f = new PcapngFile();
        ByteBuffer b = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN);
        if (b.getInt(0) != 0x0A0D0D0A) {
            throw new AssertionError("no section header block first");
        }
        if (b.getInt(8) != 0x1A2B3C4D) {
            throw new AssertionError("byte-order magic is not little-endian 0x1A2B3C4D");
        }
        int pos = 0;
        while (pos < file.length) {
            int type = b.getInt(pos);
            int total = b.getInt(pos + 4);
            if (total % 4 != 0 || total < 12 || pos + total > file.length) {
                throw new AssertionError("bad block length " + total + " at " + pos);
            }
            if (b.getInt(pos + total - 4) != total) {
                throw new AssertionError("trailing block length differs at " + pos);
            }
            int body = pos + 8;
            int end = pos + total - 4;
            switch (type) {
                case 0x0A0D0D0A -> {
                    if (b.getShort(body + 4) != 1 || b.getShort(body + 6) != 0) {
                        throw new AssertionError("version is not 1.0");
                    }
                    for (Map.Entry<Integer, byte[]> o : options(b, body + 16, end).entrySet()) {
                        if (o.getKey() == 4) {
                            f.application = new String(o.getValue(), StandardCharsets.UTF_8);
                        }
                    }
                }
                case 0x00000001 -> {
                    f.linkType = b.getShort(body) & 0xFFFF;
                    byte[] res = options(b, body + 8, end).get(9);
                    f.tsresol = res == null ? -1 : res[0];
                }
                case 0x00000006 -> {
                    if (b.getInt(body) != 0) {
                        throw new AssertionError("interface id " + b.getInt(body));
                    }
                    long ts = ((b.getInt(body + 4) & 0xFFFFFFFFL) << 32) | (b.getInt(body + 8) & 0xFFFFFFFFL);
                    int cap = b.getInt(body + 12);
                    int orig = b.getInt(body + 16);
                    if (cap != orig) {
                        throw new AssertionError("captured length " + cap + " != original " + orig);
                    }
                    byte[] frame = Arrays.copyOfRange(file, body + 20, body + 20 + cap);
                    int opts = body + 20 + ((cap + 3) & ~3);
                    byte[] comment = options(b, opts, end).get(1);
                    f.packets.add(decode(ts, comment == null ? null : new String(comment, StandardCharsets.UTF_8), frame));
                }
                default -> throw new AssertionError("unexpected block type " + type);
            }
            pos += total;
        }
        return f;
    }

    private static Map<Integer, byte[]> options(ByteBuffer b, int pos, int end) {
        Map<Integer, byte[]> out = new LinkedHashMap<>();
        while (pos + 4 <= end) {
            int code = b.getShort(pos) & 0xFFFF;
            int len = b.getShort(pos + 2) & 0xFFFF;
            if (code == 0) {
                break;
            }
            byte[] v = new byte[len];
            b.get(pos + 4, v);
            out.put(code, v);
            pos += 4 + ((len + 3) & ~3);
        }
        return out;
    }

    private static Packet decode(long ts, String comment, byte[] p) {
        int etherType = u16(p, 12);
        int ip = 14;
        int tcp;
        String src;
        String dst;
        int totalLength;
        boolean ipOk;
        long pseudo;
        int tcpLen;
        if (etherType == 0x0800) {
            if (p[ip] != 0x45 || p[ip + 9] != 6) {
                throw new AssertionError("not IPv4 with a 20-byte header carrying TCP");
            }
            totalLength = u16(p, ip + 2);
            if (totalLength != p.length - 14) {
                throw new AssertionError("IPv4 total length " + totalLength + " != " + (p.length - 14));
            }
            ipOk = onesComplementSum(p, ip, 20, 0) == 0xFFFF;
            src = addr(p, ip + 12, 4);
            dst = addr(p, ip + 16, 4);
            tcp = ip + 20;
            tcpLen = totalLength - 20;
            pseudo = onesComplementSum(p, ip + 12, 8, 0) + 6 + tcpLen;
        } else if (etherType == 0x86DD) {
            if ((p[ip] & 0xF0) != 0x60 || p[ip + 6] != 6) {
                throw new AssertionError("not IPv6 carrying TCP");
            }
            tcpLen = u16(p, ip + 4);
            totalLength = tcpLen + 40;
            if (totalLength != p.length - 14) {
                throw new AssertionError("IPv6 payload length does not match the frame");
            }
            ipOk = true; // IPv6 has no header checksum
            src = addr(p, ip + 8, 16);
            dst = addr(p, ip + 24, 16);
            tcp = ip + 40;
            pseudo = onesComplementSum(p, ip + 8, 32, 0) + tcpLen + 6;
        } else {
            throw new AssertionError("ethertype " + Integer.toHexString(etherType));
        }
        boolean tcpOk = onesComplementSum(p, tcp, tcpLen, pseudo) == 0xFFFF;
        int dataOffset = ((p[tcp + 12] & 0xFF) >>> 4) * 4;
        return new Packet(ts, comment, p, src, u16(p, tcp), dst, u16(p, tcp + 2), u32(p, tcp + 4), u32(p, tcp + 8),
                p[tcp + 13] & 0xFF, u16(p, tcp + 14), totalLength, ipOk, tcpOk,
                Arrays.copyOfRange(p, tcp + dataOffset, tcp + tcpLen), Arrays.copyOfRange(p, tcp + 20, tcp + dataOffset));
    }

    /** The folded 16-bit ones' complement sum; a correct checksum makes it 0xFFFF. */
    private static int onesComplementSum(byte[] b, int off, int len, long start) {
        long sum = start;
        for (int i = 0; i < len; i += 2) {
            int hi = b[off + i] & 0xFF;
            int lo = i + 1 < len ? b[off + i + 1] & 0xFF : 0;
            sum += (hi << 8) | lo;
        }
        while (sum > 0xFFFF) {
            sum = (sum & 0xFFFF) + (sum >>> 16);
        }
        return (int) sum;
    }

    private static String addr(byte[] p, int off, int len) {
        StringBuilder sb = new StringBuilder();
        if (len == 4) {
            for (int i = 0; i < 4; i++) {
                sb.append(i == 0 ? "" : ".").append(p[off + i] & 0xFF);
            }
        } else {
            for (int i = 0; i < 16; i += 2) {
                sb.append(i == 0 ? "" : ":").append(Integer.toHexString(u16(p, off + i)));
            }
        }
        return sb.toString();
    }

    private static int u16(byte[] b, int off) {
        return ((b[off] & 0xFF) << 8) | (b[off + 1] & 0xFF);
    }

    private static long u32(byte[] b, int off) {
        return ((long) u16(b, off) << 16) | u16(b, off + 2);
    }

    /** One TCP connection as its packets, keyed by the SYN's sender. */
    static final class Connection {
        final String client;
        final String server;
        final String comment;
        final List<Packet> packets = new ArrayList<>();

        Connection(Packet syn) {
            this.client = syn.from();
            this.server = syn.to();
            this.comment = syn.comment();
        }

        /**
         * Checks the handshake, sequence and acknowledgement numbers and the closing FINs; returns
         * the bytes each way {c2s, s2c}.
         */
        byte[][] streams() {
            Packet syn = packets.get(0);
            Packet synAck = packets.get(1);
            Packet ack = packets.get(2);
            check(syn.syn() && !syn.ackFlag(), "first packet is a SYN");
            check(synAck.syn() && synAck.ackFlag() && synAck.ack() == (syn.seq() + 1) % (1L << 32),
                    "second packet is the SYN-ACK acknowledging the SYN");
            check(!ack.syn() && ack.ackFlag() && ack.ack() == (synAck.seq() + 1) % (1L << 32), "third packet acknowledges the SYN-ACK");
            long[] next = {(syn.seq() + 1) % (1L << 32), (synAck.seq() + 1) % (1L << 32)};
            boolean[] finished = new boolean[2];
            ByteArrayOutputStream[] data = {new ByteArrayOutputStream(), new ByteArrayOutputStream()};
            for (Packet p : packets.subList(2, packets.size())) {
                int d = p.from().equals(client) ? 0 : 1;
                check(p.seq() == next[d], "segment in order at seq " + next[d]);
                check(p.ackFlag() && p.ack() == next[1 - d], "every segment acknowledges all the peer sent");
                check(!finished[d] || p.payload().length == 0, "no data after FIN");
                data[d].writeBytes(p.payload());
                next[d] = (next[d] + p.payload().length + (p.fin() ? 1 : 0)) % (1L << 32);
                finished[d] |= p.fin();
            }
            check(finished[0] && finished[1], "both ends sent FIN");
            Packet last = packets.get(packets.size() - 1);
            check(!last.fin() && last.ackFlag() && last.payload().length == 0, "the last packet acknowledges the second FIN");
            return new byte[][] {data[0].toByteArray(), data[1].toByteArray()};
        }

        private static void check(boolean ok, String what) {
            if (!ok) {
                throw new AssertionError("TCP: expected " + what);
            }
        }
    }

    /** The TCP connections in the order of their SYNs. */
    List<Connection> connections() {
        List<Connection> out = new ArrayList<>();
        Map<String, Connection> open = new LinkedHashMap<>();
        for (Packet p : packets) {
            String key = p.syn() && !p.ackFlag() ? p.from() + ">" + p.to() : null;
            if (key != null) {
                Connection c = new Connection(p);
                open.put(key, c);
                out.add(c);
                c.packets.add(p);
                continue;
            }
            Connection c = open.get(p.from() + ">" + p.to());
            if (c == null) {
                c = open.get(p.to() + ">" + p.from());
            }
            if (c == null) {
                throw new AssertionError("packet outside any connection: " + p.from() + " > " + p.to());
            }
            c.packets.add(p);
        }
        return out;
    }
}
