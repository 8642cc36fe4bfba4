package dev.wsdebug.net.server;

import dev.wsdebug.wire.HttpHeadParser;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOption;

/** The HTTP/1.1 upgrade (RFC 6455 4.2): the request head from the socket's bytes, a 101 in bytes. */
final class Http1Upgrade implements ServerUpgrade {
    /** Until the request is complete; then dropped. */
    private HttpHeadParser head = new HttpHeadParser();
    private int received;
    private String hangUp;

    @Override
    public ServerHandshake read(Object msg, ServerOptions opts) {
        if (!(msg instanceof ByteBuf b) || head == null || head.isDone()) {
            return null;
        }
        byte[] bytes = new byte[b.readableBytes()];
        b.getBytes(b.readerIndex(), bytes);
        if (head.length() == 0 && bytes.length > 0 && (bytes[0] < 'A' || bytes[0] > 'Z')) {
            // no request line starts like this (often it is a TLS ClientHello on a plain port): hang up at once so
            // the client fails fast instead of waiting for a response
            hangUp = "The client sent " + (bytes[0] == 0x16 ? "a TLS handshake" : "bytes that are not HTTP")
                    + " instead of an upgrade request; the connection was closed.";
            head = null;
            return null;
        }
        head.feed(bytes, 0, bytes.length);
        received = head.length();
        ServerHandshake answer = null;
        if (head.isComplete()) {
            // not valid HTTP: still an HTTP answer saying why (RFC 6455 4.2.2), not a silent close
            answer = head.error() != null ? ServerHandshake.malformed(400, head.error())
                    : ServerHandshake.answer(head.head(), opts);
        } else if (head.isDone()) {
            answer = ServerHandshake.malformed(431, head.error());
        }
        if (answer != null) {
            head = null;
        }
        return answer;
    }

    @Override
    public String hangUp() {
        return hangUp;
    }

    @Override
    public int received() {
        return received;
    }

    @Override
    public ChannelFuture write(ChannelHandlerContext ctx, ServerHandshake answer) {
        return ctx.channel().writeAndFlush(Unpooled.wrappedBuffer(answer.http1()));
    }

    @Override
    public void abort(ChannelHandlerContext ctx) {
        // SO_LINGER 0: a reset rather than a FIN
        ctx.channel().config().setOption(ChannelOption.SO_LINGER, 0);
        ctx.close();
    }
}
