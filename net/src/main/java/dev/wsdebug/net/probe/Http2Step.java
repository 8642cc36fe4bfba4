package dev.wsdebug.net.probe;

import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.List;

/**
 * Whether the endpoint speaks HTTP/2 and, there, WebSockets (RFC 8441): over TLS the server must
 * pick {@code h2} by ALPN, in clear text answer the prior-knowledge preface (h2c); its first
 * SETTINGS then say whether extended CONNECT is enabled. A browser that already has an HTTP/2
 * connection to the host opens the WebSocket on it when it is, so that path must work too.
 * Only the preface and one SETTINGS frame are sent, on a connection of its own.
 */
final class Http2Step {
    private static final byte[] PREFACE = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1);
    /** An empty SETTINGS frame: length 0, type 0x4, no flags, stream 0. */
    private static final byte[] EMPTY_SETTINGS = {0, 0, 0, 0x4, 0, 0, 0, 0, 0};
    private static final int TYPE_SETTINGS = 0x4;
    private static final int FLAG_ACK = 0x1;
    private static final int SETTINGS_ENABLE_CONNECT_PROTOCOL = 0x8;
    /** Frames read while waiting for the server's SETTINGS, which RFC 9113 3.4 makes its first. */
    private static final int MAX_FRAMES = 8;
    private static final int MAX_FRAME_BYTES = 1 << 16;

    private Http2Step() {
    }

    /** What the server's first SETTINGS said; {@code connectProtocol} null when there was no SETTINGS. */
    record Answer(String alpn, Boolean connectProtocol, String other) {
    }

    static void run(ProbeOptions o, InetAddress address, String host, int port, boolean tls, ProbeListener out) {
        String what = tls ? "HTTP/2 (ALPN h2)" : "HTTP/2 in clear text (h2c, prior knowledge)";
        long start = System.nanoTime();
        Answer a;
        try {
            a = ask(o, address, host, port, tls);
        } catch (IOException | GeneralSecurityException e) {
            out.check(ProbeCheck.ok("http2", what, "not offered: " + (e.getMessage() == null ? e.getClass().getSimpleName()
                    : e.getMessage()) + "; WebSockets go over HTTP/1.1", Millis.since(start)));
            return;
        }
        double ms = Millis.since(start);
        if (tls && !"h2".equals(a.alpn())) {
            out.check(ProbeCheck.ok("http2", what, "not offered (ALPN " + (a.alpn() == null || a.alpn().isEmpty() ? "none"
                    : a.alpn()) + "); WebSockets go over HTTP/1.1", ms));
        } else if (a.connectProtocol() == null) {
            out.check(ProbeCheck.ok("http2", what, "not offered (" + a.other() + "); WebSockets go over HTTP/1.1", ms));
        } else if (a.connectProtocol()) {
            out.check(ProbeCheck.ok("http2", what, "offered, with extended CONNECT (SETTINGS_ENABLE_CONNECT_PROTOCOL = 1):"
                    + " clients on HTTP/2 may open this WebSocket as a stream (wsdebug connect --http2)", ms));
        } else {
            out.check(ProbeCheck.ok("http2", what, "offered, without extended CONNECT: WebSockets to it go over a"
                    + " separate HTTP/1.1 connection", ms));
        }
    }

    static Answer ask(ProbeOptions o, InetAddress address, String host, int port, boolean tls)
            throws IOException, GeneralSecurityException {
        try (Socket plain = new Socket()) {
            plain.connect(new InetSocketAddress(address, port), o.connectTimeoutMillis);
            plain.setSoTimeout(o.connectTimeoutMillis);
            if (!tls) {
                return settings(plain, null);
            }
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, new TrustManager[] {RecordingTrustManager.create(o.ca, true)}, null);
            try (SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket(plain, host, port, false)) {
                SSLParameters p = s.getSSLParameters();
                p.setApplicationProtocols(new String[] {"h2", "http/1.1"});
                if (!HostnameMatch.isIpLiteral(host)) {
                    p.setServerNames(List.of(new SNIHostName(host)));
                }
                s.setSSLParameters(p);
                s.startHandshake();
                String alpn = s.getApplicationProtocol();
                return "h2".equals(alpn) ? settings(s, alpn) : new Answer(alpn, null, "ALPN " + alpn);
            }
        }
    }

    /** Sends the preface and an empty SETTINGS, then reads frames until the server's SETTINGS. */
    private static Answer settings(Socket s, String alpn) throws IOException {
        OutputStream w = s.getOutputStream();
        w.write(PREFACE);
        w.write(EMPTY_SETTINGS);
        w.flush();
        DataInputStream r = new DataInputStream(s.getInputStream());
        byte[] header = new byte[9];
        for (int n = 0; n < MAX_FRAMES; n++) {
            try {
                r.readFully(header);
            } catch (EOFException e) {
                return new Answer(alpn, null, "the server closed the connection");
            }
            int length = (header[0] & 0xff) << 16 | (header[1] & 0xff) << 8 | header[2] & 0xff;
            int type = header[3] & 0xff;
            if (n == 0 && (type != TYPE_SETTINGS || length > MAX_FRAME_BYTES)) {
                // not HTTP/2: an HTTP/1.1 server answers the preface with a status line
                String start = new String(header, StandardCharsets.ISO_8859_1);
                return new Answer(alpn, null, start.startsWith("HTTP/") ? "it answered in HTTP/1.x"
                        : "its answer is not an HTTP/2 frame");
            }
            if (length > MAX_FRAME_BYTES) {
                return new Answer(alpn, null, "a frame of " + length + " bytes");
            }
            byte[] payload = new byte[length];
            r.readFully(payload);
            if (type == TYPE_SETTINGS && (header[4] & FLAG_ACK) == 0) {
                boolean enabled = false;
                for (int i = 0; i + 6 <= length; i += 6) {
                    int id = (payload[i] & 0xff) << 8 | payload[i + 1] & 0xff;
                    long value = (payload[i + 2] & 0xffL) << 24 | (payload[i + 3] & 0xff) << 16
                            | (payload[i + 4] & 0xff) << 8 | payload[i + 5] & 0xff;
                    if (id == SETTINGS_ENABLE_CONNECT_PROTOCOL) {
                        enabled = value == 1;
                    }
                }
                return new Answer(alpn, enabled, "");
            }
        }
        return new Answer(alpn, null, "no SETTINGS among its first frames");
    }
}
