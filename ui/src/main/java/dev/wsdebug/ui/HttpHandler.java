package dev.wsdebug.ui;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.cookie.DefaultCookie;
import io.netty.handler.codec.http.cookie.ServerCookieEncoder;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;

/**
 * One HTTP connection of the UI: checks every request ({@link Guard}), serves the app, answers the
 * API on a worker pool (queries must not block the event loop), streams an uploaded capture into a
 * temporary file as it arrives, and hands live-feed requests to {@link LiveFeed}.
 */
final class HttpHandler extends SimpleChannelInboundHandler<HttpObject> {
    /** Most bytes of an API request body kept in memory (an upload goes to a file instead). */
    private static final int MAX_BODY = 1 << 20;
    /** Largest capture accepted as an upload. */
    static final long MAX_UPLOAD = 2L << 30;
    static final String CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:;"
            + " connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

    private final Guard guard;
    private final StaticFiles files;
    private final Api api;
    private final LiveFeed live;
    private final ExecutorService workers;

    private HttpRequest request;
    private boolean setCookie;
    private ByteBuf body;
    private Path upload;
    private OutputStream uploadOut;
    private long uploaded;
    private boolean discarding;

    HttpHandler(Guard guard, StaticFiles files, Api api, LiveFeed live, ExecutorService workers) {
        this.guard = guard;
        this.files = files;
        this.api = api;
        this.live = live;
        this.workers = workers;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, HttpObject msg) throws IOException {
        if (msg instanceof HttpRequest req) {
            start(ctx, req);
        }
        if (msg instanceof HttpContent content && request != null && !discarding) {
            body(ctx, content);
        }
    }

    private void start(ChannelHandlerContext ctx, HttpRequest req) throws IOException {
        request = null;
        discarding = false;
        if (!req.decoderResult().isSuccess()) {
            discarding = true;
            send(ctx, req, Reply.error(400, "The request is not valid HTTP."), false);
            return;
        }
        Guard.Verdict v = guard.check(req);
        if (v.refused()) {
            discarding = true;
            String path = new QueryStringDecoder(req.uri()).path();
            send(ctx, req, path.startsWith("/api/") ? Reply.error(v.status(), v.sentence())
                    : Reply.text(v.status(), "wsdebug: " + v.sentence()), false);
            return;
        }
        setCookie = v.setCookie();
        QueryStringDecoder q = new QueryStringDecoder(req.uri());
        String path = q.path();
        if (!path.startsWith("/api/")) {
            discarding = true;
            StaticFiles.File f = req.method() == HttpMethod.GET || req.method() == HttpMethod.HEAD ? files.get(path) : null;
            send(ctx, req, f == null ? Reply.text(404, "wsdebug: no such page.")
                    : new Reply(200, f.type(), f.bytes(), java.util.Map.of()), req.method() == HttpMethod.HEAD);
            return;
        }
        if (path.equals("/api/live") && req.method() == HttpMethod.GET) {
            discarding = true;
            HttpResponse r = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
            r.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/event-stream; charset=utf-8");
            r.headers().set(HttpHeaderNames.CACHE_CONTROL, "no-store");
            r.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
            security(r);
            ctx.write(r);
            live.add(ctx.channel());
            return;
        }
        request = req;
        if (req.method() == HttpMethod.POST && path.equals("/api/captures") && q.parameters().get("path") == null) {
            long declared = HttpUtil.getContentLength(req, -1L);
            if (declared > MAX_UPLOAD) {
                discarding = true;
                send(ctx, req, Reply.error(413, "The file is larger than 2 GiB; open it with wsdebug ui FILE instead."), false);
                return;
            }
            upload = Files.createTempFile("wsdebug-upload-", ".capture");
            uploadOut = Files.newOutputStream(upload);
            uploaded = 0;
        } else {
            body = ctx.alloc().heapBuffer(256);
        }
    }

    private void body(ChannelHandlerContext ctx, HttpContent content) throws IOException {
        ByteBuf b = content.content();
        if (uploadOut != null) {
            uploaded += b.readableBytes();
            if (uploaded > MAX_UPLOAD) {
                abortUpload();
                discarding = true;
                send(ctx, request, Reply.error(413, "The file is larger than 2 GiB; open it with wsdebug ui FILE instead."),
                        false);
                return;
            }
            b.readBytes(uploadOut, b.readableBytes());
        } else if (body != null) {
            if (body.readableBytes() + b.readableBytes() > MAX_BODY) {
                body.release();
                body = null;
                discarding = true;
                send(ctx, request, Reply.error(413, "The request body is larger than 1 MiB."), false);
                return;
            }
            body.writeBytes(b);
        }
        if (content instanceof LastHttpContent) {
            dispatch(ctx);
        }
    }

    private void dispatch(ChannelHandlerContext ctx) throws IOException {
        HttpRequest req = request;
        request = null;
        byte[] bytes = new byte[0];
        if (body != null) {
            bytes = new byte[body.readableBytes()];
            body.readBytes(bytes);
            body.release();
            body = null;
        }
        Path file = upload;
        if (uploadOut != null) {
            uploadOut.close();
            uploadOut = null;
            upload = null;
        }
        QueryStringDecoder q = new QueryStringDecoder(req.uri());
        List<String> segments = new ArrayList<>();
        for (String s : q.path().substring("/api/".length()).split("/")) {
            if (!s.isEmpty()) {
                segments.add(QueryStringDecoder.decodeComponent(s));
            }
        }
        String name = req.headers().get("X-File-Name");
        Api.Call call = new Api.Call(req.method().name(), segments, q.parameters(), bytes, file,
                name == null ? null : QueryStringDecoder.decodeComponent(name));
        boolean cookie = setCookie;
        workers.execute(() -> {
            Reply r;
            try {
                r = api.handle(call);
            } catch (RuntimeException e) {
                r = Reply.error(500, "The UI failed: " + e);
            }
            // an uploaded file now belongs to the captures (kept as a store, or deleted once read)
            Reply reply = r;
            ctx.channel().eventLoop().execute(() -> {
                setCookie = cookie;
                send(ctx, req, reply, false);
            });
        });
    }

    private void abortUpload() {
        try {
            uploadOut.close();
            Files.deleteIfExists(upload);
        } catch (IOException ignored) {
            // a temporary file
        }
        uploadOut = null;
        upload = null;
    }

    private void send(ChannelHandlerContext ctx, HttpRequest req, Reply reply, boolean head) {
        FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(reply.status()),
                head ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(reply.body()));
        r.headers().set(HttpHeaderNames.CONTENT_TYPE, reply.type());
        r.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, reply.body().length);
        r.headers().set(HttpHeaderNames.CACHE_CONTROL, "no-store");
        reply.headers().forEach((k, v) -> r.headers().set(k, v));
        security(r);
        if (setCookie) {
            DefaultCookie c = new DefaultCookie(Guard.COOKIE, guard.token());
            c.setHttpOnly(true);
            c.setPath("/");
            c.setSameSite(io.netty.handler.codec.http.cookie.CookieHeaderNames.SameSite.Strict);
            r.headers().add(HttpHeaderNames.SET_COOKIE, ServerCookieEncoder.STRICT.encode(c));
        }
        boolean keepAlive = HttpUtil.isKeepAlive(req) && !discardingBody();
        if (keepAlive) {
            r.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
            ctx.writeAndFlush(r);
        } else {
            r.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            ctx.writeAndFlush(r).addListener(ChannelFutureListener.CLOSE);
        }
    }

    /** A refused or failed request whose body is still arriving: the connection is closed after the answer. */
    private boolean discardingBody() {
        return discarding && request != null;
    }

    private static void security(HttpResponse r) {
        r.headers().set("Content-Security-Policy", CSP);
        r.headers().set("X-Content-Type-Options", "nosniff");
        r.headers().set("Referrer-Policy", "no-referrer");
        r.headers().set("X-Frame-Options", "DENY");
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (body != null) {
            body.release();
            body = null;
        }
        if (uploadOut != null) {
            abortUpload();
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
    }
}
