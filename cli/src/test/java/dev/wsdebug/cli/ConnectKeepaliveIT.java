package dev.wsdebug.cli;

import dev.wsdebug.capture.peer.Peer;
import dev.wsdebug.net.server.ServerOptions;
import org.junit.jupiter.api.Test;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static dev.wsdebug.cli.ConnectSupport.count;
import static dev.wsdebug.cli.ConnectSupport.explain;
import static dev.wsdebug.cli.ConnectSupport.ourServer;
import static dev.wsdebug.cli.ConnectSupport.url;
import static dev.wsdebug.cli.ConnectSupport.wsdebug;
import static org.assertj.core.api.Assertions.assertThat;

/** `wsdebug connect` keepalive pings, the zombie detector and reconnecting with backoff. */
@org.junit.jupiter.api.Tag("packaged-jar")
class ConnectKeepaliveIT {
    @Test
    void pingsReportRoundTripsAndTheirStatistics() throws Exception {
        try (Peer peer = Peer.start(Peer.Kind.PYTHON_WEBSOCKETS)) {
            WsdebugProcess.Result r = wsdebug("connect", url(peer), "--ping-interval", "0.2", "-w", "1");
            String why = explain(r, peer);
            assertThat(r.exit()).as(why).isZero();
            long roundTrips = count(r.out(), "^  pong: round trip \\d+\\.\\d{3} ms$");
            assertThat(roundTrips).as(why).isGreaterThanOrEqualTo(2);
            Matcher stats = Pattern.compile("(?m)^  ping rtt: min (\\d+\\.\\d{3}) ms, avg (\\d+\\.\\d{3}) ms,"
                    + " max (\\d+\\.\\d{3}) ms \\((\\d+) pongs\\)$").matcher(r.out());
            assertThat(stats.find()).as(why).isTrue();
            assertThat(Long.parseLong(stats.group(4))).as(why).isEqualTo(roundTrips);
            double min = Double.parseDouble(stats.group(1));
            double avg = Double.parseDouble(stats.group(2));
            double max = Double.parseDouble(stats.group(3));
            assertThat(min).isLessThanOrEqualTo(avg);
            assertThat(avg).isLessThanOrEqualTo(max);
            // each ping went out with an 8-byte id and came back with the same one
            assertThat(count(r.out(), "-> ping 8 B: ")).as(why).isGreaterThanOrEqualTo(roundTrips);
            assertThat(count(r.out(), "<- pong 8 B: ")).as(why).isEqualTo(roundTrips);
        }
    }

    @Test
    void aServerThatNeverPongsIsDeclaredDead() throws Exception {
        ServerOptions o = new ServerOptions();
        o.noPong = true;
        try (ConnectSupport.OurServer server = ourServer(o)) {
            long t0 = System.nanoTime();
            WsdebugProcess.Result r = wsdebug("connect", server.url(), "--ping-timeout", "0.5", "-w", "20");
            long millis = (System.nanoTime() - t0) / 1_000_000;
            String why = explain(r);
            assertThat(r.exit()).as(why).isEqualTo(1);
            assertThat(r.out()).as(why).contains("No pong or any other frame arrived within 0.5 s of a ping:"
                            + " the connection is dead")
                    .contains("closed:   1006 Abnormal Closure, no close frame (not clean)");
            assertThat(millis).as("declared dead long before the 20 s wait ends").isLessThan(10_000);
        }
    }

    @Test
    void reconnectsWithBackoffUntilTheLimit() throws Exception {
        ServerOptions o = new ServerOptions();
        o.dropAfter = 1;
        try (ConnectSupport.OurServer server = ourServer(o)) {
            WsdebugProcess.Result r = wsdebug("connect", server.url(), "-x", "msg", "--reconnect",
                    "--reconnect-base", "0.1", "--reconnect-max", "0.2", "--max-reconnects", "2");
            String why = explain(r);
            assertThat(r.exit()).as(why).isEqualTo(1);
            assertThat(count(r.out(), "^reconnecting in \\d+\\.\\d s \\(attempt \\d\\)$")).as(why).isEqualTo(2);
            assertThat(r.out()).contains("(attempt 1)").contains("(attempt 2)").doesNotContain("(attempt 3)");
            // every connection sent the message again and got its echo before the drop
            assertThat(count(r.out(), "<- text 3 B .*\"msg\"$")).as(why).isEqualTo(3);
            assertThat(count(r.out(), "closed:   1006 Abnormal Closure")).as(why).isEqualTo(3);
            assertThat(server.server().connections()).isEqualTo(3);
        }
    }

    @Test
    void noReconnectAfterACleanClose() throws Exception {
        try (Peer peer = Peer.start(Peer.Kind.NODE_WS)) {
            WsdebugProcess.Result r = wsdebug("connect", url(peer), "-x", "wsdebug:close 1001 leaving", "-w", "-1",
                    "--reconnect", "--reconnect-base", "0.1", "--max-reconnects", "3");
            String why = explain(r, peer);
            assertThat(r.exit()).as(why).isZero();
            assertThat(r.out()).as(why).doesNotContain("reconnecting")
                    .contains("closed:   1001 Going Away, initiated by the server (clean)");
        }
    }
}
