package dev.wsdebug.sniff.http2;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersEncoder;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2HeadersEncoder;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;

/**
 * HTTP/2 frames written by hand for tests (RFC 9113 4.1: 24-bit length, type, flags, 31-bit
 * stream), field blocks HPACK-encoded by Netty's encoder — one per direction, as a peer keeps it.
 */
public final class H2Frames {
    public static final int DATA = 0x0;
    public static final int HEADERS = 0x1;
    public static final int RST_STREAM = 0x3;
    public static final int SETTINGS = 0x4;
    public static final int PUSH_PROMISE = 0x5;
    public static final int PING = 0x6;
    public static final int GOAWAY = 0x7;
    public static final int CONTINUATION = 0x9;
    public static final int END_STREAM = 0x1;
    public static final int END_HEADERS = 0x4;
    public static final int PADDED = 0x8;

    public static final byte[] PREFACE = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1);

    private final DefaultHttp2HeadersEncoder encoder =
            new DefaultHttp2HeadersEncoder(Http2HeadersEncoder.NEVER_SENSITIVE, false);

    public static byte[] hex(String hex) {
        return HexFormat.of().parseHex(hex.replace(" ", ""));
    }

    public static byte[] frame(int type, int flags, int stream, byte[] payload) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(payload.length >>> 16);
        out.write(payload.length >>> 8);
        out.write(payload.length);
        out.write(type);
        out.write(flags);
        out.write(stream >>> 24);
        out.write(stream >>> 16);
        out.write(stream >>> 8);
        out.write(stream);
        out.writeBytes(payload);
        return out.toByteArray();
    }

    /** A SETTINGS frame with these (identifier, value) pairs. */
    public static byte[] settings(int... pairs) {
        ByteArrayOutputStream p = new ByteArrayOutputStream();
        for (int i = 0; i < pairs.length; i += 2) {
            p.write(pairs[i] >>> 8);
            p.write(pairs[i]);
            p.writeBytes(int32(pairs[i + 1]));
        }
        return frame(SETTINGS, 0, 0, p.toByteArray());
    }

    public static byte[] data(int stream, boolean end, byte[] payload) {
        return frame(DATA, end ? END_STREAM : 0, stream, payload);
    }

    public static byte[] rst(int stream, int code) {
        return frame(RST_STREAM, 0, stream, int32(code));
    }

    public static byte[] int32(int v) {
        return new byte[] {(byte) (v >>> 24), (byte) (v >>> 16), (byte) (v >>> 8), (byte) v};
    }

    /** The field block of these name/value pairs, encoded with this side's HPACK state. */
    public byte[] block(String... nameValues) {
        DefaultHttp2Headers h = new DefaultHttp2Headers(false);
        for (int i = 0; i < nameValues.length; i += 2) {
            h.add(nameValues[i], nameValues[i + 1]);
        }
        ByteBuf buf = Unpooled.buffer();
        try {
            encoder.encodeHeaders(3, h, buf);
            byte[] out = new byte[buf.readableBytes()];
            buf.readBytes(out);
            return out;
        } catch (Http2Exception e) {
            throw new IllegalStateException(e);
        } finally {
            buf.release();
        }
    }

    /** A HEADERS frame holding the whole block (END_HEADERS). */
    public byte[] headers(int stream, boolean endStream, String... nameValues) {
        return frame(HEADERS, END_HEADERS | (endStream ? END_STREAM : 0), stream, block(nameValues));
    }

    public static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }
}
