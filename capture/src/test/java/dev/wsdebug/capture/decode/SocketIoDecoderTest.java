package dev.wsdebug.capture.decode;

import dev.wsdebug.capture.Event;
import dev.wsdebug.capture.MessageEvent;
import dev.wsdebug.wire.Direction;
import dev.wsdebug.wire.Message;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

import static dev.wsdebug.capture.decode.DecodingSinkTest.binary;
import static dev.wsdebug.capture.decode.DecodingSinkTest.handshake;
import static dev.wsdebug.capture.decode.DecodingSinkTest.text;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The vectors were made once with the real libraries socket.io 4.8 depends on (socket.io-parser's
 * Encoder, protocol 5, and engine.io-parser's encodePacket, protocol 4), e.g.
 * {@code new (require("socket.io-parser").Encoder)().encode({type: 2, nsp: "/", id: 12, data: ["chat", "hi"]})}
 * gives {@code 212["chat","hi"]}, which Engine.IO sends as the message {@code 4212["chat","hi"]}.
 */
class SocketIoDecoderTest {
    private final SocketIoDecoder d = new SocketIoDecoder();
    private final DecodeState state = new DecodeState();

    private Decoded c2s(Message m) {
        return d.decode(m, Direction.C2S, state);
    }

    private Decoded s2c(Message m) {
        return d.decode(m, Direction.S2C, state);
    }

    @Test
    void engineIoPackets() {
        Decoded open = s2c(text("0{\"sid\":\"lv_VI97HAXpY6yYWAAAC\",\"upgrades\":[],\"pingInterval\":25000,\"pingTimeout\":20000,"
                + "\"maxPayload\":1000000}"));
        assertThat(open.summary()).isEqualTo("engine.io open sid=lv_VI97HAXpY6yYWAAAC pingInterval=25000 pingTimeout=20000"
                + " maxPayload=1000000");
        assertThat(open.value().path("data").path("pingTimeout").asInt()).isEqualTo(20000);
        assertThat(s2c(text("2")).summary()).isEqualTo("engine.io ping");
        assertThat(c2s(text("3")).summary()).isEqualTo("engine.io pong");
        assertThat(c2s(text("2probe")).summary()).isEqualTo("engine.io ping probe");
        assertThat(s2c(text("3probe")).summary()).isEqualTo("engine.io pong probe");
        assertThat(c2s(text("5")).summary()).isEqualTo("engine.io upgrade");
        assertThat(s2c(text("6")).summary()).isEqualTo("engine.io noop");
        assertThat(s2c(text("1")).summary()).isEqualTo("engine.io close");
        assertThat(c2s(text("4hello")).summary()).isEqualTo("engine.io message \"hello\" (not a Socket.IO packet)");
        Decoded bin = c2s(binary(new byte[] {1, 2, 3}));
        assertThat(bin.summary()).isEqualTo("engine.io binary message (3 B)");
        assertThat(bin.value().path("binary").path("base64").asText()).isEqualTo("AQID");
    }

    @Test
    void socketIoPackets() {
        Decoded ev = c2s(text("42[\"chat\",\"hello\",{\"n\":1}]"));
        assertThat(ev.summary()).isEqualTo("EVENT \"chat\" ns=/ (2 args)");
        assertThat(ev.value().path("event").asText()).isEqualTo("chat");
        assertThat(ev.value().path("args").get(1).path("n").asInt()).isEqualTo(1);
        Decoded withAck = c2s(text("4212[\"chat\",\"hi\"]"));
        assertThat(withAck.summary()).isEqualTo("EVENT \"chat\" ns=/ ack=12 (1 arg)");
        assertThat(withAck.value().path("id").asLong()).isEqualTo(12);
        Decoded ack = s2c(text("4312[\"ok\",3]"));
        assertThat(ack.summary()).isEqualTo("ACK id=12 ns=/ (2 args)");
        assertThat(ack.value().path("args").get(1).asInt()).isEqualTo(3);
        assertThat(c2s(text("40/admin,{\"token\":\"abc\"}")).summary()).isEqualTo("CONNECT ns=/admin auth {token}");
        assertThat(s2c(text("40{\"sid\":\"aBc123\"}")).summary()).isEqualTo("CONNECT ns=/ sid=aBc123");
        assertThat(c2s(text("40")).summary()).isEqualTo("CONNECT ns=/");
        assertThat(c2s(text("41/admin,")).summary()).isEqualTo("DISCONNECT ns=/admin");
        assertThat(s2c(text("44{\"message\":\"Not authorized\"}")).summary()).isEqualTo("CONNECT_ERROR ns=/ \"Not authorized\"");
        Decoded nsEvent = c2s(text("42/admin,7[\"stats\"]"));
        assertThat(nsEvent.summary()).isEqualTo("EVENT \"stats\" ns=/admin ack=7 (0 args)");
    }

    @Test
    void aBinaryEventIsJoinedWithItsAttachments() {
        // socket.io-parser: {type: BINARY_EVENT, nsp: "/admin", id: 3, data: ["bin", Buffer.from([1,2,3]), "x"]}
        Decoded head = c2s(text("451-/admin,3[\"bin\",{\"_placeholder\":true,\"num\":0},\"x\"]"));
        assertThat(head.summary()).isEqualTo("BINARY_EVENT \"bin\" ns=/admin ack=3 (2 args) waits for 1 attachment");
        // the server's pong in between is the other direction: it does not disturb the wait
        assertThat(s2c(text("2")).summary()).isEqualTo("engine.io ping");
        Decoded att = c2s(binary(HexFormat.of().parseHex("010203")));
        assertThat(att.summary()).isEqualTo("attachment 1/1 of BINARY_EVENT \"bin\" (3 B), joined: BINARY_EVENT \"bin\""
                + " ns=/admin ack=3 (2 args) with attachment 1 (3 B)");
        assertThat(att.value().path("args").get(0).path("binary").asInt()).isEqualTo(3);
        assertThat(att.value().path("args").get(0).path("base64").asText()).isEqualTo("AQID");
        assertThat(att.value().path("args").get(1).asText()).isEqualTo("x");
        assertThat(att.value().path("joined").asInt()).isEqualTo(1);
        // after it, a binary message is Engine.IO data again
        assertThat(c2s(binary(new byte[] {9})).summary()).isEqualTo("engine.io binary message (1 B)");
    }

    @Test
    void aBinaryAckWithTwoAttachments() {
        Decoded head = s2c(text("462-4[{\"_placeholder\":true,\"num\":1},[{\"_placeholder\":true,\"num\":0}]]"));
        assertThat(head.summary()).isEqualTo("BINARY_ACK id=4 ns=/ (2 args) waits for 2 attachments");
        assertThat(s2c(binary(new byte[] {9, 8})).summary()).isEqualTo("attachment 1/2 of BINARY_ACK id=4 (2 B)");
        Decoded last = s2c(binary(new byte[] {7}));
        assertThat(last.summary()).endsWith("joined: BINARY_ACK id=4 ns=/ (2 args) with attachments 1-2 (3 B)");
        assertThat(last.value().path("args").get(0).path("base64").asText()).isEqualTo("Bw==");
        assertThat(last.value().path("args").get(1).get(0).path("base64").asText()).isEqualTo("CQg=");
    }

    @Test
    void aTextMessageBeforeTheAttachmentsDropsTheWaitingPacket() {
        c2s(text("451-[\"up\",{\"_placeholder\":true,\"num\":0}]"));
        Decoded next = c2s(text("42[\"chat\"]"));
        assertThat(next.ok()).isTrue();
        assertThat(next.summary()).isEqualTo("EVENT \"chat\" ns=/ (0 args) (the waiting BINARY_EVENT \"up\" got 0 of its 1"
                + " attachments and was dropped)");
    }

    @Test
    void malformedPacketsAreSentences() {
        List<String> bad = List.of("", "7", "x42", "42", "42[\"chat\"", "42{\"a\":1}", "43[1]", "41/admin,{}", "40[1]",
                "45[\"a\"]", "45x-[\"a\"]", "459999999-[\"a\"]", "4212[\"a\"]junk", "0{bad", "0[1]", "bZZ*", "42[]",
                "42[{}]");
        for (String s : bad) {
            Decoded r = new SocketIoDecoder().decode(text(s), Direction.C2S, new DecodeState());
            assertThat(r.ok()).as(s).isFalse();
            assertThat(r.problem()).as(s).endsWith(".").doesNotContain("Exception");
        }
        StringBuilder deep = new StringBuilder("451-[\"a\",");
        deep.append("[".repeat(200)).append("{\"_placeholder\":true,\"num\":0}").append("]".repeat(200)).append(']');
        DecodeState s = new DecodeState();
        SocketIoDecoder x = new SocketIoDecoder();
        assertThat(x.decode(text(deep.toString()), Direction.C2S, s).ok()).isTrue();
        assertThat(x.decode(binary(new byte[] {1}), Direction.C2S, s).ok()).as("deep nesting: bounded, no exception").isTrue();
    }

    @Test
    void claimsAndSniffing() {
        assertThat(d.claims(null, "ws://h/socket.io/?EIO=4&transport=websocket")).isTrue();
        assertThat(d.claims(null, "/chat/?EIO=3&transport=websocket")).isTrue();
        assertThat(d.claims(null, "ws://h/chat?x=EIO")).isFalse();
        assertThat(d.claims(null, null)).isFalse();
        assertThat(d.sniff(text("42[\"chat\",\"hi\"]"))).isTrue();
        assertThat(d.sniff(text("40/admin,"))).isTrue();
        assertThat(d.sniff(text("2probe"))).isTrue();
        assertThat(d.sniff(text("0{\"sid\":\"x\",\"pingInterval\":25000}"))).isTrue();
        assertThat(d.sniff(text("42"))).as("a plain number").isFalse();
        assertThat(d.sniff(text("40"))).isFalse();
        assertThat(d.sniff(text("2"))).isFalse();
        assertThat(d.sniff(text("3.14"))).isFalse();
        assertThat(d.sniff(text("4hello"))).isFalse();
        assertThat(d.sniff(binary(new byte[] {4, 2}))).isFalse();
    }

    @Test
    void throughTheSinkAClaimedConnectionIsSocketIo() {
        List<Event> out = new ArrayList<>();
        DecodingSink sink = new DecodingSink(out::add, null);
        sink.accept(handshake("1", "ws://127.0.0.1:1/socket.io/?EIO=4&transport=websocket", null));
        sink.accept(new MessageEvent("1", 1, Direction.S2C, 1, text("2")));
        sink.accept(new MessageEvent("1", 1, Direction.C2S, 1, text("451-[\"f\",{\"_placeholder\":true,\"num\":0}]")));
        sink.accept(new MessageEvent("1", 1, Direction.C2S, 1, binary(new byte[5])));
        List<String> lines = out.stream().filter(e -> e instanceof MessageEvent).map(e -> ((MessageEvent) e).decoded())
                .map(x -> x.protocol() + " " + x.summary()).toList();
        assertThat(lines).containsExactly("socket.io engine.io ping",
                "socket.io BINARY_EVENT \"f\" ns=/ (1 arg) waits for 1 attachment",
                "socket.io attachment 1/1 of BINARY_EVENT \"f\" (5 B), joined: BINARY_EVENT \"f\" ns=/ (1 arg) with attachment 1 (5 B)");
    }
}
