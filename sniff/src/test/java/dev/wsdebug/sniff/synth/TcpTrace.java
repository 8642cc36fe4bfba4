package dev.wsdebug.sniff.synth;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * One TCP connection as a list of segments, written the way a TCP stack would send them: the
 * three-way handshake, data cut at the MSS (or at given sizes) with the peer's next sequence number
 * acknowledged, pure ACKs, FINs. Sequence numbers wrap at 2^32. The list can then be reordered,
 * duplicated or thinned by a test before it is written into a capture.
 */
final class TcpTrace {
    /** One segment; {@code seq} and {@code ack} are unsigned 32-bit values. */
    record Seg(boolean fromClient, long seq, long ack, int flags, byte[] payload) {
        Seg withPayload(long newSeq, byte[] newPayload) {
            return new Seg(fromClient, newSeq & 0xFFFF_FFFFL, ack, flags, newPayload);
        }
    }

    final byte[] clientIp;
    final byte[] serverIp;
    final int clientPort;
    final int serverPort;
    final boolean v6;
    private long clientNext;
    private long serverNext;
    private int mss = 1460;
    private final List<Seg> segs = new ArrayList<>();
    /** Each side's bytes in order (the reassembled stream, for comparisons). */
    private final java.io.ByteArrayOutputStream clientBytes = new java.io.ByteArrayOutputStream();
    private final java.io.ByteArrayOutputStream serverBytes = new java.io.ByteArrayOutputStream();

    TcpTrace(byte[] clientIp, int clientPort, byte[] serverIp, int serverPort, long clientIsn, long serverIsn) {
        this.clientIp = clientIp;
        this.serverIp = serverIp;
        this.clientPort = clientPort;
        this.serverPort = serverPort;
        this.v6 = clientIp.length == 16;
        this.clientNext = clientIsn & 0xFFFF_FFFFL;
        this.serverNext = serverIsn & 0xFFFF_FFFFL;
    }

    /** 10.0.0.{host}:{port} to 10.0.0.2:8080 (or a port given), ISNs chosen by the caller. */
    static TcpTrace v4(int clientHost, int clientPort, int serverPort, long clientIsn, long serverIsn) {
        return new TcpTrace(Net.v4(10, 0, 0, clientHost), clientPort, Net.v4(10, 0, 0, 2), serverPort, clientIsn, serverIsn);
    }

    TcpTrace mss(int mss) {
        this.mss = mss;
        return this;
    }

    String clientEndpoint() {
        return endpoint(clientIp, clientPort);
    }

    String serverEndpoint() {
        return endpoint(serverIp, serverPort);
    }

    /** The JDK's full IPv6 form with its longest run of two or more zero groups written "::" (RFC 5952). */
    static String rfc5952(String full) {
        String[] g = full.split(":");
        int best = -1;
        int bestLen = 1;
        for (int i = 0; i < g.length; i++) {
            int j = i;
            while (j < g.length && g[j].equals("0")) {
                j++;
            }
            if (j - i > bestLen) {
                best = i;
                bestLen = j - i;
            }
        }
        if (best < 0) {
            return full;
        }
        String head = String.join(":", java.util.Arrays.copyOfRange(g, 0, best));
        String tail = String.join(":", java.util.Arrays.copyOfRange(g, best + bestLen, g.length));
        return head + "::" + tail;
    }

    private static String endpoint(byte[] ip, int port) {
        try {
            String host = java.net.InetAddress.getByAddress(ip).getHostAddress();
            return (host.indexOf(':') >= 0 ? "[" + rfc5952(host) + "]" : host) + ":" + port;
        } catch (java.net.UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    /** SYN, SYN-ACK, ACK. */
    TcpTrace open() {
        add(new Seg(true, clientNext, 0, Net.SYN, new byte[0]));
        clientNext = (clientNext + 1) & 0xFFFF_FFFFL;
        add(new Seg(false, serverNext, clientNext, Net.SYN | Net.ACK, new byte[0]));
        serverNext = (serverNext + 1) & 0xFFFF_FFFFL;
        add(new Seg(true, clientNext, serverNext, Net.ACK, new byte[0]));
        return this;
    }

    /** The client sends {@code data}, cut at the MSS; the indices of its segments. */
    int[] client(byte[] data) {
        return send(true, data, null);
    }

    int[] server(byte[] data) {
        return send(false, data, null);
    }

    /** Sends {@code data} cut into segments of the given sizes (the last takes what is left). */
    int[] send(boolean fromClient, byte[] data, int[] sizes) {
        (fromClient ? clientBytes : serverBytes).writeBytes(data);
        List<Integer> idx = new ArrayList<>();
        int off = 0;
        int k = 0;
        while (off < data.length) {
            int n = sizes != null && k < sizes.length ? sizes[k] : mss;
            n = Math.min(n, data.length - off);
            k++;
            byte[] piece = Arrays.copyOfRange(data, off, off + n);
            long seq = fromClient ? clientNext : serverNext;
            long ack = fromClient ? serverNext : clientNext;
            idx.add(add(new Seg(fromClient, seq, ack, Net.PSH | Net.ACK, piece)));
            if (fromClient) {
                clientNext = (clientNext + n) & 0xFFFF_FFFFL;
            } else {
                serverNext = (serverNext + n) & 0xFFFF_FFFFL;
            }
            off += n;
        }
        return idx.stream().mapToInt(Integer::intValue).toArray();
    }

    /** A pure ACK of everything the peer sent. */
    int ack(boolean fromClient) {
        return add(new Seg(fromClient, fromClient ? clientNext : serverNext, fromClient ? serverNext : clientNext,
                Net.ACK, new byte[0]));
    }

    /** FIN from {@code first}, FIN-ACK from the other side, the last ACK. */
    TcpTrace close(boolean clientFirst) {
        fin(clientFirst);
        fin(!clientFirst);
        ack(clientFirst);
        return this;
    }

    TcpTrace close() {
        return close(true);
    }

    int fin(boolean fromClient) {
        int i = add(new Seg(fromClient, fromClient ? clientNext : serverNext, fromClient ? serverNext : clientNext,
                Net.FIN | Net.ACK, new byte[0]));
        if (fromClient) {
            clientNext = (clientNext + 1) & 0xFFFF_FFFFL;
        } else {
            serverNext = (serverNext + 1) & 0xFFFF_FFFFL;
        }
        return i;
    }

    private int add(Seg s) {
        segs.add(s);
        return segs.size() - 1;
    }

    List<Seg> segments() {
        return new ArrayList<>(segs);
    }

    byte[] clientStream() {
        return clientBytes.toByteArray();
    }

    byte[] serverStream() {
        return serverBytes.toByteArray();
    }

    /** The IP packet (v4 or v6) that carries {@code s}. */
    byte[] ip(Seg s) {
        return ip(s, 1);
    }

    byte[] ip(Seg s, int ipId) {
        byte[] src = s.fromClient() ? clientIp : serverIp;
        byte[] dst = s.fromClient() ? serverIp : clientIp;
        byte[] tcp = tcpBytes(s);
        return v6 ? Net.ipv6(src, dst, Net.TCP, tcp) : Net.ipv4(src, dst, Net.TCP, ipId, 0x4000, tcp);
    }

    byte[] tcpBytes(Seg s) {
        int src = s.fromClient() ? clientPort : serverPort;
        int dst = s.fromClient() ? serverPort : clientPort;
        return Net.tcp(src, dst, s.seq(), s.ack(), s.flags(), s.payload());
    }
}
