package dev.wsdebug.net.limits;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * The whole life of a connection refused for being over the limit: {@code 503 Service Unavailable}
 * with a sentence, then a close. What the client sends meanwhile is read and dropped, and the close
 * waits a moment, so that the client reads the answer instead of a reset.
 */
final class OverloadAnswer extends ChannelInboundHandlerAdapter {
    /** How long the refused client may go on sending before the socket closes. */
    private static final long LINGER_MS = 500;

    private final String sentence;

    OverloadAnswer(String sentence) {
        this.sentence = sentence;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        byte[] body = (sentence + "\n").getBytes(StandardCharsets.UTF_8);
        String head = "HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: "
                + body.length + "\r\nRetry-After: 1\r\nConnection: close\r\n\r\n";
        ctx.writeAndFlush(Unpooled.wrappedBuffer(head.getBytes(StandardCharsets.ISO_8859_1), body))
                .addListener(f -> ctx.executor().schedule(() -> {
                    ctx.close();
                }, LINGER_MS, TimeUnit.MILLISECONDS));
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ReferenceCountUtil.release(msg);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
    }
}
