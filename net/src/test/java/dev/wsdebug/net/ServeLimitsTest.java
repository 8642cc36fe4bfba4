package dev.wsdebug.net;

import dev.wsdebug.capture.ErrorEvent;
import dev.wsdebug.capture.MessageEvent;
import dev.wsdebug.capture.peer.Peer;
import dev.wsdebug.net.server.ServerOptions;
import dev.wsdebug.wire.FrameSpec;
import dev.wsdebug.wire.Opcode;
import dev.wsdebug.wire.RetainBudget;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.Deflater;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code wsdebug serve} under load and abuse, with hostile clients written by hand beside real
 * ones (Node ws, python websockets) that must go on being served: the handshake timeout, the
 * connection limit, a client that never reads, headers that break a rule while declaring a
 * gigabyte, a deflate bomb, folded and oversized heads.
 */
class ServeLimitsTest {
    private static final HexFormat HEX = HexFormat.of();

    private static List<ErrorEvent> errors(TestServer s, String kind) {
        return s.recorder.of(ErrorEvent.class).stream().filter(e -> e.kind().equals(kind)).toList();
    }

    @Test
    void slowAndSilentClientsAreClosedAtTheHandshakeTimeoutWhileOthersAreServed() throws Exception {
        ServerOptions o = new ServerOptions();
        o.limits.handshakeTimeoutMillis = 600;
        try (TestServer s = TestServer.start(o);
             RawSocketClient slow = RawSocketClient.connect(s.port());
             RawSocketClient silent = RawSocketClient.connect(s.port())) {
            long start = System.nanoTime();
            // slowloris: the request one byte at a time, never complete within the timeout
            byte[] request = slow.upgradeRequest(s.port()).getBytes(StandardCharsets.ISO_8859_1);
            CompletableFuture<Void> dribble = CompletableFuture.runAsync(() -> {
                try {
                    for (int i = 0; i < 30 && i < request.length; i++) {
                        slow.write(new byte[] {request[i]});
                        Thread.sleep(50);
                    }
                } catch (IOException | InterruptedException e) {
                    // the server closed the connection: expected
                }
            });
            // a real client meanwhile is served normally
            PeerClient.Result ok = PeerClient.run(Peer.Kind.NODE_WS, s.url("/"), new PeerClient.Plan().sendText("still here").recv()
                    .close(1000, ""));
            assertThat(ok.messages()).extracting(m -> m.path("text").asText()).containsExactly("still here");
            assertThat(slow.closedByServer(5_000)).isTrue();
            assertThat(silent.closedByServer(5_000)).isTrue();
            long tookMs = (System.nanoTime() - start) / 1_000_000;
            assertThat(tookMs).as("closed after the timeout, not before").isGreaterThanOrEqualTo(550);
            dribble.get(5, TimeUnit.SECONDS);
            assertThat(Waits.until(2_000, () -> errors(s, "timeout").size() == 2)).isTrue();
            assertThat(errors(s, "timeout")).extracting(ErrorEvent::message).anySatisfy(m -> assertThat(m)
                    .isEqualTo("The client did not complete its upgrade request within 0.6 s (0 bytes of it received);"
                            + " the connection was closed."));
            assertThat(errors(s, "timeout")).extracting(ErrorEvent::message).anySatisfy(m -> assertThat(m)
                    .matches("The client did not complete its upgrade request within 0\\.6 s \\(\\d+ bytes of it received\\);"
                            + " the connection was closed\\.").doesNotContain("(0 bytes"));
        }
    }

    @Test
    void overTheConnectionLimitNewClientsGet503WhileOpenOnesStillEcho() throws Exception {
        ServerOptions o = new ServerOptions();
        o.limits.maxConnections = 3;
        try (TestServer s = TestServer.start(o)) {
            // three Node ws connections that stay open across the refusal, echoing before and after it
            CompletableFuture<PeerClient.Result> open = CompletableFuture.supplyAsync(() -> PeerClient.run(Peer.Kind.NODE_WS,
                    s.url("/"), new PeerClient.Plan().sendText("before").recv().sleep(1_500).sendText("after").recv()
                            .close(1000, ""), "--connections", "3"));
            assertThat(Waits.until(10_000, () -> s.server.load().openConnections() == 3)).isTrue();
            try (RawSocketClient fourth = RawSocketClient.connect(s.port())) {
                fourth.write(fourth.upgradeRequest(s.port()).getBytes(StandardCharsets.ISO_8859_1));
                String head = fourth.readHead();
                assertThat(head).startsWith("HTTP/1.1 503 Service Unavailable\r\n").contains("\r\nConnection: close\r\n");
                int length = Integer.parseInt(head.replaceAll("(?s).*Content-Length: (\\d+).*", "$1"));
                assertThat(new String(fourth.readBytes(length), StandardCharsets.UTF_8))
                        .isEqualTo("wsdebug serve has 3 connections open, its limit (--max-connections); try again later.\n");
                assertThat(fourth.closedByServer(5_000)).isTrue();
            }
            PeerClient.Result r = open.get(30, TimeUnit.SECONDS);
            assertThat(r.messages()).extracting(m -> m.path("text").asText())
                    .containsExactlyInAnyOrder("before", "before", "before", "after", "after", "after");
            assertThat(s.server.load().refusedConnections()).isEqualTo(1);
            assertThat(errors(s, "limit")).singleElement().extracting(ErrorEvent::message).asString()
                    .startsWith("Refused a new connection with 503 Service Unavailable: 3 connections are open");
            // once they have closed there is room again
            assertThat(Waits.until(5_000, () -> s.server.load().openConnections() == 0)).isTrue();
            PeerClient.Result again = PeerClient.run(Peer.Kind.PYTHON_WEBSOCKETS, s.url("/"),
                    new PeerClient.Plan().sendText("room").recv().close(1000, ""));
            assertThat(again.messages()).extracting(m -> m.path("text").asText()).containsExactly("room");
        }
    }

    @Test
    void aClientThatNeverReadsIsNoLongerReadFromAndTheServerHoldsLittleForIt() throws Exception {
        ServerOptions o = new ServerOptions();
        o.compress = false;
        o.limits.stallNoticeMillis = 300;
        int messageSize = 64 * 1024;
        try (TestServer s = TestServer.start(o);
             RawSocketClient hog = RawSocketClient.connectWithReceiveBuffer(s.port(), 4096)) {
            hog.write(hog.upgradeRequest(s.port()).getBytes(StandardCharsets.ISO_8859_1));
            assertThat(hog.readHead()).startsWith("HTTP/1.1 101 ");
            byte[] frame = hog.writer().encode(FrameSpec.of(Opcode.BINARY, new byte[messageSize]).withMask(0x01020304));
            AtomicLong sent = new AtomicLong();
            // writes until the server stops reading (the write blocks) or 64 MiB, whichever is first
            CompletableFuture<Void> writer = hog.writeWithoutReading(frame, 1024, sent);
            long[] peak = {0};
            long stallSeenAt = -1;
            for (int i = 0; i < 150; i++) { // 3 s of samples
                peak[0] = Math.max(peak[0], s.server.load().pendingWriteBytes() + s.server.load().heldMessageBytes());
                if (stallSeenAt < 0 && s.server.load().pausedChannels() == 1) {
                    stallSeenAt = i;
                }
                Thread.sleep(20);
            }
            assertThat(writer).as("the server stopped reading, so the client's writes block").isNotDone();
            assertThat(stallSeenAt).as("reading from the client was paused").isGreaterThanOrEqualTo(0);
            // what the server holds for the client: its writes queue (above the 64 KiB mark) and one read's echoes
            assertThat(peak[0]).isPositive().isLessThan(2L << 20);
            assertThat(sent.get()).as("bounded by socket buffers, not by the server's heap").isLessThan(48L << 20);
            assertThat(errors(s, "backpressure")).singleElement().extracting(ErrorEvent::message).asString()
                    .matches("The client has not read for \\d+ s: \\d+ bytes are waiting to be written to it, and the server"
                            + " has stopped reading from it until it reads\\.");
            // the client starts reading: everything it sent comes back, and the writer finishes
            long expected = 1024L * (messageSize + 10); // each echo: 10-byte header (64-bit length) + payload
            long echoed = hog.drain(expected);
            writer.get(10, TimeUnit.SECONDS);
            assertThat(echoed).isEqualTo(expected);
            assertThat(Waits.until(2_000, () -> s.server.load().heldMessageBytes() == 0 && s.server.load().pendingWriteBytes() == 0)).isTrue();
        }
    }

    @Test
    void clientsHoldingHugeMessagesDoNotStarveOrdinaryOnes() throws Exception {
        ServerOptions o = new ServerOptions();
        o.compress = false;
        o.maxMessage = 4 << 20;
        o.limits.memoryBudget = 8 << 20;
        try (TestServer s = TestServer.start(o)) {
            List<RawSocketClient> hogs = new java.util.ArrayList<>();
            try {
                // four clients each send 3 MiB of a 4 MiB message and stop there: they would hold 12 MiB
                for (int i = 0; i < 4; i++) {
                    RawSocketClient c = RawSocketClient.upgraded(s.port());
                    hogs.add(c);
                    byte[] frame = c.writer().encode(FrameSpec.of(Opcode.BINARY, new byte[4 << 20]).withMask(7 + i));
                    c.write(java.util.Arrays.copyOf(frame, 3 << 20));
                }
                assertThat(Waits.until(10_000, () -> s.server.load().heldMessageBytes() >= (6 << 20))).isTrue();
                // large holdings stop at 7/8 of the budget (their first 64 KiB count as small); the rest is for
                // everybody else
                assertThat(s.server.load().heldMessageBytes()).isLessThanOrEqualTo((7 << 20) + 4 * RetainBudget.SMALL);
                PeerClient.Result r = PeerClient.run(Peer.Kind.NODE_WS, s.url("/"),
                        new PeerClient.Plan().sendText("ordinary").recv().sendBinary(20_000).recv().close(1000, ""),
                        "--no-compress");
                assertThat(r.messages()).hasSize(2);
                assertThat(r.messages().get(0).path("text").asText()).isEqualTo("ordinary");
                assertThat(r.messages().get(1).path("len").asInt()).isEqualTo(20_000);
                assertThat(r.single("closed").path("code").asInt()).isEqualTo(1000);
            } finally {
                for (RawSocketClient c : hogs) {
                    c.close();
                }
            }
        }
    }

    @Test
    void aHeaderThatBreaksARuleAndDeclaresAGigabyteGets1002AtOnce() throws Exception {
        try (TestServer s = TestServer.start(); RawSocketClient c = RawSocketClient.upgraded(s.port())) {
            // RSV2 set, masked, 64-bit length 1 GiB: only the header and a few payload bytes are sent
            c.write(HEX.parseHex("a2ff0000000040000000" + "01020304" + "00000000"));
            RawSocketClient.ReadFrame close = c.readFrame(); // within the client's 5 s read timeout
            assertThat(close.opcode()).isEqualTo(Opcode.CLOSE);
            assertThat(close.closeCode()).isEqualTo(1002);
            assertThat(close.closeReason()).isEqualTo("reserved-bit-set");
            assertThat(c.closedByServer(5_000)).isTrue();
            assertThat(Waits.until(2_000, () -> !errors(s, "violation").isEmpty())).isTrue();
            // the header breaks two rules: RSV2, and 1 GiB over serve's 16 MiB message limit
            assertThat(errors(s, "violation")).extracting(ErrorEvent::message).hasSize(2)
                    .allSatisfy(m -> assertThat(m).contains("1073741824 payload bytes declared"))
                    .anySatisfy(m -> assertThat(m).contains("reserved-bit-set"))
                    .anySatisfy(m -> assertThat(m).contains("message-too-big"));
        }
    }

    @Test
    void aDeclaredLengthOverTheLimitGets1009AtOnce() throws Exception {
        ServerOptions o = new ServerOptions();
        o.maxMessage = 1 << 20;
        try (TestServer s = TestServer.start(o); RawSocketClient c = RawSocketClient.upgraded(s.port())) {
            c.write(HEX.parseHex("82ff0000000040000000" + "01020304"));
            RawSocketClient.ReadFrame close = c.readFrame();
            assertThat(close.closeCode()).isEqualTo(1009);
            assertThat(close.closeReason()).isEqualTo("message-too-big");
            assertThat(c.closedByServer(5_000)).isTrue();
        }
    }

    @Test
    void aDeflateBombGets1009AfterAtMostTheLimitInflated() throws Exception {
        ServerOptions o = new ServerOptions();
        o.maxMessage = 1 << 20;
        // 256 MiB of zeros, deflated to about 256 KiB
        Deflater d = new Deflater(9, true);
        byte[] zeros = new byte[1 << 20];
        java.io.ByteArrayOutputStream bomb = new java.io.ByteArrayOutputStream();
        byte[] buf = new byte[64 * 1024];
        for (int i = 0; i < 256; i++) {
            d.setInput(zeros);
            while (!d.needsInput()) {
                bomb.write(buf, 0, d.deflate(buf, 0, buf.length, Deflater.NO_FLUSH));
            }
        }
        int n;
        while ((n = d.deflate(buf, 0, buf.length, Deflater.SYNC_FLUSH)) > 0) {
            bomb.write(buf, 0, n);
            if (n < buf.length) {
                break;
            }
        }
        d.end();
        byte[] compressed = java.util.Arrays.copyOf(bomb.toByteArray(), bomb.size() - 4);
        assertThat(compressed.length).isLessThan(1 << 20);
        try (TestServer s = TestServer.start(o); RawSocketClient c = RawSocketClient.connect(s.port())) {
            c.write(c.upgradeRequest(s.port(), "Sec-WebSocket-Extensions: permessage-deflate\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1));
            assertThat(c.readHead()).startsWith("HTTP/1.1 101 ").contains("permessage-deflate");
            c.write(c.writer().encode(new FrameSpec(true, true, false, false, Opcode.BINARY, 0x0a0b0c0d, 0, compressed)));
            RawSocketClient.ReadFrame close = c.readFrame();
            assertThat(close.closeCode()).isEqualTo(1009);
            assertThat(close.closeReason()).isEqualTo("message-too-big");
            assertThat(c.closedByServer(5_000)).isTrue();
            // the server's own view: inflation stopped at the limit
            assertThat(Waits.until(2_000, () -> !s.recorder.of(MessageEvent.class).isEmpty()
                    || s.recorder.of(dev.wsdebug.capture.CloseEvent.class).size() > 0)).isTrue();
            assertThat(s.recorder.of(MessageEvent.class)).allSatisfy(m -> assertThat(m.message().length()).isLessThanOrEqualTo(1 << 20));
        }
    }

    @Test
    void aFoldedHeadAndHeadsAtTheSizeLimitGetSensibleAnswers() throws Exception {
        try (TestServer s = TestServer.start()) {
            // about 60 KB of folded continuation lines in one field: accepted, and the connection echoes
            StringBuilder folded = new StringBuilder("X-Long: v0\r\n");
            for (int i = 1; i <= 6000; i++) {
                folded.append(" v").append(i).append("\r\n");
            }
            try (RawSocketClient c = RawSocketClient.connect(s.port())) {
                c.write(c.upgradeRequest(s.port(), folded.toString()).getBytes(StandardCharsets.ISO_8859_1));
                assertThat(c.readHead()).startsWith("HTTP/1.1 101 ");
                c.sendMasked(FrameSpec.of(Opcode.TEXT, "folded".getBytes(StandardCharsets.UTF_8)));
                assertThat(new String(c.readFrame().payload(), StandardCharsets.UTF_8)).isEqualTo("folded");
            }
            // a head of exactly 65,536 bytes is accepted; one byte more is refused with 431 and a sentence
            try (RawSocketClient c = RawSocketClient.connect(s.port())) {
                String base = c.upgradeRequest(s.port(), "X-Pad: \r\n");
                String exact = c.upgradeRequest(s.port(), "X-Pad: " + "p".repeat(65_536 - base.length()) + "\r\n");
                assertThat(exact).hasSize(65_536);
                c.write(exact.getBytes(StandardCharsets.ISO_8859_1));
                assertThat(c.readHead()).startsWith("HTTP/1.1 101 ");
            }
            try (RawSocketClient c = RawSocketClient.connect(s.port())) {
                String base = c.upgradeRequest(s.port(), "X-Pad: \r\n");
                String over = c.upgradeRequest(s.port(), "X-Pad: " + "p".repeat(65_537 - base.length()) + "\r\n");
                c.write(over.getBytes(StandardCharsets.ISO_8859_1));
                String head = c.readHead();
                assertThat(head).startsWith("HTTP/1.1 431 ");
                int length = Integer.parseInt(head.replaceAll("(?s).*Content-Length: (\\d+).*", "$1"));
                assertThat(new String(c.readBytes(length), StandardCharsets.UTF_8))
                        .isEqualTo("The HTTP head is longer than 65536 bytes without an empty line ending it.\n");
            }
            assertThat(Waits.until(2_000, () -> s.recorder.of(ErrorEvent.class).stream()
                    .anyMatch(e -> e.message().contains("longer than 65536 bytes")))).isTrue();
            assertThat(s.recorder.of(ErrorEvent.class)).extracting(ErrorEvent::message).noneMatch(m -> m.contains("null"));
        }
    }

    @Test
    void anIdleTimeoutClosesWith1001OnlyWhenAsked() throws Exception {
        ServerOptions o = new ServerOptions();
        o.limits.idleTimeoutMillis = 500;
        try (TestServer s = TestServer.start(o)) {
            PeerClient.Result r = PeerClient.run(Peer.Kind.PYTHON_WEBSOCKETS, s.url("/"),
                    new PeerClient.Plan().sendText("a").recv().waitClosed(5));
            assertThat(r.single("closed").path("code").asInt()).isEqualTo(1001);
            assertThat(errors(s, "timeout")).singleElement().extracting(ErrorEvent::message)
                    .isEqualTo("No traffic for 0.5 s (--idle-timeout); closing with 1001 Going Away.");
        }
        // by default an idle connection stays open
        try (TestServer s = TestServer.start()) {
            PeerClient.Result r = PeerClient.run(Peer.Kind.PYTHON_WEBSOCKETS, s.url("/"),
                    new PeerClient.Plan().sendText("a").recv().sleep(1_500).sendText("b").recv().close(1000, ""));
            assertThat(r.messages()).extracting(m -> m.path("text").asText()).containsExactly("a", "b");
            assertThat(r.single("closed").path("code").asInt()).isEqualTo(1000);
        }
    }

    @Test
    void anIOErrorIsLoggedWithItsCause() throws Exception {
        try (TestServer s = TestServer.start(); RawSocketClient c = RawSocketClient.upgraded(s.port())) {
            c.sendMasked(FrameSpec.of(Opcode.TEXT, "x".getBytes(StandardCharsets.UTF_8)));
            c.readFrame();
            c.socket().setSoLinger(true, 0); // the close sends a reset
            c.close();
            assertThat(Waits.until(3_000, () -> !errors(s, "io").isEmpty())).isTrue();
            assertThat(errors(s, "io").get(0).message()).startsWith("The connection failed: ").endsWith(".");
        }
    }

}
