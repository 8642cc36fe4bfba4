package dev.wsdebug.net.h2;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.util.concurrent.ScheduledFuture;

import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Tells HTTP/2 with prior knowledge (h2c, RFC 9113 3.3) from HTTP/1.1 on one plain port by the
 * client's first bytes: the connection preface {@code PRI * HTTP/2.0…} or anything else. It reads
 * only as far as needed (one byte settles most HTTP/1.1 requests), then installs the handlers for
 * what it saw, hands them the bytes and leaves the pipeline.
 */
public final class PrefaceSniffer extends ChannelInboundHandlerAdapter {
    private static final ByteBuf PREFACE = Http2CodecUtil.connectionPrefaceBuf();

    private final long timeoutMillis;
    private final Consumer<Boolean> install;
    private ByteBuf seen;
    private ScheduledFuture<?> timer;

    /**
     * @param timeoutMillis hang up when the client has not said which it speaks by then (0: wait)
     * @param install       adds the handlers after this one: true for HTTP/2, false for HTTP/1.1
     */
    public PrefaceSniffer(long timeoutMillis, Consumer<Boolean> install) {
        this.timeoutMillis = timeoutMillis;
        this.install = install;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        seen = ctx.alloc().buffer(PREFACE.readableBytes());
        if (timeoutMillis > 0) {
            timer = ctx.executor().schedule(() -> ctx.close(), timeoutMillis, TimeUnit.MILLISECONDS);
        }
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        if (timer != null) {
            timer.cancel(false);
        }
        if (seen != null) {
            seen.release();
            seen = null;
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof ByteBuf b) || seen == null) {
            ctx.fireChannelRead(msg);
            return;
        }
        ByteBuf all = ctx.alloc().compositeBuffer().addComponents(true, seen, b);
        seen = null;
        int n = Math.min(all.readableBytes(), PREFACE.readableBytes());
        boolean matches = all.slice(all.readerIndex(), n).equals(PREFACE.slice(0, n));
        if (matches && n < PREFACE.readableBytes()) {
            seen = all; // a preface so far: wait for the rest
            return;
        }
        install.accept(matches);
        ctx.fireChannelRead(all);
        ctx.pipeline().remove(this);
    }
}
