package dev.wsdebug.net.server;

import dev.wsdebug.net.h2.H2Fields;
import dev.wsdebug.net.h2.H2StreamAdapter;
import dev.wsdebug.wire.HttpHead;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.Http2HeadersFrame;

import java.util.ArrayList;
import java.util.List;

/**
 * The HTTP/2 extended CONNECT (RFC 8441): the request is the stream's first header block, the
 * answer a {@code :status} block; a refusal carries its body as DATA and ends the stream.
 */
final class Http2Upgrade implements ServerUpgrade {
    private final boolean connectProtocolEnabled;
    private boolean answered;
    private int received;

    /** @param connectProtocolEnabled what this server's SETTINGS said (false with --no-connect-protocol) */
    Http2Upgrade(boolean connectProtocolEnabled) {
        this.connectProtocolEnabled = connectProtocolEnabled;
    }

    @Override
    public ServerHandshake read(Object msg, ServerOptions opts) {
        if (!(msg instanceof Http2HeadersFrame h) || answered) {
            return null;
        }
        answered = true;
        received = h.headers().size();
        return ServerHandshake.answerH2(HttpHead.ofHttp2(H2Fields.of(h.headers())), opts, connectProtocolEnabled);
    }

    @Override
    public int received() {
        return received;
    }

    @Override
    public ChannelFuture write(ChannelHandlerContext ctx, ServerHandshake answer) {
        List<HttpHead.Header> fields = new ArrayList<>();
        fields.add(new HttpHead.Header(":status", Integer.toString(answer.status())));
        fields.addAll(answer.headers());
        if (answer.accepted()) {
            return ctx.channel().writeAndFlush(new DefaultHttp2HeadersFrame(H2Fields.block(fields), false));
        }
        fields.add(new HttpHead.Header("content-length", Integer.toString(answer.body().length)));
        ctx.channel().write(new DefaultHttp2HeadersFrame(H2Fields.block(fields), false));
        // the body as bytes, so the wire tap records it as it records an HTTP/1.1 error's body
        ctx.channel().write(Unpooled.wrappedBuffer(answer.body()));
        return ctx.channel().writeAndFlush(new DefaultHttp2DataFrame(true));
    }

    @Override
    public void abort(ChannelHandlerContext ctx) {
        H2StreamAdapter.abort(ctx);
    }
}
