package dev.wsdebug.net.proxy;

import dev.wsdebug.capture.Conversation;
import dev.wsdebug.capture.ErrorEvent;
import dev.wsdebug.capture.Event;
import dev.wsdebug.capture.EventSink;
import dev.wsdebug.capture.FrameEvent;
import dev.wsdebug.capture.HandshakeEvent;
import dev.wsdebug.capture.MessageEvent;
import dev.wsdebug.capture.MicroClock;
import dev.wsdebug.net.fault.FaultPlan;
import dev.wsdebug.net.fault.FaultRule;
import dev.wsdebug.wire.DeflateParams;
import dev.wsdebug.wire.Direction;
import dev.wsdebug.wire.FrameSpec;
import dev.wsdebug.wire.FrameWriter;
import dev.wsdebug.wire.Opcode;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.util.concurrent.ScheduledFuture;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * The relay of one proxied WebSocket connection when fault rules apply to it (without rules the
 * proxy relays bytes as they arrive and never builds one of these).
 *
 * <p>What the peers send is decoded by the one pipeline, a {@link Conversation} over the input
 * whose events are not recorded but drive the relay: its handshake event says whether and how the
 * connection upgraded (permessage-deflate) and where the frames begin, its frame and message
 * events say which held bytes form a control frame or a whole data message, with the decoded
 * payload. Each direction ({@link FaultLane}) holds its sender's bytes until then, and the first
 * matching rule decides: forward them unchanged, drop, delay, duplicate, re-fragment or rewrite
 * them, or end the connection. What is finally written goes through the lane's
 * {@link FaultOutbox} and is fed to the connection's recording {@link Conversation} as it is
 * written: the capture shows what each peer actually received. Every fault is described by an
 * {@link ErrorEvent} of kind {@code fault} just before the frames it concerns.
 *
 * <p>permessage-deflate: a compressed message that the receiver does not get exactly once, in
 * order (dropped, rewritten) leaves the receiver's inflater out of step with the sender's deflater
 * when the direction uses context takeover. From then on the lane re-encodes: every compressed
 * message of that direction is sent uncompressed (RSV1=0, freshly masked for c2s) from its
 * decoded payload, which any receiver accepts.
 *
 * <p>Runs on the connection's event loop only, like the rest of {@link ProxyConnection}; the input
 * pipeline calls back into the lanes synchronously while it is fed.
 */
final class FaultRelay {
    /** How long an injected close waits for the peers' answers before the sockets are closed anyway. */
    static final long CLOSE_GRACE_MILLIS = 2_000;
    /** Queued bytes toward one side above which the sender is no longer read. */
    private static final int OUTBOX_HIGH = 1 << 20;

    /**
     * OPEN: rules apply; CLOSING: an injected close awaits the answers; DONE: nothing is forwarded
     * any more; CUT: both sockets aborted (reset) or closed without a close frame (idle-timeout);
     * ENDED: both sockets gone.
     */
    enum State { OPEN, CLOSING, DONE, CUT, ENDED }

    private final String conn;
    private final FaultPlan plan;
    private final EventSink sink;
    /** The pipeline over what the peers send (not what the relay writes); its events are never recorded. */
    private final Conversation input;
    private final Channel client;
    private final Channel upstream;
    private final int holdCap;
    private final FrameWriter writer = new FrameWriter();
    private final SplittableRandom random = new SplittableRandom();
    private final FaultLane c2s;
    private final FaultLane s2c;
    private final List<ScheduledFuture<?>> timers = new ArrayList<>();
    private State state = State.OPEN;
    private long upgradeNanos;
    private boolean waitingClient;
    private boolean waitingServer;
    private boolean serverAnswered;
    /** idle-timeout: the rule (null if none applies), its silence, and when a peer last sent anything. */
    private FaultRule idleRule;
    private long idleNanos;
    private long lastHeardNanos;
    private ScheduledFuture<?> idleTimer;

    /**
     * @param recording   the connection's conversation, fed what the relay writes
     * @param requestHead the upgrade request as the proxy sent it upstream (already written and recorded)
     * @param holdCap     the largest data message (bytes on the wire) held whole for the rules
     * @param budget      bounds the decoded messages held by all connections (one that does not fit
     *                    passes as it is, like one over the hold cap)
     */
    FaultRelay(String conn, FaultPlan plan, EventSink sink, Recording recording, Channel client, Channel upstream,
               byte[] requestHead, int holdCap, dev.wsdebug.wire.RetainBudget budget) {
        this.conn = conn;
        this.plan = plan;
        this.sink = sink;
        this.client = client;
        this.upstream = upstream;
        this.holdCap = holdCap;
        this.c2s = new FaultLane(this, Direction.C2S,
                new FaultOutbox(Direction.C2S, upstream, sink, recording, this::updateAutoRead), requestHead.length, true);
        this.s2c = new FaultLane(this, Direction.S2C,
                new FaultOutbox(Direction.S2C, client, sink, recording, this::updateAutoRead), 0, false);
        // messages are decoded whole up to the hold cap, so that rules can read and re-encode them
        dev.wsdebug.wire.DecodeLimits limits = dev.wsdebug.wire.DecodeLimits.retaining(holdCap).withBudget(budget);
        this.input = new Conversation(conn, new InputEvents(), holdCap).limits(limits, limits);
        input.feed(Direction.C2S, MicroClock.now(), requestHead);
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
        if (state == State.ENDED || state == State.CUT || bytes.length == 0) {
            return;
        }
        lastHeardNanos = System.nanoTime(); // a frame or part of one: the idle timer starts over
        lane(dir).read(bytes, 0, bytes.length);
        c2s.flushEarly();
        updateAutoRead();
    }

    /**
     * The sender of {@code dir} closed its socket: the other side is closed once what is queued
     * toward it has been written, or, during an injected close, once that side has answered. Bytes
     * of a frame or message it had not finished are not forwarded.
     */
    void sourceClosed(Direction dir) {
        if (state == State.ENDED || state == State.CUT) {
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

    /**
     * Backpressure: while the relay forwards, a side is read only while the other is writable and
     * little is queued toward it. Once it no longer forwards (an injected close, a blackhole) both
     * sides are read regardless: a close answer, or a peer closing its socket, must still be seen
     * after the other socket has gone (a closed channel is never writable).
     */
    void updateAutoRead() {
        if (state == State.ENDED) {
            return;
        }
        boolean forwarding = state == State.OPEN;
        client.config().setAutoRead(!forwarding || upstream.isWritable() && c2s.outbox.queuedBytes() < OUTBOX_HIGH);
        upstream.config().setAutoRead(!forwarding || client.isWritable() && s2c.outbox.queuedBytes() < OUTBOX_HIGH);
    }

    /** Both sockets are gone: nothing more is written or fed to the conversation. */
    void end() {
        state = State.ENDED;
        cancelTimers();
        c2s.outbox.stop();
        s2c.outbox.stop();
        input.end(MicroClock.now()); // frees the inflaters; what it reports now is of no use
    }

    // ---- for the lanes ----------------------------------------------------------------------------

    State state() {
        return state;
    }

    FaultPlan plan() {
        return plan;
    }

    SplittableRandom random() {
        return random;
    }

    int holdCap() {
        return holdCap;
    }

    /** Feeds input to the pipeline; its events reach the lanes before this returns. */
    void decode(Direction dir, byte[] b, int off, int len) {
        input.feed(dir, MicroClock.now(), b, off, len);
    }

    double secondsSinceUpgrade() {
        return (System.nanoTime() - upgradeNanos) / 1e9;
    }

    private FaultLane lane(Direction dir) {
        return dir == Direction.C2S ? c2s : s2c;
    }

    /** What the input pipeline reports: it drives the lanes and is never recorded. */
    private final class InputEvents implements EventSink {
        @Override
        public void accept(Event e) {
            if (state == State.ENDED) {
                return;
            }
            if (e instanceof FrameEvent f) {
                lane(f.dir()).frame(f.frame());
            } else if (e instanceof MessageEvent m) {
                lane(m.dir()).message(m.message());
            } else if (e instanceof HandshakeEvent h) {
                answered(h);
            } else if (e instanceof ErrorEvent err && err.kind().equals("handshake")) {
                notWebSocket(); // the response head is malformed: nothing after it is read as frames
            }
            // close events and errors about the end of input: every frame has been acted on already
        }
    }

    // ---- the upgrade ----------------------------------------------------------------------------

    private void answered(HandshakeEvent h) {
        if (h.response() == null || !h.result().upgraded()) {
            notWebSocket();
            return;
        }
        upgradeNanos = System.nanoTime();
        for (FaultRule r : plan.rules()) {
            if (r.isTimer()) {
                long delayNanos = (long) (r.afterSeconds() * 1e9);
                timers.add(client.eventLoop().schedule(() -> timerFired(r), delayNanos, TimeUnit.NANOSECONDS));
            }
        }
        FaultRule idle = plan.first(FaultRule.Action.IDLE_TIMEOUT);
        if (idle != null && idle.fires(random)) { // p= is drawn once, for the connection
            idleRule = idle;
            idleNanos = (long) (idle.idleSeconds() * 1e9);
            lastHeardNanos = upgradeNanos;
            armIdle(idleNanos);
        }
        DeflateParams deflate = h.result().deflate();
        s2c.startFrames(input.webSocketStart(Direction.S2C), deflate);
        c2s.startFrames(input.webSocketStart(Direction.C2S), deflate);
    }

    /** Not a WebSocket after all: bytes pass as they come, both ways. */
    private void notWebSocket() {
        s2c.startPassing();
        c2s.startPassing();
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

    // ---- idle-timeout ------------------------------------------------------------------------------

    /*
     * A load balancer's idle timeout: the timer is not rescheduled on every read (that would cost a
     * timer per chunk); it wakes at the earliest moment the silence could be over and looks at when
     * a peer was last heard.
     */
    private void armIdle(long delayNanos) {
        idleTimer = client.eventLoop().schedule(this::idleCheck, delayNanos, TimeUnit.NANOSECONDS);
    }

    private void idleCheck() {
        idleTimer = null;
        if (state != State.OPEN) {
            return; // already closing or cut: the connection ends anyway
        }
        long quiet = System.nanoTime() - lastHeardNanos;
        if (quiet < idleNanos) {
            armIdle(idleNanos - quiet);
            return;
        }
        state = State.CUT;
        cancelTimers();
        c2s.outbox.stop(); // what is still queued (a delay, a throttle) goes nowhere: the link is gone
        s2c.outbox.stop();
        sink.accept(note("idle-timeout", "no frame either way for " + idleRule.idleSeconds()
                + " s; both connections dropped without a close frame", idleRule));
        client.close(); // FIN, no close frame, as a load balancer forgets an idle flow
        upstream.close();
    }

    // ---- connection-ending actions ---------------------------------------------------------------

    void injectClose(FaultRule r, String trigger) {
        state = State.CLOSING;
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
    void closeAnswered(Direction from) {
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

    void reset(FaultRule r, String trigger) {
        state = State.CUT;
        cancelTimers();
        c2s.outbox.stop();
        s2c.outbox.stop();
        sink.accept(note("reset", "both connections aborted (TCP RST, or RST_STREAM for an HTTP/2 stream; no close frame),"
                + " triggered by " + trigger, r));
        for (Channel ch : new Channel[] {client, upstream}) {
            if (ch.isOpen()) {
                ProxyConnection.abort(ch);
            }
        }
    }

    void blackhole(FaultRule r, String trigger) {
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
        if (idleTimer != null) {
            idleTimer.cancel(false);
            idleTimer = null;
        }
    }

    // ---- what the relay writes ------------------------------------------------------------------

    /** The frames of one message (or one control frame) toward the receiver of {@code dir}. */
    byte[] encode(Direction dir, int opcode, byte[] payload, boolean rsv1, int fragmentSize) {
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

    /**
     * Sends a message, ping or pong that no peer sent (a close would need the close rules' handshake), between the whole messages the lane
     * forwards, uncompressed (RSV1 clear is always allowed, and leaves both peers' deflate contexts
     * as they were), masked toward the server. Recorded like everything the relay writes, just after
     * an {@code inject} error event that says so. Event loop only.
     *
     * @return null when sent, else why not (one sentence)
     */
    String inject(Direction toward, int opcode, byte[] payload) {
        if (state != State.OPEN) {
            return "The connection is closing: nothing more can be injected.";
        }
        FaultLane lane = lane(toward);
        if (Opcode.isData(opcode) && lane.streamingMessage()) {
            return "A large message is passing toward the " + side(toward) + " in pieces; try again when it has.";
        }
        String type = Opcode.name(opcode);
        ErrorEvent note = new ErrorEvent(conn, MicroClock.now(), "inject", "Injected toward the " + side(toward)
                + ": a " + type + (Opcode.isData(opcode) ? " message" : " frame") + " of " + payload.length + " bytes.");
        lane.outbox.add(encode(toward, opcode, payload, false, 0), 0, note);
        lastHeardNanos = System.nanoTime(); // a frame crossed the proxy: not idle
        return null;
    }

    private static String side(Direction toward) {
        return toward == Direction.C2S ? "server" : "client";
    }

    ErrorEvent note(String tag, String what, FaultRule r) {
        return note(conn, tag, what, r);
    }

    /** A fault note for connection {@code conn}: "tag: what (rule '...')." */
    static ErrorEvent note(String conn, String tag, String what, FaultRule r) {
        return new ErrorEvent(conn, MicroClock.now(), "fault", tag + ": " + what + " (rule '" + r + "').");
    }

    ErrorEvent note(String tag, String what) {
        return new ErrorEvent(conn, MicroClock.now(), "fault", tag + ": " + what + ".");
    }
}
