package dev.wsdebug.capture.export;

import dev.wsdebug.capture.Conversation;
import dev.wsdebug.capture.FlowEvent;
import dev.wsdebug.capture.export.PcapngFile.Connection;
import dev.wsdebug.capture.export.PcapngFile.Packet;
import dev.wsdebug.capture.export.Sessions.Session;
import dev.wsdebug.capture.export.Sessions.Step;
import dev.wsdebug.wire.Direction;
import dev.wsdebug.wire.Opcode;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/** The pcapng file read back by an independent reader in the tests (tshark reads it in PcapTsharkTest). */
class PcapngWriterTest {

    static Session plain(String conn) {
        return new Session(conn).upgrade("/chat?room=" + conn, "", "")
                .text(Direction.C2S, "hello from " + conn)
                .text(Direction.S2C, "welcome " + conn)
                .binary(Direction.C2S, new byte[] {0, 1, 2, (byte) 0xFF})
                .frame(Direction.S2C, true, Opcode.PING, "p".getBytes(StandardCharsets.UTF_8))
                .frame(Direction.C2S, true, Opcode.PONG, "p".getBytes(StandardCharsets.UTF_8))
                .closeHandshake();
    }

    static byte[] expected(Session s, Direction dir) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Step step : s.steps) {
            if (step.dir() == dir) {
                out.writeBytes(step.bytes());
            }
        }
        return out.toByteArray();
    }

    static PcapngFile write(int mss, int chunk, List<Session> sessions) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Sessions.run(new PcapngWriter(out, mss), chunk, sessions);
        return PcapngFile.parse(out.toByteArray());
    }

    static Connection byConn(PcapngFile f, String conn) {
        return f.connections().stream().filter(c -> ("wsdebug conn " + conn).equals(c.comment)).findFirst()
                .orElseThrow(() -> new AssertionError("no TCP connection for conn " + conn));
    }

    @Test
    void oneEthernetInterfaceWithMicrosecondTimestampsAndTheChunkTimes() {
        Session s = plain("1");
        PcapngFile f = write(PcapngWriter.DEFAULT_MSS, Integer.MAX_VALUE, List.of(s));
        assertThat(f.linkType).isEqualTo(1);
        assertThat(f.tsresol).isEqualTo(6);
        assertThat(f.application).isEqualTo("wsdebug");
        // SYN, SYN-ACK, ACK at the first chunk's time; then one data packet per chunk 1 ms apart; then 3 closing packets
        List<Packet> p = f.packets;
        assertThat(p).hasSize(3 + s.steps.size() + 3);
        long t0 = Sessions.T0 + 1000;
        assertThat(p.subList(0, 4)).allSatisfy(x -> assertThat(x.timeMicros()).isEqualTo(t0));
        for (int i = 0; i < s.steps.size(); i++) {
            assertThat(p.get(3 + i).timeMicros()).isEqualTo(t0 + 1000L * i);
        }
        assertThat(p).extracting(Packet::timeMicros).isSorted();
    }

    @Test
    void interleavedConnectionsAreTcpStreamsCarryingExactlyTheBytesFed() {
        for (int chunk : new int[] {1, 7, 64, Integer.MAX_VALUE}) {
            List<Session> sessions = List.of(plain("a"), plain("b").endpoints("127.0.0.5:50001", "127.0.0.9:9001"),
                    plain("c"), new Session("no-answer").send(Direction.C2S,
                            "GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1)));
            PcapngFile f = write(PcapngWriter.DEFAULT_MSS, chunk, sessions);
            assertThat(f.connections()).as("chunk %d", chunk).hasSize(sessions.size());
            assertThat(f.packets).allSatisfy(p -> {
                assertThat(p.ipChecksumOk()).as("IPv4 header checksum").isTrue();
                assertThat(p.tcpChecksumOk()).as("TCP checksum").isTrue();
            });
            for (Session s : sessions) {
                byte[][] streams = byConn(f, s.conn).streams();
                assertThat(streams[0]).as("c2s of %s, chunk %d", s.conn, chunk).isEqualTo(expected(s, Direction.C2S));
                assertThat(streams[1]).as("s2c of %s, chunk %d", s.conn, chunk).isEqualTo(expected(s, Direction.S2C));
            }
            // interleaved: the connections' data packets alternate in the file, not one connection after another
            List<String> order = new ArrayList<>();
            for (Packet p : f.packets) {
                String flow = p.srcPort() < p.dstPort() ? p.srcPort() + "" : p.dstPort() + "-" + p.srcPort();
                if (order.isEmpty() || !order.get(order.size() - 1).equals(flow)) {
                    order.add(flow);
                }
            }
            assertThat(order.size()).as("flow changes, chunk %d", chunk).isGreaterThan(sessions.size() * 2);
        }
    }

    @Test
    void realAddressesWhenTheyAreIpLiteralsElseLoopbackOnesWithTheRealPort() {
        Session v4 = plain("v4").endpoints("127.0.0.5:50001", "127.0.0.9:9001");
        Session v6 = plain("v6").endpoints("[::1]:50002", "[::1]:9002");
        Session named = plain("named").endpoints("client.example:40000", "server.example:9003");
        Session unknown = plain("unknown"); // Host: example.test:8080 gives the port
        Session twin = plain("twin").endpoints("127.0.0.5:50001", "127.0.0.9:9001"); // same four-tuple, still open
        PcapngFile f = write(PcapngWriter.DEFAULT_MSS, Integer.MAX_VALUE, List.of(v4, v6, named, unknown, twin));
        assertThat(byConn(f, "v4").client).isEqualTo("127.0.0.5|50001");
        assertThat(byConn(f, "v4").server).isEqualTo("127.0.0.9|9001");
        assertThat(byConn(f, "v6").client).isEqualTo("0:0:0:0:0:0:0:1|50002");
        assertThat(byConn(f, "v6").server).isEqualTo("0:0:0:0:0:0:0:1|9002");
        assertThat(byConn(f, "v6").packets).allSatisfy(p -> assertThat(p.tcpChecksumOk()).isTrue());
        assertThat(byConn(f, "named").client).startsWith("127.0.0.1|");
        assertThat(byConn(f, "named").server).isEqualTo("127.0.0.2|9003");
        assertThat(byConn(f, "unknown").server).isEqualTo("127.0.0.2|8080");
        assertThat(byConn(f, "twin").client).startsWith("127.0.0.1|");
        assertThat(byConn(f, "twin").server).isEqualTo("127.0.0.9|9001");
        assertThat(f.connections()).extracting(c -> c.client).doesNotHaveDuplicates();
        for (Session s : List.of(v4, v6, named, unknown, twin)) {
            assertThat(byConn(f, s.conn).streams()[0]).isEqualTo(expected(s, Direction.C2S));
        }
    }

    @Test
    void urlPortDefaultsByScheme() {
        assertThat(PcapngWriter.urlPort("ws://h/x")).isEqualTo(80);
        assertThat(PcapngWriter.urlPort("wss://h/x")).isEqualTo(443);
        assertThat(PcapngWriter.urlPort("wss://h:8443/x")).isEqualTo(8443);
        assertThat(PcapngWriter.urlPort(null)).isEqualTo(80);
        assertThat(PcapngWriter.HostPort.parse("[::1]:80").ip()).hasSize(16);
        assertThat(PcapngWriter.HostPort.parse("10.1.2.3:7").ip()).containsExactly(10, 1, 2, 3);
        assertThat(PcapngWriter.HostPort.parse("localhost:7").ip()).isNull();
        assertThat(PcapngWriter.HostPort.parse("localhost:7").port()).isEqualTo(7);
        assertThat(PcapngWriter.HostPort.parse("300.1.1.1:7").ip()).isNull();
    }

    @Test
    void serverPortCanBeForced() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Sessions.run(new PcapngWriter(out).serverPort(80), Integer.MAX_VALUE,
                List.of(plain("1").endpoints("127.0.0.5:50001", "127.0.0.9:6379")));
        assertThat(PcapngFile.parse(out.toByteArray()).connections().get(0).server).isEqualTo("127.0.0.9|80");
    }

    @Test
    void segmentsRespectTheMssAndPshEndsEveryChunk() {
        byte[] big = new byte[200_000];
        new Random(1).nextBytes(big);
        for (int mss : new int[] {536, 1460, PcapngWriter.DEFAULT_MSS, 1_000_000}) {
            Session s = new Session("big").upgrade("/", "", "").binary(Direction.S2C, big).binary(Direction.C2S, big)
                    .closeHandshake();
            PcapngFile f = write(mss, Integer.MAX_VALUE, List.of(s));
            int max = Math.min(mss, 65_495);
            assertThat(f.packets).allSatisfy(p -> {
                assertThat(p.payload().length).isLessThanOrEqualTo(max);
                assertThat(p.ipTotalLength()).isLessThanOrEqualTo(65_535);
            });
            assertThat(f.packets).extracting(p -> p.payload().length).contains(max);
            // one PSH per chunk: every write of the session was fed as one chunk
            assertThat(f.packets.stream().filter(Packet::psh).count()).isEqualTo(s.steps.size());
            assertThat(f.packets.stream().filter(Packet::psh)).allSatisfy(p -> assertThat(p.payload()).isNotEmpty());
            byte[][] streams = f.connections().get(0).streams();
            assertThat(streams[0]).isEqualTo(expected(s, Direction.C2S));
            assertThat(streams[1]).isEqualTo(expected(s, Direction.S2C));
            // the SYN announces the segment size and window scaling
            Packet syn = f.packets.get(0);
            assertThat(syn.tcpOptions()).startsWith(2, 4, (byte) (max >>> 8), (byte) max);
        }
    }

    @Test
    void theReceiverAcknowledgesLongOneWayTransfers() {
        byte[] big = new byte[3 * PcapngWriter.ACK_EVERY + 12345];
        Session s = new Session("long").upgrade("/", "", "").binary(Direction.C2S, big).closeHandshake();
        PcapngFile f = write(PcapngWriter.DEFAULT_MSS, 256 * 1024, List.of(s));
        Connection c = f.connections().get(0);
        c.streams();
        long unacked = 0;
        int pureAcks = 0;
        for (Packet p : c.packets.subList(3, c.packets.size())) {
            if (p.from().equals(c.client)) {
                unacked += p.payload().length;
                assertThat(unacked).isLessThanOrEqualTo(PcapngWriter.ACK_EVERY);
            } else {
                unacked = 0;
                pureAcks += p.payload().length == 0 && !p.fin() ? 1 : 0;
            }
        }
        assertThat(pureAcks).isGreaterThanOrEqualTo(3);
    }

    @Test
    void aConnectionWithoutResponseIsClosedAtTheEndWithItsRequest() {
        byte[] request = "GET /x HTTP/1.1\r\nHost: h:1234\r\nUpgrade: websocket\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1);
        PcapngFile f = write(PcapngWriter.DEFAULT_MSS, 5, List.of(new Session("lonely").send(Direction.C2S, request)));
        Connection c = byConn(f, "lonely");
        assertThat(c.server).endsWith("|1234");
        byte[][] streams = c.streams();
        assertThat(streams[0]).isEqualTo(request);
        assertThat(streams[1]).isEmpty();
    }

    @Test
    void knownEndpointsAreWrittenAtOnceWithoutWaitingForTheHandshake() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PcapngWriter w = new PcapngWriter(out);
        w.endpoints("9", "127.0.0.7:40000", "127.0.0.8:8080");
        byte[] part = "GET / HTTP/1.1\r\n".getBytes(StandardCharsets.ISO_8859_1);
        w.chunk("9", Direction.C2S, Sessions.T0, part, 0, part.length);
        w.flush();
        PcapngFile before = PcapngFile.parse(out.toByteArray());
        assertThat(before.packets).hasSize(4);
        assertThat(before.packets.get(3).payload()).isEqualTo(part);
        w.close();
        PcapngFile after = PcapngFile.parse(out.toByteArray());
        assertThat(after.connections().get(0).client).isEqualTo("127.0.0.7|40000");
        assertThat(after.connections().get(0).streams()[0]).isEqualTo(part);
    }

    /** A flow fact is not the handshake: the bytes before it still wait for the real addresses. */
    @Test
    void aFlowFactBeforeTheHandshakeDoesNotStartTheConnection() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PcapngWriter w = new PcapngWriter(out);
        Session s = plain("f");
        Conversation c = new Conversation("f", w).endpoints("127.0.0.7:40000", "127.0.0.8:8080");
        long t = Sessions.T0;
        c.feed(s.steps.get(0).dir(), t, s.steps.get(0).bytes());
        c.flow(t + 1, Direction.S2C, FlowEvent.ZERO_WINDOW, -1, 0);
        w.flush();
        assertThat(PcapngFile.parse(out.toByteArray()).packets).isEmpty();
        for (Step step : s.steps.subList(1, s.steps.size())) {
            c.feed(step.dir(), t += 1000, step.bytes());
        }
        c.flow(t + 1, Direction.S2C, FlowEvent.WINDOW_OPEN, -1, 2_000);
        c.end(t + 2);
        w.close();
        Connection conn = byConn(PcapngFile.parse(out.toByteArray()), "f");
        assertThat(conn.client).isEqualTo("127.0.0.7|40000");
        assertThat(conn.streams()[0]).isEqualTo(expected(s, Direction.C2S));
        assertThat(conn.streams()[1]).isEqualTo(expected(s, Direction.S2C));
    }

    @Test
    void withoutAnEventPacketsWaitAtMostTheCap() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PcapngWriter w = new PcapngWriter(out);
        byte[] junk = new byte[64 * 1024];
        int fed = 0;
        while (fed <= PcapngWriter.MAX_HELD) {
            w.chunk("j", Direction.C2S, Sessions.T0 + fed, junk, 0, junk.length);
            fed += junk.length;
        }
        w.flush();
        assertThat(PcapngFile.parse(out.toByteArray()).packets).hasSizeGreaterThan(3);
        w.close();
        assertThat(PcapngFile.parse(out.toByteArray()).connections().get(0).streams()[0]).hasSize(fed);
    }

    @Test
    void createWritesAndClosesAFile() throws Exception {
        Path dir = Files.createTempDirectory("pcapng");
        Path file = dir.resolve("x.pcapng");
        Sessions.run(PcapngWriter.create(file), Integer.MAX_VALUE, List.of(plain("1")));
        assertThat(PcapngFile.parse(Files.readAllBytes(file)).connections()).hasSize(1);
        Files.delete(file);
        Files.delete(dir);
    }
}
