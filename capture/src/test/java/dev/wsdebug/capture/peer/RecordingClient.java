package dev.wsdebug.capture.peer;

import dev.wsdebug.wire.Direction;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;

/**
 * A deliberately small WebSocket client over a plain socket to 127.0.0.1 that records every byte
 * it writes (c2s) and reads (s2c), in the order and the chunks they crossed the socket, each with a
 * timestamp.
 *
 * <p>It frames nothing itself: callers hand it encoded frames. Reading is just enough RFC 6455 to
 * know where the peer's frames end (header fields, lengths), written here independently of the
 * decoder under test; it neither unmasks, inflates nor validates anything.
 */
public final class RecordingClient implements AutoCloseable {
    /** Bound on every connect and read. */
    public static final int TIMEOUT_MILLIS = 5_000;
    private static final int MAX_HEAD = 16 * 1024;
    private static final int MAX_FRAME = 16 * 1024 * 1024;

    /** Bytes that crossed the socket in one read or write call. */
    public record Chunk(Direction dir, long timeMicros, byte[] bytes) {
    }

    /** The response head as read off the wire. */
    public record Response(String statusLine, List<String[]> headers, String raw) {
        public int status() {
            String[] parts = statusLine.split(" ", 3);
            return parts.length >= 2 && parts[1].matches("\\d{3}") ? Integer.parseInt(parts[1]) : -1;
        }

        /** The first header with this name (case-insensitive), or null. */
        public String header(String name) {
            for (String[] h : headers) {
                if (h[0].equalsIgnoreCase(name)) {
                    return h[1];
                }
            }
            return null;
        }
    }

    /** One frame the peer sent, header fields and (unmasked, as sent by a server) payload. */
    public record ReceivedFrame(boolean fin, boolean rsv1, int opcode, boolean masked, byte[] payload) {
    }

    private final Socket socket;
    private final List<Chunk> chunks = new ArrayList<>();
    private final OutputStream out;
    private final DataInputStream in;
    private long lastMicros;
    private boolean eof;

    private RecordingClient(Socket socket) throws IOException {
        this.socket = socket;
        this.out = socket.getOutputStream();
        this.in = new DataInputStream(new BufferedInputStream(new Recorder(socket.getInputStream()), 64 * 1024));
    }

    /** Connects to 127.0.0.1 on this port, every read bounded by {@link #TIMEOUT_MILLIS}. */
    public static RecordingClient connect(int port) throws IOException {
        Socket s = new Socket();
        try {
            s.setTcpNoDelay(true);
            s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), TIMEOUT_MILLIS);
            s.setSoTimeout(TIMEOUT_MILLIS);
            return new RecordingClient(s);
        } catch (IOException | RuntimeException e) {
            s.close();
            throw e;
        }
    }

    /** A fresh Sec-WebSocket-Key: 16 random bytes in base64. */
    public static String newKey() {
        byte[] nonce = new byte[16];
        new SecureRandom().nextBytes(nonce);
        return Base64.getEncoder().encodeToString(nonce);
    }

    /**
     * Writes an upgrade request for {@code path} (with this key and, unless null, this
     * Sec-WebSocket-Extensions offer) and reads the response head.
     */
    public Response handshake(String path, String key, String extensionsOffer) throws IOException {
        String host = "127.0.0.1:" + socket.getPort();
        StringBuilder req = new StringBuilder()
                .append("GET ").append(path).append(" HTTP/1.1\r\n")
                .append("Host: ").append(host).append("\r\n")
                .append("Upgrade: websocket\r\n")
                .append("Connection: Upgrade\r\n")
                .append("Sec-WebSocket-Key: ").append(key).append("\r\n")
                .append("Sec-WebSocket-Version: 13\r\n");
        if (extensionsOffer != null) {
            req.append("Sec-WebSocket-Extensions: ").append(extensionsOffer).append("\r\n");
        }
        req.append("User-Agent: wsdebug-interop-test\r\n\r\n");
        write(req.toString().getBytes(StandardCharsets.ISO_8859_1));
        return readHead();
    }

    private Response readHead() throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        while (matched < 4) {
            if (head.size() >= MAX_HEAD) {
                throw new IOException("response head longer than " + MAX_HEAD + " bytes");
            }
            int b = in.read();
            if (b < 0) {
                throw new EOFException("connection closed inside the response head: "
                        + head.toString(StandardCharsets.ISO_8859_1));
            }
            head.write(b);
            matched = (b == (matched % 2 == 0 ? '\r' : '\n')) ? matched + 1 : (b == '\r' ? 1 : 0);
        }
        String raw = head.toString(StandardCharsets.ISO_8859_1);
        String[] lines = raw.split("\r\n");
        List<String[]> headers = new ArrayList<>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            if (colon > 0) {
                headers.add(new String[] {lines[i].substring(0, colon).trim(), lines[i].substring(colon + 1).trim()});
            }
        }
        return new Response(lines[0], headers, raw);
    }

    /** Writes these bytes in one call and records them as c2s. */
    public void write(byte[] bytes) throws IOException {
        record(Direction.C2S, bytes, 0, bytes.length);
        out.write(bytes);
        out.flush();
    }

    /** Reads the peer's next frame (bounded by the socket timeout). */
    public ReceivedFrame readFrame() throws IOException {
        int b0 = in.readUnsignedByte();
        int b1 = in.readUnsignedByte();
        long len = b1 & 0x7F;
        if (len == 126) {
            len = in.readUnsignedShort();
        } else if (len == 127) {
            len = in.readLong();
        }
        if (len < 0 || len > MAX_FRAME) {
            throw new IOException("peer frame of " + len + " bytes is beyond this client's limit");
        }
        boolean masked = (b1 & 0x80) != 0;
        byte[] key = new byte[4];
        if (masked) {
            in.readFully(key);
        }
        byte[] payload = new byte[(int) len];
        in.readFully(payload);
        if (masked) {
            for (int i = 0; i < payload.length; i++) {
                payload[i] ^= key[i & 3];
            }
        }
        return new ReceivedFrame((b0 & 0x80) != 0, (b0 & 0x40) != 0, b0 & 0x0F, masked, payload);
    }

    /**
     * Reads until the peer closes the connection or {@code millis} pass; true when it closed.
     * What arrives is recorded like everything else.
     */
    public boolean readUntilEof(long millis) throws IOException {
        long deadline = System.nanoTime() + millis * 1_000_000L;
        byte[] buf = new byte[8192];
        while (!eof && System.nanoTime() < deadline) {
            try {
                if (in.read(buf) < 0) {
                    break;
                }
            } catch (SocketTimeoutException e) {
                return false;
            }
        }
        return eof;
    }

    /** Everything recorded so far, in the order it happened. */
    public synchronized List<Chunk> recording() {
        return List.copyOf(chunks);
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }

    private synchronized void record(Direction dir, byte[] b, int off, int len) {
        long now = ChronoUnit.MICROS.between(Instant.EPOCH, Instant.now());
        lastMicros = Math.max(lastMicros, now);
        byte[] copy = new byte[len];
        System.arraycopy(b, off, copy, 0, len);
        chunks.add(new Chunk(dir, lastMicros, copy));
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "RecordingClient[127.0.0.1:%d, %d chunks]", socket.getPort(), chunks.size());
    }

    /** Records every chunk read from the socket as s2c, exactly as the socket returned it. */
    private final class Recorder extends InputStream {
        private final InputStream socketIn;

        Recorder(InputStream socketIn) {
            this.socketIn = socketIn;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xFF;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = socketIn.read(b, off, len);
            if (n < 0) {
                eof = true;
            } else if (n > 0) {
                record(Direction.S2C, b, off, n);
            }
            return n;
        }
    }
}
