package dev.wsdebug.capture.export;

import dev.wsdebug.capture.CloseEvent;
import dev.wsdebug.capture.ErrorEvent;
import dev.wsdebug.capture.Event;
import dev.wsdebug.capture.EventSink;
import dev.wsdebug.capture.FlowEvent;
import dev.wsdebug.capture.HandshakeEvent;
import dev.wsdebug.capture.export.Packets.Endpoint;
import dev.wsdebug.capture.export.Packets.Segment;
import dev.wsdebug.wire.Direction;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Writes what the conversations saw as a pcapng file that Wireshark and tshark open: one
 * Ethernet interface with microsecond timestamps, and for each connection a synthesized TCP
 * connection (SYN, SYN-ACK, ACK at its first chunk; every raw chunk as data segments, PSH on the
 * last; FIN from the server, FIN from the client and the last ACK at its close event or at
 * {@link #close}) carrying exactly the plaintext bytes fed to the {@code Conversation}. IPv4
 * header and TCP checksums (with the pseudo-header) are correct, so checksum validation passes.
 *
 * <p><b>Addresses.</b> Chunks reach the sink before the handshake event that carries the real
 * addresses, so a connection's packets are held back until its first event other than an error
 * or a flow fact (normally the handshake), at most {@value #MAX_HELD} bytes, or the end. The real client and
 * server addresses are used when both are IP literals of the same family and their four-tuple is
 * not in use by another open connection of the file; otherwise the client is {@code 127.0.0.1}
 * (or {@code ::1}) on an ephemeral port distinct per connection, and the server is
 * {@code 127.0.0.2} (or {@code ::2}) on its real port: from the server address, else the URL's
 * (80 for {@code ws}, 443 for {@code wss} without one). A source that knows the addresses before
 * the first chunk can call {@link #endpoints} and nothing is held back. Connections therefore
 * appear in the file in the order they were resolved, each one's packets in order, timestamped
 * with the chunks' times.
 *
 * <p><b>Ports.</b> Wireshark finds WebSocket through the HTTP Upgrade, whatever the port, once
 * HTTP dissects the connection: always on its HTTP ports (80, 8080, ...), and on most other
 * ports (443 included) through its HTTP heuristic when the request line arrived in one chunk.
 * A few ports belong to dissectors that claim any payload (1883 MQTT, 5432 PostgreSQL, 6379
 * Redis, ...): use Decode As HTTP there, or {@link #serverPort} to show every server on port 80.
 *
 * <p>Each connection's SYN carries a packet comment {@code wsdebug conn ID}. Segments are at
 * most {@code mss} bytes (default {@value #DEFAULT_MSS}, loopback-sized, so a packet never
 * exceeds 65535 bytes of IP); window scaling is negotiated and a receiver acknowledges at least
 * every {@value #ACK_EVERY} bytes, so Wireshark's TCP analysis sees no full window. Not
 * thread-safe: wrap it in a {@code SynchronizedSink} for several feeding threads.
 */
public final class PcapngWriter implements EventSink {
    /** Largest TCP payload in one IPv4 packet (65535 - 20 - 20), as on a loopback interface. */
    public static final int DEFAULT_MSS = 65_495;
    /** Bytes of one connection held back while waiting for its handshake. */
    static final int MAX_HELD = 1 << 20;
    /** A receiver acknowledges when this many bytes are unacknowledged. */
    static final int ACK_EVERY = 1 << 20;
    private static final int WINDOW_SHIFT = 14;
    private static final int WINDOW = 0xFFFF;
    private static final int EPHEMERAL_FIRST = 49_152;
    private static final int EPHEMERAL_COUNT = 16_384;
    private static final byte[] CLIENT_MAC = {0x02, 0, 0, 0, 0, 0x01};
    private static final byte[] SERVER_MAC = {0x02, 0, 0, 0, 0, 0x02};
    private static final Pattern IPV4 = Pattern.compile("(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})");
    private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]+");

    private final OutputStream out;
    private final boolean ownsOut;
    private final PcapngBlocks blocks;
    private final int mss;
    private final Map<String, Stream> streams = new LinkedHashMap<>();
    private final Set<String> tuplesInUse = new HashSet<>();
    private int allocated;
    private int forcedServerPort;
    private boolean closed;

    /** Writes to {@code out} with the default segment size; {@link #close} flushes but does not close it. */
    public PcapngWriter(OutputStream out) {
        this(out, DEFAULT_MSS);
    }

    /**
     * @param mss the largest TCP payload per packet; clamped to what one IP packet holds
     */
    public PcapngWriter(OutputStream out, int mss) {
        this(out, mss, false);
    }

    private PcapngWriter(OutputStream out, int mss, boolean ownsOut) {
        if (mss < 1) {
            throw new IllegalArgumentException("mss must be positive");
        }
        this.out = out instanceof BufferedOutputStream ? out : new BufferedOutputStream(out, 1 << 16);
        this.ownsOut = ownsOut;
        this.blocks = new PcapngBlocks(this.out);
        this.mss = mss;
        try {
            blocks.header("wsdebug");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Creates (or replaces) {@code file}; {@link #close} closes it. */
    public static PcapngWriter create(Path file) throws IOException {
        return new PcapngWriter(Files.newOutputStream(file), DEFAULT_MSS, true);
    }

    /**
     * Tells the addresses of a connection before its first chunk (host:port or [v6]:port, either
     * may be null), so that its packets need not wait for the handshake event.
     */
    public void endpoints(String conn, String client, String server) {
        Stream s = streams.computeIfAbsent(conn, Stream::new);
        if (!s.started) {
            s.client = client;
            s.server = server;
            s.known = true;
        }
    }

    /**
     * Shows every server on this port instead of its real one; 0, the default, keeps the real
     * port. Port 80 makes Wireshark dissect every connection as HTTP (see Ports above).
     */
    public PcapngWriter serverPort(int port) {
        if (port < 0 || port > 0xFFFF) {
            throw new IllegalArgumentException("port must be 0-65535");
        }
        this.forcedServerPort = port;
        return this;
    }

    @Override
    public void chunk(String conn, Direction dir, long timeMicros, byte[] b, int off, int len) {
        if (closed || len <= 0) {
            return;
        }
        Stream s = streams.computeIfAbsent(conn, Stream::new);
        if (s.started) {
            s.data(dir, timeMicros, b, off, len);
            return;
        }
        s.hold(dir, timeMicros, b, off, len);
        if (s.known || s.heldBytes > MAX_HELD) {
            s.start();
        }
    }

    @Override
    public void accept(Event event) {
        // a flow fact is about the original transport, not the TCP this file synthesizes: it writes
        // nothing, and must not start a stream before its handshake has told the addresses
        if (closed || event.conn() == null || event instanceof FlowEvent) {
            return;
        }
        Stream s = streams.get(event.conn());
        if (s == null || (!s.started && s.held.isEmpty())) {
            return; // nothing of this connection crossed the wire (or it has ended)
        }
        if (!s.started) {
            if (event instanceof ErrorEvent) {
                return; // at the end, the error "no response" comes just before the handshake event
            }
            if (event instanceof HandshakeEvent h) {
                s.client = h.client() != null ? h.client() : s.client;
                s.server = h.server() != null ? h.server() : s.server;
                s.url = h.url();
            }
            s.start();
        }
        if (event instanceof CloseEvent c) {
            s.finish(c.timeMicros());
        }
    }

    @Override
    public void flush() {
        try {
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Ends every connection still open with FINs, then flushes (and closes a file it created). */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        for (Stream s : new ArrayList<>(streams.values())) {
            if (!s.started && s.held.isEmpty()) {
                continue; // endpoints given, but no byte ever came
            }
            s.start();
            s.finish(s.lastTime);
        }
        streams.clear();
        closed = true;
        try {
            out.flush();
            if (ownsOut) {
                out.close();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void write(long timeMicros, byte[] frame, String comment) {
        try {
            blocks.packet(timeMicros, frame, comment);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A chunk held until the connection's addresses are known. */
    private record Held(Direction dir, long timeMicros, byte[] bytes) {
    }

    /** One direction of a synthesized TCP connection. */
    private static final class Half {
        Endpoint end;
        int nextSeq;
        /** The highest sequence number the other end has acknowledged. */
        int acked;
        int ipId;
    }

    /** One connection's TCP state. */
    private final class Stream {
        final String conn;
        final Half c = new Half();
        final Half s = new Half();
        final List<Held> held = new ArrayList<>();
        String client;
        String server;
        String url;
        boolean known;
        boolean started;
        long heldBytes;
        long lastTime;
        String tuple;
        int segmentMax;

        Stream(String conn) {
            this.conn = conn;
        }

        void hold(Direction dir, long t, byte[] b, int off, int len) {
            byte[] copy = new byte[len];
            System.arraycopy(b, off, copy, 0, len);
            held.add(new Held(dir, t, copy));
            heldBytes += len;
        }

        /** Chooses the addresses, writes the three-way handshake and what was held. */
        void start() {
            if (started) {
                return;
            }
            started = true;
            int index = addresses();
            long t = held.isEmpty() ? lastTime : held.get(0).timeMicros();
            c.nextSeq = 0x1000_0000 + index * 0x0101_0101;
            s.nextSeq = 0x6000_0000 + index * 0x0102_0301;
            c.ipId = (index * 7919) & 0xFFFF;
            s.ipId = (index * 104_729 + 1) & 0xFFFF;
            byte[] synOptions = synOptions();
            String comment = "wsdebug conn " + conn;
            lastTime = t;
            packet(c, s, new Segment(c.nextSeq, 0, Packets.SYN, WINDOW, synOptions), null, 0, 0, comment);
            c.nextSeq++;
            packet(s, c, new Segment(s.nextSeq, c.nextSeq, Packets.SYN | Packets.ACK, WINDOW, synOptions),
                    null, 0, 0, null);
            s.nextSeq++;
            c.acked = c.nextSeq;
            packet(c, s, new Segment(c.nextSeq, s.nextSeq, Packets.ACK, WINDOW, null), null, 0, 0, null);
            s.acked = s.nextSeq;
            for (Held h : held) {
                data(h.dir(), h.timeMicros(), h.bytes(), 0, h.bytes().length);
            }
            held.clear();
            heldBytes = 0;
        }

        private byte[] synOptions() {
            int m = Math.min(segmentMax, 0xFFFF);
            // MSS (kind 2), NOP, window scale (kind 3)
            return new byte[] {2, 4, (byte) (m >>> 8), (byte) m, 1, 3, 3, WINDOW_SHIFT};
        }

        /** One chunk as segments of at most the segment size, PSH on the last. */
        void data(Direction dir, long t, byte[] b, int off, int len) {
            Half from = dir == Direction.C2S ? c : s;
            Half to = dir == Direction.C2S ? s : c;
            t = Math.max(t, lastTime);
            lastTime = t;
            int pos = off;
            int end = off + len;
            while (pos < end) {
                int n = Math.min(segmentMax, end - pos);
                if ((from.nextSeq - from.acked) + (long) n > ACK_EVERY) {
                    packet(to, from, new Segment(to.nextSeq, from.nextSeq, Packets.ACK, WINDOW, null), null, 0, 0, null);
                    from.acked = from.nextSeq;
                }
                int flags = Packets.ACK | (pos + n == end ? Packets.PSH : 0);
                packet(from, to, new Segment(from.nextSeq, to.nextSeq, flags, WINDOW, null), b, pos, n, null);
                to.acked = to.nextSeq;
                from.nextSeq += n;
                pos += n;
            }
        }

        /** FIN from the server, FIN from the client, the last ACK; the connection is forgotten. */
        void finish(long t) {
            if (!started) {
                start();
            }
            lastTime = Math.max(t, lastTime);
            packet(s, c, new Segment(s.nextSeq, c.nextSeq, Packets.FIN | Packets.ACK, WINDOW, null), null, 0, 0, null);
            s.nextSeq++;
            packet(c, s, new Segment(c.nextSeq, s.nextSeq, Packets.FIN | Packets.ACK, WINDOW, null), null, 0, 0, null);
            c.nextSeq++;
            packet(s, c, new Segment(s.nextSeq, c.nextSeq, Packets.ACK, WINDOW, null), null, 0, 0, null);
            streams.remove(conn);
            tuplesInUse.remove(tuple);
        }

        private void packet(Half from, Half to, Segment seg, byte[] b, int off, int len, String comment) {
            int id = from.ipId++;
            byte[] frame = Packets.frame(from.end, to.end, id, seg, b == null ? new byte[0] : b, off, len);
            write(lastTime, frame, comment);
        }

        /** Real addresses when usable, else loopback ones (see the class comment); returns the stream's index. */
        private int addresses() {
            HostPort cl = HostPort.parse(client);
            HostPort sv = HostPort.parse(server);
            int serverPort = forcedServerPort > 0 ? forcedServerPort
                    : sv != null && sv.port() > 0 ? sv.port() : urlPort(url);
            byte[] cip = cl == null ? null : cl.ip();
            byte[] sip = sv == null ? null : sv.ip();
            boolean v6;
            if (cip != null && sip != null && cip.length != sip.length) {
                cip = null; // different families: synthesize both
                sip = null;
            }
            v6 = (cip != null && cip.length == 16) || (sip != null && sip.length == 16);
            if (sip == null) {
                sip = v6 ? v6Loopback(2) : new byte[] {127, 0, 0, 2};
            }
            int clientPort = cl != null && cip != null && cl.port() > 0 ? cl.port() : -1;
            int index = allocated++;
            if (cip == null || clientPort < 0 || tuplesInUse.contains(tupleKey(cip, clientPort, sip, serverPort))) {
                // a fresh loopback client, distinct from every open connection's
                for (int n = index; ; n++) {
                    cip = v6 ? v6Loopback(1) : new byte[] {127, 0, (byte) (n / EPHEMERAL_COUNT / 256), (byte) (1 + n / EPHEMERAL_COUNT % 255)};
                    clientPort = EPHEMERAL_FIRST + n % EPHEMERAL_COUNT;
                    if (!tuplesInUse.contains(tupleKey(cip, clientPort, sip, serverPort))) {
                        break;
                    }
                }
            }
            tuple = tupleKey(cip, clientPort, sip, serverPort);
            tuplesInUse.add(tuple);
            c.end = new Endpoint(cip, clientPort, CLIENT_MAC);
            s.end = new Endpoint(sip, serverPort, SERVER_MAC);
            int ipMax = v6 ? 0xFFFF - Packets.TCP_HEADER
                    : 0xFFFF - Packets.IPV4_HEADER - Packets.TCP_HEADER;
            segmentMax = Math.min(mss, ipMax);
            return index;
        }
    }

    private static String tupleKey(byte[] cip, int cport, byte[] sip, int sport) {
        return HexFormat.of().formatHex(cip) + ":" + cport + "-" + HexFormat.of().formatHex(sip)
                + ":" + sport;
    }

    private static byte[] v6Loopback(int last) {
        byte[] a = new byte[16];
        a[15] = (byte) last;
        return a;
    }

    /** The port of a ws:// or wss:// URL: explicit, or the scheme's default (80 when unknown). */
    static int urlPort(String url) {
        if (url != null) {
            try {
                URI u = new URI(url);
                if (u.getPort() > 0) {
                    return u.getPort();
                }
                if ("wss".equalsIgnoreCase(u.getScheme()) || "https".equalsIgnoreCase(u.getScheme())) {
                    return 443;
                }
            } catch (java.net.URISyntaxException e) {
                // fall through to the default
            }
        }
        return 80;
    }

    /** host:port or [v6]:port; ip is null when the host is a name rather than an IP literal. */
    record HostPort(byte[] ip, int port) {
        static HostPort parse(String s) {
            if (s == null || s.isEmpty()) {
                return null;
            }
            String host;
            String port = null;
            if (s.startsWith("[")) {
                int close = s.indexOf(']');
                if (close < 0) {
                    return null;
                }
                host = s.substring(1, close);
                if (s.startsWith(":", close + 1)) {
                    port = s.substring(close + 2);
                }
            } else {
                int colon = s.lastIndexOf(':');
                if (colon >= 0 && s.indexOf(':') == colon) {
                    host = s.substring(0, colon);
                    port = s.substring(colon + 1);
                } else {
                    host = s; // no port, or a bare IPv6 address
                }
            }
            int p = -1;
            if (port != null) {
                try {
                    p = Integer.parseInt(port);
                } catch (NumberFormatException e) {
                    p = -1;
                }
                if (p < 1 || p > 0xFFFF) {
                    p = -1;
                }
            }
            return new HostPort(literal(host), p);
        }

        /** The address of an IP literal, never looking up a name. */
        private static byte[] literal(String host) {
            Matcher m = IPV4.matcher(host);
            if (m.matches()) {
                byte[] a = new byte[4];
                for (int i = 0; i < 4; i++) {
                    int v = Integer.parseInt(m.group(i + 1));
                    if (v > 255) {
                        return null;
                    }
                    a[i] = (byte) v;
                }
                return a;
            }
            int scope = host.indexOf('%');
            String h = scope >= 0 ? host.substring(0, scope) : host;
            if (h.contains(":") && IPV6.matcher(h).matches()) {
                try {
                    byte[] a = InetAddress.getByName(h).getAddress(); // a literal: no lookup
                    return a;
                } catch (IOException e) {
                    return null;
                }
            }
            return null;
        }
    }
}
