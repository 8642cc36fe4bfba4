package dev.wsdebug.sniff.synth;

import dev.wsdebug.sniff.DecodeOptions;
import dev.wsdebug.sniff.synth.Capture.Link;
import dev.wsdebug.sniff.synth.TcpTrace.Seg;
import dev.wsdebug.wire.Opcode;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What a TCP connection carries, found from its bytes: a WebSocket whose handshake the capture
 * missed (recognised by its frames, or forced with --assume-ws), HTTP/1.1 keep-alive exchanges
 * before an upgrade, a refused upgrade and the requests after it, plain HTTP, several connections
 * at once, and the summary of what was not decoded.
 */
class ConnectionKindsTest {
    private static final String MIDSTREAM_NOTE = "The client is taken to be the side that masks its frames; compressed"
            + " (RSV1) messages are inflated as with permessage-deflate's defaults (context takeover, 15-bit windows),"
            + " since the negotiation was not captured.";

    private static Decoding decode(TcpTrace t, List<Seg> segs) throws Exception {
        return Decoding.of(Capture.pcap(Link.ETHERNET).segments(t, segs).bytes());
    }

    /** The standard session's events without the handshake, packets moved back by {@code shift}. */
    private static List<String> standardFrames(int shift) {
        List<String> out = new ArrayList<>();
        for (String line : Sessions.standardEvents().subList(1, Sessions.standardEvents().size())) {
            out.add(shiftPackets(line, shift));
        }
        return out;
    }

    private static String shiftPackets(String line, int shift) {
        if (!line.startsWith("frame ")) {
            return line;
        }
        int open = line.lastIndexOf('[');
        String numbers = line.substring(open + 1, line.length() - 1);
        String shifted = java.util.Arrays.stream(numbers.split(",")).map(n -> String.valueOf(Integer.parseInt(n) - shift))
                .collect(Collectors.joining(","));
        return line.substring(0, open + 1) + shifted + "]";
    }

    /** The capture begins with the client's first frame (packet 6 of the standard session). */
    @Test
    void captureBeginsAfterTheHandshake() throws Exception {
        TcpTrace t = Sessions.standard();
        List<Seg> segs = t.segments().subList(5, 22);
        Decoding d = decode(t, segs);
        List<String> expected = new ArrayList<>();
        expected.add("error 1 input: The capture holds no handshake for this connection; its bytes were recognised as"
                + " WebSocket frames from packet 1. " + MIDSTREAM_NOTE);
        expected.addAll(standardFrames(5));
        assertThat(d.lines()).containsExactlyElementsOf(expected);
        assertThat(d.summary().webSockets()).isEqualTo(1);
    }

    /**
     * The capture begins with the server's frame: the first side seen is the server, and the client
     * is still the side that masks (frame directions as in the full session).
     */
    @Test
    void captureBeginsWithTheServer() throws Exception {
        TcpTrace t = Sessions.standard();
        List<Seg> segs = t.segments().subList(6, 22);
        List<String> expected = new ArrayList<>();
        expected.add("error 1 input: The capture holds no handshake for this connection; its bytes were recognised as"
                + " WebSocket frames from packet 1. " + MIDSTREAM_NOTE);
        // frames #1 and the "Hello" message were before the capture: seq counts from the server's frame
        for (String line : standardFrames(6).subList(2, standardFrames(6).size())) {
            addRenumbered(expected, line);
        }
        assertThat(decode(t, segs).lines()).containsExactlyElementsOf(expected);
    }

    private static void addRenumbered(List<String> expected, String line) {
        // renumber seq: one frame fewer before
        java.util.regex.Matcher m = java.util.regex.Pattern.compile(" #(\\d+) ").matcher(line);
        expected.add(m.find() ? m.replaceFirst(" #" + (Integer.parseInt(m.group(1)) - 1) + " ") : line);
    }

    /**
     * permessage-deflate with context takeover, the capture beginning after the handshake and the
     * first message: the next two messages refer to it, so they cannot be inflated — reported, not
     * guessed — while a later message that needs no history is inflated (the defaults are assumed).
     */
    private static Decoding midStreamDeflate() throws Exception {
        Ws.Compressor server = new Ws.Compressor();
        TcpTrace t = TcpTrace.v4(1, 50000, 8080, 1000, 5000).open();
        t.client(Ws.request("example.com", "/chat", Ws.DEFLATE));
        t.server(Ws.response(Ws.DEFLATE));
        t.server(Ws.s(Opcode.TEXT, server.compress(Ws.utf8("hello hello hello hello")), true, true)); // 6, not captured
        t.server(Ws.s(Opcode.TEXT, server.compress(Ws.utf8("hello hello hello hello again")), true, true)); // 7 -> 1
        t.server(Ws.s(Opcode.TEXT, server.compress(Ws.utf8("hello hello hello hello again and again")), true, true));
        t.server(Ws.s(Opcode.TEXT, server.compress(Ws.utf8("zzzz new words qqqq")), true, true));
        t.client(Ws.ct("x"));
        t.close();
        return decode(t, t.segments().subList(6, t.segments().size()));
    }

    @Test
    void captureBeginsAfterTheHandshakeWithDeflate() throws Exception {
        Decoding d = midStreamDeflate();
        assertThat(d.lines()).containsExactly(
                "error 1 input: The capture holds no handshake for this connection; its bytes were recognised as"
                        + " WebSocket frames from packet 1. " + MIDSTREAM_NOTE,
                "frame 1 s2c #1 text fin rsv1 len=11 !deflate-stream-invalid [1]",
                "message 1 s2c #1 text frames=1 compressed wire=11 len=0 \"\" !deflate-stream-invalid",
                "frame 1 s2c #2 text fin rsv1 len=10 !deflate-stream-invalid [2]",
                "message 1 s2c #2 text frames=1 compressed wire=10 len=0 \"\" !deflate-stream-invalid",
                "frame 1 s2c #3 text fin rsv1 len=18 [3]",
                "message 1 s2c #3 text frames=1 compressed wire=18 len=19 \"zzzz new words qqqq\"",
                "frame 1 c2s #4 text fin masked len=1 [4]",
                "message 1 c2s #4 text frames=1 len=1 \"x\"",
                "close 1 1006 \"\" none unclean");
    }

    /**
     * A text message that could not be inflated is written {@code "utf8":"valid","text":""}: its
     * text is not known (as for a message whose inflation stopped, which says "unknown"), and it is
     * not the empty string. JsonLinesSink.message says "unknown" only for missing or inflateStopped;
     * MessageAssembler.frameEnd checks the UTF-8 of the nothing it inflated.
     */
    @Test
    void uninflatableTextIsNotSaidToBeValidUtf8() throws Exception {
        String message = midStreamDeflate().json().get(2);
        assertThat(message).contains("\"event\":\"message\"").doesNotContain("\"utf8\":\"valid\"");
    }

    /** A connection with a SYN whose first bytes are frames (no upgrade), on a port given to --assume-ws. */
    private static TcpTrace framesFromTheFirstByte() {
        TcpTrace t = TcpTrace.v4(1, 50000, 9000, 1000, 5000).open();
        t.client(Ws.ct("raw hello"));
        t.server(Ws.st("raw answer"));
        t.client(Ws.c(Opcode.CLOSE, Ws.close(1001, "going")));
        t.server(Ws.s(Opcode.CLOSE, Ws.close(1001, "going")));
        t.close();
        return t;
    }

    @Test
    void assumeWebSocketPort() throws Exception {
        TcpTrace t = framesFromTheFirstByte();
        DecodeOptions options = new DecodeOptions();
        options.assumeWebSocketPorts.add(9000);
        Decoding d = Decoding.of(Capture.pcap(Link.ETHERNET).segments(t, t.segments()).bytes(), options);
        assertThat(d.lines()).containsExactly(
                "error 1 input: --assume-ws: this connection is decoded as WebSocket frames from its first byte. "
                        + MIDSTREAM_NOTE,
                "frame 1 c2s #1 text fin masked len=9 [4]",
                "message 1 c2s #1 text frames=1 len=9 \"raw hello\"",
                "frame 1 s2c #2 text fin len=10 [5]",
                "message 1 s2c #2 text frames=1 len=10 \"raw answer\"",
                "frame 1 c2s #3 close fin masked len=7 code=1001 \"going\" [6]",
                "frame 1 s2c #4 close fin len=7 code=1001 \"going\" [7]",
                "close 1 1001 \"going\" client clean");
        assertThat(d.summary().toString()).isEqualTo("10 packets: 1 WebSocket connection, 0 HTTP exchanges, 0 TLS"
                + " connections (0 decrypted), 0 other TCP connections (0 bytes), 0 UDP and 0 other packets");
    }

    /** The same connection without --assume-ws: its SYN was captured and no upgrade came, so it is other TCP. */
    @Test
    void withoutAssumeWebSocketItIsOtherTcp() throws Exception {
        TcpTrace t = framesFromTheFirstByte();
        Decoding d = decode(t, t.segments());
        assertThat(d.lines()).isEmpty();
        int bytes = t.clientStream().length + t.serverStream().length;
        assertThat(d.summary().toString()).isEqualTo("10 packets: 0 WebSocket connections, 0 HTTP exchanges, 0 TLS"
                + " connections (0 decrypted), 1 other TCP connection (" + bytes + " bytes), 0 UDP and 0 other packets");
    }

    /** The upgrade on a WebSocket: a request, 101, "hi" and "hello", close 1000 both ways, FINs. */
    private static void upgrade(TcpTrace t, String path) {
        t.client(Ws.request(path));
        t.server(Ws.response());
        t.client(Ws.ct("hi"));
        t.server(Ws.st("hello"));
        t.client(Ws.c(Opcode.CLOSE, Ws.close(1000, "")));
        t.server(Ws.s(Opcode.CLOSE, Ws.close(1000, "")));
        t.close();
    }

    private static List<String> upgradeEvents(String conn, String path, int first) {
        return List.of(
                "handshake " + conn + " ws://example.com" + path + " 101 upgraded accept=valid 10.0.0.1:50000 -> 10.0.0.2:8080",
                "frame " + conn + " c2s #1 text fin masked len=2 [" + first + "]",
                "message " + conn + " c2s #1 text frames=1 len=2 \"hi\"",
                "frame " + conn + " s2c #2 text fin len=5 [" + (first + 1) + "]",
                "message " + conn + " s2c #2 text frames=1 len=5 \"hello\"",
                "frame " + conn + " c2s #3 close fin masked len=2 code=1000 \"\" [" + (first + 2) + "]",
                "frame " + conn + " s2c #4 close fin len=2 code=1000 \"\" [" + (first + 3) + "]",
                "close " + conn + " 1000 \"\" client clean");
    }

    /**
     * 1-3 SYN..ACK, 4 GET /a, 5 200 with Content-Length, 6 POST /b with a body, 7 200 chunked,
     * 8 upgrade, 9 101, 10-13 frames, 14-16 FINs.
     */
    @Test
    void keepAliveRequestsThenTheUpgrade() throws Exception {
        TcpTrace t = TcpTrace.v4(1, 50000, 8080, 1000, 5000).open();
        t.client(Ws.ascii("GET /a HTTP/1.1\r\nHost: example.com\r\n\r\n"));
        t.server(Ws.ascii("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello"));
        t.client(Ws.ascii("POST /b HTTP/1.1\r\nHost: example.com\r\nContent-Length: 3\r\n\r\nabc"));
        t.server(Ws.ascii("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nwiki\r\n5\r\npedia\r\n0\r\n\r\n"));
        upgrade(t, "/chat");
        Decoding d = decode(t, t.segments());
        List<String> expected = new ArrayList<>(List.of(
                "http 1 GET http://example.com/a 200 OK req=0 resp=5",
                "http 1 POST http://example.com/b 200 OK req=3 resp=9"));
        expected.addAll(upgradeEvents("1", "/chat", 10));
        assertThat(d.lines()).containsExactlyElementsOf(expected);
        assertThat(d.summary().toString()).isEqualTo("16 packets: 1 WebSocket connection, 2 HTTP exchanges, 0 TLS"
                + " connections (0 decrypted), 0 other TCP connections (0 bytes), 0 UDP and 0 other packets");
    }

    /**
     * 1-3, 4 upgrade /chat, 5 403 with a body, 6 GET /other, 7 200, 8 upgrade /chat2, 9 101, 10-13
     * frames, 14-16 FINs: the refusal is a handshake that did not upgrade, the connection goes on as
     * HTTP, and the second WebSocket on it is 1.2.
     */
    @Test
    void refusedUpgradeThenAnotherRequest() throws Exception {
        TcpTrace t = TcpTrace.v4(1, 50000, 8080, 1000, 5000).open();
        t.client(Ws.request("/chat"));
        t.server(Ws.ascii("HTTP/1.1 403 Forbidden\r\nContent-Length: 9\r\n\r\nforbidden"));
        t.client(Ws.ascii("GET /other HTTP/1.1\r\nHost: example.com\r\n\r\n"));
        t.server(Ws.ascii("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"));
        upgrade(t, "/chat2");
        Decoding d = decode(t, t.segments());
        List<String> expected = new ArrayList<>(List.of(
                "handshake 1 ws://example.com/chat 403 not-upgraded accept=invalid 10.0.0.1:50000 -> 10.0.0.2:8080",
                "http 1 GET http://example.com/other 200 OK req=0 resp=2"));
        expected.addAll(upgradeEvents("1.2", "/chat2", 10));
        assertThat(d.lines()).containsExactlyElementsOf(expected);
        assertThat(d.summary().toString()).isEqualTo("16 packets: 2 WebSocket connections, 1 HTTP exchange, 0 TLS"
                + " connections (0 decrypted), 0 other TCP connections (0 bytes), 0 UDP and 0 other packets");
    }

    /** GET with Content-Length, HEAD (no body), 204, then a body that ends with the connection. */
    @Test
    void plainHttpWithoutWebSocket() throws Exception {
        TcpTrace t = TcpTrace.v4(1, 50000, 80, 1000, 5000).open();
        t.client(Ws.ascii("GET /index.html HTTP/1.1\r\nHost: www.example.com\r\n\r\n"));
        t.server(Ws.ascii("HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 12\r\n\r\n<p>hello</p>"));
        t.client(Ws.ascii("HEAD /big HTTP/1.1\r\nHost: www.example.com\r\n\r\n"));
        t.server(Ws.ascii("HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n"));
        t.client(Ws.ascii("DELETE /x HTTP/1.1\r\nHost: www.example.com\r\n\r\n"));
        t.server(Ws.ascii("HTTP/1.1 204 No Content\r\n\r\n"));
        t.client(Ws.ascii("GET /stream HTTP/1.1\r\nHost: www.example.com\r\n\r\n"));
        t.server(Ws.ascii("HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nbody until close"));
        t.close(false);
        Decoding d = decode(t, t.segments());
        assertThat(d.lines()).containsExactly(
                "http 1 GET http://www.example.com/index.html 200 OK req=0 resp=12",
                "http 1 HEAD http://www.example.com/big 200 OK req=0 resp=0",
                "http 1 DELETE http://www.example.com/x 204 No Content req=0 resp=0",
                "http 1 GET http://www.example.com/stream 200 OK req=0 resp=16");
        assertThat(d.summary().toString()).isEqualTo("14 packets: 0 WebSocket connections, 4 HTTP exchanges, 0 TLS"
                + " connections (0 decrypted), 0 other TCP connections (0 bytes), 0 UDP and 0 other packets");
    }

    /**
     * Three WebSockets whose packets alternate (round robin): each connection's events are those it
     * has alone, under its own id (in order of first packet), with its packets renumbered.
     */
    @Test
    void interleavedConnections() throws Exception {
        List<TcpTrace> traces = new ArrayList<>();
        for (int k = 1; k <= 3; k++) {
            TcpTrace t = new TcpTrace(Net.v4(10, 0, 0, 10 + k), 40000 + k, Net.v4(10, 0, 0, 2), 8080, 1000L * k, 7000L * k)
                    .open();
            upgrade(t, "/c" + k);
            traces.add(t);
        }
        int n = traces.get(0).segments().size();
        Capture c = Capture.pcap(Link.ETHERNET);
        for (int i = 0; i < n; i++) {
            for (TcpTrace t : traces) {
                c.ip(t.ip(t.segments().get(i)));
            }
        }
        Decoding d = Decoding.of(c.bytes());
        for (int k = 1; k <= 3; k++) {
            String conn = String.valueOf(k);
            int kk = k;
            List<String> mine = d.lines().stream().filter(l -> l.split(" ")[1].equals(conn)).collect(Collectors.toList());
            List<String> alone = upgradeEvents(conn, "/c" + k, 6).stream()
                    .map(l -> l.replace("10.0.0.1:50000", "10.0.0.1" + kk + ":4000" + kk))
                    .map(l -> renumber(l, p -> (p - 1) * 3 + kk))
                    .collect(Collectors.toList());
            assertThat(mine).containsExactlyElementsOf(alone);
        }
        // in capture order: the handshakes (answered by packets 13, 14, 15) before any frame, then frame by frame
        assertThat(d.lines().subList(0, 3)).allMatch(l -> l.startsWith("handshake "));
        long[] last = d.of(dev.wsdebug.capture.FrameEvent.class).stream()
                .mapToLong(f -> f.packets()[f.packets().length - 1]).toArray();
        assertThat(last).isSorted().hasSize(12);
        assertThat(d.summary().toString()).isEqualTo((n * 3) + " packets: 3 WebSocket connections, 0 HTTP exchanges, 0"
                + " TLS connections (0 decrypted), 0 other TCP connections (0 bytes), 0 UDP and 0 other packets");
    }

    private static String renumber(String line, java.util.function.IntUnaryOperator f) {
        if (!line.startsWith("frame ")) {
            return line;
        }
        int open = line.lastIndexOf('[');
        int p = Integer.parseInt(line.substring(open + 1, line.length() - 1));
        return line.substring(0, open + 1) + f.applyAsInt(p) + "]";
    }

    /**
     * A WebSocket, an HTTP exchange, an SSH connection (other TCP), DNS over UDP and an ARP request
     * in one capture: only the first two are events; the summary counts everything.
     */
    @Test
    void summaryCountsWhatIsNotDecoded() throws Exception {
        Capture c = Capture.pcap(Link.ETHERNET);
        c.frame(Net.arp());
        c.ip(Net.ipv4(Net.v4(10, 0, 0, 1), Net.v4(10, 0, 0, 53), Net.UDP, Net.udp(5353, 53, new byte[30])));
        TcpTrace ssh = TcpTrace.v4(1, 50022, 22, 1, 2).open();
        ssh.server(Ws.ascii("SSH-2.0-OpenSSH_9.6\r\n"));
        ssh.client(Ws.ascii("SSH-2.0-OpenSSH_9.7\r\n"));
        ssh.client(new byte[300]);
        ssh.close();
        c.segments(ssh, ssh.segments());
        TcpTrace http = TcpTrace.v4(1, 50080, 80, 1, 2).open();
        http.client(Ws.ascii("GET / HTTP/1.1\r\nHost: example.com\r\n\r\n"));
        http.server(Ws.ascii("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"));
        http.close();
        c.segments(http, http.segments());
        TcpTrace ws = Sessions.standard();
        c.segments(ws, ws.segments());
        c.ip(Net.ipv4(Net.v4(10, 0, 0, 53), Net.v4(10, 0, 0, 1), Net.UDP, Net.udp(53, 5353, new byte[60])));
        Decoding d = Decoding.of(c.bytes());
        assertThat(d.lines()).first().isEqualTo("http 2 GET http://example.com/ 200 OK req=0 resp=0");
        assertThat(d.lines()).filteredOn(l -> l.startsWith("handshake ")).containsExactly(
                "handshake 3 ws://example.com/chat 101 upgraded accept=valid 10.0.0.1:50000 -> 10.0.0.2:8080");
        assertThat(d.lines()).hasSize(1 + Sessions.standardEvents().size());
        int packets = 3 + ssh.segments().size() + http.segments().size() + ws.segments().size();
        assertThat(c.packets()).isEqualTo(packets);
        assertThat(d.summary().toString()).isEqualTo(packets + " packets: 1 WebSocket connection, 1 HTTP exchange, 0 TLS"
                + " connections (0 decrypted), 1 other TCP connection (342 bytes), 2 UDP and 1 other packets");
        assertThat(d.summary().tcpConnections()).isEqualTo(3);
    }
}
