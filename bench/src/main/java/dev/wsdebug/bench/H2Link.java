package dev.wsdebug.bench;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http2.DefaultHttp2HeadersDecoder;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2Headers;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * The HTTP/2 transport of {@code EchoLoad --h2}: one cleartext TCP connection with prior knowledge
 * (h2c), on which every WebSocket is one stream opened by an RFC 8441 extended CONNECT
 * ({@code :method CONNECT}, {@code :protocol websocket}). The WebSocket bytes of each stream (the
 * same masked client frames EchoLoad writes to a TCP socket over HTTP/1.1) travel as DATA frames;
 * the server's DATA payloads go back to the stream's {@link Stream#data} (a {@code FrameParser}).
 *
 * <p>A deliberately small HTTP/2 client: it sends SETTINGS (no push, a 16 MiB stream window) and a
 * connection WINDOW_UPDATE to 16 MiB, acknowledges the server's SETTINGS, answers PING, and returns
 * receive window with WINDOW_UPDATE (connection and stream) once half of it is used. What it sends
 * respects the server's windows (its SETTINGS_INITIAL_WINDOW_SIZE and WINDOW_UPDATEs, the
 * connection window starting at 65,535) and its SETTINGS_MAX_FRAME_SIZE. Request headers are
 * HPACK literals without indexing with literal names (no Huffman); the server's header blocks are
 * decoded with Netty's {@link DefaultHttp2HeadersDecoder} to check {@code :status 200}. Any
 * refusal, RST_STREAM, GOAWAY or early END_STREAM is a {@link #failure()} (before the close).
 *
 * <p>Single-threaded: {@link #connect} blocks (bounded), after which the channel is non-blocking
 * and driven by the caller's selector through {@link #read} and {@link #flush}.
 */
final class H2Link {
    /** One WebSocket over one HTTP/2 stream. */
    interface Stream {
        /**
         * Bytes waiting to be sent, in write mode: the link takes them from the front and compacts
         * the buffer only once what it has taken is at least what is left (so a byte is moved at most
         * about once however small the send windows are). The stream only appends. Its capacity
         * must allow twice the most it ever holds unsent.
         */
        ByteBuffer out();

        /** The server answered the CONNECT with {@code :status 200}. */
        void opened();

        /** A DATA payload of this stream. */
        void data(byte[] buf, int off, int len);
    }

    static final byte[] PREFACE = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
    static final int DATA = 0x0, HEADERS = 0x1, RST_STREAM = 0x3, SETTINGS = 0x4, PING = 0x6, GOAWAY = 0x7,
            WINDOW_UPDATE = 0x8, CONTINUATION = 0x9;
    static final int END_STREAM = 0x1, ACK = 0x1, END_HEADERS = 0x4, PADDED = 0x8, PRIORITY = 0x20;
    static final int DEFAULT_WINDOW = 65_535;
    /** Our receive window, per stream (SETTINGS_INITIAL_WINDOW_SIZE) and for the connection. */
    static final int RECV_WINDOW = 16 << 20;
    /** Our SETTINGS_MAX_FRAME_SIZE: left at the default. */
    static final int OUR_MAX_FRAME = 16_384;

    private final String host;
    private final int port;
    private final String path;
    private final List<? extends Stream> streams;

    private SocketChannel ch;
    private final ByteBuffer in = ByteBuffer.allocate(512 * 1024);
    private final ByteBuffer out = ByteBuffer.allocateDirect(1 << 20);
    /** DATA never fills {@link #out} beyond this, so control frames always fit. */
    private final int dataLimit = out.capacity() - 64 * 1024;

    // what the server allows us to send
    private long connSendWindow = DEFAULT_WINDOW;
    private final long[] streamSendWindow;
    private long initialSendWindow = DEFAULT_WINDOW;
    private int maxFrame = 16_384;
    private boolean serverSettingsSeen;
    private boolean connectProtocol;
    private long maxConcurrentStreams = Long.MAX_VALUE;

    // what we have received and not yet given back
    private long connRecvUsed;
    private final long[] streamRecvUsed;
    /** Per stream: how far from the front of {@link Stream#out()} has been taken into DATA frames. */
    private final int[] taken;

    private final boolean[] opened;
    private int openedCount;
    private final DefaultHttp2HeadersDecoder hpack = new DefaultHttp2HeadersDecoder(true);
    private final ByteArrayOutputStream headerBlock = new ByteArrayOutputStream();
    private int headerStream = -1;
    private int headerFlags;
    private int rr;

    private boolean closing;
    private long openedAt;
    private String failure;
    /** DATA frames received and sent (diagnostics). */
    long dataIn;
    long dataOut;
    /** Flushes that left WebSocket bytes waiting because a send window (connection or stream) was used up. */
    long windowStalls;

    /** The server's SETTINGS_INITIAL_WINDOW_SIZE (after its first SETTINGS). */
    long serverInitialWindow() {
        return initialSendWindow;
    }

    int serverMaxFrame() {
        return maxFrame;
    }

    H2Link(String host, int port, String path, List<? extends Stream> streams) {
        this.host = host;
        this.port = port;
        this.path = path;
        this.streams = streams;
        this.streamSendWindow = new long[streams.size()];
        this.streamRecvUsed = new long[streams.size()];
        this.taken = new int[streams.size()];
        this.opened = new boolean[streams.size()];
    }

    SocketChannel channel() {
        return ch;
    }

    String failure() {
        return failure;
    }

    /** True when bytes are waiting in the link's own output buffer (the socket would not take them). */
    boolean hasOutput() {
        return out.position() > 0;
    }

    /**
     * Blocking and bounded by {@code timeoutMs}: connects, exchanges the preface and SETTINGS,
     * requires SETTINGS_ENABLE_CONNECT_PROTOCOL=1, opens every stream and waits for every
     * {@code :status 200}. Leaves the channel non-blocking.
     */
    void connect(int timeoutMs) throws IOException {
        long until = System.nanoTime() + timeoutMs * 1_000_000L;
        openedAt = System.nanoTime();
        ch = SocketChannel.open();
        ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
        ch.socket().connect(new InetSocketAddress(host, port), timeoutMs);
        ch.socket().setSoTimeout(timeoutMs);
        out.put(PREFACE);
        // SETTINGS: ENABLE_PUSH 0, INITIAL_WINDOW_SIZE 16 MiB
        frameHeader(12, SETTINGS, 0, 0);
        out.putShort((short) 0x2).putInt(0);
        out.putShort((short) 0x4).putInt(RECV_WINDOW);
        windowUpdate(0, RECV_WINDOW - DEFAULT_WINDOW);
        writeAllBlocking(until);
        InputStream input = ch.socket().getInputStream();
        readBlocking(input, until, () -> serverSettingsSeen, "the server's SETTINGS");
        if (!connectProtocol) {
            throw new IOException("HTTP/2: the server's SETTINGS lack SETTINGS_ENABLE_CONNECT_PROTOCOL=1 (RFC 8441)");
        }
        if (maxConcurrentStreams < streams.size()) {
            throw new IOException("HTTP/2: the server allows " + maxConcurrentStreams + " concurrent streams, "
                    + streams.size() + " wanted");
        }
        for (int i = 0; i < streams.size(); i++) {
            byte[] block = requestHeaders();
            frameHeader(block.length, HEADERS, END_HEADERS, streamId(i));
            out.put(block);
        }
        writeAllBlocking(until);
        readBlocking(input, until, () -> openedCount == streams.size(), "every stream's :status 200");
        ch.configureBlocking(false);
    }

    private static int streamId(int index) {
        return 2 * index + 1;
    }

    /** HPACK (RFC 7541 6.2.2): literal header field without indexing, new name, no Huffman. */
    private byte[] requestHeaders() {
        ByteArrayOutputStream b = new ByteArrayOutputStream(128);
        literal(b, ":method", "CONNECT");
        literal(b, ":protocol", "websocket");
        literal(b, ":scheme", "http");
        literal(b, ":path", path);
        literal(b, ":authority", host + ":" + port);
        literal(b, "sec-websocket-version", "13");
        return b.toByteArray();
    }

    private static void literal(ByteArrayOutputStream b, String name, String value) {
        b.write(0x00);
        hpackString(b, name);
        hpackString(b, value);
    }

    private static void hpackString(ByteArrayOutputStream b, String s) {
        byte[] bytes = s.getBytes(StandardCharsets.ISO_8859_1);
        int n = bytes.length;
        // 7-bit prefix integer (RFC 7541 5.1), H bit 0
        if (n < 127) {
            b.write(n);
        } else {
            b.write(127);
            n -= 127;
            while (n >= 128) {
                b.write((n & 0x7f) | 0x80);
                n >>>= 7;
            }
            b.write(n);
        }
        b.write(bytes, 0, bytes.length);
    }

    private void frameHeader(int length, int type, int flags, int stream) {
        out.put((byte) (length >>> 16)).put((byte) (length >>> 8)).put((byte) length);
        out.put((byte) type).put((byte) flags).putInt(stream & 0x7fffffff);
    }

    private void windowUpdate(int stream, long increment) {
        if (!control(13)) {
            return;
        }
        frameHeader(4, WINDOW_UPDATE, 0, stream);
        out.putInt((int) increment);
    }

    private boolean control(int bytes) {
        if (out.remaining() < bytes) {
            fail("HTTP/2 output buffer full (the socket does not take our control frames)");
            return false;
        }
        return true;
    }

    private void writeAllBlocking(long until) throws IOException {
        out.flip();
        while (out.hasRemaining()) {
            if (System.nanoTime() > until) {
                throw new IOException("HTTP/2: timed out writing");
            }
            ch.write(out);
        }
        out.clear();
    }

    private void readBlocking(InputStream input, long until, BooleanSupplier done, String what) throws IOException {
        byte[] buf = new byte[64 * 1024];
        while (!done.getAsBoolean()) {
            if (failure != null) {
                throw new IOException(failure);
            }
            if (System.nanoTime() > until) {
                throw new IOException("HTTP/2: timed out waiting for " + what);
            }
            int n;
            try {
                n = input.read(buf);
            } catch (SocketTimeoutException e) {
                throw new IOException("HTTP/2: timed out waiting for " + what);
            }
            if (n < 0) {
                throw new IOException("HTTP/2: the server closed the connection while waiting for " + what
                        + (failure != null ? " (" + failure + ")" : ""));
            }
            if (in.remaining() < n) {
                throw new IOException("HTTP/2: input buffer full");
            }
            in.put(buf, 0, n);
            process();
            writeAllBlocking(until);
        }
        if (failure != null) {
            throw new IOException(failure);
        }
    }

    /** Non-blocking read and processing of the complete frames; false when nothing was read. */
    boolean read() {
        int n;
        try {
            n = ch.read(in);
        } catch (IOException e) {
            fail("read failed: " + e.getMessage() + " " + state());
            return false;
        }
        if (n < 0) {
            if (!closing) {
                fail("the server closed the HTTP/2 connection (no GOAWAY) " + state());
            }
            return false;
        }
        if (n == 0) {
            return false;
        }
        process();
        return true;
    }

    /** For failure messages: how long the connection lived and what it carried. */
    private String state() {
        return String.format(java.util.Locale.ROOT, "(%.1f s after the preface; %d DATA frames in, %d out;"
                        + " send window: connection %d, streams %d-%d)", (System.nanoTime() - openedAt) / 1e9, dataIn, dataOut,
                connSendWindow, java.util.Arrays.stream(streamSendWindow).min().orElse(0),
                java.util.Arrays.stream(streamSendWindow).max().orElse(0));
    }

    private void fail(String why) {
        if (failure == null) {
            failure = why;
        }
    }

    /** Every complete frame in {@link #in} (write mode on entry and exit). */
    private void process() {
        in.flip();
        byte[] a = in.array();
        while (in.remaining() >= 9 && failure == null) {
            int p = in.position();
            int len = ((a[p] & 0xff) << 16) | ((a[p + 1] & 0xff) << 8) | (a[p + 2] & 0xff);
            if (len > OUR_MAX_FRAME) {
                fail("HTTP/2: a frame of " + len + " bytes, above our SETTINGS_MAX_FRAME_SIZE");
                break;
            }
            if (in.remaining() < 9 + len) {
                break;
            }
            int type = a[p + 3] & 0xff;
            int flags = a[p + 4] & 0xff;
            int stream = ((a[p + 5] & 0x7f) << 24) | ((a[p + 6] & 0xff) << 16) | ((a[p + 7] & 0xff) << 8) | (a[p + 8] & 0xff);
            in.position(p + 9 + len);
            frame(type, flags, stream, a, p + 9, len);
        }
        in.compact();
    }

    private int index(int stream) {
        if (stream <= 0 || (stream & 1) == 0 || (stream - 1) / 2 >= streams.size()) {
            return -1;
        }
        return (stream - 1) / 2;
    }

    private void frame(int type, int flags, int stream, byte[] a, int off, int len) {
        if (headerStream >= 0 && type != CONTINUATION) {
            fail("HTTP/2: a " + type + " frame inside a header block");
            return;
        }
        switch (type) {
            case DATA -> {
                int i = index(stream);
                if (i < 0) {
                    fail("HTTP/2: DATA on stream " + stream);
                    return;
                }
                int start = off;
                int end = off + len;
                if ((flags & PADDED) != 0) {
                    int pad = len > 0 ? a[off] & 0xff : 0;
                    start = off + 1;
                    end = off + len - pad;
                    if (len == 0 || end < start) {
                        fail("HTTP/2: bad padding on stream " + stream);
                        return;
                    }
                }
                dataIn++;
                if (!opened[i]) {
                    fail("HTTP/2: DATA before the response headers on stream " + stream);
                    return;
                }
                if (end > start) {
                    streams.get(i).data(a, start, end - start);
                }
                // the whole payload (padding included) counts against the windows
                connRecvUsed += len;
                streamRecvUsed[i] += len;
                if (connRecvUsed >= RECV_WINDOW / 2) {
                    windowUpdate(0, connRecvUsed);
                    connRecvUsed = 0;
                }
                if ((flags & END_STREAM) != 0) {
                    if (!closing) {
                        fail("HTTP/2: the server ended stream " + stream);
                    }
                } else if (streamRecvUsed[i] >= RECV_WINDOW / 2) {
                    windowUpdate(stream, streamRecvUsed[i]);
                    streamRecvUsed[i] = 0;
                }
            }
            case HEADERS -> {
                int start = off;
                int end = off + len;
                if ((flags & PADDED) != 0) {
                    int pad = len > 0 ? a[off] & 0xff : 0;
                    start++;
                    end -= pad;
                }
                if ((flags & PRIORITY) != 0) {
                    start += 5;
                }
                if (end < start) {
                    fail("HTTP/2: bad HEADERS on stream " + stream);
                    return;
                }
                headerBlock.reset();
                headerBlock.write(a, start, end - start);
                headerFlags = flags;
                if ((flags & END_HEADERS) != 0) {
                    headers(stream);
                } else {
                    headerStream = stream;
                }
            }
            case CONTINUATION -> {
                if (stream != headerStream) {
                    fail("HTTP/2: CONTINUATION on stream " + stream + " outside a header block");
                    return;
                }
                headerBlock.write(a, off, len);
                if ((flags & END_HEADERS) != 0) {
                    headerStream = -1;
                    headers(stream);
                }
            }
            case RST_STREAM -> {
                if (!closing) {
                    fail("HTTP/2: the server reset stream " + stream + " with error code "
                            + (len >= 4 ? readInt(a, off) : -1));
                }
            }
            case SETTINGS -> {
                if ((flags & ACK) != 0) {
                    return;
                }
                for (int k = off; k + 6 <= off + len; k += 6) {
                    int id = ((a[k] & 0xff) << 8) | (a[k + 1] & 0xff);
                    long value = readInt(a, k + 2) & 0xffffffffL;
                    switch (id) {
                        case 0x3 -> maxConcurrentStreams = value;
                        case 0x4 -> {
                            long delta = value - initialSendWindow;
                            initialSendWindow = value;
                            for (int i = 0; i < streamSendWindow.length; i++) {
                                streamSendWindow[i] += delta;
                            }
                        }
                        case 0x5 -> maxFrame = (int) value;
                        case 0x8 -> connectProtocol = value == 1;
                        default -> {
                            // header table size, push, header list size: nothing to do for us
                        }
                    }
                }
                if (!serverSettingsSeen) {
                    serverSettingsSeen = true;
                    for (int i = 0; i < streamSendWindow.length; i++) {
                        streamSendWindow[i] = initialSendWindow;
                    }
                }
                if (control(9)) {
                    frameHeader(0, SETTINGS, ACK, 0);
                }
            }
            case PING -> {
                if ((flags & ACK) == 0 && len == 8 && control(17)) {
                    frameHeader(8, PING, ACK, 0);
                    out.put(a, off, 8);
                }
            }
            case GOAWAY -> {
                if (!closing) {
                    fail("HTTP/2: GOAWAY from the server, error code " + (len >= 8 ? readInt(a, off + 4) : -1));
                }
            }
            case WINDOW_UPDATE -> {
                long inc = len >= 4 ? readInt(a, off) & 0x7fffffffL : 0;
                if (stream == 0) {
                    connSendWindow += inc;
                } else {
                    int i = index(stream);
                    if (i >= 0) {
                        streamSendWindow[i] += inc;
                    }
                }
            }
            default -> {
                // PRIORITY, PUSH_PROMISE (we disabled push), unknown types: ignored
            }
        }
    }

    private void headers(int stream) {
        int i = index(stream);
        if (i < 0) {
            fail("HTTP/2: HEADERS on stream " + stream);
            return;
        }
        Http2Headers h;
        ByteBuf block = Unpooled.wrappedBuffer(headerBlock.toByteArray());
        try {
            h = hpack.decodeHeaders(stream, block);
        } catch (Http2Exception e) {
            fail("HTTP/2: cannot decode the headers of stream " + stream + ": " + e.getMessage());
            return;
        } finally {
            block.release();
        }
        if (!opened[i]) {
            CharSequence status = h.status();
            if (status == null || !"200".contentEquals(status)) {
                fail("HTTP/2: the server refused the WebSocket on stream " + stream + ": :status " + status);
                return;
            }
            if ((headerFlags & END_STREAM) != 0) {
                fail("HTTP/2: the server answered 200 but ended stream " + stream);
                return;
            }
            opened[i] = true;
            openedCount++;
            streams.get(i).opened();
        } else if ((headerFlags & END_STREAM) != 0 && !closing) {
            fail("HTTP/2: the server ended stream " + stream + " with trailers");
        }
    }

    private static int readInt(byte[] a, int k) {
        return ((a[k] & 0xff) << 24) | ((a[k + 1] & 0xff) << 16) | ((a[k + 2] & 0xff) << 8) | (a[k + 3] & 0xff);
    }

    /**
     * Moves waiting WebSocket bytes of the streams into DATA frames as far as the server's windows,
     * its MAX_FRAME_SIZE and the output buffer allow (round robin over the streams), then writes
     * what the socket takes. Returns true when bytes were written.
     */
    boolean flush() {
        int n = streams.size();
        boolean progress = true;
        while (progress && connSendWindow > 0 && out.position() + 9 < dataLimit) {
            progress = false;
            for (int k = 0; k < n; k++) {
                int i = (rr + k) % n;
                ByteBuffer src = streams.get(i).out();
                int pending = src.position() - taken[i];
                if (pending == 0 || streamSendWindow[i] <= 0) {
                    continue;
                }
                long room = dataLimit - out.position() - 9;
                int chunk = (int) Math.min(Math.min(pending, maxFrame),
                        Math.min(Math.min(connSendWindow, streamSendWindow[i]), room));
                if (chunk <= 0) {
                    break;
                }
                frameHeader(chunk, DATA, 0, streamId(i));
                out.put(out.position(), src, taken[i], chunk);
                out.position(out.position() + chunk);
                taken[i] += chunk;
                if (taken[i] == src.position()) {
                    src.clear();
                    taken[i] = 0;
                } else if (taken[i] >= src.position() - taken[i]) {
                    src.limit(src.position()).position(taken[i]);
                    src.compact();
                    taken[i] = 0;
                }
                connSendWindow -= chunk;
                streamSendWindow[i] -= chunk;
                dataOut++;
                progress = true;
            }
            rr = (rr + 1) % n;
        }
        if (out.position() + 9 < dataLimit) {
            for (int i = 0; i < n; i++) {
                if (streams.get(i).out().position() > taken[i] && (connSendWindow <= 0 || streamSendWindow[i] <= 0)) {
                    windowStalls++;
                    break;
                }
            }
        }
        if (out.position() == 0) {
            return false;
        }
        out.flip();
        boolean wrote = false;
        try {
            wrote = ch.write(out) > 0;
        } catch (IOException e) {
            fail("write failed: " + e.getMessage());
        }
        out.compact();
        return wrote;
    }

    /**
     * After the streams have queued their close frames: sends them and reads (blocking, until
     * {@code untilNs}) until {@code done}; then the connection is closed by the caller. Errors of
     * the server's side of the shutdown (RST_STREAM, GOAWAY, EOF) are no longer failures.
     */
    void closeAll(long untilNs, BooleanSupplier done) {
        closing = true;
        // the streams have replaced what they had waiting with their close frames
        java.util.Arrays.fill(taken, 0);
        try {
            ch.configureBlocking(true);
            int ms = (int) Math.max(1, (untilNs - System.nanoTime()) / 1_000_000L);
            ch.socket().setSoTimeout(ms);
            InputStream input = ch.socket().getInputStream();
            byte[] buf = new byte[64 * 1024];
            while (System.nanoTime() < untilNs) {
                flush();
                if (done.getAsBoolean() || failure != null) {
                    break;
                }
                int r = input.read(buf);
                if (r < 0 || in.remaining() < r) {
                    break;
                }
                in.put(buf, 0, r);
                process();
            }
            // GOAWAY (NO_ERROR, last stream 0: we accept no streams)
            out.clear();
            frameHeader(8, GOAWAY, 0, 0);
            out.putInt(0).putInt(0);
            writeAllBlocking(untilNs + 100_000_000L);
            // half-close and read to the server's end (bounded), so that closing does not reset
            // the connection over unread bytes
            ch.shutdownOutput();
            ch.socket().setSoTimeout(500);
            long eofBy = System.nanoTime() + 500_000_000L;
            while (System.nanoTime() < eofBy && input.read(buf) >= 0) {
                // discarded
            }
        } catch (IOException | RuntimeException e) {
            // the server may hang up first: nothing to report once measured
        }
    }
}
