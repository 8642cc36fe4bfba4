package dev.wsdebug.wire;

import static dev.wsdebug.wire.Frames.concat;
import static dev.wsdebug.wire.Frames.decodeAllWays;
import static dev.wsdebug.wire.Frames.hex;
import static org.assertj.core.api.Assertions.assertThat;

import dev.wsdebug.wire.Frames.Decoded;
import dev.wsdebug.wire.Frames.MsgRec;
import dev.wsdebug.wire.Frames.Setup;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** Message assembly: joining fragments, the retention cap and the digest beyond it. */
class MessageAssemblerTest {

    static String sha256(byte[] b) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void messageWithinTheCapIsKeptWhole() {
        byte[] payload = Frames.counting(300);
        Decoded d = decodeAllWays(Setup.plain().retainCap(300), Frames.rawFrame(0x82, null, payload));
        MsgRec m = d.message(0);
        assertThat(m.truncated()).isFalse();
        assertThat(m.sha256()).isNull();
        assertThat(m.payload()).isEqualTo(payload);
    }

    @Test
    void messageBeyondTheCapKeepsItsHeadAndTheDigestOfAll() {
        byte[] payload = Frames.counting(301);
        byte[] input = concat(Frames.rawFrame(0x02, null, Arrays.copyOf(payload, 100)), hex("89 00"),
                Frames.rawFrame(0x80, null, Arrays.copyOfRange(payload, 100, 301)));
        Decoded d = decodeAllWays(Setup.plain().retainCap(300), input);
        MsgRec m = d.message(0);
        assertThat(m.length()).isEqualTo(301);
        assertThat(m.truncated()).isTrue();
        assertThat(m.payload()).isEqualTo(Arrays.copyOf(payload, 300));
        assertThat(m.sha256()).isEqualTo(sha256(payload));
        assertThat(m.frames()).isEqualTo(2);
        assertThat(m.wireLength()).isEqualTo(301);
    }

    @Test
    void zeroCapKeepsNothingButTheDigest() {
        byte[] payload = Frames.utf8("Hello");
        Decoded d = decodeAllWays(Setup.plain().retainCap(0), Frames.rawFrame(0x81, null, payload));
        assertThat(d.message(0).payload()).isEmpty();
        assertThat(d.message(0).truncated()).isTrue();
        assertThat(d.message(0).sha256()).isEqualTo(sha256(payload));
    }

    @Test
    void emptyMessages() {
        Decoded d = decodeAllWays("81 00 82 00 01 00 80 00");
        assertThat(d.messages()).hasSize(3);
        assertThat(d.messages()).allSatisfy(m -> {
            assertThat(m.length()).isZero();
            assertThat(m.violations()).isEmpty();
            assertThat(m.truncated()).isFalse();
        });
        assertThat(d.message(2).frames()).isEqualTo(2);
        assertThat(d.message(2).firstOffset()).isEqualTo(4);
    }

    @Test
    void inMessageBetweenFirstAndFinalFrame() {
        MessageAssembler a = new MessageAssembler(null, 64);
        boolean[] seen = new boolean[4];
        FrameParser p = new FrameParser(null, false, new FrameListener() {
            int n;

            @Override
            public void onFrameStart(Frame frame) {
                a.frameStart(frame);
            }

            @Override
            public void onFramePayload(Frame frame, byte[] buf, int off, int len, long payloadPos) {
                a.framePayload(frame, buf, off, len, payloadPos);
            }

            @Override
            public void onFrameEnd(Frame frame) {
                Message m = a.frameEnd(frame);
                seen[n++] = a.inMessage();
                if (n == 4) {
                    assertThat(m).isNotNull();
                    assertThat(m.text()).isEqualTo("ab");
                    assertThat(m.isText()).isTrue();
                    assertThat(m.type()).isEqualTo("text");
                } else {
                    assertThat(m).isNull();
                }
            }
        });
        assertThat(a.inMessage()).isFalse();
        p.feed(hex("01 01 61 89 00 00 00 80 01 62"));
        assertThat(seen).containsExactly(true, true, true, false);
    }
}
