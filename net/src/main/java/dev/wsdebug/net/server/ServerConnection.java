package dev.wsdebug.net.server;

import dev.wsdebug.capture.ErrorEvent;
import dev.wsdebug.capture.Event;
import dev.wsdebug.capture.EventSink;
import dev.wsdebug.capture.FrameEvent;
import dev.wsdebug.capture.HandshakeEvent;
import dev.wsdebug.capture.MessageEvent;
import dev.wsdebug.capture.MicroClock;
import dev.wsdebug.capture.replay.MockAnswer;
import dev.wsdebug.capture.replay.MockSession;
import dev.wsdebug.capture.replay.Step;
import dev.wsdebug.net.FrameSender;
import dev.wsdebug.net.Sentences;
import dev.wsdebug.net.limits.StallWatch;
import dev.wsdebug.wire.CloseCodes;
import dev.wsdebug.wire.Direction;
import dev.wsdebug.wire.Frame;
import dev.wsdebug.wire.Message;
import dev.wsdebug.wire.Opcode;
import dev.wsdebug.wire.RetainBudget;
import dev.wsdebug.wire.Violation;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;

import java.util.concurrent.TimeUnit;

/**
 * One server-side connection: answers the upgrade, then acts on the events its
 * {@link dev.wsdebug.capture.Conversation} reports as RFC 6455 requires of a server (pong to
 * ping, echo the close, fail with 1002 on protocol violations, 1007 on bad data and 1009 on a
 * message over the limit — as soon as a frame header or payload shows it, not at the frame's
 * end), echoes messages (or, with {@code --mock}, answers them as a recorded server did), and
 * misbehaves as configured.
 *
 * <p>It holds up under load: the upgrade must arrive within the handshake timeout; reading stops
 * while echoes cannot be written (the client does not read), so one client cannot make the server
 * buffer without bound; a message being echoed holds its bytes in the server's {@link RetainBudget}
 * until written, and a message the budget cannot hold is refused with 1013 Try Again Later.
 * Every connection the server drops says why, as an {@code error} event.
 */
final class ServerConnection extends ChannelInboundHandlerAdapter implements EventSink {
    /** How long to wait for the client's close frame after ours before closing TCP. */
    private static final long CLOSE_TIMEOUT_MS = 5_000;

    private final ServerOptions opts;
    private final String conn;
    private final EventSink log;
    private final RetainBudget budget;
    /** How the opening handshake travels: an HTTP/1.1 upgrade or an HTTP/2 extended CONNECT. */
    private final ServerUpgrade upgrade;
    private boolean answered;
    private ChannelHandlerContext ctx;
    private FrameSender out;
    private boolean upgraded;
    private boolean closing;
    private int echoed;
    private ScheduledFuture<?> pinger;
    private ScheduledFuture<?> handshakeTimer;
    private StallWatch stall;
    /** With --mock: this client's conversation with the recording, and what plays its answers. */
    private MockSession mock;
    private MockPlayer player;
    /** Reading is paused until the echoes written so far have gone out. */
    private boolean paused;
    /**
     * Echoes written but not yet flushed: the echoes of one read go out with one flush (one write
     * system call) when the read is complete, before Netty acts on an end of stream it found.
     */
    private boolean unflushed;
    private boolean flushTaskQueued;
    private final Runnable flushTask = () -> {
        flushTaskQueued = false;
        flushEchoes();
    };

    /**
     * @param log    where this connection's own notices go (why it was dropped), beside its events
     * @param budget bounds the bytes of messages held by all connections
     */
    ServerConnection(ServerOptions opts, String conn, EventSink log, RetainBudget budget, ServerUpgrade upgrade) {
        this.opts = opts;
        this.upgrade = upgrade;
        this.conn = conn;
        this.log = log;
        this.budget = budget;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        this.out = new FrameSender(ctx.channel(), Direction.S2C);
        out.fragmentSize(opts.fragment);
        if (opts.limits.handshakeTimeoutMillis > 0) {
            handshakeTimer = ctx.executor().schedule(this::handshakeTimedOut, opts.limits.handshakeTimeoutMillis, TimeUnit.MILLISECONDS);
        }
    }

    private void handshakeTimedOut() {
        handshakeTimer = null;
        if (upgraded || !ctx.channel().isActive()) {
            return;
        }
        int got = upgrade.received();
        notice("timeout", "The client did not complete its upgrade request within "
                + Sentences.seconds(opts.limits.handshakeTimeoutMillis) + " (" + got + " bytes of it received); the connection was closed.");
        ctx.close();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        try {
            if (!answered) {
                ServerHandshake hs = upgrade.read(msg, opts);
                if (upgrade.hangUp() != null) {
                    answered = true;
                    notice("handshake", upgrade.hangUp());
                    ctx.close();
                } else if (hs != null) {
                    answered = true;
                    answer(hs);
                }
            }
            // Frames need nothing here: the wire tap has fed them to the conversation, whose
            // events arrive in accept().
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    private void answer(ServerHandshake hs) {
        cancelHandshakeTimer();
        if (!hs.accepted()) {
            upgrade.write(ctx, hs).addListener(ChannelFutureListener.CLOSE);
            return;
        }
        upgraded = true;
        out.deflate(hs.deflate(), Direction.S2C);
        upgrade.write(ctx, hs);
        if (opts.pingInterval > 0) {
            long ms = Math.max(1, (long) (opts.pingInterval * 1000));
            long[] n = {0};
            pinger = ctx.executor().scheduleAtFixedRate(() -> {
                if (!closing) {
                    out.ping(("ping " + (++n[0])).getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                }
            }, ms, ms, TimeUnit.MILLISECONDS);
        }
    }

    @Override
    public void accept(Event event) {
        if (event instanceof HandshakeEvent h && upgraded && opts.mock != null && mock == null) {
            startMock(h.request() == null ? null : h.request().target());
        } else if (event instanceof FrameEvent f && f.dir() == Direction.C2S) {
            frame(f.frame());
        } else if (event instanceof MessageEvent m && m.dir() == Direction.C2S && !closing) {
            message(m.message());
        }
    }

    /** A rule broken before the frame's end (its header declared too much, or its payload went bad): fail now. */
    @Override
    public void violationFound(String conn, Direction dir, long t, Frame frame, Violation v) {
        if (dir == Direction.C2S && !closing) {
            fail(v);
        }
    }

    private void frame(Frame f) {
        if (!f.violations().isEmpty()) {
            if (!closing) {
                fail(f.violations().get(0));
            }
            return;
        }
        switch (f.opcode()) {
            case Opcode.PING -> {
                if (!opts.noPong && !closing) {
                    out.pong(f.controlPayload());
                }
            }
            case Opcode.CLOSE -> {
                if (!out.closeSent()) {
                    int code = f.closeCode();
                    out.close(code, code < 0 ? "" : f.closeReason());
                }
                closing = true;
                // the server closes TCP first (RFC 6455 7.1.1)
                ctx.channel().eventLoop().execute(() -> ctx.close());
            }
            default -> {
            }
        }
    }

    private void fail(Violation v) {
        fail(CloseCodes.forViolation(v), v.rule());
    }

    private void message(Message m) {
        if (m.length() > opts.maxMessage || m.inflateStopped()) {
            fail(CloseCodes.MESSAGE_TOO_BIG, "message above " + opts.maxMessage + " bytes");
            return;
        }
        if (m.truncated()) {
            // within the limit, but the memory budget could not hold all of it: nothing to echo
            notice("memory", "A " + m.length() + "-byte message did not fit in the server's memory budget ("
                    + budget.limit() + " bytes for all connections' messages); closing with 1013 Try Again Later.");
            fail(CloseCodes.TRY_AGAIN_LATER, "server is short of memory");
            return;
        }
        if (opts.mock != null) {
            if (mock == null) {
                startMock(null); // no handshake event came: the first recorded connection
            }
            answerFromMock(m);
            return;
        }
        int size = m.payload().length;
        if (!budget.tryReserve(size, size > dev.wsdebug.wire.RetainBudget.SMALL)) {
            notice("memory", "The server's memory budget (" + budget.limit() + " bytes for all connections' messages) has no"
                    + " room to echo a " + size + "-byte message; closing with 1013 Try Again Later.");
            fail(CloseCodes.TRY_AGAIN_LATER, "server is short of memory");
            return;
        }
        echoed++;
        int n = echoed;
        boolean batch = opts.delayMs <= 0 && n != opts.dropAfter && n != opts.closeAfter;
        Runnable reply = () -> {
            if (closing) {
                budget.release(size);
                return;
            }
            // the echo holds its bytes until written: a client that does not read cannot grow the heap
            ChannelFuture written = out.message(m.opcode(), m.payload(), !batch);
            written.addListener(f -> budget.release(size));
            if (batch) {
                unflushed = true;
                if (!flushTaskQueued) {
                    // channelReadComplete flushes; this task only guarantees it for a write made outside a read
                    flushTaskQueued = true;
                    ctx.executor().execute(flushTask);
                }
            }
            pauseIfUnwritable();
            afterReply(n);
        };
        if (opts.delayMs > 0) {
            ctx.executor().schedule(reply, opts.delayMs, TimeUnit.MILLISECONDS);
        } else {
            reply.run();
        }
    }

    /** The knobs that count replies: --drop-after and --close-after. */
    private void afterReply(int n) {
        if (closing) {
            return;
        }
        if (n == opts.dropAfter) {
            closing = true;
            notice("knob", "--drop-after " + opts.dropAfter + ": closing TCP without a close frame, as asked.");
            // no close frame: an abrupt close (TCP reset, or RST_STREAM), so the client sees 1006
            upgrade.abort(ctx);
        } else if (n == opts.closeAfter) {
            startClose(opts.closeCode, opts.closeReason);
        }
    }

    /**
     * The handshake is out (its event comes as the response is written): the recorded connection for
     * this request target starts, with what the recorded server sent unprompted.
     */
    private void startMock(String target) {
        mock = opts.mock.session(target);
        player = new MockPlayer(ctx.executor(), this::sendRecorded, () -> closing);
        player.play(mock.opening(), 0, () -> { });
    }

    /** The recorded reply to the best-matching recorded client message, through the knobs like an echo. */
    private void answerFromMock(Message m) {
        MockAnswer a = mock.answer(m.opcode(), m.payload());
        if (a.notice() != null) {
            notice("mock", a.notice());
        }
        echoed++;
        int n = echoed;
        player.play(a.steps(), opts.delayMs, () -> afterReply(n));
    }

    private void sendRecorded(Step s) {
        if (s.opcode() == Opcode.CLOSE) {
            startClose(s.closeCode(), s.closeCode() < 0 || s.closeReason() == null ? "" : s.closeReason());
            return;
        }
        if (s.isDrop()) {
            closing = true;
            notice("mock", "The recorded connection " + mock.conn() + " ended here without a close frame: closing"
                    + " the connection without one (the client sees 1006).");
            upgrade.abort(ctx);
            return;
        }
        if (s.opcode() == Opcode.PING) {
            out.ping(s.payload());
            return;
        }
        out.message(s.opcode(), s.payload(), true);
        pauseIfUnwritable();
    }

    /** Backpressure: while the echoes cannot be written, read nothing more from this client. */
    private void pauseIfUnwritable() {
        if (!ctx.channel().isWritable() && !paused) {
            paused = true;
            ctx.channel().config().setAutoRead(false);
            stall().update();
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (ctx.channel().isWritable() && paused) {
            paused = false;
            ctx.channel().config().setAutoRead(true);
        }
        stall().update();
        ctx.fireChannelWritabilityChanged();
    }

    private StallWatch stall() {
        if (stall == null) {
            stall = new StallWatch(ctx.channel(), "The client", "the server has stopped reading from it",
                    opts.limits.stallNoticeMillis, (s, bytes, micros) -> notice("backpressure", s));
        }
        return stall;
    }

    /** Fails the connection (RFC 6455 7.1.7): a close frame with the code, then TCP closes. */
    private void fail(int code, String reason) {
        closing = true;
        out.close(code, reason.length() > 120 ? reason.substring(0, 120) : reason)
                .addListener(ChannelFutureListener.CLOSE);
    }

    private void startClose(int code, String reason) {
        closing = true;
        out.close(code, reason);
        ctx.executor().schedule(() -> {
            ctx.close();
        }, CLOSE_TIMEOUT_MS, TimeUnit.MILLISECONDS);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof IdleStateEvent && !closing) {
            notice("timeout", "No traffic for " + Sentences.seconds(opts.limits.idleTimeoutMillis) + " (--idle-timeout); closing with"
                    + " 1001 Going Away.");
            if (upgraded) {
                startClose(CloseCodes.GOING_AWAY, "idle timeout");
            } else {
                ctx.close();
            }
            return;
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        flushEchoes();
        ctx.fireChannelReadComplete();
    }

    private void flushEchoes() {
        if (unflushed) {
            unflushed = false;
            ctx.flush();
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (pinger != null) {
            pinger.cancel(false);
        }
        cancelHandshakeTimer();
        if (stall != null) {
            stall.update();
        }
        ctx.fireChannelInactive();
    }

    private void cancelHandshakeTimer() {
        if (handshakeTimer != null) {
            handshakeTimer.cancel(false);
            handshakeTimer = null;
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // I/O errors (reset by peer, TLS alerts) end the connection; the conversation reports 1006, this says why.
        if (ctx.channel().isActive() || !closing) {
            notice("io", "The connection failed: " + Sentences.rootMessage(cause) + ".");
        }
        ctx.close();
    }

    private void notice(String kind, String sentence) {
        log.accept(new ErrorEvent(conn, MicroClock.now(), kind, sentence));
    }

}
