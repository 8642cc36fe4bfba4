package dev.wsdebug.net.limits;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.util.ReferenceCountUtil;

import java.nio.charset.StandardCharsets;

/**
 * An HTTP/2 stream refused for being over the limit: its request is answered {@code 503 Service
 * Unavailable} with the sentence, then the stream is reset if the client has not ended it (an
 * extended CONNECT never does). The connection is not touched. The stream's frames are dropped.
 */
final class StreamOverloadAnswer extends ChannelInboundHandlerAdapter {
    private final String sentence;
    private boolean answered;

    StreamOverloadAnswer(String sentence) {
        this.sentence = sentence;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        boolean request = msg instanceof Http2HeadersFrame;
        ReferenceCountUtil.release(msg);
        if (request && !answered) {
            answered = true;
            DefaultHttp2Headers head = new DefaultHttp2Headers();
            head.status("503").add("content-type", "text/plain; charset=utf-8").add("retry-after", "1");
            ctx.write(new DefaultHttp2HeadersFrame(head));
            ctx.writeAndFlush(new DefaultHttp2DataFrame(Unpooled.wrappedBuffer((sentence + "\n")
                    .getBytes(StandardCharsets.UTF_8)), true)).addListener(ChannelFutureListener.CLOSE);
        }
    }
}
