package dev.wsdebug.sniff.live;

import dev.wsdebug.capture.HandshakeEvent;
import dev.wsdebug.wire.DeflateParams;
import dev.wsdebug.wire.Direction;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Sessions between real peers (python websockets, Node ws) recorded by dumpcap on lo, then decoded
 * by the sniff pipeline: (a) the frames and messages are exactly what the peers sent and received
 * (each peer prints the size and SHA-256 of every message it sent and received), and (b) every frame
 * agrees with tshark's WebSocket dissector on the same capture, packet numbers included — except the
 * text of compressed messages where tshark 4.0 inflates wrongly, which is listed, and where our text
 * is the peers' text.
 *
 * <p>The sessions cover permessage-deflate off, on with each library's defaults (python: window bits
 * 12 both ways), with only server_no_context_takeover and with only client_no_context_takeover;
 * fragmented messages both ways, 1 MiB messages (text pattern and random bytes) and one of 2 MiB
 * (past the 1 MiB a message keeps by default: its SHA-256 is the assembler's), pings of both sides,
 * and closes started by either side with codes and reasons. Each takes 2-4 s.
 */
@Tag("live-capture")
class LiveWebSocketCaptureTest {
    private static final int MIB = 1 << 20;

    /** One recorded session: who talks, with which options, which plan. */
    record Session(String name, LivePeer server, List<String> serverOptions, LivePeer client,
                   List<String> clientOptions, Plan plan, Direction tsharkMisreads, String deflate) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Arguments> sessions() {
        return Stream.of(
                new Session("python, deflate off", LivePeer.PYTHON, List.of("--deflate", "off"), LivePeer.PYTHON,
                        List.of("--deflate", "off"),
                        new Plan(LivePeer.PYTHON, LivePeer.PYTHON).text("hello hello world one").sized("binary", MIB, true).sized("text", MIB, false)
                                .fragmented("a text message in three frames", 3).serverFragments(4, 5000, "binary")
                                .ping("01020304").serverPing("0a0b0c").clientClose(4001, "client bye"),
                        null, "off"),
                new Session("python, deflate (defaults)", LivePeer.PYTHON, List.of(), LivePeer.PYTHON, List.of(),
                        new Plan(LivePeer.PYTHON, LivePeer.PYTHON).text("hello hello world one").text("hello hello world two")
                                .sized("binary", 3000, false).sized("text", MIB, false)
                                .fragmented("frag frag frag frag frag frag", 3).text("hello hello world three")
                                .serverFragments(3, 4000, "text").text("hello hello world four")
                                .ping("cafe").serverPing("beef").serverClose(4002, "server bye"),
                        null, "cnct=false snct=false bits=12/12"),
                new Session("python, deflate with server_no_context_takeover only", LivePeer.PYTHON,
                        List.of("--deflate", "server-nct"), LivePeer.PYTHON, List.of("--deflate", "server-nct"),
                        new Plan(LivePeer.PYTHON, LivePeer.PYTHON).text("hello hello world one").text("hello hello world two")
                                .text("hello hello world three").sized("binary", 20_000, false).text("hello hello world four")
                                .ping("").clientClose(1001, "going away"),
                        Direction.C2S, "cnct=false snct=true bits=15/15"),
                new Session("python, deflate with client_no_context_takeover only", LivePeer.PYTHON,
                        List.of("--deflate", "client-nct"), LivePeer.PYTHON, List.of("--deflate", "client-nct"),
                        new Plan(LivePeer.PYTHON, LivePeer.PYTHON).text("hello hello world one").text("hello hello world two")
                                .text("hello hello world three").sized("text", 50_000, false).text("hello hello world four")
                                .serverPing("00").serverClose(4003, "done"),
                        Direction.S2C, "cnct=true snct=false bits=15/15"),
                new Session("node, deflate on", LivePeer.NODE, List.of(), LivePeer.NODE, List.of(),
                        new Plan(LivePeer.NODE, LivePeer.NODE).text("hello hello world one").text("hello hello world two")
                                .sized("binary", 2 * MIB + 7, true).fragmented("fragments of a compressed text", 4)
                                .text("hello hello world three").serverFragments(3, 70_000, "text")
                                .ping("0102").serverPing("0304").clientClose(4004, "node bye"),
                        null, "cnct=false snct=false bits=15/15"),
                new Session("node, deflate off", LivePeer.NODE, List.of("--deflate", "off"), LivePeer.NODE,
                        List.of("--deflate", "off"),
                        new Plan(LivePeer.NODE, LivePeer.NODE).text("hello one").sized("text", MIB, false).fragmented("two fragments", 2)
                                .serverFragments(5, 300, "binary").ping("aa").serverPing("bb")
                                .serverClose(1008, "policy"),
                        null, "off"),
                new Session("python client, node server", LivePeer.NODE, List.of(), LivePeer.PYTHON, List.of(),
                        new Plan(LivePeer.PYTHON, LivePeer.NODE).text("hello hello world one").text("hello hello world two")
                                .serverFragments(2, 1000, "text").sized("binary", 100_000, true)
                                .ping("11").clientClose(1000, ""),
                        null, "cnct=false snct=false bits=15/15"),
                new Session("node client, python server", LivePeer.PYTHON, List.of(), LivePeer.NODE, List.of(),
                        new Plan(LivePeer.NODE, LivePeer.PYTHON).text("hello hello world one").text("hello hello world two")
                                .fragmented("three compressed fragments", 3).text("hello hello world three")
                                .serverPing("22").clientClose(3000, "app code"),
                        null, "cnct=false snct=false bits=12/12")
        ).map(Arguments::of);
    }

    private static String deflate(DeflateParams d) {
        return d == null ? "off" : "cnct=" + d.clientNoContextTakeover() + " snct=" + d.serverNoContextTakeover()
                + " bits=" + d.clientWindowBits() + "/" + d.serverWindowBits();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("sessions")
    @Timeout(90)
    void captureMatchesThePeersAndTshark(Session s, @TempDir Path dir) throws Exception {
        Path pcap = dir.resolve("session.pcapng");
        PeerLog client;
        PeerLog server;
        int port;
        try (LivePeer.Server srv = s.server().server(List.of(), Map.of(), s.serverOptions().toArray(String[]::new))) {
            port = srv.port();
            try (Dumpcap cap = Dumpcap.start(pcap, "tcp port " + port)) {
                List<String> out = s.client().client(List.of(), Map.of(), "ws://127.0.0.1:" + port + "/live",
                        s.plan().json(), s.clientOptions().toArray(String[]::new));
                client = PeerLog.of(out, 0);
                server = srv.closedLog(0);
                cap.stop();
            }
        }

        LiveDecoded d = LiveDecoded.of(pcap);
        SessionCheck.noErrors(d);
        assertThat(d.summary().webSockets()).as(d.summary().toString()).isEqualTo(1);
        HandshakeEvent h = d.of(HandshakeEvent.class).get(0);
        assertThat(h.conn()).isEqualTo("1");
        assertThat(h.server()).isEqualTo("127.0.0.1:" + port);
        assertThat(deflate(h.result().deflate())).as("permessage-deflate in force: " + h.result().extensions())
                .isEqualTo(s.deflate());
        SessionCheck.againstPeers(d, "1", s.plan(), client, server);

        List<TsharkWs.Frame> tshark = TsharkWs.frames(pcap, TsharkWs.httpOn(port));
        List<String> tsharkWrong = SessionCheck.againstTshark(d, tshark, s.tsharkMisreads());
        if (s.tsharkMisreads() != null && TsharkWs.version().startsWith("4.0.")) {
            // tshark 4.0 inflates the direction that keeps its context as if it did not: from the
            // second compressed message of that direction on it says "Decompression failed" (our text
            // is the peer's, checked above). A newer tshark may have fixed it: then this list is empty.
            assertThat(tsharkWrong).as("tshark 4.0's known misreading of one-sided no_context_takeover")
                    .isNotEmpty()
                    .allSatisfy(w -> assertThat(w).contains(" " + s.tsharkMisreads() + ": "));
        }
    }
}
