package dev.wsdebug.sniff.live;

import dev.wsdebug.capture.FlowEvent;
import dev.wsdebug.capture.HandshakeEvent;
import dev.wsdebug.wire.Direction;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * TCP flow facts from real loopback captures: a client that stops reading (its window closes, then
 * opens), and a client whose frames are written in two parts with Nagle's algorithm on (the payload
 * waits for the delayed ACK of the header). The peers are py_peer.py's server (python websockets,
 * echo) and flow_client.py (raw sockets, for socket options and write patterns a library hides).
 * tshark's {@code tcp.analysis.zero_window} is the oracle for windows.
 */
@Tag("live-capture")
class LiveFlowCaptureTest {
    private static final long CLIENT_MILLIS = 30_000;
    private static final int MESSAGES = 10;

    /** Records one flow_client.py run against a fresh python server; returns the capture. */
    private static Path record(Path dir, String... clientArgs) throws Exception {
        Path pcap = dir.resolve(clientArgs[0] + ".pcapng");
        try (LivePeer.Server srv = LivePeer.PYTHON.server(List.of(), Map.of(), "--deflate", "off")) {
            try (Dumpcap cap = Dumpcap.start(pcap, "tcp port " + srv.port())) {
                List<String> cmd = new ArrayList<>(List.of("/usr/bin/python3", Live.script("flow_client.py").toString(),
                        clientArgs[0], Integer.toString(srv.port())));
                cmd.addAll(List.of(clientArgs).subList(1, clientArgs.length));
                try (LiveProcess client = LiveProcess.start("flow client", cmd, LivePeer.PYTHON.environment(Map.of()))) {
                    client.closeStdin();
                    int exit = client.waitFor(CLIENT_MILLIS);
                    if (exit != 0) {
                        throw new AssertionError("flow_client.py exited with " + exit + "\n" + client.describe());
                    }
                    System.out.println(String.join("\n", client.lines()));
                }
                cap.stop();
            }
        }
        return pcap;
    }

    private static List<FlowEvent> flows(LiveDecoded d, String kind) {
        return d.of(FlowEvent.class, "1").stream().filter(f -> f.kind().equals(kind)).toList();
    }

    @Test
    @Timeout(90)
    void aClientThatStopsReadingClosesItsWindow(@TempDir Path dir) throws Exception {
        Path pcap = record(dir, "slow", "4096", "1500", Integer.toString(4 << 20));
        LiveDecoded d = LiveDecoded.of(pcap);
        SessionCheck.noErrors(d);
        assertThat(d.of(HandshakeEvent.class)).hasSize(1);
        List<FlowEvent> closed = flows(d, FlowEvent.ZERO_WINDOW);
        List<FlowEvent> opened = flows(d, FlowEvent.WINDOW_OPEN);
        long tshark = TsharkWs.run(dir, List.of(Live.tool("tshark"), "-n", "-r", pcap.toString(), "-Y",
                "tcp.analysis.zero_window", "-T", "fields", "-e", "frame.number")).stream()
                .filter(l -> !l.isBlank()).count();
        System.out.println("zero windows: ours " + closed.size() + " (opened " + opened.size() + "), tshark "
                + tshark + "; " + d.of(FlowEvent.class, "1"));

        assertThat(closed).as("zero-window transitions").isNotEmpty()
                .allSatisfy(f -> assertThat(f.dir()).isEqualTo(Direction.S2C));
        assertThat(opened).as("window openings").isNotEmpty()
                .allSatisfy(f -> assertThat(f.dir()).isEqualTo(Direction.S2C));
        assertThat(opened.stream().mapToLong(FlowEvent::micros).max().orElse(0)).as("the longest closed time")
                .isBetween(500_000L, 3_000_000L);
        assertThat(closed.get(0).bytes()).as("bytes in flight to the closed window").isGreaterThanOrEqualTo(0);
        assertThat(tshark).as("tshark's zero-window packets").isPositive().isGreaterThanOrEqualTo(closed.size());
    }

    @Test
    @Timeout(90)
    void writeWriteReadWithNagleWaitsForTheDelayedAck(@TempDir Path dir) throws Exception {
        LiveDecoded d = LiveDecoded.of(record(dir, "nagle", Integer.toString(MESSAGES), "0"));
        SessionCheck.noErrors(d);
        List<FlowEvent> waits = flows(d, FlowEvent.ACK_WAIT);
        System.out.println("ACK waits with Nagle: " + waits.stream().map(f -> f.dir() + " " + f.bytes() + " B "
                + f.micros() / 1000.0 + " ms").toList());
        assertThat(waits).as("one ACK wait per message, for most of them").hasSizeGreaterThanOrEqualTo(MESSAGES / 2)
                .hasSizeLessThanOrEqualTo(MESSAGES)
                .allSatisfy(f -> {
                    assertThat(f.dir()).isEqualTo(Direction.C2S);
                    assertThat(f.bytes()).as("the masked payload's segment: mask key and 100 bytes").isEqualTo(104);
                    assertThat(f.micros()).isBetween(30_000L, 250_000L);
                });
    }

    @Test
    @Timeout(90)
    void withTcpNoDelayNothingWaits(@TempDir Path dir) throws Exception {
        LiveDecoded d = LiveDecoded.of(record(dir, "nagle", Integer.toString(MESSAGES), "1"));
        SessionCheck.noErrors(d);
        assertThat(d.of(FlowEvent.class, "1")).as("flow events with TCP_NODELAY").isEmpty();
    }
}
