package dev.wsdebug.net;

import dev.wsdebug.capture.Event;
import dev.wsdebug.capture.EventSink;
import dev.wsdebug.capture.FrameEvent;
import dev.wsdebug.capture.MessageEvent;
import dev.wsdebug.wire.CloseCodes;
import dev.wsdebug.wire.Direction;
import dev.wsdebug.wire.Frame;
import dev.wsdebug.wire.HttpHeadParser;
import dev.wsdebug.wire.Message;
import dev.wsdebug.wire.Opcode;
import dev.wsdebug.wire.Rule;
import dev.wsdebug.wire.Violation;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;

import java.util.concurrent.TimeUnit;

/**
 * One server-side connection: answers the upgrade, then acts on the events its
 * {@link dev.wsdebug.capture.Conversation} reports as RFC 6455 requires of a server (pong to
 * ping, echo the close, fail with 1002 on protocol violations and 1007 on bad data), echoes
 * messages, and misbehaves as configured.
 */
final class ServerConnection extends ChannelInboundHandlerAdapter implements EventSink {
    /** How long to wait for the client's close frame after ours before closing TCP. */
    private static final long CLOSE_TIMEOUT_MS = 5_000;

    private final ServerOptions opts;
    private final HttpHeadParser head = new HttpHeadParser();
    private ChannelHandlerContext ctx;
    private FrameSender out;
    private boolean upgraded;
    private boolean closing;
    private int echoed;
    private long messageBytes;
    private ScheduledFuture<?> pinger;
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

    ServerConnection(ServerOptions opts) {
        this.opts = opts;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        this.out = new FrameSender(ctx.channel(), Direction.S2C);
        out.fragmentSize(opts.fragment);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        try {
            if (!upgraded && msg instanceof ByteBuf b && !head.isDone()) {
                byte[] bytes = new byte[b.readableBytes()];
                b.getBytes(b.readerIndex(), bytes);
                if (head.length() == 0 && bytes.length > 0 && (bytes[0] < 'A' || bytes[0] > 'Z')) {
                    // no request line starts like this (often it is a TLS ClientHello on a plain port): hang up at once so
                    // the client fails fast instead of waiting for a response
                    ctx.close();
                    return;
                }
                head.feed(bytes, 0, bytes.length);
                if (head.isComplete()) {
                    answer();
                } else if (head.isDone()) {
                    refuse(ServerHandshake.malformed(431, "The HTTP head is longer than "
                            + HttpHeadParser.MAX_HEAD + " bytes."));
                }
            }
            // Frames need nothing here: the wire tap has fed them to the conversation, whose
            // events arrive in accept().
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    private void answer() {
        if (head.error() != null) {
            // not valid HTTP: still an HTTP answer saying why (RFC 6455 4.2.2), not a silent close
            refuse(ServerHandshake.malformed(400, head.error()));
            return;
        }
        ServerHandshake hs = ServerHandshake.answer(head.head(), opts);
        if (!hs.accepted()) {
            refuse(hs);
            return;
        }
        upgraded = true;
        out.deflate(hs.deflate(), Direction.S2C);
        out.raw(hs.response());
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

    private void refuse(ServerHandshake hs) {
        out.raw(hs.response()).addListener(ChannelFutureListener.CLOSE);
    }

    @Override
    public void accept(Event event) {
        if (event instanceof FrameEvent f && f.dir() == Direction.C2S) {
            frame(f.frame());
        } else if (event instanceof MessageEvent m && m.dir() == Direction.C2S && !closing) {
            message(m.message());
        }
    }

    private void frame(Frame f) {
        if (!f.violations().isEmpty()) {
            if (!closing) {
                Violation v = f.violations().get(0);
                boolean badData = v.rule().equals(Rule.TEXT_INVALID_UTF8.id()) || v.rule().equals(Rule.DEFLATE_STREAM_INVALID.id());
                fail(badData ? CloseCodes.INVALID_PAYLOAD : CloseCodes.PROTOCOL_ERROR, v.rule());
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
            case Opcode.TEXT, Opcode.BINARY, Opcode.CONTINUATION -> {
                messageBytes = f.opcode() == Opcode.CONTINUATION ? messageBytes + f.payloadLength() : f.payloadLength();
                if (messageBytes > opts.maxMessage && !closing) {
                    fail(CloseCodes.MESSAGE_TOO_BIG, "message above " + opts.maxMessage + " bytes");
                }
            }
            default -> {
            }
        }
    }

    private void message(Message m) {
        if (m.truncated() || m.length() > opts.maxMessage) {
            fail(CloseCodes.MESSAGE_TOO_BIG, "message above " + opts.maxMessage + " bytes");
            return;
        }
        echoed++;
        int n = echoed;
        boolean batch = opts.delayMs <= 0 && n != opts.dropAfter && n != opts.closeAfter;
        Runnable reply = () -> {
            if (closing) {
                return;
            }
            out.message(m.opcode(), m.payload(), !batch);
            if (batch) {
                unflushed = true;
                if (!flushTaskQueued) {
                    // channelReadComplete flushes; this task only guarantees it for a write made outside a read
                    flushTaskQueued = true;
                    ctx.executor().execute(flushTask);
                }
            }
            if (n == opts.dropAfter) {
                closing = true;
                // no close frame: an abrupt TCP close, so the client sees 1006
                ctx.channel().config().setOption(io.netty.channel.ChannelOption.SO_LINGER, 0);
                ctx.close();
            } else if (n == opts.closeAfter) {
                startClose(opts.closeCode, opts.closeReason);
            }
        };
        if (opts.delayMs > 0) {
            ctx.executor().schedule(reply, opts.delayMs, TimeUnit.MILLISECONDS);
        } else {
            reply.run();
        }
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
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // I/O errors (reset by peer, TLS alerts) end the connection; the conversation reports 1006.
        ctx.close();
    }
}
