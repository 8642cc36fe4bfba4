package dev.wsdebug.net;

import com.fasterxml.jackson.databind.JsonNode;
import dev.wsdebug.capture.CloseEvent;
import dev.wsdebug.capture.HandshakeEvent;
import dev.wsdebug.capture.MessageEvent;
import dev.wsdebug.capture.peer.Peer;
import dev.wsdebug.wire.Direction;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** Many clients at once, from two implementations: every one gets exactly its own echoes. */
class ServeConcurrencyTest {
    private static final int CONNECTIONS = 20;
    private static final int MESSAGES = 5;

    @Test
    void twentyPythonAndTwentyNodeClientsAtOnceEachGetTheirOwnEchoes() throws Exception {
        try (TestServer server = TestServer.start()) {
            PeerClient.Plan plan = new PeerClient.Plan();
            for (int j = 0; j < MESSAGES; j++) {
                plan.sendText("conn {conn} message " + j).recv();
            }
            plan.sendBinary(20_000).recv().close(1000, "");
            String url = server.url("/many");
            // both processes run at the same time, each with 20 concurrent connections
            CompletableFuture<PeerClient.Result> py = runAsync(Peer.Kind.PYTHON_WEBSOCKETS, url, plan);
            CompletableFuture<PeerClient.Result> node = runAsync(Peer.Kind.NODE_WS, url, plan);
            List<PeerClient.Result> results = List.of(
                    py.get(PeerClient.RUN_TIMEOUT_MILLIS + 5_000, TimeUnit.MILLISECONDS),
                    node.get(PeerClient.RUN_TIMEOUT_MILLIS + 5_000, TimeUnit.MILLISECONDS));

            for (PeerClient.Result r : results) {
                for (int conn = 0; conn < CONNECTIONS; conn++) {
                    List<JsonNode> got = r.all("message", conn);
                    List<String> expected = new ArrayList<>();
                    for (int j = 0; j < MESSAGES; j++) {
                        expected.add("conn " + conn + " message " + j);
                    }
                    assertThat(got).as("%s connection %d: %s", r.kind(), conn, r.describe()).hasSize(MESSAGES + 1);
                    assertThat(got.subList(0, MESSAGES)).extracting(m -> m.path("text").asText())
                            .containsExactlyElementsOf(expected);
                    assertThat(got.get(MESSAGES).path("sha256").asText()).isEqualTo(Payloads.sha256(Payloads.binary(20_000)));
                    assertThat(r.all("closed", conn)).singleElement()
                            .satisfies(c -> assertThat(c.path("code").asInt()).isEqualTo(1000));
                }
            }

            int total = 2 * CONNECTIONS;
            List<CloseEvent> closes = server.recorder.awaitCloses(total, 10_000);
            assertThat(closes).hasSize(total).allSatisfy(c -> {
                assertThat(c.code()).isEqualTo(1000);
                assertThat(c.clean()).isTrue();
            });
            assertThat(server.server.connections()).isEqualTo(total);
            List<HandshakeEvent> hs = server.recorder.handshakes();
            assertThat(hs).hasSize(total).allSatisfy(h -> assertThat(h.result().upgraded()).isTrue());
            Set<String> conns = new HashSet<>();
            hs.forEach(h -> conns.add(h.conn()));
            assertThat(conns).hasSize(total);
            // per connection, the server echoed what that connection sent, in order
            List<MessageEvent> messages = server.recorder.of(MessageEvent.class);
            for (String conn : conns) {
                List<MessageEvent> in = messages.stream().filter(m -> m.conn().equals(conn) && m.dir() == Direction.C2S).toList();
                List<MessageEvent> out = messages.stream().filter(m -> m.conn().equals(conn) && m.dir() == Direction.S2C).toList();
                assertThat(in).hasSize(MESSAGES + 1);
                assertThat(out).hasSize(MESSAGES + 1);
                for (int i = 0; i < in.size(); i++) {
                    assertThat(out.get(i).message().payload()).isEqualTo(in.get(i).message().payload());
                }
            }
            // forty clients from one address coming and going together are not a reconnect storm
            server.alarms.assertNone("20 python websockets and 20 node ws clients at once");
        }
    }

    private static CompletableFuture<PeerClient.Result> runAsync(Peer.Kind kind, String url, PeerClient.Plan plan) {
        Peer.requireInstalled(kind);
        CompletableFuture<PeerClient.Result> f = new CompletableFuture<>();
        Thread t = new Thread(() -> {
            try {
                f.complete(PeerClient.run(kind, url, plan, "--connections", Integer.toString(CONNECTIONS)));
            } catch (Throwable e) {
                f.completeExceptionally(e);
            }
        }, "clients-" + kind.name());
        t.setDaemon(true);
        t.start();
        return f;
    }
}
