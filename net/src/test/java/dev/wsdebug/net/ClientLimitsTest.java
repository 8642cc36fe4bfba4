package dev.wsdebug.net;

import dev.wsdebug.capture.EventSink;
import dev.wsdebug.capture.TrafficStats;
import dev.wsdebug.net.client.ClientOptions;
import dev.wsdebug.net.client.WsClient;
import dev.wsdebug.wire.Direction;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The client ({@code wsdebug connect}'s engine) fails a connection as soon as a frame header from
 * the server breaks a rule or declares more than its message limit, rather than at the frame's
 * end; and its byte counters count a frame still arriving. The server is written by hand: it
 * answers the upgrade, sends the header, and reads what the client sends back.
 */
class ClientLimitsTest {
    private static final HexFormat HEX = HexFormat.of();

    /** Upgrades one client, writes {@code afterUpgrade}, returns the client's next frame (unmasked). */
    private static byte[] serveOnce(ServerSocket server, byte[] afterUpgrade) throws IOException {
        try (Socket s = server.accept()) {
            s.setSoTimeout(5_000);
            InputStream in = s.getInputStream();
            ByteArrayOutputStream head = new ByteArrayOutputStream();
            while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
                head.write(in.read());
            }
            String key = head.toString(StandardCharsets.ISO_8859_1).replaceAll("(?s).*Sec-WebSocket-Key: ([^\r]+)\r\n.*", "$1");
            OutputStream out = s.getOutputStream();
            out.write(("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: "
                    + acceptFor(key) + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            out.write(afterUpgrade);
            out.flush();
            DataInputStream d = new DataInputStream(in);
            int b0 = d.readUnsignedByte();
            int len = d.readUnsignedByte() & 0x7F;
            byte[] mask = d.readNBytes(4);
            byte[] payload = d.readNBytes(len);
            for (int i = 0; i < payload.length; i++) {
                payload[i] ^= mask[i % 4];
            }
            ByteArrayOutputStream frame = new ByteArrayOutputStream();
            frame.write(b0);
            frame.writeBytes(payload);
            return frame.toByteArray();
        }
    }

    private static String acceptFor(String key) {
        try {
            return RawSocketClient.acceptFor(key);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] clientAnswer(byte[] fromServer, long maxMessage, List<String> notices, TrafficStats stats)
            throws Exception {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            ClientOptions o = new ClientOptions();
            o.url = URI.create("ws://127.0.0.1:" + server.getLocalPort() + "/");
            o.extensions = null;
            o.maxMessage = maxMessage;
            java.util.concurrent.CompletableFuture<byte[]> answer = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                try {
                    return serveOnce(server, fromServer);
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            try (WsClient client = new WsClient(o, stats == null ? EventSink.all() : stats, notices::add)) {
                client.connect();
                return answer.get(10, java.util.concurrent.TimeUnit.SECONDS);
            }
        }
    }

    @Test
    void aHeaderThatBreaksARuleAndDeclaresAGigabyteIsFailedWith1002AtOnce() throws Exception {
        List<String> notices = new CopyOnWriteArrayList<>();
        // RSV2 on an unmasked binary frame declaring 1 GiB; 100 bytes of it follow, the rest never
        byte[] answer = clientAnswer(HEX.parseHex("a27f0000000040000000" + "00".repeat(100)), 64L << 20, notices, null);
        assertThat(answer[0] & 0xFF).isEqualTo(0x88);
        assertThat(((answer[1] & 0xFF) << 8) | (answer[2] & 0xFF)).isEqualTo(1002);
        assertThat(new String(answer, 3, answer.length - 3, StandardCharsets.UTF_8)).isEqualTo("reserved-bit-set");
        assertThat(notices).anySatisfy(n -> assertThat(n).startsWith("failing the connection: RSV2 is set"));
    }

    @Test
    void aDeclaredLengthOverTheLimitIsFailedWith1009AtOnce() throws Exception {
        List<String> notices = new CopyOnWriteArrayList<>();
        byte[] answer = clientAnswer(HEX.parseHex("827f0000000080000000"), 64L << 20, notices, null);
        assertThat(((answer[1] & 0xFF) << 8) | (answer[2] & 0xFF)).isEqualTo(1009);
        assertThat(new String(answer, 3, answer.length - 3, StandardCharsets.UTF_8)).isEqualTo("message-too-big");
    }

    @Test
    void bytesOfAFrameStillArrivingAreCounted() throws Exception {
        TrafficStats stats = new TrafficStats();
        // 2 MiB of a frame declaring 2 GiB: within no limit the client waits for the rest, and counts what came
        byte[] partial = new byte[10 + (2 << 20)];
        System.arraycopy(HEX.parseHex("827f0000000080000000"), 0, partial, 0, 10);
        List<String> notices = new CopyOnWriteArrayList<>();
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            ClientOptions o = new ClientOptions();
            o.url = URI.create("ws://127.0.0.1:" + server.getLocalPort() + "/");
            o.extensions = null;
            o.maxMessage = 4L << 30;
            java.util.concurrent.CompletableFuture<Void> side = java.util.concurrent.CompletableFuture.runAsync(() -> {
                try (Socket s = server.accept()) {
                    InputStream in = s.getInputStream();
                    ByteArrayOutputStream head = new ByteArrayOutputStream();
                    while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
                        head.write(in.read());
                    }
                    String key = head.toString(StandardCharsets.ISO_8859_1).replaceAll("(?s).*Sec-WebSocket-Key: ([^\r]+)\r\n.*", "$1");
                    s.getOutputStream().write(("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                            + "Sec-WebSocket-Accept: " + acceptFor(key) + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
                    s.getOutputStream().write(partial);
                    s.getOutputStream().flush();
                    Thread.sleep(1_000);
                } catch (IOException | InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            });
            try (WsClient client = new WsClient(o, stats, notices::add)) {
                client.connect();
                assertThat(Waits.until(5_000, () -> stats.totals(Direction.S2C).wireBytes() == partial.length)).isTrue();
                assertThat(stats.totals(Direction.S2C).frames()).isZero();
            }
            side.get(10, java.util.concurrent.TimeUnit.SECONDS);
        }
    }
}
