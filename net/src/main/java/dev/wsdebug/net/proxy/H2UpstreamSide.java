package dev.wsdebug.net.proxy;

import dev.wsdebug.net.h2.H2Fields;
import dev.wsdebug.wire.Handshake;
import dev.wsdebug.wire.HttpHead;
import dev.wsdebug.wire.HttpHeadParser;
import dev.wsdebug.wire.UpgradeTranslation;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.util.ReferenceCountUtil;

import java.nio.charset.StandardCharsets;

/**
 * The upstream side of the proxy as an HTTP/2 stream (RFC 8441), made to look like an HTTP/1.1
 * connection to the relay above it: the upgrade request head the relay writes goes out as an
 * extended CONNECT, and the server's answer comes back as an HTTP/1.1 head (200 as a 101 with the
 * accept of the key the relay sent), followed by the stream's DATA. The real header blocks are
 * recorded by the {@link dev.wsdebug.net.h2.H2StreamAdapter} below; the translated heads are not.
 */
final class H2UpstreamSide extends ChannelDuplexHandler {
    private final boolean tls;
    private HttpHeadParser requestHead = new HttpHeadParser();
    private String key;
    private boolean answered;

    H2UpstreamSide(boolean tls) {
        this.tls = tls;
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (requestHead == null || !(msg instanceof ByteBuf b)) {
            ctx.write(msg, promise);
            return;
        }
        byte[] bytes = new byte[b.readableBytes()];
        b.getBytes(b.readerIndex(), bytes);
        b.release();
        int used = requestHead.feed(bytes, 0, bytes.length);
        if (!requestHead.isDone()) {
            promise.setSuccess();
            return;
        }
        HttpHead head = requestHead.head();
        requestHead = null;
        if (head == null) {
            promise.setFailure(new IllegalStateException("the relay's request head did not parse"));
            ctx.close();
            return;
        }
        key = head.header("Sec-WebSocket-Key");
        Http2HeadersFrame block = new DefaultHttp2HeadersFrame(H2Fields.block(UpgradeTranslation.h2Request(head, tls)), false);
        if (used == bytes.length) {
            ctx.write(block, promise);
        } else {
            ctx.write(block);
            ctx.write(Unpooled.wrappedBuffer(bytes, used, bytes.length - used), promise);
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof Http2HeadersFrame h) {
            if (!answered) {
                answered = true;
                String head = UpgradeTranslation.h1Response(H2Fields.of(h.headers()), true,
                        key == null ? "" : Handshake.acceptFor(key));
                ctx.fireChannelRead(Unpooled.copiedBuffer(head, StandardCharsets.ISO_8859_1));
            }
            ReferenceCountUtil.release(msg);
            return;
        }
        ctx.fireChannelRead(msg);
    }
}
