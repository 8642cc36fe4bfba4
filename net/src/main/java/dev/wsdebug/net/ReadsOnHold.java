package dev.wsdebug.net;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;

import java.util.ArrayDeque;

/**
 * Keeps what a connection reads until the handlers for it are known. A client that learns by ALPN
 * whether it speaks HTTP/2 or HTTP/1.1 adds them only after the TLS handshake, and an HTTP/2
 * server sends its SETTINGS right after it, often in the same read: without this they would pass
 * the end of the pipeline and be lost.
 */
public final class ReadsOnHold extends ChannelInboundHandlerAdapter {
    private final ArrayDeque<Object> held = new ArrayDeque<>();
    private ChannelHandlerContext ctx;

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        held.add(msg);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        // nothing to complete until the reads are let through
    }

    /**
     * Until the handlers are there, a failure (the TLS handshake's, a reset) is the caller's to
     * report, from the handshake's future; here it only closes the connection, so nothing reaches
     * the end of the pipeline, where Netty would log it.
     */
    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
    }

    /**
     * Adds these handlers after this one and lets the held reads through to them, in order. Call it
     * on the channel's event loop, so no read can overtake the held ones.
     */
    public void releaseTo(ChannelHandler... handlers) {
        ctx.pipeline().addAfter(ctx.name(), null, handlers[0]);
        String last = ctx.pipeline().context(handlers[0]).name();
        for (int i = 1; i < handlers.length; i++) {
            ctx.pipeline().addAfter(last, null, handlers[i]);
            last = ctx.pipeline().context(handlers[i]).name();
        }
        ctx.pipeline().remove(this);
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        boolean any = !held.isEmpty();
        Object msg;
        while ((msg = held.poll()) != null) {
            if (ctx.channel().isActive() || ctx.channel().isRegistered()) {
                ctx.fireChannelRead(msg);
            } else {
                ReferenceCountUtil.release(msg);
            }
        }
        if (any) {
            ctx.fireChannelReadComplete();
        }
    }
}
