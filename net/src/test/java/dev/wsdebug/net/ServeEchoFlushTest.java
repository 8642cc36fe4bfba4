package dev.wsdebug.net;

import dev.wsdebug.capture.EventSink;
import dev.wsdebug.net.server.ServerOptions;
import dev.wsdebug.net.server.WsServer;
import dev.wsdebug.wire.Direction;
import dev.wsdebug.wire.Frame;
import dev.wsdebug.wire.FrameListener;
import dev.wsdebug.wire.FrameParser;
import dev.wsdebug.wire.FrameSpec;
import dev.wsdebug.wire.FrameWriter;
import dev.wsdebug.wire.Opcode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * serve flushes the echoes of one read together; these check over a real socket that nothing
 * is held back or reordered by that: echoes, pongs and the close come back in the order the
 * client's frames asked for them, and a client that half-closes right after its messages still
 * gets every echo before the server hangs up.
 */
class ServeEchoFlushTest {
    private WsServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    private InetSocketAddress start(ServerOptions o) throws Exception {
        o.port = 0;
        o.compress = false;
        server = new WsServer(o, EventSink.all());
        return server.start();
    }

    @Test
    void everyEchoOfABurstArrivesInOrderBeforeTheServerActsOnEndOfStream() throws Exception {
        InetSocketAddress at = start(new ServerOptions());
        Random random = new Random(3);
        FrameWriter writer = new FrameWriter(random);
        List<byte[]> sent = new ArrayList<>();
        ByteArrayOutputStream burst = new ByteArrayOutputStream();
        for (int i = 0; i < 60; i++) {
            byte[] p = new byte[i * 37 % 1500];
            random.nextBytes(p);
            sent.add(p);
            burst.writeBytes(writer.encode(FrameSpec.of(Opcode.BINARY, p).withMask(writer.randomMaskKey())));
        }
        try (Socket s = upgrade(at)) {
            s.getOutputStream().write(burst.toByteArray());
            s.shutdownOutput();
            List<Frame> frames = new ArrayList<>();
            List<byte[]> payloads = new ArrayList<>();
            readToEnd(s, frames, payloads);
            assertThat(frames).hasSize(sent.size());
            for (int i = 0; i < sent.size(); i++) {
                assertThat(frames.get(i).opcode()).isEqualTo(Opcode.BINARY);
                assertThat(payloads.get(i)).as("echo %d", i).isEqualTo(sent.get(i));
            }
        }
    }

    @Test
    void echoesPongsAndTheCloseKeepTheOrderOfTheRequests() throws Exception {
        ServerOptions o = new ServerOptions();
        o.fragment = 3;
        InetSocketAddress at = start(o);
        FrameWriter writer = new FrameWriter(new Random(5));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (FrameSpec f : List.of(FrameSpec.of(Opcode.TEXT, bytes("first")), FrameSpec.of(Opcode.PING, bytes("p")),
                FrameSpec.of(Opcode.TEXT, bytes("second")), FrameSpec.of(Opcode.CLOSE, FrameWriter.closePayload(1000, "bye")))) {
            out.writeBytes(writer.encode(f.withMask(writer.randomMaskKey())));
        }
        try (Socket s = upgrade(at)) {
            s.getOutputStream().write(out.toByteArray());
            List<Frame> frames = new ArrayList<>();
            List<byte[]> payloads = new ArrayList<>();
            readToEnd(s, frames, payloads);
            List<String> seen = new ArrayList<>();
            for (int i = 0; i < frames.size(); i++) {
                seen.add(Opcode.name(frames.get(i).opcode()) + ":" + new String(payloads.get(i), StandardCharsets.UTF_8));
            }
            // --fragment 3: "first" as fir+st, "second" as sec+ond; the close carries 1000 + "bye"
            assertThat(seen).containsExactly(Opcode.name(Opcode.TEXT) + ":fir", Opcode.name(Opcode.CONTINUATION) + ":st",
                    Opcode.name(Opcode.PONG) + ":p", Opcode.name(Opcode.TEXT) + ":sec",
                    Opcode.name(Opcode.CONTINUATION) + ":ond",
                    Opcode.name(Opcode.CLOSE) + ":" + new String(FrameWriter.closePayload(1000, "bye"), StandardCharsets.UTF_8));
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static Socket upgrade(InetSocketAddress at) throws IOException {
        Socket s = new Socket();
        s.connect(at, 5_000);
        s.setSoTimeout(5_000);
        String req = "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";
        s.getOutputStream().write(req.getBytes(StandardCharsets.ISO_8859_1));
        InputStream in = s.getInputStream();
        // the server sends nothing after its 101 until the client's frames arrive
        int matched = 0;
        StringBuilder response = new StringBuilder();
        while (matched < 4) {
            int b = in.read();
            assertThat(b).as("upgrade response").isNotNegative();
            response.append((char) b);
            matched = b == "\r\n\r\n".charAt(matched) ? matched + 1 : b == '\r' ? 1 : 0;
        }
        assertThat(response.toString()).startsWith("HTTP/1.1 101");
        return s;
    }

    /** Reads server frames until the server closes the connection (bounded by the socket timeout). */
    private static void readToEnd(Socket s, List<Frame> frames, List<byte[]> payloads) throws IOException {
        ByteArrayOutputStream[] current = new ByteArrayOutputStream[1];
        FrameParser parser = new FrameParser(Direction.S2C, false, new FrameListener() {
            @Override
            public void onFrameStart(Frame frame) {
                current[0] = new ByteArrayOutputStream();
            }

            @Override
            public void onFramePayload(Frame frame, byte[] buf, int off, int len, long payloadPos) {
                current[0].write(buf, off, len);
            }

            @Override
            public void onFrameEnd(Frame frame) {
                assertThat(frame.violations()).isEmpty();
                frames.add(frame);
                payloads.add(current[0].toByteArray());
            }
        });
        byte[] buf = new byte[64 * 1024];
        InputStream in = s.getInputStream();
        for (int n; (n = in.read(buf)) >= 0; ) {
            parser.feed(Arrays.copyOf(buf, n));
        }
        assertThat(parser.midFrame()).isFalse();
    }
}
