package dev.wsdebug.net.h2;

import dev.wsdebug.capture.MicroClock;
import dev.wsdebug.net.WireTap;
import dev.wsdebug.wire.Direction;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2ResetFrame;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2ResetFrame;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.util.concurrent.ScheduledFuture;

import java.util.concurrent.TimeUnit;

/**
 * Makes an HTTP/2 stream look like a TCP connection to the handlers above it, so the WebSocket
 * phase of a client or server runs on a stream unchanged (RFC 8441 5: the stream's DATA carry the
 * WebSocket bytes). It sits below the {@link WireTap}:
 * <ul>
 * <li>DATA frames become plain buffers read, buffers written become DATA frames;</li>
 * <li>the first header block each way is the extended CONNECT and its answer: it goes to the
 * conversation as header fields (through the tap, in turn with the bytes) and on up as it is;</li>
 * <li>END_STREAM is the FIN of a connection: the peer's end is answered with ours (a TCP endpoint
 * closes when it reads the end), and closing sends ours, then waits for the peer's before the
 * stream is dropped, as a socket's close lets the peer's FIN arrive;</li>
 * <li>RST_STREAM is a reset: the conversation hears who reset it, with the error code.</li>
 * </ul>
 */
public final class H2StreamAdapter extends ChannelDuplexHandler {
    /** How long a closed stream waits for the peer's END_STREAM before resetting it. */
    static final long END_WAIT_MS = 5_000;

    private final WireTap tap;
    private final Direction inbound;
    private final Boolean connectProtocolEnabled;
    private boolean requestSeen;
    private boolean responseSeen;
    private boolean endSent;
    private boolean endReceived;
    private ScheduledFuture<?> endWait;

    /**
     * @param inbound                direction of what this side reads: S2C for a client, C2S for a server
     * @param connectProtocolEnabled the server's SETTINGS_ENABLE_CONNECT_PROTOCOL as this side knows it
     */
    public H2StreamAdapter(WireTap tap, Direction inbound, Boolean connectProtocolEnabled) {
        this.tap = tap;
        this.inbound = inbound;
        this.connectProtocolEnabled = connectProtocolEnabled;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof Http2DataFrame d) {
            boolean end = d.isEndStream();
            ByteBuf content = d.content().retain();
            d.release();
            if (content.isReadable()) {
                ctx.fireChannelRead(content);
            } else {
                content.release();
            }
            if (end) {
                peerEnded(ctx);
            }
        } else if (msg instanceof Http2HeadersFrame h) {
            headers(ctx, inbound, h);
            ctx.fireChannelRead(h);
            if (h.isEndStream()) {
                peerEnded(ctx);
            }
        } else {
            ctx.fireChannelRead(msg);
        }
    }

    /** Netty hands a peer's RST_STREAM to the stream as an event (it is not flow-controlled), not as a read. */
    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof Http2ResetFrame r) {
            reset(inbound, r.errorCode());
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (msg instanceof ByteBuf b) {
            ctx.write(new DefaultHttp2DataFrame(b), promise);
            return;
        }
        if (msg instanceof Http2HeadersFrame h) {
            endSent |= h.isEndStream();
            ctx.write(msg, promise);
            // the stream id exists once the codec has taken the first header block
            headers(ctx, inbound.opposite(), h);
            return;
        }
        if (msg instanceof Http2DataFrame d) {
            endSent |= d.isEndStream();
        } else if (msg instanceof Http2ResetFrame r) {
            ctx.write(msg, promise);
            reset(inbound.opposite(), r.errorCode());
            return;
        }
        ctx.write(msg, promise);
    }

    private void headers(ChannelHandlerContext ctx, Direction from, Http2HeadersFrame h) {
        var fields = H2Fields.of(h.headers());
        long t = MicroClock.now();
        if (from == Direction.C2S && !requestSeen) {
            requestSeen = true;
            int stream = ((Http2StreamChannel) ctx.channel()).stream().id();
            tap.h2(c -> c.h2Request(t, stream, fields, connectProtocolEnabled));
        } else if (from == Direction.S2C && !responseSeen) {
            responseSeen = true;
            tap.h2(c -> c.h2Response(t, fields));
        }
    }

    private void reset(Direction from, long code) {
        long t = MicroClock.now();
        tap.h2(c -> c.h2Reset(t, from, code));
        tap.end();
    }

    /** The peer ended its side: as a TCP endpoint closes on reading the FIN, end ours. */
    private void peerEnded(ChannelHandlerContext ctx) {
        endReceived = true;
        if (endWait != null) {
            endWait.cancel(false);
        }
        if (!endSent && ctx.channel().isActive()) {
            endSent = true;
            ctx.writeAndFlush(new DefaultHttp2DataFrame(true));
        }
    }

    /**
     * Flushes the connection too. A stream channel skips a flush made while its connection is
     * reading and leaves it to the flush at the end of that read, which only comes for streams it
     * counted as having read: an echo written on such a stream stayed unsent (seen about once in
     * twenty runs with Jetty's client, always the first message after the handshake).
     */
    @Override
    public void flush(ChannelHandlerContext ctx) {
        ctx.flush();
        ctx.channel().parent().flush();
    }

    @Override
    public void close(ChannelHandlerContext ctx, ChannelPromise promise) {
        if (endReceived || !ctx.channel().isActive()) {
            ctx.close(promise);
            return;
        }
        if (!endSent) {
            endSent = true;
            ctx.writeAndFlush(new DefaultHttp2DataFrame(true));
        }
        // the stream closes once the peer's END_STREAM arrives; a peer that never sends it is reset then
        ctx.channel().closeFuture().addListener(f -> promise.trySuccess());
        if (endWait == null) {
            endWait = ctx.executor().schedule(() -> ctx.close(), END_WAIT_MS, TimeUnit.MILLISECONDS);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (endWait != null) {
            endWait.cancel(false);
        }
        ctx.fireChannelInactive();
    }

    /** Drops the stream at once (RST_STREAM CANCEL): what an abrupt TCP close is to a connection. */
    public static void abort(ChannelHandlerContext ctx) {
        ctx.channel().writeAndFlush(new DefaultHttp2ResetFrame(Http2Error.CANCEL)).addListener(ChannelFutureListener.CLOSE);
    }
}
