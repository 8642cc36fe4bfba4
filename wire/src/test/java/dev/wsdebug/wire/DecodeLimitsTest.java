package dev.wsdebug.wire;

import static dev.wsdebug.wire.Frames.concat;
import static dev.wsdebug.wire.Frames.hex;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.Deflater;
import org.junit.jupiter.api.Test;

/**
 * What one direction's assembly may hold and decode: the message limit found from headers and
 * while inflating, the inflation bound against deflate bombs, the shared retention budget, and
 * buffers that are released after every message.
 */
class DecodeLimitsTest {

    /** Frame starts, violations as they appear (before each frame's end) and completed messages. */
    private static final class Recorder implements FrameListener {
        final MessageAssembler assembler;
        final List<String> log = new ArrayList<>();
        final List<Message> messages = new ArrayList<>();
        int reported;

        Recorder(MessageAssembler assembler) {
            this.assembler = assembler;
        }

        @Override
        public void onFrameStart(Frame f) {
            reported = 0;
            assembler.frameStart(f);
            note(f, "start");
        }

        @Override
        public void onFramePayload(Frame f, byte[] b, int off, int len, long pos) {
            assembler.framePayload(f, b, off, len, pos);
            note(f, "payload@" + pos);
        }

        @Override
        public void onFrameEnd(Frame f) {
            Message m = assembler.frameEnd(f);
            if (m != null) {
                messages.add(m);
            }
            log.add("end " + f.type());
        }

        private void note(Frame f, String where) {
            for (int i = reported; i < f.violations().size(); i++) {
                log.add(f.violations().get(i).rule() + " at " + where);
            }
            reported = f.violations().size();
        }
    }

    private static Recorder parse(DecodeLimits limits, boolean deflate, boolean noContext, byte[]... chunks) {
        MessageAssembler a = new MessageAssembler(deflate ? new MessageInflater(noContext) : null, limits);
        Recorder r = new Recorder(a);
        FrameParser p = new FrameParser(Direction.S2C, deflate, r);
        for (byte[] c : chunks) {
            p.feed(c);
        }
        return r;
    }

    /** Raw deflate of the data with a sync flush, the 00 00 ff ff tail removed (RFC 7692 7.2.1). */
    static byte[] deflate(byte[] data) {
        Deflater d = new Deflater(9, true);
        d.setInput(data);
        byte[] out = new byte[data.length / 100 + 4096];
        int n = d.deflate(out, 0, out.length, Deflater.SYNC_FLUSH);
        d.end();
        assertThat(n).isLessThan(out.length);
        return Arrays.copyOf(out, n - 4);
    }

    @Test
    void aDeclaredLengthOverTheLimitIsFoundAtTheHeader() {
        // binary, 64-bit length 1 GiB: only the header has arrived
        byte[] header = hex("82 7f 00 00 00 00 40 00 00 00");
        Recorder r = parse(DecodeLimits.retaining(1024).withMaxMessage(1 << 20), false, false, header);
        assertThat(r.log).containsExactly("message-too-big at start");
        assertThat(r.messages).isEmpty();
        assertThat(r.assembler.inMessage()).isTrue();
    }

    @Test
    void fragmentsAddUpToTheLimit() {
        byte[] input = concat(Frames.rawFrame(0x02, null, new byte[600]), Frames.rawFrame(0x80, null, new byte[500]));
        Recorder r = parse(DecodeLimits.retaining(4096).withMaxMessage(1000), false, false, input);
        // the first fragment is within the limit, the second header takes the message past it
        assertThat(r.log).containsExactly("end binary", "message-too-big at start", "end continuation");
        assertThat(r.messages).hasSize(1);
        Message m = r.messages.get(0);
        assertThat(m.violations()).extracting(Violation::rule).containsExactly("message-too-big");
        assertThat(m.violations().get(0).offset()).isEqualTo(604 + 1); // the second frame's length byte
        assertThat(m.length()).isEqualTo(1100);
    }

    @Test
    void exactlyTheLimitIsAllowed() {
        Recorder r = parse(DecodeLimits.retaining(4096).withMaxMessage(1000), false, false,
                Frames.rawFrame(0x82, null, new byte[1000]));
        assertThat(r.messages.get(0).violations()).isEmpty();
    }

    @Test
    void aDeflateBombStopsAtTheMessageLimit() {
        byte[] bomb = deflate(new byte[64 << 20]); // 64 MiB of zeros in about 64 KiB
        assertThat(bomb.length).isLessThan(128 * 1024);
        long limit = 1 << 20;
        Recorder r = parse(DecodeLimits.retaining(4096).withMaxMessage(limit), true, true,
                Frames.rawFrame(0xC2, null, bomb));
        Message m = r.messages.get(0);
        assertThat(m.inflateStopped()).isTrue();
        assertThat(m.length()).isEqualTo(limit);
        assertThat(m.truncated()).isTrue();
        assertThat(m.sha256()).isNull();
        assertThat(m.violations()).extracting(Violation::rule).containsExactly("message-too-big");
        // found while the payload streams, not at the frame's end
        assertThat(r.log.get(0)).startsWith("message-too-big at payload@");
    }

    @Test
    void theInflationBoundStopsWithoutAViolationAndAFreshWindowGoesOn() {
        byte[] bomb = deflate(new byte[8 << 20]);
        byte[] hello = deflate(Frames.utf8("hello"));
        Recorder r = parse(DecodeLimits.retaining(4096).withMaxInflate(1 << 20), true, true,
                Frames.rawFrame(0xC2, null, bomb), Frames.rawFrame(0xC1, null, hello));
        assertThat(r.messages.get(0).inflateStopped()).isTrue();
        assertThat(r.messages.get(0).length()).isEqualTo(1 << 20);
        assertThat(r.messages.get(0).violations()).isEmpty();
        // no context takeover: the next message starts afresh and inflates
        assertThat(r.messages.get(1).inflateStopped()).isFalse();
        assertThat(r.messages.get(1).text()).isEqualTo("hello");
    }

    @Test
    void withContextTakeoverLaterMessagesAreNotInflatedOnceOneStopped() {
        Deflater d = new Deflater(9, true);
        byte[] first = syncFlush(d, new byte[4 << 20]);
        byte[] second = syncFlush(d, Frames.utf8("hello"));
        d.end();
        Recorder r = parse(DecodeLimits.retaining(4096).withMaxInflate(1 << 20), true, false,
                Frames.rawFrame(0xC2, null, first), Frames.rawFrame(0xC1, null, second));
        assertThat(r.messages.get(0).inflateStopped()).isTrue();
        Message m = r.messages.get(1);
        assertThat(m.inflateStopped()).isTrue();
        assertThat(m.length()).isZero();
        assertThat(m.violations()).isEmpty(); // not the sender's fault: our window fell behind
    }

    private static byte[] syncFlush(Deflater d, byte[] data) {
        d.setInput(data);
        byte[] out = new byte[data.length + 1024];
        int n = d.deflate(out, 0, out.length, Deflater.SYNC_FLUSH);
        return Arrays.copyOf(out, n - 4);
    }

    @Test
    void aSharedBudgetTruncatesWhatDoesNotFitAndIsGivenBackAfterEachMessage() {
        RetainBudget budget = new RetainBudget(1500);
        DecodeLimits limits = DecodeLimits.retaining(1 << 20).withBudget(budget);
        MessageAssembler a = new MessageAssembler(null, limits);
        MessageAssembler b = new MessageAssembler(null, limits);
        Recorder ra = new Recorder(a);
        Recorder rb = new Recorder(b);
        FrameParser pa = new FrameParser(null, false, ra);
        FrameParser pb = new FrameParser(null, false, rb);
        byte[] payload = Frames.counting(1000);
        byte[] frame = Frames.rawFrame(0x82, null, payload);
        // both messages in flight at once: a's header and payload, then b's
        pa.feed(frame, 0, frame.length - 1);
        pb.feed(frame, 0, frame.length - 1);
        // a took 1000; b's 1000 did not fit in the 500 left, so b keeps nothing rather than part
        assertThat(budget.held()).isEqualTo(1000);
        pa.feed(frame, frame.length - 1, 1);
        pb.feed(frame, frame.length - 1, 1);
        assertThat(ra.messages.get(0).truncated()).isFalse();
        assertThat(ra.messages.get(0).payload()).isEqualTo(payload);
        Message mb = rb.messages.get(0);
        assertThat(mb.truncated()).isTrue();
        assertThat(mb.length()).isEqualTo(1000);
        assertThat(mb.payload()).isEmpty();
        assertThat(mb.sha256()).isEqualTo(MessageAssemblerTest.sha256(payload));
        assertThat(budget.held()).isZero();
        assertThat(a.retainedBytes()).isZero();
        assertThat(b.retainedBytes()).isZero();
    }

    @Test
    void theBudgetGivesWhatFitsBetweenTheNeedAndTheWish() {
        RetainBudget b = new RetainBudget(1000);
        assertThat(b.reserveUpTo(100, 600, false)).isEqualTo(600);
        assertThat(b.reserveUpTo(100, 600, false)).isEqualTo(400); // what is left
        assertThat(b.reserveUpTo(1, 10, false)).isZero();
        b.release(300);
        assertThat(b.reserveUpTo(301, 500, false)).isZero(); // not even the need fits
        assertThat(b.held()).isEqualTo(700);
        assertThat(RetainBudget.UNLIMITED.reserveUpTo(1, 5, true)).isEqualTo(5);
    }

    @Test
    void anEighthIsKeptForSmallMessages() {
        RetainBudget b = new RetainBudget(8 << 20);
        // large holdings stop at 7 MiB together
        assertThat(b.reserveUpTo(1, 16 << 20, true)).isEqualTo(7 << 20);
        assertThat(b.tryReserve(1, true)).isFalse();
        // small ones still find the last MiB
        assertThat(b.tryReserve(1000, false)).isTrue();
        assertThat(b.reserveUpTo(1, 2 << 20, false)).isEqualTo((1 << 20) - 1000);
        assertThat(b.tryReserve(1, false)).isFalse();
    }

    @Test
    void hugeMessagesInFlightDoNotStarveASmallOne() {
        RetainBudget budget = new RetainBudget(4 << 20);
        DecodeLimits limits = DecodeLimits.retaining(16 << 20).withBudget(budget);
        // two 3 MiB messages in progress take all a large holding may
        for (int i = 0; i < 2; i++) {
            MessageAssembler big = new MessageAssembler(null, limits);
            new FrameParser(null, false, new Recorder(big)).feed(Frames.rawFrame(0x02, null, new byte[3 << 20]));
        }
        assertThat(budget.held()).isLessThanOrEqualTo((4 << 20) - (4 << 20) / 8);
        Recorder small = new Recorder(new MessageAssembler(null, limits));
        new FrameParser(null, false, small).feed(Frames.rawFrame(0x81, null, Frames.utf8("still served")));
        assertThat(small.messages.get(0).truncated()).isFalse();
        assertThat(small.messages.get(0).text()).isEqualTo("still served");
    }

    @Test
    void aMessageGrowsAsFarAsTheBudgetAllowsWithoutCopyingEveryChunk() {
        RetainBudget budget = new RetainBudget(700_000);
        MessageAssembler a = new MessageAssembler(null, DecodeLimits.retaining(1 << 20).withBudget(budget));
        Recorder r = new Recorder(a);
        FrameParser p = new FrameParser(null, false, r);
        byte[] payload = Frames.counting(1 << 20);
        byte[] frame = Frames.rawFrame(0x82, null, payload);
        for (int off = 0; off < frame.length; off += 65536) {
            p.feed(frame, off, Math.min(65536, frame.length - off));
        }
        Message m = r.messages.get(0);
        assertThat(m.truncated()).isTrue();
        assertThat(m.payload().length).isBetween(500_000, 700_000 - 700_000 / 8); // large holdings: 7/8 of the budget
        assertThat(m.payload()).isEqualTo(Arrays.copyOf(payload, m.payload().length));
        assertThat(m.sha256()).isEqualTo(MessageAssemblerTest.sha256(payload));
        assertThat(budget.held()).isZero();
    }

    @Test
    void aHeaderAloneClaimsNoLargeBuffer() {
        RetainBudget budget = new RetainBudget(Long.MAX_VALUE - 1);
        MessageAssembler a = new MessageAssembler(null, DecodeLimits.retaining(16 << 20).withBudget(budget));
        FrameParser p = new FrameParser(null, false, new Recorder(a));
        p.feed(hex("82 7f 00 00 00 00 00 f0 00 00")); // 15 MiB declared, nothing sent
        assertThat(a.retainedBytes()).isZero();
        assertThat(budget.held()).isZero();
        p.feed(new byte[1000]);
        assertThat(a.retainedBytes()).isBetween(1000, 4096);
    }

    @Test
    void anAbandonedMessageGivesItsBytesBack() {
        RetainBudget budget = new RetainBudget(1 << 20);
        MessageAssembler a = new MessageAssembler(null, DecodeLimits.retaining(1 << 20).withBudget(budget));
        FrameParser p = new FrameParser(null, false, new Recorder(a));
        p.feed(Frames.rawFrame(0x02, null, new byte[3000]));
        assertThat(budget.held()).isPositive();
        a.release();
        assertThat(budget.held()).isZero();
    }

    @Test
    void buffersDoNotOutliveTheirMessage() {
        Recorder r = parse(DecodeLimits.retaining(16 << 20), false, false,
                Frames.rawFrame(0x82, null, new byte[5 << 20]), Frames.rawFrame(0x81, null, Frames.utf8("x")));
        assertThat(r.messages).hasSize(2);
        assertThat(r.assembler.retainedBytes()).isZero();
        assertThat(r.messages.get(0).payload()).hasSize(5 << 20);
    }
}
