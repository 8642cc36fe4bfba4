package dev.wsdebug.sniff.live;

import dev.wsdebug.capture.CloseEvent;
import dev.wsdebug.capture.FrameEvent;
import dev.wsdebug.capture.HandshakeEvent;
import dev.wsdebug.capture.HttpEvent;
import dev.wsdebug.capture.MessageEvent;
import dev.wsdebug.sniff.tls.KeyLog;
import dev.wsdebug.wire.Direction;
import dev.wsdebug.wire.Opcode;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A real RFC 8441 session recorded by dumpcap on lo and decoded by the sniff pipeline: Node's
 * built-in http2 (h2_ws_peer.js) as server with SETTINGS_ENABLE_CONNECT_PROTOCOL and as client with
 * prior knowledge (h2c), the WebSocket frames written and parsed by the script. The capture shows a
 * WebSocket over HTTP/2 on stream 1 whose messages each way are exactly those the peers logged,
 * the client's ping and the server's pong, and the close code, without any error. The same again
 * over TLS (ALPN h2, the client's secrets from node's --tls-keylog): tshark shows only the
 * tunnelled DATA there, so the peers' own logs are the oracle.
 */
@Tag("live-capture")
class LiveH2CaptureTest {
    @Test
    @Timeout(60)
    void anExtendedConnectSessionBetweenNodeHttp2Peers(@TempDir Path dir) throws Exception {
        String node = Live.tool("node");
        List<String> script = List.of(node, Live.script("h2_ws_peer.js").toString());
        check(dir, concat(script, "server"), port -> concat(script, "client", Integer.toString(port)), null, "ws");
    }

    @Test
    @Timeout(60)
    void theSameOverTlsWithAlpnH2DecryptedByTheClientsKeyLog(@TempDir Path dir) throws Exception {
        String node = Live.tool("node");
        Path[] rsa = Live.selfSigned(dir, "rsa");
        Path keys = dir.resolve("client.keys");
        String peer = Live.script("h2_ws_peer.js").toString();
        check(dir, List.of(node, peer, "server", "--tls", rsa[0].toString(), rsa[1].toString()),
                port -> List.of(node, "--tls-keylog=" + keys, peer, "client", Integer.toString(port), "--tls"), keys, "wss");
    }

    /**
     * Records one session between the Node peers with dumpcap and checks what the sniff pipeline
     * makes of it (decrypting with {@code keys} when they are given).
     */
    private static void check(Path dir, List<String> serverCommand, java.util.function.IntFunction<List<String>> clientCommand,
                              Path keys, String scheme) throws Exception {
        Path pcap = dir.resolve("h2.pcapng");
        PeerLog client;
        PeerLog server;
        int port;
        try (LiveProcess srv = LiveProcess.start("node http2 server", serverCommand, Map.of())) {
            String line = srv.awaitLine(l -> l.matches("PORT \\d+"), LivePeer.START_MILLIS);
            port = Integer.parseInt(line.substring(5));
            try (Dumpcap cap = Dumpcap.start(pcap, "tcp port " + port)) {
                try (LiveProcess cl = LiveProcess.start("node http2 client", clientCommand.apply(port), Map.of())) {
                    cl.closeStdin();
                    int exit = cl.waitFor(LivePeer.CLIENT_MILLIS);
                    assertThat(exit).as(cl.describe()).isZero();
                    client = PeerLog.of(cl.lines(), 0);
                }
                srv.awaitLine(l -> PeerLog.isClosed(l, 0), 10_000);
                server = PeerLog.of(srv.lines(), 0);
                cap.stop();
            }
        }

        LiveDecoded d = keys == null ? LiveDecoded.of(pcap) : LiveDecoded.of(pcap, KeyLog.read(keys));
        SessionCheck.noErrors(d);
        assertThat(d.of(HttpEvent.class)).isEmpty();
        HandshakeEvent h = d.of(HandshakeEvent.class).get(0);
        assertThat(h.transport()).isEqualTo("h2");
        assertThat(h.stream()).isEqualTo(1);
        assertThat(h.conn()).isEqualTo("1.1");
        assertThat(h.url()).isEqualTo(scheme + "://" + (keys == null ? "127.0.0.1" : "localhost") + ":" + port + "/live");
        assertThat(h.server()).isEqualTo("127.0.0.1:" + port);
        assertThat(h.request().header(":scheme")).isEqualTo(keys == null ? "http" : "https");
        assertThat(h.result().valid()).as(h.result().problems().toString()).isTrue();

        List<MessageEvent> messages = d.of(MessageEvent.class, "1.1");
        List<MessageEvent> c2s = messages.stream().filter(m -> m.dir() == Direction.C2S).toList();
        List<MessageEvent> s2c = messages.stream().filter(m -> m.dir() == Direction.S2C).toList();
        assertThat(client.sent()).hasSize(3);
        assertThat(SessionCheck.keys(c2s)).isEqualTo(SessionCheck.keys(client.sent()))
                .isEqualTo(SessionCheck.keys(server.received()));
        assertThat(SessionCheck.keys(s2c)).isEqualTo(SessionCheck.keys(server.sent()))
                .isEqualTo(SessionCheck.keys(client.received()));
        assertThat(c2s).extracting(m -> m.message().frames()).containsExactly(1, 1, 2);
        assertThat(c2s.get(0).message().text()).isEqualTo("hello over HTTP/2");

        List<FrameEvent> frames = d.of(FrameEvent.class, "1.1");
        assertThat(frames).allSatisfy(f -> {
            assertThat(f.frame().violations()).isEmpty();
            assertThat(f.frame().masked()).isEqualTo(f.dir() == Direction.C2S);
            assertThat(f.packets()).isNotEmpty();
        });
        assertThat(frames).filteredOn(f -> f.frame().opcode() == Opcode.PING)
                .extracting(f -> f.dir() + " " + HexFormat.of().formatHex(f.frame().controlPayload()))
                .containsExactly("C2S 0a0b");
        assertThat(frames).filteredOn(f -> f.frame().opcode() == Opcode.PONG)
                .extracting(f -> f.dir() + " " + HexFormat.of().formatHex(f.frame().controlPayload()))
                .containsExactly("S2C " + client.pongs().get(0));
        CloseEvent close = d.of(CloseEvent.class, "1.1").get(0);
        assertThat(close.code()).isEqualTo(client.closed().path("code").asInt()).isEqualTo(4001);
        assertThat(close.reason()).isEqualTo("client done");
        assertThat(close.initiator()).isEqualTo("client");
        assertThat(close.clean()).isTrue();
    }

    private static List<String> concat(List<String> head, String... tail) {
        List<String> out = new java.util.ArrayList<>(head);
        out.addAll(List.of(tail));
        return out;
    }
}
