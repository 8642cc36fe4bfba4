package dev.wsdebug.capture.decode;

import dev.wsdebug.wire.Direction;
import org.junit.jupiter.api.Test;

import java.util.HexFormat;

import static dev.wsdebug.capture.decode.DecodingSinkTest.binary;
import static dev.wsdebug.capture.decode.DecodingSinkTest.text;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Vectors written by @microsoft/signalr 11's JsonHubProtocol.writeMessage and
 * @microsoft/signalr-protocol-msgpack's MessagePackHubProtocol.writeMessage (node -e, once).
 */
class SignalRDecoderTest {
    private static final String RS = "\u001e";
    private final SignalRDecoder d = new SignalRDecoder();

    private static byte[] hex(String h) {
        return HexFormat.of().parseHex(h);
    }

    @Test
    void jsonHubProtocol() {
        DecodeState st = new DecodeState();
        assertThat(d.sniff(text("{\"protocol\":\"json\",\"version\":1}" + RS))).isTrue();
        assertThat(d.decode(text("{\"protocol\":\"json\",\"version\":1}" + RS), Direction.C2S, st).summary())
                .isEqualTo("handshake protocol=json version=1");
        assertThat(d.decode(text("{}" + RS), Direction.S2C, st).summary()).isEqualTo("handshake ok");
        Decoded inv = d.decode(text("{\"type\":1,\"invocationId\":\"0\",\"target\":\"SendMessage\",\"arguments\":[\"alice\",\"hi\"]}" + RS),
                Direction.C2S, st);
        assertThat(inv.summary()).isEqualTo("Invocation SendMessage id=0 (2 args)");
        assertThat(inv.value().path("arguments").get(1).asText()).isEqualTo("hi");
        assertThat(d.decode(text("{\"type\":3,\"invocationId\":\"0\",\"result\":42}" + RS), Direction.S2C, st).summary())
                .isEqualTo("Completion id=0 result");
        assertThat(d.decode(text("{\"type\":3,\"invocationId\":\"1\",\"error\":\"nope\"}" + RS), Direction.S2C, st).summary())
                .isEqualTo("Completion id=1 error \"nope\"");
        // several records in one message
        Decoded two = d.decode(text("{\"type\":6}" + RS + "{\"type\":2,\"invocationId\":\"4\",\"item\":1}" + RS), Direction.S2C, st);
        assertThat(two.summary()).isEqualTo("Ping; StreamItem id=4");
        assertThat(two.value().size()).isEqualTo(2);
        assertThat(d.decode(text("{\"type\":7,\"error\":\"bye\",\"allowReconnect\":true}" + RS), Direction.S2C, st).summary())
                .isEqualTo("Close error \"bye\" allowReconnect");
        assertThat(d.decode(text("{\"type\":8,\"sequenceId\":3}" + RS), Direction.S2C, st).summary()).isEqualTo("Ack sequenceId=3");
        assertThat(d.decode(text("{\"error\":\"Requested protocol 'x' is not available.\"}" + RS), Direction.S2C, st).summary())
                .startsWith("handshake error \"Requested");
        assertThat(d.decode(binary(hex("029106")), Direction.S2C, st).problem()).contains("JSON hub protocol");
    }

    @Test
    void messagePackHubProtocol() {
        DecodeState st = new DecodeState();
        assertThat(d.decode(text("{\"protocol\":\"messagepack\",\"version\":1}" + RS), Direction.C2S, st).summary())
                .isEqualTo("handshake protocol=messagepack version=1");
        Decoded inv = d.decode(binary(hex("1b950180a130ab53656e644d65737361676592a5616c696365a26869")), Direction.C2S, st);
        assertThat(inv.summary()).isEqualTo("Invocation SendMessage id=0 (2 args)");
        assertThat(inv.value().toString())
                .isEqualTo("{\"type\":1,\"headers\":{},\"invocationId\":\"0\",\"target\":\"SendMessage\",\"arguments\":[\"alice\",\"hi\"]}");
        Decoded done = d.decode(binary(hex("07950380a130032a")), Direction.S2C, st);
        assertThat(done.summary()).isEqualTo("Completion id=0 result");
        assertThat(done.value().path("result").asInt()).isEqualTo(42);
        assertThat(d.decode(binary(hex("029106")), Direction.S2C, st).summary()).isEqualTo("Ping");
        assertThat(d.decode(binary(hex("07940280a131a161029106")), Direction.S2C, st).summary()).isEqualTo("StreamItem id=1; Ping");
    }

    @Test
    void sniffsOnlyTypedRecords() {
        assertThat(d.sniff(text("{\"type\":1,\"target\":\"x\",\"arguments\":[]}" + RS))).isTrue();
        assertThat(d.sniff(text("{}" + RS))).isTrue();
        assertThat(d.sniff(text("{\"type\":1}"))).isFalse();
        assertThat(d.sniff(text("{\"type\":12}" + RS))).isFalse();
        assertThat(d.sniff(text("{\"a\":1}" + RS))).isFalse();
        assertThat(d.sniff(text("{nope" + RS))).isFalse();
        assertThat(d.sniff(binary(hex("029106")))).isFalse();
    }

    @Test
    void malformedMessagesSaySo() {
        String[] texts = {"{\"type\":1}", "{\"type\":1" + RS, "[1]" + RS, "{\"type\":42}" + RS, "", RS};
        for (String t : texts) {
            Decoded out = d.decode(text(t), Direction.C2S, new DecodeState());
            assertThat(out.ok()).as(t).isFalse();
            assertThat(out.problem()).as(t).endsWith(".");
        }
        String[] bins = {"", "ff", "ffffffffff01", "059106", "02a106", "0291ff", "03920a00", "7f" + "00".repeat(3)};
        for (String h : bins) {
            Decoded out = d.decode(binary(hex(h)), Direction.C2S, new DecodeState());
            assertThat(out.ok()).as(h).isFalse();
            assertThat(out.problem()).as(h).endsWith(".");
        }
    }
}
