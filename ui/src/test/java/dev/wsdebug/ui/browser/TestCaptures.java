package dev.wsdebug.ui.browser;

import dev.wsdebug.capture.Conversation;
import dev.wsdebug.capture.store.CaptureStore;
import dev.wsdebug.wire.Direction;
import dev.wsdebug.wire.FrameSpec;
import dev.wsdebug.wire.FrameWriter;
import dev.wsdebug.wire.MessageDeflater;
import dev.wsdebug.wire.Opcode;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * A capture file for the browser tests, written the way every source writes one: wire bytes fed
 * through {@link Conversation} into a {@link CaptureStore}. Its connections cover what the UI
 * must show: text, JSON, binary, compressed, fragmented, control frames, a rule broken, a clean
 * close, a refused upgrade, an abnormal end, and many messages with an idle gap.
 */
public final class TestCaptures {
    static final long T0 = 1_733_300_000_000_000L;
    static final String KEY = "dGhlIHNhbXBsZSBub25jZQ==";
    static final String ACCEPT = "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=";
    /** Messages each way in the long connection ("4"). */
    static final int MANY = 1500;
    /** A word only one message of the capture holds (full-text search). */
    static final String NEEDLE = "zanzibar";

    private TestCaptures() {
    }

    /** Bytes each way, in order, with the time each chunk crossed the wire. */
    private static final class Script {
        final List<Object[]> steps = new ArrayList<>();
        long t;

        Script(long t0) {
            t = t0;
        }

        Script c2s(byte[] b) {
            return step(Direction.C2S, b, 1000);
        }

        Script s2c(byte[] b) {
            return step(Direction.S2C, b, 1000);
        }

        Script step(Direction d, byte[] b, long afterMicros) {
            t += afterMicros;
            steps.add(new Object[] {d, t, b});
            return this;
        }

        long play(Conversation conv, boolean end) {
            for (Object[] s : steps) {
                conv.feed((Direction) s[0], (Long) s[1], (byte[]) s[2]);
            }
            if (end) {
                conv.end(t + 1000);
            }
            return t + 2000;
        }
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static byte[] request(String path, String extra) {
        return ("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1:8765\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Key: " + KEY + "\r\nSec-WebSocket-Version: 13\r\n" + extra + "\r\n")
                .getBytes(StandardCharsets.ISO_8859_1);
    }

    static byte[] response(String extra) {
        return ("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Accept: " + ACCEPT + "\r\n" + extra + "\r\n").getBytes(StandardCharsets.ISO_8859_1);
    }

    /** Writes the capture and returns its path. */
    public static Path write(Path file) {
        FrameWriter w = new FrameWriter(new Random(7));
        try (CaptureStore store = CaptureStore.create(file)) {
            long t = T0;
            // 1: chat with a subprotocol and permessage-deflate, everything a session can hold
            MessageDeflater cd = new MessageDeflater(false);
            MessageDeflater sd = new MessageDeflater(true);
            Script a = new Script(t)
                    .c2s(request("/chat", "Sec-WebSocket-Protocol: chat, superchat\r\n"
                            + "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n"))
                    .s2c(response("Sec-WebSocket-Protocol: chat\r\n"
                            + "Sec-WebSocket-Extensions: permessage-deflate; server_no_context_takeover\r\n"))
                    .c2s(w.encode(FrameSpec.of(Opcode.TEXT, utf8("hello plain")).withMask(0x11223344)))
                    .s2c(w.encode(FrameSpec.of(Opcode.TEXT, utf8("{\"type\":\"welcome\",\"user\":{\"id\":42,\"name\":\"ada\"},\"tags\":[\"a\",\"b\"]}"))))
                    .c2s(w.encode(new FrameSpec(true, true, false, false, Opcode.TEXT, 0x01020304, 0,
                            cd.deflate(utf8("compressed hello, compressed hello, compressed hello " + NEEDLE)))))
                    .c2s(w.encode(FrameSpec.of(Opcode.TEXT, utf8("{\"part\": 1, ")).withFin(false).withMask(0x0a0b0c0d)))
                    .c2s(w.encode(FrameSpec.of(Opcode.PING, utf8("between")).withMask(0x55667788)))
                    .s2c(w.encode(FrameSpec.of(Opcode.PONG, utf8("between"))))
                    .c2s(w.encode(FrameSpec.of(Opcode.CONTINUATION, utf8("\"part\": 2, ")).withFin(false).withMask(0x01010101)))
                    .c2s(w.encode(FrameSpec.of(Opcode.CONTINUATION, utf8("\"last\": true}")).withMask(0x02020202)))
                    .c2s(w.encode(FrameSpec.of(Opcode.BINARY, new byte[] {(byte) 0xde, (byte) 0xad, (byte) 0xbe, (byte) 0xef, 0, 1, 2, 3})
                            .withMask(0x03030303)))
                    .s2c(w.encode(new FrameSpec(true, true, false, false, Opcode.BINARY, null, 0,
                            sd.deflate(new byte[] {1, 2, 3, 1, 2, 3, 1, 2, 3, 1, 2, 3}))))
                    .s2c(w.encode(FrameSpec.of(Opcode.TEXT, utf8("odd")).withRsv(false, true, false)))
                    .c2s(w.encode(FrameSpec.of(Opcode.CLOSE, FrameWriter.closePayload(1000, "bye")).withMask(5)))
                    .s2c(w.encode(FrameSpec.of(Opcode.CLOSE, FrameWriter.closePayload(1000, "bye"))));
            t = a.play(new Conversation("1", store).endpoints("127.0.0.1:50001", "127.0.0.1:8765"), true);
            cd.close();
            sd.close();
            // 2: a refused upgrade
            Script b = new Script(t)
                    .c2s(request("/private", ""))
                    .s2c("HTTP/1.1 403 Forbidden\r\nContent-Type: text/plain\r\nContent-Length: 9\r\n\r\nforbidden"
                            .getBytes(StandardCharsets.ISO_8859_1));
            t = b.play(new Conversation("2", store).endpoints("127.0.0.1:50002", "127.0.0.1:8765"), true);
            // 3: ends without a close handshake, after an over-long ping (a rule broken)
            Script c = new Script(t)
                    .c2s(request("/cut", ""))
                    .s2c(response(""))
                    .c2s(w.encode(FrameSpec.of(Opcode.TEXT, utf8("are you there?")).withMask(0x01010101)))
                    .s2c(w.encode(FrameSpec.of(Opcode.PING, new byte[200])));
            t = c.play(new Conversation("3", store).endpoints("127.0.0.1:50003", "127.0.0.1:8765"), true);
            // 4: many messages, a 3-second silence in the middle, closed by the server with 1001
            Script d = new Script(t).c2s(request("/feed", "")).s2c(response(""));
            for (int i = 0; i < MANY; i++) {
                if (i == MANY / 2) {
                    d.step(Direction.C2S, w.encode(FrameSpec.of(Opcode.PING, utf8("p")).withMask(9)), 3_000_000);
                    d.s2c(w.encode(FrameSpec.of(Opcode.PONG, utf8("p"))));
                }
                d.c2s(w.encode(FrameSpec.of(Opcode.TEXT, utf8("tick " + i)).withMask(i)));
                d.s2c(w.encode(FrameSpec.of(Opcode.TEXT, utf8("{\"tock\":" + i + "}"))));
            }
            d.s2c(w.encode(FrameSpec.of(Opcode.CLOSE, FrameWriter.closePayload(1001, "going away"))));
            d.c2s(w.encode(FrameSpec.of(Opcode.CLOSE, FrameWriter.closePayload(1001, "going away")).withMask(3)));
            d.play(new Conversation("4", store).endpoints("127.0.0.1:50004", "127.0.0.1:8765"), true);
        }
        return file;
    }
}
