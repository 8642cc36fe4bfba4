package dev.wsdebug.net;

import com.fasterxml.jackson.databind.JsonNode;
import dev.wsdebug.capture.ErrorEvent;
import dev.wsdebug.capture.FlowEvent;
import dev.wsdebug.capture.MessageEvent;
import dev.wsdebug.capture.SynchronizedSink;
import dev.wsdebug.capture.peer.Peer;
import dev.wsdebug.net.proxy.ProxyOptions;
import dev.wsdebug.net.proxy.WsProxy;
import dev.wsdebug.net.server.ServerOptions;
import dev.wsdebug.wire.Direction;
import dev.wsdebug.wire.FrameSpec;
import dev.wsdebug.wire.Opcode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code wsdebug proxy} under load and abuse, between real peers (Node ws, python websockets,
 * {@code wsdebug serve}) and hostile clients written by hand: the handshake timeout, the
 * connection limit, a client that never reads, many large messages against a small memory budget,
 * violations reported at the header, and the upgrade request relayed byte for byte.
 */
class ProxyLimitsTest {
    private static final HexFormat HEX = HexFormat.of();
    private final List<AutoCloseable> toClose = new ArrayList<>();
    private final ServerRecorder recorder = new ServerRecorder();
    private WsProxy proxy;

    @AfterEach
    void stop() throws Exception {
        for (int i = toClose.size() - 1; i >= 0; i--) {
            toClose.get(i).close();
        }
    }

    private int proxy(URI upstream, ProxyOptions o) throws Exception {
        o.port = 0;
        o.upstream = upstream;
        proxy = new WsProxy(o, new SynchronizedSink(recorder));
        toClose.add(proxy);
        return proxy.start().getPort();
    }

    private int proxyToPeer(Peer.Kind kind, ProxyOptions o, String... peerArgs) throws Exception {
        Peer server = Peer.start(kind, peerArgs);
        toClose.add(server);
        return proxy(URI.create("ws://127.0.0.1:" + server.port()), o);
    }

    private List<ErrorEvent> errors(String kind) {
        return recorder.of(ErrorEvent.class).stream().filter(e -> e.kind().equals(kind)).toList();
    }

    @Test
    void slowAndSilentClientsAreClosedAtTheHandshakeTimeout() throws Exception {
        ProxyOptions o = new ProxyOptions();
        o.limits.handshakeTimeoutMillis = 600;
        int port = proxyToPeer(Peer.Kind.PYTHON_WEBSOCKETS, o);
        try (RawSocketClient slow = RawSocketClient.connect(port); RawSocketClient silent = RawSocketClient.connect(port)) {
            byte[] request = slow.upgradeRequest(port).getBytes(StandardCharsets.ISO_8859_1);
            CompletableFuture<Void> dribble = CompletableFuture.runAsync(() -> {
                try {
                    for (int i = 0; i < 30; i++) {
                        slow.write(new byte[] {request[i]});
                        Thread.sleep(50);
                    }
                } catch (IOException | InterruptedException e) {
                    // closed by the proxy: expected
                }
            });
            PeerClient.Result ok = PeerClient.run(Peer.Kind.NODE_WS, "ws://127.0.0.1:" + port + "/",
                    new PeerClient.Plan().sendText("through").recv().close(1000, ""));
            assertThat(ok.messages()).extracting(m -> m.path("text").asText()).containsExactly("through");
            assertThat(slow.closedByServer(5_000)).isTrue();
            assertThat(silent.closedByServer(5_000)).isTrue();
            dribble.get(5, TimeUnit.SECONDS);
            assertThat(Waits.until(2_000, () -> errors("timeout").size() == 2)).isTrue();
            assertThat(errors("timeout")).extracting(ErrorEvent::message).allSatisfy(m -> assertThat(m)
                    .matches("The client did not send its request head within 0\\.6 s \\(\\d+ bytes of it received\\);"
                            + " the connection was closed\\."));
        }
    }

    @Test
    void overTheConnectionLimitNewClientsGet503WhileOpenOnesStillEcho() throws Exception {
        ProxyOptions o = new ProxyOptions();
        o.limits.maxConnections = 2;
        int port = proxyToPeer(Peer.Kind.NODE_WS, o);
        CompletableFuture<PeerClient.Result> open = CompletableFuture.supplyAsync(() -> PeerClient.run(Peer.Kind.PYTHON_WEBSOCKETS,
                "ws://127.0.0.1:" + port + "/", new PeerClient.Plan().sendText("before").recv().sleep(1_500)
                        .sendText("after").recv().close(1000, ""), "--connections", "2"));
        assertThat(Waits.until(10_000, () -> proxy.load().openConnections() == 2)).isTrue();
        try (RawSocketClient third = RawSocketClient.connect(port)) {
            third.write(third.upgradeRequest(port).getBytes(StandardCharsets.ISO_8859_1));
            String head = third.readHead();
            assertThat(head).startsWith("HTTP/1.1 503 Service Unavailable\r\n");
            int length = Integer.parseInt(head.replaceAll("(?s).*Content-Length: (\\d+).*", "$1"));
            assertThat(new String(third.readBytes(length), StandardCharsets.UTF_8))
                    .isEqualTo("wsdebug proxy has 2 connections open, its limit (--max-connections); try again later.\n");
        }
        PeerClient.Result r = open.get(30, TimeUnit.SECONDS);
        assertThat(r.messages()).extracting(m -> m.path("text").asText())
                .containsExactlyInAnyOrder("before", "before", "after", "after");
        assertThat(proxy.load().refusedConnections()).isEqualTo(1);
        assertThat(errors("limit")).hasSize(1);
    }

    @Test
    void aClientThatNeverReadsStopsTheUpstreamBeingReadAndTheProxyHoldsLittle() throws Exception {
        try (TestServer upstream = TestServer.start(noCompress())) {
            ProxyOptions o = new ProxyOptions();
            o.limits.stallNoticeMillis = 300;
            int port = proxy(URI.create(upstream.url("/")), o);
            try (RawSocketClient hog = RawSocketClient.connectWithReceiveBuffer(port, 4096)) {
                hog.write(hog.upgradeRequest(port).getBytes(StandardCharsets.ISO_8859_1));
                assertThat(hog.readHead()).startsWith("HTTP/1.1 101 ");
                byte[] frame = hog.writer().encode(FrameSpec.of(Opcode.BINARY, new byte[65536]).withMask(0x05060708));
                AtomicLong sent = new AtomicLong();
                CompletableFuture<Void> writer = hog.writeWithoutReading(frame, 1024, sent);
                long peak = 0;
                boolean paused = false;
                for (int i = 0; i < 150; i++) {
                    peak = Math.max(peak, proxy.load().pendingWriteBytes() + proxy.load().heldMessageBytes());
                    paused |= proxy.load().pausedChannels() > 0;
                    Thread.sleep(20);
                }
                assertThat(writer).as("backpressure reached the writing client").isNotDone();
                assertThat(paused).isTrue();
                assertThat(peak).isLessThan(4L << 20);
                assertThat(sent.get()).isLessThan(64L << 20);
                // the stall is a flow event on the connection: bytes held for the client, how long
                FlowEvent held = recorder.of(FlowEvent.class).stream().filter(f -> f.kind().equals(FlowEvent.HELD))
                        .findFirst().orElseThrow(() -> new AssertionError("no held flow event"));
                assertThat(held.dir()).isEqualTo(Direction.S2C);
                assertThat(held.bytes()).isPositive();
                assertThat(held.micros()).isGreaterThanOrEqualTo(300_000);
                // reading resumes everything: every echo arrives, and the stall's end is told
                long expected = 1024L * (65536 + 10);
                long got = hog.drain(expected);
                writer.get(10, TimeUnit.SECONDS);
                assertThat(got).isEqualTo(expected);
                assertThat(recorder.of(FlowEvent.class)).anySatisfy(f -> {
                    assertThat(f.kind()).isEqualTo(FlowEvent.DRAINED);
                    assertThat(f.micros()).isGreaterThan(held.micros());
                });
            }
        }
    }

    private static ServerOptions noCompress() {
        ServerOptions o = new ServerOptions();
        o.compress = false;
        return o;
    }

    @Test
    void manyLargeMessagesAgainstASmallMemoryBudgetAreRelayedIntactAndShownTruncated() throws Exception {
        ProxyOptions o = new ProxyOptions();
        o.limits.memoryBudget = 768 << 10; // less than one message: none can be held whole, however they interleave
        int port = proxyToPeer(Peer.Kind.PYTHON_WEBSOCKETS, o, "--no-deflate");
        int clients = 16;
        byte[] payload = Payloads.binary(1 << 20);
        PeerClient.Result r = PeerClient.run(Peer.Kind.NODE_WS, "ws://127.0.0.1:" + port + "/",
                new PeerClient.Plan().sendBinary(1 << 20).recv().close(1000, ""), "--no-compress", "--connections",
                Integer.toString(clients));
        List<JsonNode> got = r.messages();
        assertThat(got).hasSize(clients);
        String sha = Payloads.sha256(payload);
        assertThat(got).as("relayed intact").allSatisfy(m -> assertThat(m.path("sha256").asText()).isEqualTo(sha));
        List<MessageEvent> seen = recorder.awaitCount(MessageEvent.class, m -> true, 2 * clients, 10_000);
        // each shown as a prefix (what the budget allowed) with the full length and SHA-256
        assertThat(seen).hasSize(2 * clients).allSatisfy(m -> {
            assertThat(m.message().length()).isEqualTo(1 << 20);
            assertThat(m.message().truncated()).isTrue();
            assertThat(m.message().sha256()).isEqualTo(sha);
            assertThat(m.message().payload().length).isLessThanOrEqualTo(768 << 10);
            assertThat(m.message().payload()).isEqualTo(java.util.Arrays.copyOf(payload, m.message().payload().length));
        });
        assertThat(Waits.until(3_000, () -> proxy.load().heldMessageBytes() == 0)).isTrue();
    }

    @Test
    void aViolationThatDeclaresAGigabyteIsReportedAtOnceAndRelayed() throws Exception {
        try (TestServer upstream = TestServer.start()) {
            int port = proxy(URI.create(upstream.url("/")), new ProxyOptions());
            try (RawSocketClient c = RawSocketClient.upgraded(port)) {
                c.write(HEX.parseHex("a2ff0000000040000000" + "01020304" + "0000"));
                // the proxy passes it on; serve fails it and its 1002 comes back through the proxy
                RawSocketClient.ReadFrame close = c.readFrame();
                assertThat(close.closeCode()).isEqualTo(1002);
                assertThat(Waits.until(2_000, () -> !errors("violation").isEmpty())).isTrue();
                assertThat(errors("violation")).extracting(ErrorEvent::message).anySatisfy(m -> assertThat(m)
                        .startsWith("c2s: frame #1 (binary, 1073741824 payload bytes declared, at byte 0) breaks reserved-bit-set"));
            }
        }
    }

    @Test
    void anIdleTimeoutClosesBothSidesWith1001() throws Exception {
        try (TestServer upstream = TestServer.start()) {
            ProxyOptions o = new ProxyOptions();
            o.limits.idleTimeoutMillis = 500;
            int port = proxy(URI.create(upstream.url("/")), o);
            PeerClient.Result r = PeerClient.run(Peer.Kind.NODE_WS, "ws://127.0.0.1:" + port + "/",
                    new PeerClient.Plan().sendText("a").recv().waitClosed(5));
            assertThat(r.single("closed").path("code").asInt()).isEqualTo(1001);
            // the server behind the proxy got the proxy's close too
            assertThat(upstream.recorder.awaitCount(dev.wsdebug.capture.FrameEvent.class,
                    f -> f.dir() == dev.wsdebug.wire.Direction.C2S && f.frame().closeCode() == 1001, 1, 5_000)).hasSize(1);
            assertThat(errors("timeout")).singleElement().extracting(ErrorEvent::message).isEqualTo(
                    "No traffic for 0.5 s (--idle-timeout); the proxy closed the WebSocket on both sides with 1001 Going Away.");
        }
    }

    @Test
    void theUpgradeRequestIsRelayedByteForByte() throws Exception {
        try (ServerSocket upstream = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            upstream.setSoTimeout(5_000);
            int port = proxy(URI.create("ws://127.0.0.1:" + upstream.getLocalPort()), new ProxyOptions());
            String host = "127.0.0.1:" + upstream.getLocalPort();
            String request = "GET /odd?q=1 HTTP/1.1\r\nhost:" + host + "\r\na:b\r\nX-Fold: one\r\n\ttwo\r\n"
                    + "Spaced  :  v \r\nUpgrade: websocket\nConnection:Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                    + "Sec-WebSocket-Version: 13\r\nProxy-Connection: keep-alive\r\n\r\n";
            CompletableFuture<byte[]> received = CompletableFuture.supplyAsync(() -> {
                try (Socket s = upstream.accept()) {
                    s.setSoTimeout(5_000);
                    InputStream in = s.getInputStream();
                    ByteArrayOutputStream b = new ByteArrayOutputStream();
                    while (!b.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
                        int c = in.read();
                        if (c < 0) {
                            break;
                        }
                        b.write(c);
                    }
                    return b.toByteArray();
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            try (Socket client = new Socket()) {
                client.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 5_000);
                client.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
                byte[] got = received.get(10, TimeUnit.SECONDS);
                // the same bytes, less the proxy-only header (the Host already names the upstream)
                String expected = request.replace("Proxy-Connection: keep-alive\r\n", "");
                assertThat(new String(got, StandardCharsets.ISO_8859_1)).isEqualTo(expected);
            }
        }
    }

}
