package dev.wsdebug.sniff.synth;

import dev.wsdebug.wire.Opcode;

import java.util.List;

/** The WebSocket sessions the end-to-end tests put into captures, and the events they decode to. */
final class Sessions {
    private Sessions() {
    }

    static final byte[] BIN300 = Ws.counting(300, 0);
    static final byte[] BIN3000 = Ws.counting(3000, 7);

    /**
     * The standard session, one packet per line (numbers as in a capture holding only it):
     * <pre>
     *  1-3 SYN, SYN-ACK, ACK
     *  4 C upgrade request            5 S 101
     *  6 C text "Hello"               7 S text "Hello, client"
     *  8 C binary 300 bytes           9-11 S text "frag" + "ment" + "ed" (3 frames)
     * 12 C ping "are you there"      13 S pong "are you there"
     * 14-16 S binary 3000 bytes (segments of 1200, 1200, 604 bytes)
     * 17 C text "bye soon"           18 C close 1000 "bye"     19 S close 1000 "bye"
     * 20-22 FIN, FIN-ACK, ACK
     * </pre>
     */
    static TcpTrace standard(TcpTrace t) {
        t.mss(1200).open();
        t.client(Ws.request("/chat"));
        t.server(Ws.response());
        t.client(Ws.ct("Hello"));
        t.server(Ws.st("Hello, client"));
        t.client(Ws.c(Opcode.BINARY, BIN300));
        t.server(Ws.s(Opcode.TEXT, Ws.utf8("frag"), false, false));
        t.server(Ws.s(Opcode.CONTINUATION, Ws.utf8("ment"), false, false));
        t.server(Ws.s(Opcode.CONTINUATION, Ws.utf8("ed"), true, false));
        t.client(Ws.c(Opcode.PING, Ws.utf8("are you there")));
        t.server(Ws.s(Opcode.PONG, Ws.utf8("are you there")));
        t.server(Ws.s(Opcode.BINARY, BIN3000));
        t.client(Ws.ct("bye soon"));
        t.client(Ws.c(Opcode.CLOSE, Ws.close(1000, "bye")));
        t.server(Ws.s(Opcode.CLOSE, Ws.close(1000, "bye")));
        t.close();
        return t;
    }

    static TcpTrace standard() {
        return standard(TcpTrace.v4(1, 50000, 8080, 1000, 5000));
    }

    /**
     * The events of the standard session; {@code p} gives the packet numbers of each frame, in the
     * order of the frames below (the baseline's are {@link #BASE_PACKETS}).
     */
    static List<String> standardEvents(String client, String server, String[] p) {
        String bin300 = "kept=300 sha=" + Decoding.sha(BIN300);
        String bin3000 = "kept=3000 sha=" + Decoding.sha(BIN3000);
        return List.of(
                "handshake 1 ws://example.com/chat 101 upgraded accept=valid " + client + " -> " + server,
                "frame 1 c2s #1 text fin masked len=5 " + p[0],
                "message 1 c2s #1 text frames=1 len=5 \"Hello\"",
                "frame 1 s2c #2 text fin len=13 " + p[1],
                "message 1 s2c #2 text frames=1 len=13 \"Hello, client\"",
                "frame 1 c2s #3 binary fin masked len=300 " + p[2],
                "message 1 c2s #3 binary frames=1 len=300 " + bin300,
                "frame 1 s2c #4 text more len=4 " + p[3],
                "frame 1 s2c #5 continuation more len=4 " + p[4],
                "frame 1 s2c #6 continuation fin len=2 " + p[5],
                "message 1 s2c #6 text frames=3 len=10 \"fragmented\"",
                "frame 1 c2s #7 ping fin masked len=13 " + p[6],
                "frame 1 s2c #8 pong fin len=13 " + p[7],
                "frame 1 s2c #9 binary fin len=3000 " + p[8],
                "message 1 s2c #9 binary frames=1 len=3000 " + bin3000,
                "frame 1 c2s #10 text fin masked len=8 " + p[9],
                "message 1 c2s #10 text frames=1 len=8 \"bye soon\"",
                "frame 1 c2s #11 close fin masked len=5 code=1000 \"bye\" " + p[10],
                "frame 1 s2c #12 close fin len=5 code=1000 \"bye\" " + p[11],
                "close 1 1000 \"bye\" client clean");
    }

    static final String[] BASE_PACKETS = {"[6]", "[7]", "[8]", "[9]", "[10]", "[11]", "[12]", "[13]", "[14,15,16]",
            "[17]", "[18]", "[19]"};

    static List<String> standardEvents() {
        return standardEvents("10.0.0.1:50000", "10.0.0.2:8080", BASE_PACKETS);
    }
}
