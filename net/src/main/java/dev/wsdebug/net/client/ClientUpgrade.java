package dev.wsdebug.net.client;

import dev.wsdebug.net.FrameSender;
import dev.wsdebug.net.h2.H2Fields;
import dev.wsdebug.wire.HttpHead;
import io.netty.channel.Channel;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;

import java.util.List;

/**
 * How a client's opening handshake goes out, one strategy per HTTP version (as Jetty's
 * websocket-core swaps its upgrade class). The answer needs no strategy: it reaches the
 * conversation as bytes (HTTP/1.1) or as a header block through the stream adapter (HTTP/2), and
 * the session acts on the handshake event either way.
 */
interface ClientUpgrade {
    void send(Channel channel, FrameSender out);

    /** The HTTP/1.1 upgrade request, as bytes. */
    static ClientUpgrade http1(byte[] request) {
        return (channel, out) -> out.raw(request);
    }

    /** The extended CONNECT, as the stream's first header block (it stays open for the DATA). */
    static ClientUpgrade h2(List<HttpHead.Header> fields) {
        return (channel, out) -> channel.writeAndFlush(new DefaultHttp2HeadersFrame(H2Fields.block(fields), false));
    }
}
