package dev.wsdebug.capture.decode;

import dev.wsdebug.capture.MessageEvent;
import dev.wsdebug.wire.Direction;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

import static dev.wsdebug.capture.decode.DecodingSinkTest.binary;
import static dev.wsdebug.capture.decode.DecodingSinkTest.text;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link DecodingSink#protocolOf}: the protocol of a connection chosen as the stage chooses it,
 * and its first messages read only when the handshake does not decide.
 */
class ProtocolOfTest {
    private static final DecodingSink CHOOSE = new DecodingSink(e -> { }, null);

    /** The messages, counting how often they were asked for. */
    private static final class First implements Supplier<List<MessageEvent>> {
        final List<MessageEvent> messages = new ArrayList<>();
        int asked;

        First(String... texts) {
            long seq = 1;
            for (String t : texts) {
                messages.add(new MessageEvent("1", seq, seq % 2 == 1 ? Direction.C2S : Direction.S2C, seq, text(t)));
                seq++;
            }
        }

        @Override
        public List<MessageEvent> get() {
            asked++;
            return messages;
        }
    }

    @Test
    void theHandshakeDecidesWithoutReadingMessages() {
        First none = new First("{\"a\":1}");
        assertThat(CHOOSE.protocolOf("graphql-transport-ws", "ws://h/graphql", none)).isEqualTo("graphql-ws");
        assertThat(CHOOSE.protocolOf(null, "ws://h/socket.io/?EIO=4&transport=websocket", none)).isEqualTo("socket.io");
        assertThat(none.asked).isZero();
        assertThat(new DecodingSink(e -> { }, "stomp").protocolOf(null, "ws://h/x", none)).isEqualTo("stomp");
        assertThat(new DecodingSink(e -> { }, DecodingSink.NONE).protocolOf("graphql-transport-ws", null, none)).isNull();
        assertThat(none.asked).isZero();
    }

    @Test
    void aSpecificProtocolInTheFirstMessagesWinsOverTheGenericFormatBeforeIt() {
        First plain = new First("{\"hello\":1}", "[\"x\"]");
        assertThat(CHOOSE.protocolOf(null, "ws://h/x", plain)).isEqualTo("json");
        assertThat(plain.asked).isOne();
        // a JSON object first, then a JSON-RPC call: the protocol, as the stage keeps it for the connection
        First rpc = new First("{\"hello\":1}", "{\"jsonrpc\":\"2.0\",\"method\":\"add\",\"id\":1}");
        assertThat(CHOOSE.protocolOf(null, "ws://h/x", rpc)).isEqualTo("jsonrpc");
        assertThat(CHOOSE.protocolOf(null, "ws://h/x", new First("plain words", "more words"))).isNull();
        assertThat(CHOOSE.protocolOf(null, "ws://h/x", new First())).isNull();
    }

    @Test
    void binaryGuessesCountToo() {
        byte[] msgpackMap = {(byte) 0x81, (byte) 0xa1, 'a', 0x01}; // {"a":1}
        First m = new First();
        m.messages.add(new MessageEvent("1", 1, Direction.C2S, 1, binary(msgpackMap)));
        assertThat(CHOOSE.protocolOf(null, null, m)).isEqualTo("msgpack");
    }
}
