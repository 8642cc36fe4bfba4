package dev.wsdebug.net;

import dev.wsdebug.capture.CloseEvent;
import dev.wsdebug.capture.MessageEvent;
import dev.wsdebug.capture.peer.Peer;
import dev.wsdebug.wire.Direction;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** Stopping {@code wsdebug serve} while clients are connected. */
class ServeShutdownTest {

    @Test
    void closingTheServerEndsOpenConnectionsAndTheRecordingSaysSo() throws Exception {
        Peer.requireInstalled(Peer.Kind.PYTHON_WEBSOCKETS);
        TestServer server = TestServer.start();
        CompletableFuture<PeerClient.Result> client = new CompletableFuture<>();
        try {
            PeerClient.Plan plan = new PeerClient.Plan().sendText("before shutdown").recv().waitClosed(10);
            String url = server.url("/");
            Thread t = new Thread(() -> {
                try {
                    client.complete(PeerClient.run(Peer.Kind.PYTHON_WEBSOCKETS, url, plan, "--connections", "3"));
                } catch (Throwable e) {
                    client.completeExceptionally(e);
                }
            }, "shutdown-clients");
            t.setDaemon(true);
            t.start();
            server.recorder.awaitCount(MessageEvent.class, m -> m.dir() == Direction.S2C, 3, 10_000);
        } finally {
            server.close();
        }
        PeerClient.Result r = client.get(PeerClient.RUN_TIMEOUT_MILLIS + 5_000, TimeUnit.MILLISECONDS);

        assertThat(r.all("closed")).as(r.describe()).hasSize(3);
        // every connection's end is recorded, even though the server went away under it
        List<CloseEvent> closes = server.recorder.closes();
        assertThat(closes).as(server.recorder.dump()).hasSize(3);
        // today the connections just drop (1006); a Going Away close (1001) would do as well, as
        // long as client and recording agree
        for (int conn = 0; conn < 3; conn++) {
            int code = r.all("closed", conn).get(0).path("code").asInt();
            assertThat(code).as(r.describe()).isIn(1001, 1006);
        }
        int clientCode = r.all("closed").get(0).path("code").asInt();
        assertThat(closes).allSatisfy(c -> assertThat(c.code()).isEqualTo(clientCode));
    }
}
