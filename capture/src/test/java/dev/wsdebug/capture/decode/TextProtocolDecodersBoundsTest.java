package dev.wsdebug.capture.decode;

import dev.wsdebug.wire.Direction;
import dev.wsdebug.wire.Message;
import dev.wsdebug.wire.Opcode;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static dev.wsdebug.capture.decode.DecodingSinkTest.binary;
import static dev.wsdebug.capture.decode.DecodingSinkTest.text;
import static org.assertj.core.api.Assertions.assertThat;

/** Socket.IO, SockJS, Phoenix and Action Cable on hostile input: deep nesting, truncation, random bytes. */
class TextProtocolDecodersBoundsTest {
    private static final List<PayloadDecoder> DECODERS = List.of(new SocketIoDecoder(), new SockJsDecoder(),
            new PhoenixDecoder(), new ActionCableDecoder());

    @Test
    void deepNestingIsASentenceNotAStackOverflow() {
        String deep = "[".repeat(100_000);
        for (String prefix : List.of("42", "a", "", "[\"1\",\"1\",\"t\",\"e\",")) {
            for (PayloadDecoder d : DECODERS) {
                Decoded r = d.decode(text(prefix + deep), Direction.C2S, new DecodeState());
                assertThat(r.ok()).as(d.name() + " " + prefix).isFalse();
                assertThat(r.problem()).as(d.name() + " " + prefix).endsWith(".");
                assertThat(d.sniff(text(prefix + deep))).isFalse();
            }
        }
    }

    @Test
    void aTruncatedMessageIsNotGuessedAt() {
        byte[] b = "42[\"chat\",\"hello\"]".getBytes(StandardCharsets.UTF_8);
        Message cut = new Message(Opcode.TEXT, 1, false, 100, 100, Arrays.copyOf(b, 6), true, "00", -1, 0, List.of());
        for (PayloadDecoder d : DECODERS) {
            Decoded r = d.decode(cut, Direction.C2S, new DecodeState());
            assertThat(r.ok()).as(d.name()).isFalse();
            assertThat(d.sniff(cut)).as(d.name()).isFalse();
        }
    }

    @Test
    void randomInputNeverThrows() {
        Random rnd = new Random(13);
        String alphabet = "0123456789-/,[]{}\":_abcehmo placeholdernumtrue";
        for (int i = 0; i < 5_000; i++) {
            StringBuilder sb = new StringBuilder();
            int n = rnd.nextInt(40);
            for (int k = 0; k < n; k++) {
                sb.append(alphabet.charAt(rnd.nextInt(alphabet.length())));
            }
            byte[] raw = new byte[rnd.nextInt(12)];
            rnd.nextBytes(raw);
            for (PayloadDecoder d : DECODERS) {
                DecodeState s = new DecodeState();
                Direction dir = rnd.nextBoolean() ? Direction.C2S : Direction.S2C;
                assertThat(d.decode(text(sb.toString()), dir, s)).isNotNull();
                assertThat(d.decode(binary(raw), dir, s)).isNotNull();
                d.sniff(text(sb.toString()));
            }
        }
    }
}
