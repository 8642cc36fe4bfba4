package dev.wsdebug.capture;

import static dev.wsdebug.capture.ConversationTest.concat;
import static dev.wsdebug.capture.ConversationTest.request;
import static dev.wsdebug.capture.ConversationTest.response101;
import static org.assertj.core.api.Assertions.assertThat;

import dev.wsdebug.wire.DecodeLimits;
import dev.wsdebug.wire.Direction;
import dev.wsdebug.wire.Frame;
import dev.wsdebug.wire.RetainBudget;
import dev.wsdebug.wire.Violation;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What the pipeline tells before a frame ends: violations of a header that declares a gigabyte,
 * over-limit messages, and the memory a conversation holds.
 */
class ConversationEarlyTest {
    private static final HexFormat HEX = HexFormat.of();

    /** Records events and the early-violation callbacks, in order. */
    private static final class Sink implements EventSink {
        final List<String> log = new ArrayList<>();
        final RecordingSink events = new RecordingSink();

        @Override
        public void accept(Event event) {
            events.accept(event);
            log.add(event.name() + (event instanceof ErrorEvent e ? " " + e.kind() : ""));
        }

        @Override
        public void violationFound(String conn, Direction dir, long t, Frame frame, Violation v) {
            log.add("violationFound " + dir.id() + " " + v.rule());
        }
    }

    private static Conversation open(Sink sink) {
        Conversation c = new Conversation("1", sink);
        c.feed(Direction.C2S, 1, request(""));
        c.feed(Direction.S2C, 2, response101(""));
        return c;
    }

    @Test
    void aHeaderThatBreaksARuleAndDeclaresAGigabyteIsReportedAtOnce() {
        Sink sink = new Sink();
        Conversation c = open(sink);
        // masked binary frame with RSV2 set and a 64-bit length of 1 GiB; only the header arrives
        c.feed(Direction.C2S, 3, HEX.parseHex("a2ff0000000040000000" + "01020304"));
        assertThat(sink.log).containsExactly("handshake", "violationFound c2s reserved-bit-set", "error violation");
        ErrorEvent e = sink.events.of(ErrorEvent.class).get(0);
        assertThat(e.message()).startsWith("c2s: frame #1 (binary, 1073741824 payload bytes declared, at byte 0) breaks"
                + " reserved-bit-set (RFC 6455 5.2, byte 0) before its end: RSV2 is set");
        // more payload brings nothing new until the frame ends
        c.feed(Direction.C2S, 4, new byte[1000]);
        assertThat(sink.log).hasSize(3);
    }

    @Test
    void aSmallFrameGoesToTheEndpointButIsShownOnlyWithItsFrame() {
        Sink sink = new Sink();
        Conversation c = open(sink);
        c.feed(Direction.S2C, 3, HEX.parseHex("830168")); // reserved opcode 0x3, one byte
        assertThat(sink.log).containsExactly("handshake", "violationFound s2c reserved-opcode", "frame");
    }

    @Test
    void theMessageLimitIsFoundFromTheHeader() {
        Sink sink = new Sink();
        Conversation c = new Conversation("1", sink).limits(
                DecodeLimits.retaining(1 << 20).withMaxMessage(1 << 20), DecodeLimits.retaining(1 << 20));
        c.feed(Direction.C2S, 1, request(""));
        c.feed(Direction.S2C, 2, response101(""));
        c.feed(Direction.C2S, 3, HEX.parseHex("82ff0000000040000000" + "01020304"));
        assertThat(sink.log).containsExactly("handshake", "violationFound c2s message-too-big", "error violation");
        // the other direction has no limit
        c.feed(Direction.S2C, 4, HEX.parseHex("827f0000000040000000"));
        assertThat(sink.log).hasSize(3);
    }

    @Test
    void earlyBytesAndMessagesCountAgainstTheBudgetAndAreGivenBack() {
        RetainBudget budget = new RetainBudget(1 << 20);
        DecodeLimits limits = DecodeLimits.retaining(1 << 20).withBudget(budget);
        Sink sink = new Sink();
        Conversation c = new Conversation("1", sink).limits(limits, limits);
        // the request and a frame before the server answers: the frame waits in the budget
        byte[] frame = HEX.parseHex("8285" + "00000000" + "0102030405");
        c.feed(Direction.C2S, 1, concat(request(""), frame));
        assertThat(budget.held()).isEqualTo(frame.length);
        assertThat(c.retainedBytes()).isGreaterThanOrEqualTo(frame.length);
        c.feed(Direction.S2C, 2, response101(""));
        assertThat(sink.events.of(MessageEvent.class)).hasSize(1);
        assertThat(budget.held()).isZero();
        // a message in progress holds its bytes until the stream ends
        c.feed(Direction.C2S, 3, HEX.parseHex("0285" + "00000000" + "0102030405"));
        assertThat(budget.held()).isPositive();
        c.end(4);
        assertThat(budget.held()).isZero();
    }

    @Test
    void clientBytesBeforeAnEarlyAnswerAreDecodedAsIfTheyCameAfterIt() {
        // the fuzzer's case: the 101 arrives while the client has sent only part of a "request"
        byte[] frame = HEX.parseHex("8185" + "00000000" + "68656c6c6f");
        Sink early = new Sink();
        Conversation a = new Conversation("1", early);
        a.feed(Direction.C2S, 1, java.util.Arrays.copyOf(frame, 3));
        a.feed(Direction.S2C, 2, response101(""));
        a.feed(Direction.C2S, 3, java.util.Arrays.copyOfRange(frame, 3, frame.length));
        Sink late = new Sink();
        Conversation b = new Conversation("1", late);
        b.feed(Direction.S2C, 2, response101(""));
        b.feed(Direction.C2S, 3, frame);
        assertThat(early.events.of(MessageEvent.class)).singleElement()
                .satisfies(m -> assertThat(m.message().text()).isEqualTo("hello"));
        assertThat(late.events.of(MessageEvent.class)).singleElement()
                .satisfies(m -> assertThat(m.message().text()).isEqualTo("hello"));
        assertThat(a.webSocketStart(Direction.C2S)).isZero();
        assertThat(b.webSocketStart(Direction.C2S)).isZero();
    }

    @Test
    void anIdleOpenConversationHoldsNoBuffers() {
        Sink sink = new Sink();
        Conversation c = open(sink);
        c.feed(Direction.C2S, 3, HEX.parseHex("8185" + "00000000" + "68656c6c6f"));
        c.feed(Direction.S2C, 4, HEX.parseHex("810568656c6c6f"));
        assertThat(sink.events.of(MessageEvent.class)).hasSize(2);
        assertThat(c.retainedBytes()).isZero();
    }
}
