package dev.wsdebug.net.proxy;

import dev.wsdebug.net.h2.H2Fields;
import dev.wsdebug.net.h2.H2StreamAdapter;
import dev.wsdebug.wire.ChunkedBody;
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
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * The client's side of the proxy as an HTTP/2 stream, made to look like an HTTP/1.1 connection to
 * the {@link ProxyConnection} above it, so that everything the relay does (routing, fault rules,
 * recording, the idle timeout, the 1014 for a lost upstream) works unchanged on a stream:
 * <ul>
 * <li>the request's header block becomes an HTTP/1.1 head: an extended CONNECT (RFC 8441) a GET
 * upgrade with a key of the proxy's, any other request itself, with {@code Connection: close} so
 * the upstream's response ends with its connection, and a body without a length chunked;</li>
 * <li>the response head the relay writes becomes a header block (a 101 becomes 200), a chunked
 * body its data alone, and the end of the stream follows the end of the upstream connection.</li>
 * </ul>
 * It sits between the {@link H2StreamAdapter} (in half-close mode: the end of a request must not
 * end the response) and the relay.
 */
final class H2ClientSide extends ChannelDuplexHandler {
    private static final SecureRandom RANDOM = new SecureRandom();

    private final boolean absoluteTarget;
    private boolean requestSeen;
    private boolean websocket;
    /** A request body without a length, sent upstream in chunks. */
    private boolean chunkRequest;
    /** The response head being read from what the relay writes; null once written as a header block. */
    private HttpHeadParser responseHead = new HttpHeadParser();
    /** A chunked response body being unwrapped; null when the body passes as it is. */
    private ChunkedBody chunkedResponse;

    /** @param absoluteTarget the request goes to a forward proxy outside a tunnel: its target as a URL */
    H2ClientSide(boolean absoluteTarget) {
        this.absoluteTarget = absoluteTarget;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof Http2HeadersFrame h) {
            if (!requestSeen) {
                requestSeen = true;
                request(ctx, h);
            }
            ReferenceCountUtil.release(msg); // trailers are not relayed
            return;
        }
        if (msg instanceof ByteBuf b && chunkRequest) {
            ByteBuf chunk = ctx.alloc().buffer(b.readableBytes() + 12);
            chunk.writeCharSequence(Integer.toHexString(b.readableBytes()) + "\r\n", StandardCharsets.ISO_8859_1);
            chunk.writeBytes(b);
            chunk.writeCharSequence("\r\n", StandardCharsets.ISO_8859_1);
            b.release();
            ctx.fireChannelRead(chunk);
            return;
        }
        ctx.fireChannelRead(msg);
    }

    private void request(ChannelHandlerContext ctx, Http2HeadersFrame h) {
        List<HttpHead.Header> fields = H2Fields.of(h.headers());
        HttpHead req = HttpHead.ofHttp2(fields);
        String protocol = null;
        boolean length = false;
        for (HttpHead.Header f : fields) {
            protocol = f.name().equals(":protocol") ? f.value() : protocol;
            length |= f.name().equalsIgnoreCase("content-length");
        }
        websocket = "CONNECT".equals(req.method()) && "websocket".equalsIgnoreCase(protocol);
        List<HttpHead.Header> extra = new ArrayList<>();
        if (!websocket) {
            extra.add(new HttpHead.Header("Connection", "close"));
            if (!h.isEndStream() && !length) {
                chunkRequest = true;
                extra.add(new HttpHead.Header("Transfer-Encoding", "chunked"));
            }
        }
        byte[] key = new byte[16];
        RANDOM.nextBytes(key);
        String head = UpgradeTranslation.h1Request(fields, Base64.getEncoder().encodeToString(key), absoluteTarget, extra);
        ctx.fireChannelRead(Unpooled.copiedBuffer(head, StandardCharsets.ISO_8859_1));
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt == H2StreamAdapter.PEER_ENDED) {
            if (websocket) {
                ctx.fireUserEventTriggered(evt); // the relay passes the end on
            } else if (chunkRequest) {
                chunkRequest = false;
                ctx.fireChannelRead(Unpooled.copiedBuffer("0\r\n\r\n", StandardCharsets.ISO_8859_1));
            }
            return;
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (!(msg instanceof ByteBuf b)) {
            ctx.write(msg, promise);
            return;
        }
        List<Object> out = new ArrayList<>(2);
        try {
            translate(b, out);
        } finally {
            b.release();
        }
        if (out.isEmpty()) {
            promise.setSuccess();
            return;
        }
        for (int i = 0; i < out.size() - 1; i++) {
            ctx.write(out.get(i));
        }
        ctx.write(out.get(out.size() - 1), promise);
    }

    /** What the relay wrote toward the client, as header blocks and body bytes. */
    private void translate(ByteBuf b, List<Object> out) {
        if (responseHead == null && chunkedResponse == null) {
            out.add(b.retain());
            return;
        }
        byte[] bytes = new byte[b.readableBytes()];
        b.getBytes(b.readerIndex(), bytes);
        int off = 0;
        while (responseHead != null && off < bytes.length) {
            off += responseHead.feed(bytes, off, bytes.length - off);
            if (!responseHead.isDone()) {
                return;
            }
            HttpHead head = responseHead.head();
            if (head == null) { // not HTTP: nothing sensible to translate
                responseHead = null;
                out.add(new DefaultHttp2HeadersFrame(H2Fields.block(List.of(new HttpHead.Header(":status", "502"))), false));
                return;
            }
            int status = head.status();
            boolean interim = status >= 100 && status < 200 && !(websocket && status == 101);
            out.add(new DefaultHttp2HeadersFrame(H2Fields.block(UpgradeTranslation.h2Response(head)), false));
            responseHead = interim ? new HttpHeadParser() : null;
            if (!interim && !websocket && head.tokens("Transfer-Encoding").contains("chunked")) {
                chunkedResponse = new ChunkedBody();
            }
        }
        if (off >= bytes.length) {
            return;
        }
        if (chunkedResponse == null) {
            out.add(Unpooled.wrappedBuffer(bytes, off, bytes.length - off));
        } else if (!chunkedResponse.done()) {
            chunkedResponse.feed(bytes, off, bytes.length - off,
                    (d, o, n) -> out.add(Unpooled.copiedBuffer(d, o, n)));
        }
    }
}
