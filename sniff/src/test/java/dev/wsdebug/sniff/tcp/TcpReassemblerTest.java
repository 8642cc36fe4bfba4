package dev.wsdebug.sniff.tcp;

import static dev.wsdebug.sniff.tcp.Segments.ACK;
import static dev.wsdebug.sniff.tcp.Segments.CLIENT;
import static dev.wsdebug.sniff.tcp.Segments.FIN;
import static dev.wsdebug.sniff.tcp.Segments.PSH;
import static dev.wsdebug.sniff.tcp.Segments.RST;
import static dev.wsdebug.sniff.tcp.Segments.SERVER;
import static dev.wsdebug.sniff.tcp.Segments.SYN;
import static dev.wsdebug.sniff.tcp.Segments.c;
import static dev.wsdebug.sniff.tcp.Segments.endpoint;
import static dev.wsdebug.sniff.tcp.Segments.s;
import static dev.wsdebug.sniff.tcp.Segments.seg;
import static org.assertj.core.api.Assertions.assertThat;

import dev.wsdebug.sniff.packet.Endpoint;
import dev.wsdebug.sniff.packet.TcpSegment;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class TcpReassemblerTest {
    private static final String OPENED = "1 opened 10.0.0.1:50000 10.0.0.2:80 client=A";

    private final Recorder rec = new Recorder();
    private final TcpReassembler tcp = new TcpReassembler(rec);

    /** SYN 1000 from the client, SYN-ACK 5000 from the server, as packets 1 and 2. */
    private void handshake() {
        tcp.segment(c(1, 1000, 0, SYN, ""));
        tcp.segment(s(2, 5000, 1001, SYN | ACK, ""));
    }

    @Test
    void deliversInOrderBytesAndClosesAfterBothFins() {
        handshake();
        tcp.segment(c(3, 1001, 5001, ACK, ""));
        tcp.segment(c(4, 1001, 5001, PSH | ACK, "GET /"));
        tcp.segment(s(5, 5001, 1006, PSH | ACK, "HTTP/1.1"));
        tcp.segment(c(6, 1006, 5009, FIN | ACK, ""));
        tcp.segment(s(7, 5009, 1007, FIN | ACK, ""));
        tcp.segment(c(8, 1007, 5010, ACK, ""));

        assertThat(rec.events).containsExactly(OPENED,
                "1 A data #4 @40 GET /",
                "1 B data #5 @50 HTTP/1.1",
                "1 closed @70");
        TcpFlow flow = rec.stream(1).flow;
        assertThat(flow.client()).isEqualTo(Side.A);
        assertThat(flow.firstNanos()).isEqualTo(10);
        assertThat(tcp.openConnections()).isZero();
        tcp.finish(100);
        assertThat(rec.events).hasSize(4);
    }

    @Test
    void holdsReorderedSegmentsUntilTheHoleFills() {
        handshake();
        tcp.segment(c(3, 1004, 5001, ACK, "def"));
        tcp.segment(c(4, 1007, 5001, ACK, "ghi"));
        assertThat(tcp.heldBytes()).isEqualTo(2 * (3 + HeldSegments.OVERHEAD));
        tcp.segment(c(5, 1001, 5001, ACK, "abc"));

        assertThat(rec.of(1)).containsExactly(OPENED,
                "1 A data #5 @50 abc",
                "1 A data #3 @50 def",
                "1 A data #4 @50 ghi");
        assertThat(tcp.heldBytes()).isZero();
    }

    @Test
    void dropsRetransmissions() {
        handshake();
        tcp.segment(c(3, 1001, 5001, ACK, "abc"));
        tcp.segment(c(4, 1001, 5001, ACK, "abc"));
        tcp.segment(c(5, 1004, 5001, ACK, "def"));
        tcp.segment(c(6, 1001, 5001, ACK, "abcdef"));

        assertThat(rec.of(1)).containsExactly(OPENED, "1 A data #3 @30 abc", "1 A data #5 @50 def");
    }

    @Test
    void partialOverlapsKeepTheFirstCopy() {
        handshake();
        tcp.segment(c(3, 1001, 5001, ACK, "abcde"));
        tcp.segment(c(4, 1009, 5001, ACK, "ij"));
        tcp.segment(c(5, 1004, 5001, ACK, "defghijkl"));

        assertThat(rec.of(1)).containsExactly(OPENED,
                "1 A data #3 @30 abcde",
                "1 A data #5 @50 fgh",
                "1 A data #4 @50 ij",
                "1 A data #5 @50 kl");
        assertThat(rec.stream(1).conflicts).isEmpty();
    }

    @Test
    void reportsBytesThatDifferFromTheFirstCopy() {
        handshake();
        tcp.segment(c(3, 1001, 5001, ACK, "abcde"));
        tcp.segment(c(4, 1009, 5001, ACK, "ij"));
        // Against held bytes: offsets 8 and 9 say XY where ij was held; ij wins.
        tcp.segment(c(5, 1006, 5001, ACK, "fghXYkl"));
        // Against delivered bytes: offset 2 was c.
        tcp.segment(c(6, 1001, 5001, ACK, "abXde"));
        // From the first differing byte to the last: offsets 1 to 4.
        tcp.segment(c(7, 1002, 5001, ACK, "BcdEf"));

        assertThat(rec.of(1)).containsExactly(OPENED,
                "1 A data #3 @30 abcde",
                "1 A conflict 8+2 @50",
                "1 A data #5 @50 fgh",
                "1 A data #4 @50 ij",
                "1 A data #5 @50 kl",
                "1 A conflict 2+1 @60",
                "1 A conflict 1+4 @70");
        assertThat(rec.stream(1).text(Side.A)).isEqualTo("abcdefghijkl");
    }

    @Test
    void comparesOnlyTheRememberedDeliveredBytes() {
        Recorder r = new Recorder();
        TcpReassembler small = new TcpReassembler(r, new TcpLimits(1 << 20, 10, 4));
        small.segment(c(1, 1000, 0, SYN, ""));
        small.segment(c(2, 1001, 0, ACK, "abcdefgh"));
        // Offsets 0..3 are forgotten (only the last 4 bytes are kept): X there is not seen.
        small.segment(c(3, 1001, 0, ACK, "XbcdefgY"));

        assertThat(r.of(1)).containsExactly(OPENED, "1 A data #2 @20 abcdefgh", "1 A conflict 7+1 @30");
    }

    @Test
    void aKeepAliveByteIsNoConflict() {
        handshake();
        tcp.segment(c(3, 1001, 5001, ACK, "abc"));
        tcp.segment(c(4, 1003, 5001, ACK, "\0"));
        tcp.segment(c(5, 1004, 5001, ACK, "d"));

        assertThat(rec.of(1)).containsExactly(OPENED, "1 A data #3 @30 abc", "1 A data #5 @50 d");
    }

    @Test
    void aLostSegmentBecomesAGapWhenThePeerAcknowledgesPastIt() {
        handshake();
        tcp.segment(c(3, 1001, 5001, ACK, "abcde"));
        // fghij (1006) was not captured.
        tcp.segment(c(4, 1011, 5001, ACK, "klmno"));
        tcp.segment(s(5, 5001, 1006, ACK, "")); // a duplicate ACK: the receiver waits too
        tcp.segment(s(6, 5001, 1016, ACK, ""));
        tcp.segment(c(7, 1016, 5001, ACK, "pq"));
        // A late copy of the lost bytes is old now.
        tcp.segment(c(8, 1006, 5001, ACK, "fghij"));

        assertThat(rec.of(1)).containsExactly(OPENED,
                "1 A data #3 @30 abcde",
                "1 A gap 5 @60",
                "1 A data #4 @60 klmno",
                "1 A data #7 @70 pq");
        assertThat(rec.stream(1).conflicts).isEmpty();
    }

    @Test
    void anAcknowledgmentIntoTheHoleDeclaresOnlyTheBytesItCovers() {
        handshake();
        tcp.segment(c(3, 1001, 5001, ACK, "abcde"));
        tcp.segment(c(4, 1011, 5001, ACK, "klmno"));
        tcp.segment(s(5, 5001, 1008, ACK, ""));
        tcp.segment(c(6, 1008, 5001, ACK, "hij"));

        assertThat(rec.of(1)).containsExactly(OPENED,
                "1 A data #3 @30 abcde",
                "1 A gap 2 @50",
                "1 A data #6 @60 hij",
                "1 A data #4 @60 klmno");
    }

    @Test
    void anAcknowledgmentBeyondEverythingCapturedDeclaresNothing() {
        handshake();
        tcp.segment(c(3, 1001, 5001, ACK, "abcde"));
        tcp.segment(s(4, 5001, 1100, ACK, ""));
        tcp.segment(c(5, 1006, 5001, ACK, "f"));

        assertThat(rec.of(1)).containsExactly(OPENED, "1 A data #3 @30 abcde", "1 A data #5 @50 f");
    }

    @Test
    void followsSequenceNumbersAcrossTheWrap() {
        tcp.segment(c(1, 0xFFFFFFF8L, 0, SYN, ""));
        tcp.segment(s(2, 0x7FFFFFFFL, 0xFFFFFFF9L, SYN | ACK, ""));
        tcp.segment(c(3, 0x00000000L, 0x80000000L, ACK, "789"));
        tcp.segment(c(4, 0xFFFFFFFCL, 0x80000000L, ACK, "3456"));
        tcp.segment(c(5, 0xFFFFFFF9L, 0x80000000L, ACK, "012"));
        tcp.segment(s(6, 0x80000000L, 0x00000003L, ACK, "xy"));
        tcp.segment(c(7, 0x00000003L, 0x80000002L, FIN | ACK, ""));
        tcp.segment(s(8, 0x80000002L, 0x00000004L, FIN | ACK, ""));

        assertThat(rec.of(1)).containsExactly(OPENED,
                "1 A data #5 @50 012",
                "1 A data #4 @50 3456",
                "1 A data #3 @50 789",
                "1 B data #6 @60 xy",
                "1 closed @80");
    }

    @Test
    void declaresAGapAcrossTheWrap() {
        tcp.segment(c(1, 0xFFFFFFF8L, 0, SYN, ""));
        tcp.segment(s(2, 0x7FFFFFFFL, 0xFFFFFFF9L, SYN | ACK, ""));
        tcp.segment(c(3, 0x00000000L, 0x80000000L, ACK, "789"));
        tcp.segment(c(4, 0xFFFFFFF9L, 0x80000000L, ACK, "012"));
        tcp.segment(s(5, 0x80000000L, 0x00000003L, ACK, ""));
        tcp.segment(c(6, 0x00000003L, 0x80000000L, FIN | ACK, ""));
        tcp.segment(s(7, 0x80000000L, 0x00000004L, FIN | ACK, ""));

        assertThat(rec.of(1)).containsExactly(OPENED,
                "1 A data #4 @40 012",
                "1 A gap 4 @50",
                "1 A data #3 @50 789",
                "1 closed @70");
    }

    @Test
    void startsMidStreamWithoutAClient() {
        tcp.segment(s(1, 7000, 3000, PSH | ACK, "hello"));
        tcp.segment(c(2, 3000, 7005, PSH | ACK, "hi"));
        tcp.segment(c(3, 2990, 7005, ACK, "0123456789")); // sent before the capture's first: absent
        tcp.segment(s(4, 7005, 3002, PSH | ACK, "world"));
        tcp.finish(50);

        assertThat(rec.events).containsExactly(
                "1 opened 10.0.0.2:80 10.0.0.1:50000 client=null",
                "1 A data #1 @10 hello",
                "1 B data #2 @20 hi",
                "1 A data #4 @40 world",
                "1 closed @50 atEnd");
        assertThat(rec.stream(1).flow.midStream()).isTrue();
    }

    @Test
    void aBareAckDoesNotPlaceTheStartOfAStream() {
        tcp.segment(c(1, 2995, 7000, ACK, ""));
        tcp.segment(c(2, 2990, 7000, ACK, "0123456789"));

        assertThat(rec.events).containsExactly(
                "1 opened 10.0.0.1:50000 10.0.0.2:80 client=null",
                "1 A data #2 @20 0123456789");
    }

    @Test
    void aSynAckAloneTellsTheClient() {
        tcp.segment(s(1, 5000, 1001, SYN | ACK, ""));
        tcp.segment(c(2, 1001, 5001, ACK, "hi"));

        assertThat(rec.events).containsExactly(
                "1 opened 10.0.0.2:80 10.0.0.1:50000 client=B",
                "1 B data #2 @20 hi");
    }

    @Test
    void numbersConnectionsLikeTshark() {
        Endpoint client2 = endpoint(10, 0, 0, 1, 50001);
        Endpoint client3 = endpoint(10, 0, 0, 3, 40000);
        // 1: a whole connection, then its late packets.
        tcp.segment(c(1, 100, 0, SYN, ""));
        tcp.segment(s(2, 900, 101, SYN | ACK, ""));
        tcp.segment(c(3, 101, 901, ACK, "a"));
        tcp.segment(c(4, 102, 901, FIN | ACK, ""));
        tcp.segment(s(5, 901, 103, FIN | ACK, ""));
        tcp.segment(c(6, 103, 902, ACK, ""));
        tcp.segment(c(7, 102, 901, FIN | ACK, ""));
        // 2: the same endpoints again after the close; a RST ends it with bytes held after a hole.
        tcp.segment(c(8, 5000, 0, SYN, ""));
        tcp.segment(s(9, 7000, 5001, SYN | ACK, ""));
        tcp.segment(c(10, 5001, 7001, ACK, "b"));
        tcp.segment(c(11, 5003, 7001, ACK, "d"));
        tcp.segment(s(12, 7001, 5002, RST | ACK, ""));
        tcp.segment(c(13, 5004, 7001, ACK, "e"));
        // 3: a retransmitted SYN stays; a SYN with another sequence number on an open pair is 4.
        tcp.segment(seg(14, client2, SERVER, 300, 0, SYN, ""));
        tcp.segment(seg(15, client2, SERVER, 300, 0, SYN, ""));
        tcp.segment(seg(16, client2, SERVER, 400, 0, SYN, ""));
        tcp.segment(seg(17, SERVER, client2, 800, 401, SYN | ACK, ""));
        tcp.segment(seg(18, client2, SERVER, 401, 801, ACK, "x"));
        // 5: a lone RST on new endpoints is a connection too (tshark gives it a stream).
        tcp.segment(seg(19, client3, SERVER, 1, 0, RST, ""));
        tcp.finish(200);

        assertThat(rec.events).containsExactly(
                OPENED,
                "1 A data #3 @30 a",
                "1 closed @50",
                "2 opened 10.0.0.1:50000 10.0.0.2:80 client=A",
                "2 A data #10 @100 b",
                "2 A gap 1 @120",
                "2 A data #11 @120 d",
                "2 closed @120 reset",
                "3 opened 10.0.0.1:50001 10.0.0.2:80 client=A",
                "3 closed @160 atEnd",
                "4 opened 10.0.0.1:50001 10.0.0.2:80 client=A",
                "4 A data #18 @180 x",
                "5 opened 10.0.0.3:40000 10.0.0.2:80 client=null",
                "5 closed @190 reset",
                "4 closed @200 atEnd");
    }

    @Test
    void aNewSynOnAMidStreamConnectionFollowsTsharksBase() {
        // Mid-stream: the client's base is one before its first sequence number, as in tshark.
        tcp.segment(c(1, 3000, 7000, ACK, "hi"));
        tcp.segment(c(2, 2999, 0, SYN, "")); // same as the base: a retransmitted SYN
        tcp.segment(c(3, 9000, 0, SYN, "")); // another: the endpoints are reused
        assertThat(rec.events).containsExactly(
                "1 opened 10.0.0.1:50000 10.0.0.2:80 client=null",
                "1 A data #1 @10 hi",
                "1 closed @30 atEnd",
                "2 opened 10.0.0.1:50000 10.0.0.2:80 client=A");
    }

    @Test
    void aSynAckOnEndedEndpointsIsALatePacket() {
        tcp.segment(c(1, 100, 0, SYN, ""));
        tcp.segment(s(2, 900, 0, RST | ACK, ""));
        tcp.segment(s(3, 900, 101, SYN | ACK, ""));
        assertThat(rec.events).containsExactly(OPENED, "1 closed @20 reset");
    }

    @Test
    void aFinBeforeTheLastBytesWaitsForThem() {
        handshake();
        tcp.segment(c(3, 1004, 5001, FIN | ACK, ""));
        tcp.segment(s(4, 5001, 1001, FIN | ACK, ""));
        tcp.segment(c(5, 1001, 5002, ACK, "abc"));

        assertThat(rec.of(1)).containsExactly(OPENED, "1 A data #5 @50 abc", "1 closed @50");
    }

    @Test
    void theAcknowledgedFinDeclaresTheHoleBeforeIt() {
        handshake();
        tcp.segment(c(3, 1004, 5001, FIN | ACK, ""));
        tcp.segment(s(4, 5001, 1005, ACK, ""));
        tcp.segment(s(5, 5001, 1005, FIN | ACK, ""));

        assertThat(rec.of(1)).containsExactly(OPENED, "1 A gap 3 @40", "1 closed @50");
    }

    @Test
    void bytesPastTheFinAreNotPartOfTheStream() {
        handshake();
        tcp.segment(c(3, 1001, 5001, FIN | ACK, "ab"));
        tcp.segment(c(4, 1003, 5001, ACK, "zz"));
        tcp.segment(s(5, 5001, 1004, FIN | ACK, "c"));

        assertThat(rec.of(1)).containsExactly(OPENED, "1 A data #3 @30 ab", "1 B data #5 @50 c", "1 closed @50");
    }

    @Test
    void aSnapLengthCutIsAGap() {
        handshake();
        tcp.segment(seg(3, CLIENT, SERVER, 1001, 5001, ACK, bytes("abcd"), 10));
        tcp.segment(c(4, 1011, 5001, ACK, "klm"));
        // Out of order and cut: its two captured bytes and three missing ones wait their turn.
        tcp.segment(seg(5, CLIENT, SERVER, 1020, 5001, ACK, bytes("xy"), 5));
        tcp.segment(c(6, 1014, 5001, ACK, "nopqrs"));
        tcp.segment(c(7, 1025, 5001, ACK, "z"));

        assertThat(rec.of(1)).containsExactly(OPENED,
                "1 A data #3 @30 abcd",
                "1 A gap 6 @30",
                "1 A data #4 @40 klm",
                "1 A data #6 @60 nopqrs",
                "1 A data #5 @60 xy",
                "1 A gap 3 @60",
                "1 A data #7 @70 z");
    }

    @Test
    void anOverflowingBufferSkipsToTheEarliestHeldBytes() {
        Recorder r = new Recorder();
        long limit = 2 * (10 + HeldSegments.OVERHEAD);
        TcpReassembler small = new TcpReassembler(r, new TcpLimits(limit, 10, 1024));
        small.segment(c(1, 0, 0, SYN, ""));
        // Bytes 1..10 were not captured; the next three segments would need three held.
        small.segment(c(2, 11, 0, ACK, "bbbbbbbbbb"));
        small.segment(c(3, 21, 0, ACK, "cccccccccc"));
        assertThat(small.heldBytes()).isEqualTo(limit);
        small.segment(c(4, 31, 0, ACK, "dddddddddd"));
        assertThat(small.heldBytes()).isZero();
        // Again, with the new segment the earliest of all.
        small.segment(c(5, 71, 0, ACK, "hhhhhhhhhh"));
        small.segment(c(6, 61, 0, ACK, "gggggggggg"));
        small.segment(c(7, 51, 0, ACK, "ffffffffff"));

        assertThat(r.of(1)).containsExactly(OPENED,
                "1 A gap 10 @40",
                "1 A data #2 @40 bbbbbbbbbb",
                "1 A data #3 @40 cccccccccc",
                "1 A data #4 @40 dddddddddd",
                "1 A gap 10 @70",
                "1 A data #7 @70 ffffffffff",
                "1 A data #6 @70 gggggggggg",
                "1 A data #5 @70 hhhhhhhhhh");
    }

    @Test
    void heldMemoryStaysBoundedAgainstAFloodOfTinySegments() {
        Recorder r = new Recorder();
        long limit = 4096;
        TcpReassembler small = new TcpReassembler(r, new TcpLimits(limit, 10, 1024));
        small.segment(c(1, 0, 0, SYN, ""));
        int n = 20_000;
        for (int i = n; i >= 1; i--) { // one byte each, last first
            small.segment(c(n - i + 2, i, 0, ACK, "x"));
            assertThat(small.heldBytes()).isLessThanOrEqualTo(limit);
        }
        small.finish(1);
        Recorder.Stream st = r.stream(1);
        assertThat(st.a.size()).isEqualTo(n);
        assertThat(st.gaps(Side.A)).isEqualTo(n - st.text(Side.A).chars().filter(ch -> ch == 'x').count());
        assertThat(st.gaps(Side.A)).isPositive();
    }

    @Test
    void finishClosesOpenConnectionsInOrderOfId() {
        Endpoint client2 = endpoint(10, 0, 0, 1, 50001);
        handshake();
        tcp.segment(seg(3, client2, SERVER, 40, 0, ACK, "zz"));
        tcp.segment(c(4, 1001, 5001, ACK, "abc"));
        tcp.segment(c(5, 1009, 5001, ACK, "ijk"));
        tcp.segment(c(6, 1012, 5001, FIN | ACK, ""));
        tcp.segment(s(7, 5001, 1004, ACK, "resp"));
        tcp.finish(99);

        assertThat(rec.events).containsExactly(OPENED,
                "2 opened 10.0.0.1:50001 10.0.0.2:80 client=null",
                "2 A data #3 @30 zz",
                "1 A data #4 @40 abc",
                "1 B data #7 @70 resp",
                "1 A gap 5 @99",
                "1 A data #5 @99 ijk",
                "1 closed @99 atEnd",
                "2 closed @99 atEnd");
        assertThat(tcp.openConnections()).isZero();
    }

    @Test
    void theConnectionIdleTheLongestMakesWayOverTheLimit() {
        Recorder r = new Recorder();
        TcpReassembler two = new TcpReassembler(r, new TcpLimits(1 << 20, 2, 1024));
        Endpoint c1 = endpoint(10, 0, 0, 1, 1);
        Endpoint c2 = endpoint(10, 0, 0, 1, 2);
        Endpoint c3 = endpoint(10, 0, 0, 1, 3);
        two.segment(seg(1, c1, SERVER, 10, 0, SYN, ""));
        two.segment(seg(2, c2, SERVER, 20, 0, SYN, ""));
        two.segment(seg(3, c1, SERVER, 11, 0, ACK, "one"));
        two.segment(seg(4, c3, SERVER, 30, 0, SYN, ""));
        two.segment(seg(5, c2, SERVER, 21, 0, ACK, "two"));

        assertThat(r.events).containsExactly(
                "1 opened 10.0.0.1:1 10.0.0.2:80 client=A",
                "2 opened 10.0.0.1:2 10.0.0.2:80 client=A",
                "1 A data #3 @30 one",
                "2 closed @40 atEnd",
                "3 opened 10.0.0.1:3 10.0.0.2:80 client=A",
                "1 closed @50 atEnd",
                "4 opened 10.0.0.1:2 10.0.0.2:80 client=null",
                "4 A data #5 @50 two");
        assertThat(two.openConnections()).isEqualTo(2);
    }

    @Test
    void keepsManyInterleavedConnectionsApart() {
        int n = 2000;
        Endpoint[] clients = new Endpoint[n];
        for (int i = 0; i < n; i++) {
            clients[i] = endpoint(10, 1, i >> 8, i & 0xFF, 1024 + i);
        }
        long packet = 1;
        // Round after round, every connection takes one step: SYN, SYN-ACK, request in two
        // reordered halves, response, FIN, FIN.
        for (int step = 0; step < 7; step++) {
            for (int i = 0; i < n; i++) {
                Endpoint cl = clients[i];
                long ci = 1000L * i;
                long si = 0xFFFFFF00L + i;
                String req = "request " + i;
                int half = req.length() / 2;
                long cEnd = ci + 1 + req.length();
                String resp = "response " + i;
                long sEnd = si + 1 + resp.length();
                TcpSegment seg = switch (step) {
                    case 0 -> seg(packet, cl, SERVER, ci, 0, SYN, "");
                    case 1 -> seg(packet, SERVER, cl, si, ci + 1, SYN | ACK, "");
                    case 2 -> seg(packet, cl, SERVER, ci + 1 + half, si + 1, ACK, req.substring(half));
                    case 3 -> seg(packet, cl, SERVER, ci + 1, si + 1, ACK, req.substring(0, half));
                    case 4 -> seg(packet, SERVER, cl, si + 1, cEnd, ACK, resp);
                    case 5 -> seg(packet, cl, SERVER, cEnd, sEnd, FIN | ACK, "");
                    default -> seg(packet, SERVER, cl, sEnd, cEnd + 1, FIN | ACK, "");
                };
                tcp.segment(seg);
                packet++;
            }
            if (step == 4) {
                assertThat(tcp.openConnections()).isEqualTo(n);
            }
        }
        assertThat(tcp.openConnections()).isZero();
        assertThat(rec.streams).hasSize(n);
        for (int i = 0; i < n; i++) {
            Recorder.Stream st = rec.stream(i + 1);
            assertThat(st.flow.a()).isEqualTo(clients[i]);
            assertThat(st.text(Side.A)).isEqualTo("request " + i);
            assertThat(st.text(Side.B)).isEqualTo("response " + i);
            assertThat(st.closes).isEqualTo(1);
        }
    }

    @Test
    void ipv6EndpointsWork() throws Exception {
        Endpoint v6c = new Endpoint(java.net.InetAddress.getByName("2001:db8::1"), 5555);
        Endpoint v6s = new Endpoint(java.net.InetAddress.getByName("2001:db8::2"), 443);
        tcp.segment(seg(1, v6c, v6s, 1, 0, SYN, ""));
        tcp.segment(seg(2, v6s, v6c, 9, 2, SYN | ACK, ""));
        tcp.segment(seg(3, v6c, v6s, 2, 10, ACK, "q"));
        tcp.segment(seg(4, v6s, v6c, 10, 3, ACK, "r"));
        assertThat(rec.events).containsExactly(
                "1 opened [2001:db8::1]:5555 [2001:db8::2]:443 client=A",
                "1 A data #3 @30 q",
                "1 B data #4 @40 r");
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }
}
