package dev.wsdebug.cli;

import dev.wsdebug.wire.FrameSpec;
import dev.wsdebug.wire.FrameWriter;
import dev.wsdebug.wire.Handshake;
import dev.wsdebug.wire.MessageDeflater;
import dev.wsdebug.wire.Opcode;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * A recorded-style WebSocket session built from the wire module's own writers: an upgrade that
 * negotiates a subprotocol and permessage-deflate, then text, JSON, binary, a fragmented message, a
 * compressed message, a ping and a close handshake. Each step is one chunk of bytes in one
 * direction with a time offset, exactly what a capture would hand to the pipeline.
 */
final class DemoSession {
    /** One chunk of bytes as it crossed the wire. */
    record Chunk(boolean clientToServer, long offsetMicros, byte[] bytes) {
    }

    private static final String KEY = "x3JJHMbDL1EzLkh9GBhXDw==";

    private final FrameWriter writer = new FrameWriter(new Random(6455));
    private final MessageDeflater clientDeflater = new MessageDeflater(false);
    private final MessageDeflater serverDeflater = new MessageDeflater(false);
    private final List<Chunk> chunks = new ArrayList<>();
    private long clock;

    static List<Chunk> build() {
        return new DemoSession().script();
    }

    private List<Chunk> script() {
        send(true, 0, ascii("GET /chat HTTP/1.1\r\nHost: 127.0.0.1:8765\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Key: " + KEY + "\r\nSec-WebSocket-Version: 13\r\n"
                + "Sec-WebSocket-Protocol: chat.v2, chat.v1\r\n"
                + "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n\r\n"));
        send(false, 850, ascii("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Accept: " + Handshake.acceptFor(KEY) + "\r\nSec-WebSocket-Protocol: chat.v2\r\n"
                + "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits=15\r\n\r\n"));
        echo(utf8("Hello, wsdebug!"), Opcode.TEXT, false);
        echo(utf8("{\"type\":\"subscribe\",\"channel\":\"prices\",\"symbols\":[\"BTC\",\"ETH\"]}"), Opcode.TEXT, false);
        echo(new byte[] {0x00, 0x01, 0x02, (byte) 0xfe, (byte) 0xff, 0x7f, 0x10, 0x20}, Opcode.BINARY, false);
        // a ping and its pong: the keepalive round trip
        send(true, 20_000, writer.encode(FrameSpec.of(Opcode.PING, utf8("rtt-1")).withMask(writer.randomMaskKey())));
        send(false, 412, writer.encode(FrameSpec.of(Opcode.PONG, utf8("rtt-1"))));
        // a message in three fragments, with a ping between fragments (control frames may interleave)
        byte[] big = utf8("fragmented ".repeat(30));
        int third = big.length / 3;
        send(false, 5_000, writer.encode(new FrameSpec(false, false, false, false, Opcode.TEXT, null, 0,
                java.util.Arrays.copyOfRange(big, 0, third))));
        send(false, 90, writer.encode(new FrameSpec(false, false, false, false, Opcode.CONTINUATION, null, 0,
                java.util.Arrays.copyOfRange(big, third, 2 * third))));
        send(false, 40, writer.encode(FrameSpec.of(Opcode.PING, new byte[0])));
        send(true, 300, writer.encode(FrameSpec.of(Opcode.PONG, new byte[0]).withMask(writer.randomMaskKey())));
        send(false, 60, writer.encode(new FrameSpec(true, false, false, false, Opcode.CONTINUATION, null, 0,
                java.util.Arrays.copyOfRange(big, 2 * third, big.length))));
        // a large, repetitive message compressed in both directions
        StringBuilder ticks = new StringBuilder("[");
        for (int i = 0; i < 120; i++) {
            ticks.append(i == 0 ? "" : ",").append("{\"symbol\":\"BTC\",\"price\":").append(64000 + i % 7)
                    .append(",\"size\":0.").append(i % 10).append('}');
        }
        echo(utf8(ticks.append(']').toString()), Opcode.TEXT, true);
        // the close handshake: the client closes, the server echoes the code
        send(true, 30_000, writer.encode(FrameSpec.of(Opcode.CLOSE, FrameWriter.closePayload(1000, "demo finished"))
                .withMask(writer.randomMaskKey())));
        send(false, 700, writer.encode(FrameSpec.of(Opcode.CLOSE, FrameWriter.closePayload(1000, "demo finished"))));
        return chunks;
    }

    /** The client sends a message and the server echoes it back. */
    private void echo(byte[] payload, int opcode, boolean compress) {
        byte[] c2s = compress ? clientDeflater.deflate(payload) : payload;
        byte[] s2c = compress ? serverDeflater.deflate(payload) : payload;
        send(true, 15_000, writer.encode(new FrameSpec(true, compress, false, false, opcode, writer.randomMaskKey(), 0, c2s)));
        send(false, 380, writer.encode(new FrameSpec(true, compress, false, false, opcode, null, 0, s2c)));
    }

    private void send(boolean clientToServer, long afterMicros, byte[] bytes) {
        clock += afterMicros;
        chunks.add(new Chunk(clientToServer, clock, bytes));
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static byte[] concat(List<byte[]> parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        parts.forEach(out::writeBytes);
        return out.toByteArray();
    }
}
