package dev.wsdebug.net;

import dev.wsdebug.capture.Conversation;
import dev.wsdebug.capture.ErrorEvent;
import dev.wsdebug.capture.EventSink;
import dev.wsdebug.capture.MicroClock;
import dev.wsdebug.net.fault.FaultPlan;
import dev.wsdebug.net.fault.FaultRule;
import dev.wsdebug.wire.CloseCodes;
import dev.wsdebug.wire.DeflateParams;
import dev.wsdebug.wire.Direction;
import dev.wsdebug.wire.Frame;
import dev.wsdebug.wire.FrameListener;
import dev.wsdebug.wire.FrameParser;
import dev.wsdebug.wire.FrameSpec;
import dev.wsdebug.wire.FrameWriter;
import dev.wsdebug.wire.Handshake;
import dev.wsdebug.wire.HandshakeResult;
import dev.wsdebug.wire.HttpHead;
import dev.wsdebug.wire.HttpHeadParser;
import dev.wsdebug.wire.Masking;
import dev.wsdebug.wire.Message;
import dev.wsdebug.wire.MessageAssembler;
import dev.wsdebug.wire.MessageInflater;
import dev.wsdebug.wire.Opcode;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelOption;
import io.netty.util.concurrent.ScheduledFuture;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The relay of one proxied WebSocket connection when fault rules apply to it (without rules the
 * proxy relays bytes as they arrive and never builds one of these).
 *
 * <p>Each direction ({@link Lane}) parses what its sender sends with its own frame parser and
 * message assembler, and holds the bytes until a control frame or a whole data message has
 * arrived. Then the first matching rule decides: forward the held bytes unchanged, drop, delay,
 * duplicate, re-fragment or rewrite them, or end the connection. What is finally written goes
 * through the lane's {@link Outbox} (a FIFO with release times, so a delayed message also holds
 * back what follows it and the stream never reorders) and is fed to the connection's
 * {@link Conversation} as it is written: the capture shows what each peer actually received.
 * Every fault is described by an {@link ErrorEvent} of kind {@code fault} just before the frames
 * it concerns.
 *
 * <p>permessage-deflate: a compressed message that the receiver does not get exactly once, in
 * order (dropped, rewritten) leaves the receiver's inflater out of step with the sender's deflater
 * when the direction uses context takeover. From then on the lane re-encodes: every compressed
 * message of that direction is sent uncompressed (RSV1=0, freshly masked for c2s) from its
 * decoded payload, which any receiver accepts.
 *
 * <p>Runs on the connection's event loop only, like the rest of {@link ProxyConnection}.
 */
final class FaultRelay {
    /** How long an injected close waits for the peers' answers before the sockets are closed anyway. */
    static final long CLOSE_GRACE_MILLIS = 2_000;
    /** Queued bytes toward one side above which the sender is no longer read. */
    private static final int OUTBOX_HIGH = 1 << 20;
    private static final int PREVIEW = 40;

    /** OPEN: rules apply; CLOSING: an injected close awaits the answers; DONE: nothing is forwarded any more. */
    private enum State { OPEN, CLOSING, DONE, RESET, ENDED }

    private final String conn;
    private final FaultPlan plan;
    private final EventSink sink;
    private final Conversation conversation;
    private final Channel client;
    private final Channel upstream;
    private final HttpHead request;
    private final int holdCap;
    private final FrameWriter writer = new FrameWriter();
    private final SplittableRandom random = new SplittableRandom();
    private final Lane c2s;
    private final Lane s2c;
    private final List<ScheduledFuture<?>> timers = new ArrayList<>();
    private State state = State.OPEN;
    private long upgradeNanos;
    private DeflateParams deflate;
    private boolean waitingClient;
    private boolean waitingServer;
    private boolean serverAnswered;
    private FaultRule closeRule;

    FaultRelay(String conn, FaultPlan plan, EventSink sink, Conversation conversation, Channel client, Channel upstream,
               HttpHead request, int holdCap) {
        this.conn = conn;
        this.plan = plan;
        this.sink = sink;
        this.conversation = conversation;
        this.client = client;
        this.upstream = upstream;
        this.request = request;
        this.holdCap = holdCap;
        this.c2s = new Lane(Direction.C2S, upstream);
        this.s2c = new Lane(Direction.S2C, client);
        c2s.mode = Mode.WAIT;
        s2c.mode = Mode.HEAD;
    }

    // ---- input from ProxyConnection -------------------------------------------------------------

    /** Bytes from the sender of {@code dir} (after the request head, for c2s); releases the buffer. */
    void read(Direction dir, ByteBuf b) {
        byte[] bytes = new byte[b.readableBytes()];
        b.getBytes(b.readerIndex(), bytes);
        b.release();
        read(dir, bytes);
    }

    void read(Direction dir, byte[] bytes) {
        if (state == State.ENDED || state == State.RESET || bytes.length == 0) {
            return;
        }
        lane(dir).read(bytes, 0, bytes.length);
        updateAutoRead();
    }

    /**
     * The sender of {@code dir} closed its socket: the other side is closed once what is queued
     * toward it has been written, or, during an injected close, once that side has answered.
     */
    void sourceClosed(Direction dir) {
        if (state == State.ENDED || state == State.RESET) {
            return;
        }
        if (state == State.CLOSING) {
            if (dir == Direction.C2S) {
                waitingClient = false;
            } else {
                waitingServer = false;
            }
            maybeFinishClose();
            return;
        }
        lane(dir).closeTargetWhenDrained();
    }

    /** Backpressure: a side is read only while the other is writable and little is queued toward it. */
    void updateAutoRead() {
        if (state == State.ENDED) {
            return;
        }
        client.config().setAutoRead(upstream.isWritable() && c2s.outbox.queuedBytes < OUTBOX_HIGH);
        upstream.config().setAutoRead(client.isWritable() && s2c.outbox.queuedBytes < OUTBOX_HIGH);
    }

    /** Both sockets are gone: nothing more is written or fed to the conversation. */
    void end() {
        state = State.ENDED;
        cancelTimers();
        c2s.outbox.clear();
        s2c.outbox.clear();
    }

    private Lane lane(Direction dir) {
        return dir == Direction.C2S ? c2s : s2c;
    }

    // ---- the upgrade ----------------------------------------------------------------------------

    private void upgraded(HttpHead response) {
        HandshakeResult result = Handshake.check(request, response);
        if (!result.upgraded()) {
            // not a WebSocket after all: bytes pass as they come, both ways
            c2s.startPassing();
            s2c.mode = Mode.PASS;
            return;
        }
        upgradeNanos = System.nanoTime();
        deflate = result.deflate();
        for (FaultRule r : plan.rules()) {
            if (r.isTimer()) {
                long delayNanos = (long) (r.afterSeconds() * 1e9);
                timers.add(client.eventLoop().schedule(() -> timerFired(r), delayNanos, TimeUnit.NANOSECONDS));
            }
        }
        s2c.startFrames();
        c2s.startFrames();
    }

    private void timerFired(FaultRule r) {
        if (state != State.OPEN || !r.fires(random)) {
            return;
        }
        String why = "the timer (" + r.afterSeconds() + " s after the upgrade)";
        switch (r.action()) {
            case CLOSE -> injectClose(r, why);
            case RESET -> reset(r, why);
            case BLACKHOLE -> blackhole(r, why);
            default -> throw new IllegalStateException(r.toString());
        }
        updateAutoRead();
    }

    private double secondsSinceUpgrade() {
        return (System.nanoTime() - upgradeNanos) / 1e9;
    }

    // ---- connection-ending actions ---------------------------------------------------------------

    private void injectClose(FaultRule r, String trigger) {
        state = State.CLOSING;
        closeRule = r;
        byte[] payload = FrameWriter.closePayload(r.closeCode(), r.closeReason());
        String what = "close " + r.closeCode() + (r.closeReason().isEmpty() ? "" : " \"" + r.closeReason() + "\"");
        boolean toClient = r.to() != FaultRule.Target.SERVER;
        boolean toServer = r.to() != FaultRule.Target.CLIENT;
        c2s.dropHeld();
        s2c.dropHeld();
        if (toClient) {
            s2c.outbox.add(encode(Direction.S2C, Opcode.CLOSE, payload, false, 0), 0,
                    note("injected", what + " sent to the client as if from the server, triggered by " + trigger, r));
        }
        if (toServer) {
            c2s.outbox.add(encode(Direction.C2S, Opcode.CLOSE, payload, false, 0), 0,
                    note("injected", what + " sent to the server as if from the client, triggered by " + trigger, r));
        }
        waitingClient = toClient && client.isActive();
        waitingServer = toServer && upstream.isActive();
        timers.add(client.eventLoop().schedule(this::finishClose, CLOSE_GRACE_MILLIS, TimeUnit.MILLISECONDS));
        maybeFinishClose();
    }

    /** A close frame arrived from a side during an injected close: that side has answered. */
    private void closeAnswered(Direction from) {
        if (from == Direction.C2S) {
            if (waitingClient) {
                waitingClient = false;
                // toward the client the proxy plays the server, which closes the socket after the handshake
                s2c.closeTargetWhenDrained();
            }
        } else if (waitingServer) {
            waitingServer = false;
            serverAnswered = true; // the server closes its socket itself
        }
        maybeFinishClose();
    }

    private void maybeFinishClose() {
        if (!waitingClient && !waitingServer) {
            finishClose();
        }
    }

    /** Both answered, or the grace time is over: close what is still open; nothing more is forwarded. */
    private void finishClose() {
        if (state != State.CLOSING) {
            return;
        }
        state = State.DONE;
        s2c.closeTargetWhenDrained();
        if (serverAnswered && upstream.isActive()) {
            // RFC 6455 7.1.1: the server closes the TCP connection first; close it only if it does not
            timers.add(client.eventLoop().schedule(() -> {
                upstream.close();
            }, 500, TimeUnit.MILLISECONDS));
        } else {
            c2s.closeTargetWhenDrained();
        }
    }

    private void reset(FaultRule r, String trigger) {
        state = State.RESET;
        cancelTimers();
        c2s.outbox.clear();
        s2c.outbox.clear();
        sink.accept(note("reset", "both TCP connections aborted (RST, no close frame), triggered by " + trigger, r));
        for (Channel ch : new Channel[] {client, upstream}) {
            if (ch.isOpen()) {
                ch.config().setOption(ChannelOption.SO_LINGER, 0);
                ch.close();
            }
        }
    }

    private void blackhole(FaultRule r, String trigger) {
        state = State.DONE;
        c2s.outbox.clear();
        s2c.outbox.clear();
        c2s.dropHeld();
        s2c.dropHeld();
        sink.accept(note("blackhole", "nothing is forwarded in either direction from now on; both TCP connections"
                + " stay open, triggered by " + trigger, r));
    }

    private void cancelTimers() {
        for (ScheduledFuture<?> t : timers) {
            t.cancel(false);
        }
        timers.clear();
    }

    // ---- encoding ------------------------------------------------------------------------------

    /** The frames of one message (or one control frame) toward the receiver of {@code dir}. */
    private byte[] encode(Direction dir, int opcode, byte[] payload, boolean rsv1, int fragmentSize) {
        int size = fragmentSize > 0 ? fragmentSize : Math.max(1, payload.length);
        ByteArrayOutputStream out = new ByteArrayOutputStream(payload.length + 16);
        int pos = 0;
        boolean first = true;
        do {
            int n = Math.min(size, payload.length - pos);
            boolean fin = pos + n >= payload.length;
            FrameSpec spec = new FrameSpec(fin, first && rsv1, false, false, first ? opcode : Opcode.CONTINUATION,
                    dir == Direction.C2S ? writer.randomMaskKey() : null, 0, Arrays.copyOfRange(payload, pos, pos + n));
            out.writeBytes(writer.encode(spec));
            pos += n;
            first = false;
        } while (pos < payload.length);
        return out.toByteArray();
    }

    private ErrorEvent note(String tag, String what, FaultRule r) {
        return new ErrorEvent(conn, MicroClock.now(), "fault", tag + ": " + what + " (rule '" + r + "').");
    }

    private ErrorEvent note(String tag, String what) {
        return new ErrorEvent(conn, MicroClock.now(), "fault", tag + ": " + what + ".");
    }

    private static String preview(Message m) {
        if (!m.isText()) {
            return "";
        }
        String t = m.text();
        String shown = t.length() > PREVIEW ? t.substring(0, PREVIEW) + "…" : t;
        return " \"" + shown.replace("\n", "\\n") + "\"";
    }

    // ---- one direction -------------------------------------------------------------------------

    private enum Mode { WAIT, HEAD, FRAMES, PASS }

    /** A data message held until its last frame: its frames' raw bytes and the decoded message. */
    private record Held(List<Frame> frames, List<byte[]> raw, int rawLength) {
        byte[] bytes() {
            byte[] out = new byte[rawLength];
            int p = 0;
            for (byte[] r : raw) {
                System.arraycopy(r, 0, out, p, r.length);
                p += r.length;
            }
            return out;
        }

        /** The payload as it was on the wire (still compressed if it was), unmasked. */
        byte[] wirePayload() {
            ByteArrayOutputStream out = new ByteArrayOutputStream(rawLength);
            for (int i = 0; i < frames.size(); i++) {
                Frame f = frames.get(i);
                byte[] r = raw.get(i);
                byte[] p = Arrays.copyOfRange(r, f.headerLength(), r.length);
                if (f.masked()) {
                    Masking.xor(p, 0, p, 0, p.length, f.maskKey(), 0);
                }
                out.writeBytes(p);
            }
            return out.toByteArray();
        }
    }

    /** One direction: its sender's bytes in, what its receiver gets out. */
    private final class Lane implements FrameListener {
        final Direction dir;
        final Outbox outbox;
        Mode mode;
        /** Client bytes that arrived before the server answered the upgrade. */
        ByteArrayOutputStream early;
        HttpHeadParser head;
        FrameParser parser;
        MessageAssembler assembler;
        MessageInflater inflater;
        /** Whether the sender's deflate context carries over between messages. */
        boolean contextTakeover;
        /** Compressed messages are re-encoded uncompressed from now on. */
        boolean reencode;
        /** Input not yet handed on: buf[0] is stream offset {@code base}. */
        byte[] buf = new byte[0];
        int bufLen;
        long base;
        /** Stream offset up to which input has been handled (forwarded, held or dropped). */
        long done;
        List<Frame> heldFrames = new ArrayList<>();
        List<byte[]> heldRaw = new ArrayList<>();
        int heldBytes;
        /** The current message is larger than the hold cap: its bytes pass as they arrive. */
        boolean streaming;
        boolean oversizeNoted;
        /** Data messages seen in this direction so far. */
        long messages;

        Lane(Direction dir, Channel target) {
            this.dir = dir;
            this.outbox = new Outbox(dir, target);
        }

        void read(byte[] b, int off, int len) {
            switch (mode) {
                case PASS -> outbox.add(Arrays.copyOfRange(b, off, off + len), 0, null);
                case WAIT -> {
                    if (early == null) {
                        early = new ByteArrayOutputStream();
                    }
                    early.write(b, off, len);
                }
                case HEAD -> {
                    if (head == null) {
                        head = new HttpHeadParser();
                    }
                    int used = head.feed(b, off, len);
                    outbox.add(Arrays.copyOfRange(b, off, off + used), 0, null);
                    if (head.isComplete() && head.error() == null) {
                        upgraded(head.head());
                    } else if (head.isDone()) {
                        c2s.startPassing();
                        mode = Mode.PASS;
                    }
                    head = mode == Mode.HEAD ? head : null;
                    if (used < len) {
                        read(b, off + used, len - used);
                    }
                }
                case FRAMES -> frames(b, off, len);
            }
        }

        void startPassing() {
            mode = Mode.PASS;
            flushEarly();
        }

        void startFrames() {
            contextTakeover = deflate != null && !deflate.noContextTakeover(dir);
            inflater = deflate == null ? null : new MessageInflater(deflate.noContextTakeover(dir));
            assembler = new MessageAssembler(inflater, holdCap);
            parser = new FrameParser(dir, deflate != null, this);
            mode = Mode.FRAMES;
            flushEarly();
        }

        private void flushEarly() {
            if (early != null) {
                byte[] e = early.toByteArray();
                early = null;
                read(e, 0, e.length);
            }
        }

        private void frames(byte[] b, int off, int len) {
            if (state == State.DONE) {
                return; // closed or a zombie: nothing is even looked at
            }
            if (bufLen + len > buf.length) {
                buf = Arrays.copyOf(buf, Math.max(bufLen + len, buf.length * 2));
            }
            System.arraycopy(b, off, buf, bufLen, len);
            bufLen += len;
            parser.feed(b, off, len);
            long end = base + bufLen;
            if (state != State.OPEN) {
                done = end; // only close answers matter now, and the parser has seen them
            } else if (streaming) {
                forwardRaw(end);
            } else if (state == State.OPEN && heldBytes + (end - done) > holdCap) {
                startStreaming(end);
            }
            compact();
        }

        /** Drops the input before {@code done} from the buffer. */
        private void compact() {
            int consumed = (int) (done - base);
            if (consumed > 0) {
                System.arraycopy(buf, consumed, buf, 0, bufLen - consumed);
                bufLen -= consumed;
                base = done;
                if (buf.length > 1 << 16 && bufLen < buf.length / 4) {
                    buf = Arrays.copyOf(buf, Math.max(bufLen, 1 << 12));
                }
            }
        }

        private byte[] slice(long from, long to) {
            return Arrays.copyOfRange(buf, (int) (from - base), (int) (to - base));
        }

        /** Forwards the input from {@code done} to {@code to} as it is. */
        private void forwardRaw(long to) {
            if (to > done) {
                if (state == State.OPEN) {
                    outbox.add(slice(done, to), 0, null);
                }
                done = to;
            }
        }

        private void startStreaming(long end) {
            if (reencode) {
                tooBigToReencode("larger than the " + holdCap + "-byte hold cap");
                return;
            }
            ErrorEvent n = oversizeNoted ? null : note("passed", "a " + dir.id() + " message is larger than the "
                    + holdCap + "-byte hold cap; it passes unchanged as it arrives and no rule sees it"
                    + " (later ones like it are not reported)");
            oversizeNoted = true;
            if (!heldRaw.isEmpty()) {
                Held h = takeHeld();
                outbox.add(h.bytes(), 0, n);
                n = null;
            }
            if (n != null) {
                outbox.add(new byte[0], 0, n);
            }
            streaming = true;
            forwardRaw(end);
        }

        /** A message this re-encoding lane cannot decode whole: the stream cannot be kept valid. */
        private void tooBigToReencode(String why) {
            injectClose(FaultRule.parse("close='" + CloseCodes.MESSAGE_TOO_BIG + ":message too big to re-encode'"),
                    "a compressed " + dir.id() + " message " + why + ", which cannot be re-encoded");
        }

        private Held takeHeld() {
            Held h = new Held(heldFrames, heldRaw, heldBytes);
            heldFrames = new ArrayList<>();
            heldRaw = new ArrayList<>();
            heldBytes = 0;
            return h;
        }

        void dropHeld() {
            takeHeld();
        }

        void closeTargetWhenDrained() {
            outbox.closeWhenDrained();
        }

        @Override
        public void onFrameStart(Frame f) {
            if (Opcode.isData(f.opcode()) && !heldRaw.isEmpty() && !streaming) {
                // a new message before the last one ended (a protocol error): the unfinished one passes as it was
                pass(takeHeld().bytes());
            }
            assembler.frameStart(f);
        }

        @Override
        public void onFramePayload(Frame f, byte[] b, int off, int len, long payloadPos) {
            assembler.framePayload(f, b, off, len, payloadPos);
        }

        @Override
        public void onFrameEnd(Frame f) {
            Message m = assembler.frameEnd(f);
            long end = f.offset() + f.wireLength();
            boolean messageFrame = !f.isControl();
            if (streaming) {
                forwardRaw(end);
                if (messageFrame && f.fin() || !messageFrame && !assembler.inMessage() && heldRaw.isEmpty()) {
                    streaming = false;
                    if (m != null) {
                        messages++;
                    }
                }
                return;
            }
            if (state != State.OPEN) {
                done = Math.max(done, end);
                if (state == State.CLOSING && f.opcode() == Opcode.CLOSE) {
                    closeAnswered(dir);
                }
                return; // swallowed: the proxy has closed toward the other side already
            }
            byte[] raw = slice(done, end);
            done = end;
            if (f.isControl()) {
                control(f, raw);
            } else if (f.opcode() == Opcode.CONTINUATION && heldRaw.isEmpty()) {
                pass(raw); // a continuation with no message (a protocol error) passes as it was
            } else {
                heldFrames.add(f);
                heldRaw.add(raw);
                heldBytes += raw.length;
                if (m != null) {
                    message(m, takeHeld());
                }
            }
        }

        private void pass(byte[] raw) {
            outbox.add(raw, 0, null);
        }

        private void control(Frame f, byte[] raw) {
            FaultRule r = plan.match(dir, f.opcode(), messages, secondsSinceUpgrade(),
                    () -> new String(f.controlPayload() == null ? new byte[0] : f.controlPayload(), StandardCharsets.UTF_8),
                    random);
            if (r == null) {
                pass(raw);
                return;
            }
            String what = dir.id() + " " + f.type() + " frame"
                    + (f.closeCode() >= 0 ? " (" + f.closeCode() + ")" : "");
            switch (r.action()) {
                case DROP, NO_PONG -> outbox.add(new byte[0], 0, note("drop", what + " not forwarded", r));
                case DELAY -> outbox.add(raw, r.delayMillis(), note("delay", what + " held " + r.delayMillis() + " ms", r));
                case DUPLICATE -> outbox.add(concat(raw, raw), 0, note("duplicate", what + " sent twice", r));
                case THROTTLE -> outbox.paced(raw, r.bytesPerSecond(),
                        note("throttle", what + " sent at " + r.bytesPerSecond() + " bytes/s", r));
                case CLOSE -> injectClose(r, "the " + what);
                case RESET -> reset(r, "the " + what);
                case BLACKHOLE -> blackhole(r, "the " + what);
                default -> pass(raw); // replace and fragment never match control frames
            }
        }

        private void message(Message m, Held h) {
            if (reencode && m.compressed() && m.truncated()) {
                tooBigToReencode("that inflates to more than " + holdCap + " bytes");
                return;
            }
            long earlier = messages++;
            String[] text = new String[1];
            Supplier<String> payload = () -> text[0] != null ? text[0] : (text[0] = m.text());
            FaultRule r = plan.match(dir, m.opcode(), earlier, secondsSinceUpgrade(), payload, random);
            String what = dir.id() + " " + m.type() + " message of " + m.length() + " bytes" + preview(m);
            if (r == null) {
                outbox.add(plain(m, h), 0, null);
                return;
            }
            switch (r.action()) {
                case DROP -> {
                    outbox.add(new byte[0], 0, note("drop", what + " not forwarded", r));
                    if (m.compressed() && contextTakeover && !reencode) {
                        startReencode();
                    }
                }
                case DELAY -> outbox.add(plain(m, h), r.delayMillis(), note("delay", what + " held " + r.delayMillis() + " ms", r));
                case DUPLICATE -> {
                    byte[] once = plain(m, h);
                    byte[] again;
                    if (m.compressed() && !reencode) {
                        // a second compressed copy would not inflate against the moved window: send it uncompressed
                        if (m.truncated()) {
                            outbox.add(once, 0, note("passed", what + " is too big to duplicate uncompressed; sent once", r));
                            return;
                        }
                        again = encode(dir, m.opcode(), m.payload(), false, 0);
                    } else {
                        again = once;
                    }
                    outbox.add(concat(once, again), 0, note("duplicate", what + " sent twice", r));
                }
                case THROTTLE -> outbox.paced(plain(m, h), r.bytesPerSecond(),
                        note("throttle", what + " sent at " + r.bytesPerSecond() + " bytes/s", r));
                case FRAGMENT -> {
                    byte[] out;
                    if (m.compressed() && !reencode) {
                        out = encode(dir, m.opcode(), h.wirePayload(), true, r.fragmentSize());
                    } else if (m.truncated()) {
                        outbox.add(plain(m, h), 0, note("passed", what + " is too big to re-fragment; sent as it was", r));
                        return;
                    } else {
                        out = encode(dir, m.opcode(), m.payload(), false, r.fragmentSize());
                    }
                    boolean keptCompressed = m.compressed() && !reencode;
                    long length = keptCompressed ? m.wireLength() : m.length();
                    long n = Math.max(1, (length + r.fragmentSize() - 1) / r.fragmentSize());
                    outbox.add(out, 0, note("fragmented", what + " sent in " + n + " frame" + (n == 1 ? "" : "s")
                            + " of at most " + r.fragmentSize() + (keptCompressed ? " compressed" : "") + " bytes", r));
                }
                case REPLACE -> {
                    if (m.truncated()) {
                        outbox.add(plain(m, h), 0, note("passed", what + " is too big to rewrite; sent as it was", r));
                        return;
                    }
                    String rewritten = r.rewrite(payload.get());
                    byte[] bytes = rewritten.getBytes(StandardCharsets.UTF_8);
                    ErrorEvent n = note("rewritten", what + " sent as " + bytes.length + " bytes"
                            + (m.compressed() ? ", uncompressed" : ""), r);
                    outbox.add(encode(dir, m.opcode(), bytes, false, 0), 0, n);
                    if (m.compressed() && contextTakeover && !reencode) {
                        startReencode();
                    }
                }
                case CLOSE -> injectClose(r, "the " + what);
                case RESET -> reset(r, "the " + what);
                case BLACKHOLE -> blackhole(r, "the " + what);
                case NO_PONG -> outbox.add(plain(m, h), 0, null); // never matches a data message
            }
        }

        /** The message as it goes when no rule changes it: its own bytes, or re-encoded. */
        private byte[] plain(Message m, Held h) {
            if (reencode && m.compressed()) {
                return encode(dir, m.opcode(), m.payload(), false, 0); // message() ruled out truncated ones
            }
            return h.bytes();
        }

        private void startReencode() {
            reencode = true;
            outbox.add(new byte[0], 0, note("re-encoded", "the " + dir.opposite().sender() + "'s permessage-deflate context no"
                    + " longer matches the " + dir.sender() + "'s, so every later compressed " + dir.id()
                    + " message is sent uncompressed (RSV1=0) from its decoded payload"));
        }
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    // ---- output ---------------------------------------------------------------------------------

    /** What is written toward one side, in order, each piece no earlier than its release time. */
    private final class Outbox {
        private record Item(byte[] bytes, long notBeforeNanos, long bytesPerSecond, ErrorEvent note) {
        }

        final Direction dir;
        final Channel target;
        final ArrayDeque<Item> queue = new ArrayDeque<>();
        long queuedBytes;
        /** When a paced piece has "left the link", so the next paced piece may go. */
        long linkFreeNanos;
        ScheduledFuture<?> timer;
        boolean closeWhenDrained;

        Outbox(Direction dir, Channel target) {
            this.dir = dir;
            this.target = target;
        }

        void add(byte[] bytes, long delayMillis, ErrorEvent note) {
            long notBefore = delayMillis > 0 ? System.nanoTime() + delayMillis * 1_000_000 : 0;
            queue.add(new Item(bytes, notBefore, 0, note));
            queuedBytes += bytes.length;
            drain();
        }

        /** Bytes sent in slices of about 1/20 s each at this rate. */
        void paced(byte[] bytes, long bytesPerSecond, ErrorEvent note) {
            int slice = (int) Math.max(1, Math.min(16 * 1024, bytesPerSecond / 20));
            for (int p = 0; p < bytes.length || p == 0; p += slice) {
                byte[] piece = Arrays.copyOfRange(bytes, p, Math.min(bytes.length, p + slice));
                queue.add(new Item(piece, 0, bytesPerSecond, p == 0 ? note : null));
                queuedBytes += piece.length;
                if (bytes.length == 0) {
                    break;
                }
            }
            drain();
        }

        void closeWhenDrained() {
            closeWhenDrained = true;
            drain();
        }

        void clear() {
            queue.clear();
            queuedBytes = 0;
            if (timer != null) {
                timer.cancel(false);
                timer = null;
            }
        }

        void drain() {
            if (state == State.ENDED || state == State.RESET) {
                clear();
                return;
            }
            boolean wrote = false;
            while (!queue.isEmpty()) {
                Item it = queue.peek();
                long now = System.nanoTime();
                long due = Math.max(it.notBeforeNanos, it.bytesPerSecond > 0 ? linkFreeNanos : 0);
                if (due > now) {
                    if (timer == null) {
                        timer = client.eventLoop().schedule(() -> {
                            timer = null;
                            drain();
                            updateAutoRead();
                        }, due - now, TimeUnit.NANOSECONDS);
                    }
                    break;
                }
                queue.poll();
                queuedBytes -= it.bytes.length;
                if (it.note != null) {
                    sink.accept(it.note);
                }
                if (it.bytes.length > 0) {
                    if (it.bytesPerSecond > 0) {
                        linkFreeNanos = now + it.bytes.length * 1_000_000_000L / it.bytesPerSecond;
                    }
                    conversation.feed(dir, MicroClock.now(), it.bytes, 0, it.bytes.length);
                    target.write(Unpooled.wrappedBuffer(it.bytes));
                    wrote = true;
                }
            }
            if (wrote) {
                target.flush();
            }
            if (queue.isEmpty() && closeWhenDrained && target.isOpen()) {
                target.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
            }
        }
    }
}
