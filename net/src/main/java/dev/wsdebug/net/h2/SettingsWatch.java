package dev.wsdebug.net.h2;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2SettingsFrame;
import io.netty.util.ReferenceCountUtil;

import java.io.IOException;
import java.util.concurrent.CompletableFuture;

/**
 * Last on a client's HTTP/2 connection: completes with the server's first SETTINGS (a client may
 * only send an extended CONNECT once they enable it, RFC 8441 3), or exceptionally when the
 * connection ends or fails first. Whatever else reaches it is dropped.
 */
public final class SettingsWatch extends ChannelInboundHandlerAdapter {
    private final CompletableFuture<Http2Settings> settings = new CompletableFuture<>();

    public CompletableFuture<Http2Settings> settings() {
        return settings;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof Http2SettingsFrame f) {
            settings.complete(f.settings());
        }
        ReferenceCountUtil.release(msg);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        settings.completeExceptionally(new IOException("the connection closed before the server's SETTINGS arrived"));
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        settings.completeExceptionally(cause);
        ctx.close();
    }
}
