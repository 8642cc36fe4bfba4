package dev.wsdebug.sniff.synth;

import dev.wsdebug.wire.FrameSpec;
import dev.wsdebug.wire.FrameWriter;
import dev.wsdebug.wire.Handshake;
import dev.wsdebug.wire.Opcode;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.zip.Deflater;

/** WebSocket bytes for the synthetic sessions: the HTTP/1.1 upgrade and frames, masked from the client. */
final class Ws {
    static final String KEY = "dGhlIHNhbXBsZSBub25jZQ==";
    static final String DEFLATE = "permessage-deflate";

    private static final FrameWriter WRITER = new FrameWriter(new java.util.Random(1));
    private static int nextMask = 0x11223344;

    private Ws() {
    }

    static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static byte[] request(String host, String path, String extensions) {
        return ascii("GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Key: " + KEY + "\r\nSec-WebSocket-Version: 13\r\n"
                + (extensions == null ? "" : "Sec-WebSocket-Extensions: " + extensions + "\r\n") + "\r\n");
    }

    static byte[] request(String path) {
        return request("example.com", path, null);
    }

    static byte[] response(String extensions) {
        return ascii("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Accept: " + Handshake.acceptFor(KEY) + "\r\n"
                + (extensions == null ? "" : "Sec-WebSocket-Extensions: " + extensions + "\r\n") + "\r\n");
    }

    static byte[] response() {
        return response(null);
    }

    /** A frame from the client: masked with a key of its own. */
    static byte[] c(int opcode, byte[] payload, boolean fin, boolean rsv1) {
        int key = nextMask;
        nextMask = nextMask * 31 + 0x01020305;
        return WRITER.encode(FrameSpec.of(opcode, payload).withFin(fin).withRsv(rsv1, false, false).withMask(key));
    }

    static byte[] c(int opcode, byte[] payload) {
        return c(opcode, payload, true, false);
    }

    /** A frame from the server: not masked. */
    static byte[] s(int opcode, byte[] payload, boolean fin, boolean rsv1) {
        return WRITER.encode(FrameSpec.of(opcode, payload).withFin(fin).withRsv(rsv1, false, false));
    }

    static byte[] s(int opcode, byte[] payload) {
        return s(opcode, payload, true, false);
    }

    static byte[] ct(String text) {
        return c(Opcode.TEXT, utf8(text));
    }

    static byte[] st(String text) {
        return s(Opcode.TEXT, utf8(text));
    }

    static byte[] close(int code, String reason) {
        return FrameWriter.closePayload(code, reason);
    }

    /** Bytes 0, 1, 2, ... (mod 251), a payload whose bytes say where they are. */
    static byte[] counting(int n, int start) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) ((start + i) % 251);
        }
        return b;
    }

    /** Bytes deflate cannot shrink (a fixed pseudo-random sequence). */
    static byte[] noise(int n, long seed) {
        byte[] b = new byte[n];
        new java.util.Random(seed).nextBytes(b);
        return b;
    }

    /**
     * permessage-deflate for one direction with context takeover (RFC 7692 7.2.1): the message is
     * compressed with a sync flush and the final 00 00 ff ff is removed. One instance per direction,
     * kept for the whole connection.
     */
    static final class Compressor {
        private final Deflater deflater = new Deflater(Deflater.DEFAULT_COMPRESSION, true);

        byte[] compress(byte[] message) {
            deflater.setInput(message);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] buf = new byte[8192];
            int n;
            do {
                n = deflater.deflate(buf, 0, buf.length, Deflater.SYNC_FLUSH);
                out.write(buf, 0, n);
            } while (n == buf.length);
            byte[] all = out.toByteArray();
            if (all.length == 0) {
                return new byte[] {0}; // nothing new since the last flush: an empty stored block (RFC 7692 7.2.3.6)
            }
            if (all.length < 4 || all[all.length - 4] != 0 || all[all.length - 3] != 0
                    || all[all.length - 2] != (byte) 0xFF || all[all.length - 1] != (byte) 0xFF) {
                throw new IllegalStateException("a sync flush ends with 00 00 ff ff");
            }
            return java.util.Arrays.copyOf(all, all.length - 4);
        }
    }

    static byte[] join(byte[]... parts) {
        return Net.concat(parts);
    }
}
