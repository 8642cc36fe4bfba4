package dev.wsdebug.sniff.synth;

import dev.wsdebug.capture.HandshakeEvent;
import dev.wsdebug.sniff.http2.H2Frames;
import dev.wsdebug.sniff.synth.Capture.Link;
import dev.wsdebug.sniff.synth.TcpTrace.Seg;
import dev.wsdebug.wire.Opcode;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;

import static dev.wsdebug.sniff.http2.H2Frames.concat;
import static dev.wsdebug.sniff.http2.H2Frames.data;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * HTTP/2 in packet captures, end to end (pcap, TCP reassembly, routing, frame layer, HPACK): an h2c
 * connection with prior knowledge carrying an RFC 8441 WebSocket whose frames are cut across DATA
 * frames and TCP segments beside a plain GET, and the same connection captured from its middle.
 */
class Http2CaptureTest {
    /**
     * The session, one TCP send per line (segments of at most 40 bytes):
     * <pre>
     *  C preface + SETTINGS          S SETTINGS (ENABLE_CONNECT_PROTOCOL 1)
     *  C HEADERS 1 extended CONNECT  S HEADERS 1 :status 200
     *  C HEADERS 3 GET /a (END_STREAM)
     *  C DATA 1 + DATA 1: one masked text frame "Hello over HTTP/2, in pieces" cut in two
     *  S HEADERS 3 :status 200, DATA 3 "body" (END_STREAM)
     *  S DATA 1: text "Hi" and ping "p"    C DATA 1: pong "p"
     *  C DATA 1: close 1000 "bye"          S DATA 1: close 1000 "bye" (END_STREAM)
     *  C DATA 1 empty (END_STREAM)         FIN, FIN-ACK, ACK
     * </pre>
     */
    private static TcpTrace session(int[] headersSegment) {
        H2Frames c = new H2Frames();
        H2Frames s = new H2Frames();
        TcpTrace t = TcpTrace.v4(1, 50000, 8080, 1000, 5000).mss(40).open();
        t.client(concat(H2Frames.PREFACE, H2Frames.settings()));
        t.server(H2Frames.settings(0x8, 1));
        headersSegment[0] = t.segments().size();
        t.client(c.headers(1, false, ":method", "CONNECT", ":protocol", "websocket", ":scheme", "http",
                ":path", "/chat", ":authority", "example.com", "sec-websocket-version", "13"));
        t.server(s.headers(1, false, ":status", "200"));
        t.client(c.headers(3, true, ":method", "GET", ":scheme", "http", ":path", "/a", ":authority", "example.com"));
        byte[] hello = Ws.ct("Hello over HTTP/2, in pieces");
        t.client(concat(data(1, false, Arrays.copyOf(hello, 7)), data(1, false, Arrays.copyOfRange(hello, 7, hello.length))));
        t.server(concat(s.headers(3, false, ":status", "200"), data(3, true, Ws.ascii("body"))));
        t.server(data(1, false, concat(Ws.st("Hi"), Ws.s(Opcode.PING, Ws.ascii("p")))));
        t.client(data(1, false, Ws.c(Opcode.PONG, Ws.ascii("p"))));
        t.client(data(1, false, Ws.c(Opcode.CLOSE, Ws.close(1000, "bye"))));
        t.server(data(1, true, Ws.s(Opcode.CLOSE, Ws.close(1000, "bye"))));
        t.client(data(1, true, new byte[0]));
        t.close();
        return t;
    }

    private static Decoding decode(TcpTrace t, List<Seg> segs) throws Exception {
        return Decoding.of(Capture.pcap(Link.ETHERNET).segments(t, segs).bytes());
    }

    @Test
    void aWebSocketOverH2cWithPriorKnowledge() throws Exception {
        TcpTrace t = session(new int[1]);
        Decoding d = decode(t, t.segments());
        HandshakeEvent h = d.of(HandshakeEvent.class).get(0);
        assertThat(h.transport()).isEqualTo("h2");
        assertThat(h.stream()).isEqualTo(1);
        assertThat(d.lines()).containsExactly(
                "handshake 1.1 ws://example.com/chat 200 upgraded accept=invalid 10.0.0.1:50000 -> 10.0.0.2:8080",
                "frame 1.1 c2s #1 text fin masked len=28 [11,12]",
                "message 1.1 c2s #1 text frames=1 len=28 \"Hello over HTTP/2, in pieces\"",
                "http 1 GET http://example.com/a 200  req=0 resp=4",
                "frame 1.1 s2c #2 text fin len=2 [14]",
                "message 1.1 s2c #2 text frames=1 len=2 \"Hi\"",
                "frame 1.1 s2c #3 ping fin len=1 [14]",
                "frame 1.1 c2s #4 pong fin masked len=1 [15]",
                "frame 1.1 c2s #5 close fin masked len=5 code=1000 \"bye\" [16]",
                "frame 1.1 s2c #6 close fin len=5 code=1000 \"bye\" [17]",
                "close 1.1 1000 \"bye\" client clean");
        assertThat(d.summary().webSockets()).isEqualTo(1);
    }

    @Test
    void fromTheMiddleTheDataOfStreamsWhoseHeadersWereSeenIsDecoded() throws Exception {
        int[] at = new int[1];
        TcpTrace t = session(at);
        Decoding d = decode(t, t.segments().subList(at[0], t.segments().size()));
        assertThat(d.lines().get(0)).isEqualTo("error 1 input: The capture starts in the middle of this HTTP/2"
                + " connection, so its header compression (HPACK) state is unknown: only header blocks that refer to"
                + " nothing before the capture are decoded, and the DATA only of streams whose HEADERS were seen.");
        assertThat(d.lines()).contains("message 1.1 c2s #1 text frames=1 len=28 \"Hello over HTTP/2, in pieces\"",
                "http 1 GET http://example.com/a 200  req=0 resp=4", "close 1.1 1000 \"bye\" client clean");
    }
}
