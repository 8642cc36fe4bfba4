package dev.wsdebug.sniff.live;

import dev.wsdebug.capture.CloseEvent;
import dev.wsdebug.capture.ErrorEvent;
import dev.wsdebug.capture.FrameEvent;
import dev.wsdebug.capture.HandshakeEvent;
import dev.wsdebug.capture.MessageEvent;
import dev.wsdebug.wire.Direction;
import dev.wsdebug.wire.Frame;
import dev.wsdebug.wire.Message;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/** The assertions every live capture goes through: against what the peers saw, and against tshark. */
final class SessionCheck {
    private static final HexFormat HEX = HexFormat.of();

    private SessionCheck() {
    }

    /** No error event anywhere in the capture: real peers on lo, fully captured, give none. */
    static void noErrors(LiveDecoded d) {
        assertThat(d.of(ErrorEvent.class)).as("error events").isEmpty();
    }

    /**
     * (a) Connection {@code conn}'s frames and messages are exactly what the peers sent and received:
     * the data messages in each direction (kind, length, SHA-256; and the text when the peers printed
     * it) in order, the frames that carried each (the plan's fragmentation), the pings and pongs of
     * both sides, the close frames and the close event; no frame or message breaks a rule.
     */
    static void againstPeers(LiveDecoded d, String conn, Plan plan, PeerLog client, PeerLog server) {
        String what = "connection " + conn;
        List<HandshakeEvent> handshakes = d.of(HandshakeEvent.class, conn);
        assertThat(handshakes).as(what + ": handshake").hasSize(1);
        assertThat(handshakes.get(0).result()).as(what + ": handshake result").isNotNull();
        assertThat(handshakes.get(0).result().valid()).as(what + ": valid handshake " + handshakes.get(0)).isTrue();

        List<FrameEvent> frames = d.of(FrameEvent.class, conn);
        List<MessageEvent> messages = d.of(MessageEvent.class, conn);
        for (FrameEvent f : frames) {
            assertThat(f.frame().violations()).as(what + ": violations of frame " + f.seq()).isEmpty();
            assertThat(f.packets()).as(what + ": packets of frame " + f.seq()).isNotEmpty();
        }
        for (MessageEvent m : messages) {
            Message msg = m.message();
            assertThat(msg.violations()).as(what + ": violations of message " + m.seq()).isEmpty();
            assertThat(msg.missing()).as(what + ": bytes missing from message " + m.seq()).isZero();
            assertThat(msg.inflateStopped()).as(what + ": inflation stopped in message " + m.seq()).isFalse();
        }

        List<MessageEvent> c2s = messages.stream().filter(m -> m.dir() == Direction.C2S).toList();
        List<MessageEvent> s2c = messages.stream().filter(m -> m.dir() == Direction.S2C).toList();
        assertThat(keys(c2s)).as(what + ": client-to-server messages = what the client sent\n" + client)
                .containsExactlyElementsOf(keys(client.sent()));
        assertThat(keys(c2s)).as(what + ": client-to-server messages = what the server received\n" + server)
                .containsExactlyElementsOf(keys(server.received()));
        assertThat(keys(s2c)).as(what + ": server-to-client messages = what the server sent\n" + server)
                .containsExactlyElementsOf(keys(server.sent()));
        assertThat(keys(s2c)).as(what + ": server-to-client messages = what the client received\n" + client)
                .containsExactlyElementsOf(keys(client.received()));
        texts(what + " c2s", c2s, client.sent());
        texts(what + " s2c", s2c, server.sent());
        assertThat(c2s.stream().map(m -> m.message().frames()).toList()).as(what + ": frames per c2s message")
                .containsExactlyElementsOf(plan.c2sFrames);
        assertThat(s2c.stream().map(m -> m.message().frames()).toList()).as(what + ": frames per s2c message")
                .containsExactlyElementsOf(plan.s2cFrames);

        assertThat(control(frames, Direction.C2S, 9)).as(what + ": client pings").isEqualTo(plan.clientPings);
        assertThat(control(frames, Direction.S2C, 10)).as(what + ": pongs of the server").isEqualTo(plan.clientPings);
        assertThat(client.pongs()).as(what + ": pongs the client got").isEqualTo(plan.clientPings);
        assertThat(control(frames, Direction.S2C, 9)).as(what + ": server pings").isEqualTo(plan.serverPings);
        assertThat(control(frames, Direction.C2S, 10)).as(what + ": pongs of the client").isEqualTo(plan.serverPings);

        List<FrameEvent> closes = frames.stream().filter(f -> f.frame().opcode() == 8).toList();
        assertThat(closes).as(what + ": close frames").hasSize(2);
        Direction first = plan.initiator.equals("client") ? Direction.C2S : Direction.S2C;
        assertThat(closes.get(0).dir()).as(what + ": first close frame's direction").isEqualTo(first);
        assertThat(closes.get(1).dir()).isEqualTo(first == Direction.C2S ? Direction.S2C : Direction.C2S);
        assertThat(closes.get(0).frame().closeCode()).as(what + ": close code").isEqualTo(plan.closeCode);
        assertThat(closes.get(0).frame().closeReason()).as(what + ": close reason").isEqualTo(plan.closeReason);
        assertThat(frames.get(frames.size() - 1).frame().opcode()).as(what + ": nothing after the closing handshake")
                .isEqualTo(8);
        List<CloseEvent> close = d.of(CloseEvent.class, conn);
        assertThat(close).as(what + ": close event").hasSize(1);
        CloseEvent c = close.get(0);
        assertThat(c.code()).isEqualTo(plan.closeCode);
        assertThat(c.reason()).isEqualTo(plan.closeReason);
        assertThat(c.initiator()).isEqualTo(plan.initiator);
        assertThat(c.onWire()).isTrue();
        assertThat(c.clean()).as(what + ": clean close " + c).isTrue();
        for (PeerLog peer : List.of(client, server)) {
            assertThat(peer.closed()).as(what + ": the peer's close\n" + peer).isNotNull();
            assertThat(peer.closed().path("code").asInt()).as(what + ": close code the peer saw").isEqualTo(plan.closeCode);
            assertThat(peer.closed().path("reason").asText()).as(what + ": reason the peer saw").isEqualTo(plan.closeReason);
        }
        // every frame is in exactly one message or is a control frame
        long dataFrames = frames.stream().filter(f -> !f.frame().isControl()).count();
        assertThat(messages.stream().mapToLong(m -> m.message().frames()).sum()).as(what + ": data frames")
                .isEqualTo(dataFrames);
    }

    private static void texts(String what, List<MessageEvent> ours, List<PeerLog.Msg> peer) {
        for (int i = 0; i < ours.size() && i < peer.size(); i++) {
            if (peer.get(i).text() != null) {
                sameText(what + " message " + i + ": text", ours.get(i).message().text(), peer.get(i).text());
            }
        }
    }

    private static List<String> control(List<FrameEvent> frames, Direction dir, int opcode) {
        return frames.stream().filter(f -> f.dir() == dir && f.frame().opcode() == opcode)
                .map(f -> HEX.formatHex(f.frame().controlPayload())).toList();
    }

    static List<String> keys(List<?> messages) {
        List<String> out = new ArrayList<>();
        for (Object o : messages) {
            if (o instanceof PeerLog.Msg m) {
                out.add(m.key());
            } else {
                out.add(key(((MessageEvent) o).message()));
            }
        }
        return out;
    }

    /** Kind, decoded length and SHA-256 of the whole decoded payload. */
    static String key(Message m) {
        String sha = m.truncated() ? m.sha256() : Live.sha256(m.payload());
        return m.type() + " " + m.length() + " " + sha;
    }

    /**
     * (b) Every frame agrees with tshark's dissector on the same capture: the same connections
     * (ids are tshark's tcp.stream + 1), and per frame the last packet (= tshark's frame.number),
     * FIN, RSV, opcode, mask bit, payload length, close code and reason, and, where tshark shows the
     * text of a single-frame text message, the same text — except where tshark 4.0 is known to
     * inflate wrongly (below). Those frames are returned, described, for the caller to document: our
     * text there is already checked against the peers by {@link #againstPeers}.
     *
     * <p>tshark 4.0 is wrong (a) after a compressed message sent in several frames: it inflates
     * each fragment on its own, and its inflater for that direction is off from then on ("Trailing
     * stray characters", wrong text); (b) when only one side's *_no_context_takeover was
     * negotiated: it applies it to the other direction ({@code misreadDirection}: the one that keeps
     * its context, whose second compressed message and later ones show "Decompression failed");
     * (c) from a masked payload it unmasks only the first 256 KiB (MAX_UNMASKED_LEN in packet-ws.c,
     * not a preference before 4.2): the text of a longer masked frame is cut there, and after a
     * longer compressed masked message its inflater for client-to-server messages is off.
     */
    static List<String> againstTshark(LiveDecoded d, List<TsharkWs.Frame> tshark, Direction misreadDirection) {
        Map<Integer, List<TsharkWs.Frame>> streams = TsharkWs.byStream(tshark);
        Set<String> ourConns = d.of(FrameEvent.class).stream().map(FrameEvent::conn).collect(Collectors.toCollection(TreeSet::new));
        Set<String> theirConns = streams.keySet().stream().map(s -> Integer.toString(s + 1)).collect(Collectors.toCollection(TreeSet::new));
        assertThat(ourConns).as("connections with frames (tshark's tcp.stream + 1)").isEqualTo(theirConns);
        List<String> tsharkWrong = new ArrayList<>();
        for (Map.Entry<Integer, List<TsharkWs.Frame>> stream : streams.entrySet()) {
            String conn = Integer.toString(stream.getKey() + 1);
            List<TsharkWs.Frame> theirs = stream.getValue();
            List<FrameEvent> ours = withoutTailsTsharkLost(conn, d.of(FrameEvent.class, conn), theirs, tsharkWrong);
            assertThat(ours).as("frames of connection %s", conn).hasSameSizeAs(theirs);
            Map<Direction, Boolean> broken = new EnumMap<>(Direction.class);
            Map<Direction, Boolean> compressedSeen = new EnumMap<>(Direction.class);
            for (int i = 0; i < theirs.size(); i++) {
                TsharkWs.Frame t = theirs.get(i);
                FrameEvent f = ours.get(i);
                Frame fr = f.frame();
                String what = "connection " + conn + " frame " + i + " (tshark packet " + t.packet() + ")";
                assertThat(f.packets()[f.packets().length - 1]).as(what + ": last packet").isEqualTo(t.packet());
                assertThat(fr.fin()).as(what + ": fin").isEqualTo(t.fin());
                int rsv = (fr.rsv1() ? 4 : 0) | (fr.rsv2() ? 2 : 0) | (fr.rsv3() ? 1 : 0);
                assertThat(rsv).as(what + ": rsv").isEqualTo(t.rsv());
                assertThat(fr.opcode()).as(what + ": opcode").isEqualTo(t.opcode());
                assertThat(fr.masked()).as(what + ": mask").isEqualTo(t.masked());
                assertThat(fr.payloadLength()).as(what + ": length").isEqualTo(t.length());
                if (t.closeCode() != null) {
                    assertThat(fr.closeCode()).as(what + ": close code").isEqualTo(t.closeCode());
                    assertThat(fr.closeReason()).as(what + ": close reason").isEqualTo(t.closeReason());
                }
                Direction dir = f.dir();
                boolean trusted = !broken.getOrDefault(dir, false);
                if (fr.rsv1() && !fr.isControl()) {
                    if (dir == misreadDirection && compressedSeen.getOrDefault(dir, false)) {
                        trusted = false;
                    }
                    compressedSeen.put(dir, true);
                    if (!fr.fin()) {
                        broken.put(dir, true);
                    }
                    if (fr.masked() && fr.payloadLength() > TSHARK_UNMASK_LIMIT) {
                        trusted = false;
                        broken.put(dir, true);
                    }
                }
                if (fr.opcode() == 1 && fr.fin()) {
                    MessageEvent m = messageOf(d, f);
                    assertThat(m).as(what + ": message").isNotNull();
                    String text = m.message().text();
                    String shown = t.text();
                    if (shown != null && fr.masked() && !fr.rsv1() && fr.payloadLength() > TSHARK_UNMASK_LIMIT) {
                        // tshark shows the first 256 KiB (the pattern texts are ASCII: as many characters)
                        text = text.substring(0, TSHARK_UNMASK_LIMIT);
                    }
                    if (shown != null && trusted) {
                        sameText(what + ": text", text, shown);
                    } else if (!trusted && (shown == null ? t.expert().contains("Decompression failed") : !shown.equals(text))) {
                        tsharkWrong.add(what + " " + dir + ": ours " + abbreviate(text) + ", tshark "
                                + (t.text() == null ? "[" + t.expert() + "]" : abbreviate(t.text())));
                    }
                }
            }
        }
        return tsharkWrong;
    }

    /**
     * Our frames less the tail of a direction tshark did not show. tshark 4.0 now and then stops
     * reassembling one direction of a TLS connection at a message of a megabyte (which one depends
     * on how the segments fell, so it comes and goes from run to run) and shows nothing of that
     * direction after it. Only that is forgiven: what tshark shows of the direction must be the
     * start of ours, frame by frame in the same packets, and the first frame it lost must be larger
     * than it unmasks; each direction so cut is reported in {@code wrong}.
     */
    private static List<FrameEvent> withoutTailsTsharkLost(String conn, List<FrameEvent> ours,
                                                           List<TsharkWs.Frame> theirs, List<String> wrong) {
        if (ours.size() <= theirs.size()) {
            return ours;
        }
        List<FrameEvent> kept = new ArrayList<>(ours);
        for (Direction dir : Direction.values()) {
            List<FrameEvent> mine = ours.stream().filter(f -> f.dir() == dir).toList();
            // tshark's frames of this direction are those whose masking matches the direction's
            boolean masked = dir == Direction.C2S;
            List<TsharkWs.Frame> shown = theirs.stream().filter(t -> t.masked() == masked).toList();
            if (shown.size() >= mine.size()) {
                continue;
            }
            for (int i = 0; i < shown.size(); i++) {
                assertThat(mine.get(i).packets()[mine.get(i).packets().length - 1])
                        .as("connection %s %s frame %d: tshark's last packet (tshark lost this direction's tail)", conn, dir, i)
                        .isEqualTo(shown.get(i).packet());
            }
            FrameEvent first = mine.get(shown.size());
            assertThat(first.frame().payloadLength())
                    .as("connection %s %s: the first frame tshark lost (%s)", conn, dir, first)
                    .isGreaterThan(TSHARK_UNMASK_LIMIT);
            List<FrameEvent> lost = mine.subList(shown.size(), mine.size());
            kept.removeAll(lost);
            wrong.add("connection " + conn + " " + dir + ": tshark lost " + lost.size() + " frames from the "
                    + first.frame().payloadLength() + "-byte frame on");
        }
        return kept;
    }

    /** tshark 4.0 unmasks at most this many bytes of a masked payload (MAX_UNMASKED_LEN). */
    static final int TSHARK_UNMASK_LIMIT = 256 * 1024;

    /** Equal texts; a failure names the lengths and the first difference instead of printing a megabyte. */
    static void sameText(String what, String actual, String expected) {
        if (actual.equals(expected)) {
            return;
        }
        int i = 0;
        while (i < actual.length() && i < expected.length() && actual.charAt(i) == expected.charAt(i)) {
            i++;
        }
        int from = Math.max(0, i - 20);
        throw new AssertionError(what + ": texts differ at char " + i + " (lengths " + actual.length() + " and "
                + expected.length() + "): actual ..." + abbreviate(actual.substring(from)) + ", expected ..."
                + abbreviate(expected.substring(Math.min(from, expected.length()))));
    }

    private static String abbreviate(String s) {
        return '"' + (s.length() > 60 ? s.substring(0, 60) + "...(" + s.length() + " chars)" : s) + '"';
    }

    private static MessageEvent messageOf(LiveDecoded d, FrameEvent frame) {
        for (MessageEvent m : d.of(MessageEvent.class, frame.conn())) {
            if (m.seq() == frame.seq()) {
                return m;
            }
        }
        return null;
    }
}
