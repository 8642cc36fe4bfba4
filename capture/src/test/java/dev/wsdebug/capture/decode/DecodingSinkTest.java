package dev.wsdebug.capture.decode;

import dev.wsdebug.capture.Event;
import dev.wsdebug.capture.HandshakeEvent;
import dev.wsdebug.capture.MessageEvent;
import dev.wsdebug.wire.Direction;
import dev.wsdebug.wire.HandshakeResult;
import dev.wsdebug.wire.HttpHead;
import dev.wsdebug.wire.Message;
import dev.wsdebug.wire.Opcode;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DecodingSinkTest {

    static Message text(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        return new Message(Opcode.TEXT, 1, false, b.length, b.length, b, false, null, -1, 0, List.of());
    }

    static Message binary(byte[] b) {
        return new Message(Opcode.BINARY, 1, false, b.length, b.length, b, false, null, -1, 0, List.of());
    }

    static HandshakeEvent handshake(String conn, String url, String subprotocol) {
        HandshakeResult r = new HandshakeResult(true, 101, null, null, true, subprotocol, null, null, List.of());
        return new HandshakeEvent(conn, 0, HandshakeEvent.HTTP1, url, new HttpHead("GET / HTTP/1.1", List.of(), 0),
                new HttpHead("HTTP/1.1 101 Switching Protocols", List.of(), 0), r, "c", "s");
    }

    private static List<MessageEvent> run(String decode, Event... events) {
        List<Event> out = new ArrayList<>();
        DecodingSink sink = new DecodingSink(out::add, decode);
        for (Event e : events) {
            sink.accept(e);
        }
        return out.stream().filter(e -> e instanceof MessageEvent).map(e -> (MessageEvent) e).toList();
    }

    private static MessageEvent msg(String conn, Message m) {
        return new MessageEvent(conn, 1, Direction.C2S, 1, m);
    }

    @Test
    void jsonRpcIsSniffedAndSummarised() {
        List<MessageEvent> out = run(null, handshake("1", "ws://h/rpc", null),
                msg("1", text("{\"jsonrpc\":\"2.0\",\"method\":\"subtract\",\"params\":[42,23],\"id\":1}")),
                msg("1", text("{\"jsonrpc\":\"2.0\",\"result\":19,\"id\":1}")),
                msg("1", text("{\"jsonrpc\":\"2.0\",\"error\":{\"code\":-32601,\"message\":\"Method not found\"},\"id\":\"1\"}")),
                msg("1", text("[{\"jsonrpc\":\"2.0\",\"method\":\"notify_hello\",\"params\":[7]},"
                        + "{\"jsonrpc\":\"2.0\",\"method\":\"sum\",\"params\":[1,2,4],\"id\":\"1\"}]")));
        assertThat(out).extracting(m -> m.decoded().protocol() + " " + m.decoded().summary()).containsExactly(
                "jsonrpc call subtract id=1", "jsonrpc result id=1",
                "jsonrpc error id=\"1\" -32601 \"Method not found\"",
                "jsonrpc batch of 2: notification notify_hello; call sum id=\"1\"");
        assertThat(out.get(0).decoded().value().path("params").get(1).asInt()).isEqualTo(23);
    }

    @Test
    void plainJsonNamesItsKindField() {
        List<MessageEvent> out = run(null, msg("2", text("{\"type\":\"subscribe\",\"channel\":\"x\"}")),
                msg("2", text("[1,2,3]")), msg("2", text("not json")), msg("2", binary(new byte[] {1, 2})));
        assertThat(out.get(0).decoded().summary()).isEqualTo("type=\"subscribe\" {type, channel}");
        assertThat(out.get(1).decoded().summary()).isEqualTo("array of 3");
        assertThat(out.get(2).decoded()).as("nothing recognised: shown as it is").isNull();
        assertThat(out.get(3).decoded()).isNull();
    }

    @Test
    void aForcedProtocolSaysWhyAMessageDoesNotParse() {
        List<MessageEvent> out = run("json", msg("3", text("{\"a\":")), msg("3", text("{\"a\":1}")));
        assertThat(out.get(0).decoded().ok()).isFalse();
        assertThat(out.get(0).decoded().problem()).startsWith("Not valid JSON at character");
        assertThat(out.get(1).decoded().value().path("a").asInt()).isEqualTo(1);
        assertThat(run("none", msg("3", text("{\"a\":1}"))).get(0).decoded()).isNull();
        assertThatThrownBy(() -> new DecodingSink(e -> { }, "klingon")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("--decode takes none or one of ");
    }

    @Test
    void aTruncatedMessageIsNotGuessedAt() {
        byte[] b = "{\"a\":1,\"b\":2}".getBytes(StandardCharsets.UTF_8);
        Message cut = new Message(Opcode.TEXT, 1, false, 100, 100, java.util.Arrays.copyOf(b, 5), true, "00", -1, 0, List.of());
        MessageEvent e = run("json", msg("4", cut)).get(0);
        assertThat(e.decoded().problem()).isEqualTo("Only the first 5 of 100 bytes of this message were kept, so it cannot be"
                + " read as json.");
    }

    @Test
    void aResponseNamesItsRequestAndTheLatency() {
        List<Event> out = new ArrayList<>();
        DecodingSink sink = new DecodingSink(out::add, null);
        sink.accept(new MessageEvent("5", 1_000, Direction.C2S, 3, text("{\"jsonrpc\":\"2.0\",\"method\":\"add\",\"id\":7}")));
        sink.accept(new MessageEvent("5", 1_500, Direction.C2S, 4, text("{\"jsonrpc\":\"2.0\",\"method\":\"mul\",\"id\":8}")));
        sink.accept(new MessageEvent("5", 13_500, Direction.S2C, 6, text("{\"jsonrpc\":\"2.0\",\"result\":1,\"id\":7}")));
        sink.accept(new MessageEvent("5", 14_000, Direction.S2C, 7, text("{\"jsonrpc\":\"2.0\",\"result\":1,\"id\":7}")));
        List<MessageEvent> m = out.stream().map(e -> (MessageEvent) e).toList();
        assertThat(m.get(2).decoded().reply()).isEqualTo(new Decoded.Reply(3, "add", 12_500));
        assertThat(m.get(3).decoded().reply()).as("answered once").isNull();
        assertThat(m.get(0).decoded().facets()).containsEntry(Facets.METHOD, "add").containsEntry(Facets.REQUEST_ID, "7");
    }

    @Test
    void filtersSelectOnTheDecodedFields() {
        Decoded mqtt = Decoded.of("mqtt", "PUBLISH", null).withFacets(java.util.Map.of(Facets.TOPIC, "sensors/kitchen/temp",
                Facets.OP, "PUBLISH"));
        MessageEvent e = new MessageEvent("1", 0, Direction.C2S, 1, text("x"), mqtt);
        for (String yes : List.of("proto=mqtt", "topic=sensors/#", "topic=sensors/+/temp", "topic=#", "topic=sensors/kit*/temp",
                "op=PUBLISH", "proto=stomp,mqtt")) {
            assertThat(dev.wsdebug.capture.EventFilter.parse(yes).test(e)).as(yes).isTrue();
        }
        for (String no : List.of("proto=stomp", "topic=sensors/+", "topic=other/#", "event=chat", "method=x")) {
            assertThat(dev.wsdebug.capture.EventFilter.parse(no).test(e)).as(no).isFalse();
        }
        assertThat(dev.wsdebug.capture.EventFilter.parse("proto=mqtt").test(msg("1", text("x")))).as("not decoded").isFalse();
    }
}
