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

/** How connections find the GraphQL, SignalR, WAMP and binary-format decoders through the sink. */
class ProtocolChoiceTest {
    private static List<String> run(String decode, Event... events) {
        List<Event> out = new ArrayList<>();
        DecodingSink sink = new DecodingSink(out::add, decode);
        for (Event e : events) {
            sink.accept(e);
        }
        return out.stream().filter(e -> e instanceof MessageEvent).map(e -> ((MessageEvent) e).decoded())
                .map(d -> d == null ? "-" : d.protocol() + " " + (d.ok() ? d.summary() : "! " + d.problem())).toList();
    }

    private static MessageEvent msg(Direction dir, Message m) {
        return new MessageEvent("1", 1, dir, 1, m);
    }

    @Test
    void theRegistryNamesThem() {
        assertThat(Decoders.names()).containsSubsequence("graphql-ws", "signalr", "wamp", "json", "msgpack", "cbor", "protobuf");
        assertThat(Decoders.named("PROTOBUF")).isInstanceOf(ProtobufDecoder.class);
    }

    @Test
    void subprotocolsClaimGraphQlAndWamp() {
        assertThat(run(null, handshake("1", "ws://h/graphql", "graphql-transport-ws"),
                msg(Direction.C2S, text("{\"type\":\"connection_init\"}")),
                msg(Direction.S2C, text("{\"type\":\"connection_ack\"}"))))
                .containsExactly("graphql-ws connection_init", "graphql-ws connection_ack");
        assertThat(run(null, handshake("1", "ws://h/ws", "wamp.2.msgpack"),
                msg(Direction.C2S, binary(HexFormat.of().parseHex("95300180af636f6d2e6578616d706c652e616464920203")))))
                .containsExactly("wamp CALL com.example.add request=1 (2 args)");
    }

    @Test
    void signalRIsSniffedFromTheHandshakeAndKeepsTheConnection() {
        assertThat(run(null, handshake("1", "ws://h/hub?id=x", null),
                msg(Direction.C2S, text("{\"protocol\":\"messagepack\",\"version\":1}\u001e")),
                msg(Direction.S2C, text("{}\u001e")),
                msg(Direction.C2S, binary(HexFormat.of().parseHex("029106")))))
                .containsExactly("signalr handshake protocol=messagepack version=1", "signalr handshake ok", "signalr Ping");
    }

    @Test
    void binaryFormatsAreSniffedMessageByMessageAndProtobufOnlyWhenAskedFor() {
        byte[] msgpack = HexFormat.of().parseHex("82a474797065a3626172a161c3");
        byte[] cbor = HexFormat.of().parseHex("a2647479706563626172616101");
        byte[] proto = HexFormat.of().parseHex("089601120568656c6c6f");
        assertThat(run(null, handshake("1", "ws://h/x", null), msg(Direction.C2S, binary(msgpack)),
                msg(Direction.C2S, binary(cbor)), msg(Direction.C2S, binary(proto))))
                .containsExactly("msgpack type=\"bar\" {type, a}", "cbor type=\"bar\" {type, a}", "-");
        assertThat(run("protobuf", handshake("1", "ws://h/x", null), msg(Direction.C2S, binary(proto))))
                .containsExactly("protobuf message, fields 1 2");
    }
}
