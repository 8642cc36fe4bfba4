package dev.wsdebug.capture.store;

import dev.wsdebug.capture.Conversation;
import dev.wsdebug.capture.EventSink;
import dev.wsdebug.capture.JsonLinesSink;
import dev.wsdebug.wire.Direction;
import dev.wsdebug.wire.FrameSpec;
import dev.wsdebug.wire.FrameWriter;
import dev.wsdebug.wire.MessageDeflater;
import dev.wsdebug.wire.Opcode;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import java.util.function.LongConsumer;

/** Whole WebSocket sessions as wire bytes, and a way to feed them as a live source would. */
final class Sessions {
    private static final String KEY = "dGhlIHNhbXBsZSBub25jZQ==";
    private static final String ACCEPT = "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=";
    /** Frames in {@link #full}: both directions together. */
    static final int FULL_FRAMES = 15;

    private Sessions() {
    }

    /**
     * An upgrade with a subprotocol and permessage-deflate, then: text, compressed text, a text
     * message in three fragments with a ping between them, a frame breaking a rule (RSV2), binary
     * both ways (compressed from the server), ping/pong, and a clean close 1000 started by the client.
     *
     * @return {c2s, s2c}
     */
    static byte[][] full(String tag) {
        FrameWriter w = new FrameWriter(new Random(tag.hashCode()));
        MessageDeflater clientDeflate = new MessageDeflater(false);
        MessageDeflater serverDeflate = new MessageDeflater(true);
        byte[] c2s = concat(
                ("GET /chat?room=" + tag + " HTTP/1.1\r\nHost: server.example.com\r\nUpgrade: websocket\r\n"
                        + "Connection: Upgrade\r\nSec-WebSocket-Key: " + KEY + "\r\nSec-WebSocket-Version: 13\r\n"
                        + "Sec-WebSocket-Protocol: chat, superchat\r\n"
                        + "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n\r\n")
                        .getBytes(StandardCharsets.ISO_8859_1),
                w.encode(FrameSpec.of(Opcode.TEXT, utf8("Hello " + tag)).withMask(0x11223344)),
                w.encode(new FrameSpec(true, true, false, false, Opcode.TEXT, 0x01020304, 0,
                        clientDeflate.deflate(utf8("compressed hello, compressed hello, from " + tag)))),
                w.encode(FrameSpec.of(Opcode.TEXT, utf8("{\"part\": 1, ")).withFin(false).withMask(0x0a0b0c0d)),
                w.encode(FrameSpec.of(Opcode.PING, utf8("between")).withMask(0x55667788)),
                w.encode(FrameSpec.of(Opcode.CONTINUATION, utf8("\"part\": 2, ")).withFin(false).withMask(0x01010101)),
                w.encode(FrameSpec.of(Opcode.CONTINUATION, utf8("\"tag\": \"" + tag + "\"}")).withMask(0x02020202)),
                w.encode(FrameSpec.of(Opcode.BINARY, new byte[] {9, 8, 7, 6}).withMask(0x03030303)),
                w.encode(FrameSpec.of(Opcode.CLOSE, FrameWriter.closePayload(1000, "bye " + tag)).withMask(5)));
        byte[] s2c = concat(
                ("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                        + "Sec-WebSocket-Accept: " + ACCEPT + "\r\nSec-WebSocket-Protocol: chat\r\n"
                        + "Sec-WebSocket-Extensions: permessage-deflate; server_no_context_takeover\r\n\r\n")
                        .getBytes(StandardCharsets.ISO_8859_1),
                w.encode(FrameSpec.of(Opcode.TEXT, utf8("Hello " + tag))),
                w.encode(FrameSpec.of(Opcode.PONG, utf8("between"))),
                w.encode(new FrameSpec(true, true, false, false, Opcode.BINARY, null, 0,
                        serverDeflate.deflate(new byte[] {1, 2, 3, 1, 2, 3, 1, 2, 3, 1, 2, 3}))),
                w.encode(FrameSpec.of(Opcode.TEXT, utf8("odd")).withRsv(false, true, false)),
                w.encode(FrameSpec.of(Opcode.PING, utf8("keepalive"))),
                w.encode(FrameSpec.of(Opcode.TEXT, utf8("after the odd one"))),
                w.encode(FrameSpec.of(Opcode.CLOSE, FrameWriter.closePayload(1000, "bye " + tag))));
        clientDeflate.close();
        serverDeflate.close();
        return new byte[][] {c2s, s2c};
    }

    /**
     * Feeds both streams in chunks of {@code chunk} bytes, taking turns (client first), with times
     * 1 ms apart from {@code t0}; then ends the conversation.
     *
     * @return the time after the last chunk
     */
    static long feed(Conversation conv, byte[][] s, int chunk, long t0) {
        long t = feedOnly(conv, s, chunk, t0);
        conv.end(t);
        return t + 1000;
    }

    /** As {@link #feed} without ending the conversation; the server answers once the request is complete. */
    static long feedOnly(Conversation conv, byte[][] s, int chunk, long t0) {
        return feedOnly(conv, s, chunk, t0, t -> { });
    }

    /** As {@link #feedOnly}, calling {@code afterRead} with each read's time once the read is fed. */
    static long feedOnly(Conversation conv, byte[][] s, int chunk, long t0, LongConsumer afterRead) {
        int requestEnd = new String(s[0], StandardCharsets.ISO_8859_1).indexOf("\r\n\r\n") + 4;
        int[] pos = new int[2];
        long t = t0;
        while (pos[0] < s[0].length || pos[1] < s[1].length) {
            for (int d = 0; d < 2; d++) {
                if (pos[d] < s[d].length && (d == 0 || pos[0] >= requestEnd)) {
                    int n = Math.min(chunk, s[d].length - pos[d]);
                    conv.feed(d == 0 ? Direction.C2S : Direction.S2C, t, s[d], pos[d], n);
                    pos[d] += n;
                    afterRead.accept(t);
                    t += 1000;
                }
            }
        }
        return t;
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    /** JSON Lines of what a sink receives, for comparing a live run with a replay. */
    static final class Json implements EventSink {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();
        private final JsonLinesSink sink = new JsonLinesSink(out, false);

        @Override
        public synchronized void accept(dev.wsdebug.capture.Event event) {
            sink.accept(event);
        }

        synchronized String text() {
            sink.flush();
            return out.toString(StandardCharsets.UTF_8);
        }
    }
}
