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

    /**
     * What the stream's handshake steps are told to: the recording conversation. Calls come on the
     * stream's event loop, in turn with its bytes.
     */
    public interface Steps {
        /** The request's header block (first block from the client side). */
        void request(int stream, java.util.List<dev.wsdebug.wire.HttpHead.Header> fields, long micros);

        /** The response's header block. */
        void response(java.util.List<dev.wsdebug.wire.HttpHead.Header> fields, long micros);

        /** RST_STREAM, sent or received: the stream is gone. */
        void reset(Direction from, long errorCode, long micros);

        /** Steps into the conversation behind a {@link WireTap}. */
        static Steps of(WireTap tap, Boolean connectProtocolEnabled) {
            return new Steps() {
                @Override
                public void request(int stream, java.util.List<dev.wsdebug.wire.HttpHead.Header> fields, long t) {
                    tap.h2(c -> c.h2Request(t, stream, fields, connectProtocolEnabled));
                }

                @Override
                public void response(java.util.List<dev.wsdebug.wire.HttpHead.Header> fields, long t) {
                    tap.h2(c -> c.h2Response(t, fields));
                }

                @Override
                public void reset(Direction from, long code, long t) {
                    tap.h2(c -> c.h2Reset(t, from, code));
                    tap.end();
                }
            };
        }
    }

    /**
     * Fired up the stream's pipeline, in half-close mode, when the peer ends its side: the handler
     * above decides when to end ours (a proxied request's response is still to come).
     */
    public static final Object PEER_ENDED = new Object() {
        @Override
        public String toString() {
            return "PEER_ENDED";
        }
    };

    private final Steps steps;
    private final Direction inbound;
    private final boolean halfClose;
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
        this(Steps.of(tap, connectProtocolEnabled), inbound, false);
    }

    /**
     * @param halfClose the peer's END_STREAM is passed up as {@link #PEER_ENDED} and not answered
     *                  (a proxy's side of a stream, which must relay the request's end and wait for
     *                  the response); without it, it is answered at once as a socket's FIN is
     */
    public H2StreamAdapter(Steps steps, Direction inbound, boolean halfClose) {
        this.steps = steps;
        this.inbound = inbound;
        this.halfClose = halfClose;
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
            steps.request(stream, fields, t);
        } else if (from == Direction.S2C && !responseSeen) {
            responseSeen = true;
            steps.response(fields, t);
        }
    }

    private void reset(Direction from, long code) {
        steps.reset(from, code, MicroClock.now());
    }

    /** The peer ended its side: as a TCP endpoint closes on reading the FIN, end ours. */
    private void peerEnded(ChannelHandlerContext ctx) {
        endReceived = true;
        if (endWait != null) {
            endWait.cancel(false);
        }
        if (halfClose) {
            ctx.fireUserEventTriggered(PEER_ENDED);
            return;
        }
        if (!endSent && ctx.channel().isActive()) {
            endSent = true;
            endStream(ctx);
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
        if (endReceived && !endSent && ctx.channel().isActive()) {
            // half-closed by the peer (a proxied request): our END_STREAM completes the stream, which closes it
            endSent = true;
            endStream(ctx);
            ctx.channel().closeFuture().addListener(f -> promise.trySuccess());
            endWait = ctx.executor().schedule(() -> ctx.close(), END_WAIT_MS, TimeUnit.MILLISECONDS);
            return;
        }
        if (endReceived || !ctx.channel().isActive()) {
            ctx.close(promise);
            return;
        }
        if (!endSent) {
            endSent = true;
            endStream(ctx);
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

    /** Sends END_STREAM now, flushing the connection too (see {@link #flush}). */
    private static void endStream(ChannelHandlerContext ctx) {
        ctx.write(new DefaultHttp2DataFrame(true));
        ctx.flush();
        ctx.channel().parent().flush();
    }

    /** Drops the stream at once (RST_STREAM CANCEL): what an abrupt TCP close is to a connection. */
    public static void abort(ChannelHandlerContext ctx) {
        ctx.channel().writeAndFlush(new DefaultHttp2ResetFrame(Http2Error.CANCEL)).addListener(ChannelFutureListener.CLOSE);
    }
}
