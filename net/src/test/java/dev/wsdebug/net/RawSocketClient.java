package dev.wsdebug.net;

import dev.wsdebug.wire.FrameSpec;
import dev.wsdebug.wire.FrameWriter;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * A WebSocket client by hand over a plain socket to 127.0.0.1, for the RFC 6455 tests of the
 * server: the upgrade request is written as text, frames are encoded with wire's FrameWriter (so
 * they can be as broken as a test wants), and the server's frames are read with a small reader of
 * its own. Every read is bounded.
 */
final class RawSocketClient implements AutoCloseable {
    static final int TIMEOUT_MILLIS = 5_000;
    private static final int MAX_HEAD = 16 * 1024;
    private static final String GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

    /** A frame the server sent. */
    record ReadFrame(boolean fin, boolean rsv1, boolean rsv2, boolean rsv3, int opcode, boolean masked, byte[] payload) {
        int closeCode() {
            return payload.length >= 2 ? ((payload[0] & 0xFF) << 8) | (payload[1] & 0xFF) : -1;
        }

        String closeReason() {
            return payload.length >= 2 ? new String(payload, 2, payload.length - 2, StandardCharsets.UTF_8) : "";
        }
    }

    private final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;
    private final FrameWriter writer = new FrameWriter();
    final String key;

    private RawSocketClient(int port) throws IOException {
        this(port, 0);
    }

    /** @param receiveBuffer SO_RCVBUF before connecting (small for a client that does not read); 0 default */
    private RawSocketClient(int port, int receiveBuffer) throws IOException {
        socket = new Socket();
        if (receiveBuffer > 0) {
            socket.setReceiveBufferSize(receiveBuffer);
        }
        socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), TIMEOUT_MILLIS);
        socket.setSoTimeout(TIMEOUT_MILLIS);
        in = new DataInputStream(new BufferedInputStream(socket.getInputStream()));
        out = socket.getOutputStream();
        byte[] k = new byte[16];
        new SecureRandom().nextBytes(k);
        key = Base64.getEncoder().encodeToString(k);
    }

    static RawSocketClient connect(int port) throws IOException {
        return new RawSocketClient(port);
    }

    /** Connects with a small receive buffer: for a client that stops reading. */
    static RawSocketClient connectWithReceiveBuffer(int port, int bytes) throws IOException {
        return new RawSocketClient(port, bytes);
    }

    /** A valid upgrade request for / with this client's key. */
    String upgradeRequest(int port) {
        return upgradeRequest(port, "");
    }

    /** A valid upgrade request for / with this client's key and extra header lines (each ending in CRLF). */
    String upgradeRequest(int port, String extraHeaders) {
        return "GET / HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Key: " + key + "\r\nSec-WebSocket-Version: 13\r\n" + extraHeaders + "\r\n";
    }

    Socket socket() {
        return socket;
    }

    /**
     * Writes the bytes {@code times} times in the background without reading anything (a client that
     * does not read its echoes); the future ends when all are written. {@code sent} counts what went out.
     */
    java.util.concurrent.CompletableFuture<Void> writeWithoutReading(byte[] bytes, int times,
                                                                      java.util.concurrent.atomic.AtomicLong sent) {
        return java.util.concurrent.CompletableFuture.runAsync(() -> {
            try {
                for (int i = 0; i < times; i++) {
                    out.write(bytes);
                    sent.addAndGet(bytes.length);
                }
                out.flush();
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
    }

    /** Reads and counts bytes until {@code expected} have come or the stream ends (10 s per read at most). */
    long drain(long expected) throws IOException {
        socket.setSoTimeout(10_000);
        byte[] buf = new byte[64 * 1024];
        long got = 0;
        while (got < expected) {
            int n = in.read(buf, 0, (int) Math.min(buf.length, expected - got));
            if (n < 0) {
                break;
            }
            got += n;
        }
        socket.setSoTimeout(TIMEOUT_MILLIS);
        return got;
    }

    FrameWriter writer() {
        return writer;
    }

    /** Connects and completes a valid upgrade, checking the 101 and the accept value itself. */
    static RawSocketClient upgraded(int port) throws Exception {
        RawSocketClient c = connect(port);
        try {
            c.write(c.upgradeRequest(port).getBytes(StandardCharsets.ISO_8859_1));
            String head = c.readHead();
            if (!head.startsWith("HTTP/1.1 101 ")) {
                throw new AssertionError("the server did not switch protocols:\n" + head);
            }
            String expected = acceptFor(c.key);
            if (!head.contains("\r\nSec-WebSocket-Accept: " + expected + "\r\n")) {
                throw new AssertionError("the response lacks Sec-WebSocket-Accept: " + expected + ":\n" + head);
            }
            return c;
        } catch (Exception | Error e) {
            c.close();
            throw e;
        }
    }

    /** RFC 6455 4.2.2: base64(SHA-1(key + GUID)), computed here independently of wire's Handshake. */
    static String acceptFor(String key) throws Exception {
        byte[] sha1 = MessageDigest.getInstance("SHA-1").digest((key + GUID).getBytes(StandardCharsets.ISO_8859_1));
        return Base64.getEncoder().encodeToString(sha1);
    }

    void write(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    /** The frame exactly as specified (masked only if the spec says so). */
    void send(FrameSpec spec) throws IOException {
        write(writer.encode(spec));
    }

    /** The frame masked with a random key, as a client must. */
    void sendMasked(FrameSpec spec) throws IOException {
        send(spec.withMask(writer.randomMaskKey()));
    }

    /** Reads an HTTP head up to and including the blank line. */
    String readHead() throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int matched = 0;
        while (b.size() < MAX_HEAD) {
            int c = in.read();
            if (c < 0) {
                throw new EOFException("the connection ended inside the HTTP head: " + b.toString(StandardCharsets.ISO_8859_1));
            }
            b.write(c);
            matched = (c == (matched % 2 == 0 ? '\r' : '\n')) ? matched + 1 : (c == '\r' ? 1 : 0);
            if (matched == 4) {
                return b.toString(StandardCharsets.ISO_8859_1);
            }
        }
        throw new IOException("HTTP head longer than " + MAX_HEAD + " bytes");
    }

    /** Reads exactly n bytes (an HTTP body). */
    byte[] readBytes(int n) throws IOException {
        byte[] b = new byte[n];
        in.readFully(b);
        return b;
    }

    /** Reads one frame; the payload is unmasked if the server (wrongly) masked it. */
    ReadFrame readFrame() throws IOException {
        int b0 = in.readUnsignedByte();
        int b1 = in.readUnsignedByte();
        boolean masked = (b1 & 0x80) != 0;
        long len = b1 & 0x7F;
        if (len == 126) {
            len = in.readUnsignedShort();
        } else if (len == 127) {
            len = in.readLong();
        }
        if (len < 0 || len > 64L * 1024 * 1024) {
            throw new IOException("frame length " + len + " out of range for a test");
        }
        byte[] mask = new byte[4];
        if (masked) {
            in.readFully(mask);
        }
        byte[] payload = new byte[(int) len];
        in.readFully(payload);
        if (masked) {
            for (int i = 0; i < payload.length; i++) {
                payload[i] ^= mask[i % 4];
            }
        }
        return new ReadFrame((b0 & 0x80) != 0, (b0 & 0x40) != 0, (b0 & 0x20) != 0, (b0 & 0x10) != 0, b0 & 0x0F,
                masked, payload);
    }

    /**
     * Whether the server closes the TCP connection (EOF or reset) within the timeout, with no
     * further bytes before it.
     */
    boolean closedByServer(int timeoutMillis) throws IOException {
        socket.setSoTimeout(timeoutMillis);
        try {
            int b = in.read();
            if (b >= 0) {
                throw new AssertionError("the server sent more bytes (0x" + Integer.toHexString(b) + ") instead of closing");
            }
            return true;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (SocketException e) {
            return true; // reset
        } finally {
            socket.setSoTimeout(TIMEOUT_MILLIS);
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
