package dev.wsdebug.net.proxy;

import dev.wsdebug.capture.Conversation;
import dev.wsdebug.capture.ErrorEvent;
import dev.wsdebug.capture.EventSink;
import dev.wsdebug.capture.FlowEvent;
import dev.wsdebug.capture.HttpEvent;
import dev.wsdebug.capture.MicroClock;
import dev.wsdebug.net.Addresses;
import dev.wsdebug.net.h2.H2Codecs;
import dev.wsdebug.net.h2.H2StreamAdapter;
import dev.wsdebug.net.h2.SettingsWatch;
import io.netty.handler.codec.http2.DefaultHttp2ResetFrame;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.timeout.IdleStateHandler;
import dev.wsdebug.net.Sentences;
import dev.wsdebug.net.fault.FaultPlan;
import dev.wsdebug.net.fault.FaultRule;
import dev.wsdebug.net.limits.StallWatch;
import dev.wsdebug.wire.DecodeLimits;
import dev.wsdebug.wire.Direction;
import dev.wsdebug.wire.HttpHead;
import dev.wsdebug.wire.HttpHeadParser;
import dev.wsdebug.wire.RetainBudget;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.nio.channels.ClosedChannelException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import javax.net.ssl.SSLParameters;

/**
 * One client connection to the proxy: reads the request (after a CONNECT and TLS interception in
 * forward mode), opens the upstream connection, then relays bytes unchanged both ways while the
 * connection's {@link Conversation} decodes them. Both channels share one event loop, so the
 * conversation is only ever fed from one thread.
 *
 * <p>When fault rules apply to a WebSocket connection, a {@link FaultRelay} takes over the relay
 * after the request head: it decodes what the peers send with a pipeline of its own (not
 * recorded), holds, changes or drops what passes, and feeds the conversation with what it writes.
 * Without rules the bytes go straight through, as they arrive.
 *
 * <p>A request that is not a WebSocket upgrade is relayed without decoding, and reported as one
 * {@link HttpEvent} when the connection ends: its request head, the response head read from the
 * upstream's first bytes, the bytes after each head (keep-alive: later requests on the connection
 * are relayed and counted, not listed apart) and the time from the request's first byte to the
 * response's last. A CONNECT tunnel relayed untouched (TLS not intercepted) is reported the same
 * way: method CONNECT, url host:port, the proxy's own 200 answer as the response, the bytes
 * tunnelled each way as the body lengths, and the tunnel's lifetime as the duration.
 *
 * <p>Bounded: the client must send its request head within the handshake timeout; a side is not
 * read while the other side's socket does not take what it is sent (backpressure, both ways), and
 * a stall that lasts says so; decoded messages of all connections share one {@link RetainBudget}.
 */
final class ProxyConnection extends ChannelInboundHandlerAdapter {
    private enum State { HEAD, TUNNEL_START, CONNECTING, RELAY, H2, CLOSED }

    /** What every connection of one proxy shares. */
    record Shared(ProxyOptions opts, EventSink sink, SslContext upstreamTls, SslContext upstreamTlsH2, RetainBudget budget,
                  Consumer<Channel> upstreamOpened, java.util.function.Supplier<String> ids,
                  java.util.Map<String, ProxyConnection> open, dev.wsdebug.net.limits.Load load) {
    }

    /** The HTTP/2 connection preface's first line: a client speaking HTTP/2 with prior knowledge (h2c). */
    private static final byte[] PREFACE = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1);

    /** What the proxy answers a CONNECT it accepts. */
    private static final HttpHead CONNECT_ANSWER = new HttpHead("HTTP/1.1 200 Connection Established", List.of(), 39,
            "HTTP/1.1 200 Connection Established\r\n\r\n");

    private final String conn;
    private final ProxyOptions opts;
    private final EventSink sink;
    private final SslContext upstreamTls;
    private final RetainBudget budget;
    private final Consumer<Channel> upstreamOpened;
    private final Shared shared;
    /** Each side's HTTP/2 stream has ended its sending half (END_STREAM). */
    private boolean clientEnded;
    private boolean upstreamEnded;
    /** The client side is one stream of an HTTP/2 connection (translated by {@link H2ClientSide}). */
    private final boolean streamSide;
    /** This client connection turned out to speak HTTP/2: its streams are connections of their own. */
    private boolean h2Connection;
    /** What the conversation is fed (the upstream side, as it crossed the wire). */
    private Recording recording;
    /** The request head being read; null once it is complete. */
    private HttpHeadParser head = new HttpHeadParser();
    private ScheduledFuture<?> handshakeTimer;
    private StallWatch clientStall;
    private StallWatch upstreamStall;
    private boolean idleClosing;
    private State state = State.HEAD;
    private Channel client;
    /** The upstream side: its TCP connection, or one stream of it when that speaks HTTP/2. */
    private Channel upstream;
    /** The upstream TCP connection, once connected (before the upstream side is ready, too). */
    private Channel upstreamTcp;
    private Conversation conversation;
    private final ByteArrayOutputStream pending = new ByteArrayOutputStream();
    private String tunnelHost;
    private int tunnelPort;
    private boolean tunnelTls;
    /** The intercepted TLS handshake with the client failed; already reported as one "tls" error. */
    private boolean interceptRefused;
    private ProxyRoute route;
    private HttpHead request;
    /** When the first byte of the current request head arrived (again for the request inside a tunnel). */
    private long requestStartMicros;
    /** The CONNECT request and when it started, once the proxy answered it with 200. */
    private HttpHead connectRequest;
    private long connectStartMicros;
    /** For plain HTTP exchanges (the http event's status and head); created with the first response bytes. */
    private HttpHeadParser responseHead;
    /** Plain HTTP and untouched tunnels: bytes relayed after the request head, and when the last upstream bytes came. */
    private long requestBytes;
    private long lastResponseMicros;
    /** The proxy sent the client 1014 for a lost upstream and waits for its answer. */
    private boolean closingForLostUpstream;
    private final CloseWatch closeWatch = new CloseWatch();
    private long responseBytes;
    /** Non-null once upstream is connected, if fault rules apply to this connection. */
    private FaultRelay faults;

    ProxyConnection(String conn, Shared shared) {
        this(conn, shared, false);
    }

    private ProxyConnection(String conn, Shared shared, boolean streamSide) {
        this.conn = conn;
        this.shared = shared;
        this.opts = shared.opts();
        this.sink = shared.sink();
        this.upstreamTls = shared.upstreamTls();
        this.budget = shared.budget();
        this.upstreamOpened = shared.upstreamOpened();
        this.streamSide = streamSide;
    }

    /**
     * Injects a message, ping or pong toward one side ({@link FaultRelay#inject}); any thread.
     *
     * @return null when sent, else why not (one sentence)
     */
    java.util.concurrent.CompletableFuture<String> inject(Direction toward, int opcode, byte[] payload) {
        java.util.concurrent.CompletableFuture<String> done = new java.util.concurrent.CompletableFuture<>();
        Channel c = client;
        if (c == null || !c.isActive()) {
            done.complete("Connection " + conn + " has ended.");
            return done;
        }
        c.eventLoop().execute(() -> {
            if (faults == null) {
                done.complete(state == State.RELAY ? "Connection " + conn + " is not a WebSocket relayed message by"
                        + " message." : "Connection " + conn + " is not open.");
            } else if (!c.isActive() || upstream == null || !upstream.isActive()) {
                done.complete("Connection " + conn + " has ended.");
            } else {
                done.complete(faults.inject(toward, opcode, payload));
            }
        });
        return done;
    }

    /** Whether messages can be injected now. */
    boolean injectable() {
        Channel c = client;
        return faults != null && c != null && c.isActive() && upstream != null && upstream.isActive();
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        client = ctx.channel();
        startHandshakeTimer();
        ctx.fireChannelActive();
    }

    /** The client has this long to send its request head (again after a CONNECT, for the request inside). */
    private void startHandshakeTimer() {
        cancelHandshakeTimer();
        if (opts.limits.handshakeTimeoutMillis > 0) {
            handshakeTimer = client.eventLoop().schedule(this::handshakeTimedOut, opts.limits.handshakeTimeoutMillis,
                    TimeUnit.MILLISECONDS);
        }
    }

    private void cancelHandshakeTimer() {
        if (handshakeTimer != null) {
            handshakeTimer.cancel(false);
            handshakeTimer = null;
        }
    }

    private void handshakeTimedOut() {
        handshakeTimer = null;
        if ((state == State.HEAD || state == State.TUNNEL_START) && client.isActive()) {
            int got = head == null ? 0 : head.length();
            error("timeout", "The client did not send its request head within " + Sentences.seconds(
                    opts.limits.handshakeTimeoutMillis) + " (" + got + " bytes of it received); the connection was closed.");
            state = State.CLOSED;
            client.close();
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof ByteBuf b)) {
            ReferenceCountUtil.release(msg);
            return;
        }
        switch (state) {
            case RELAY -> relayFromClient(b);
            case H2 -> ctx.fireChannelRead(b);
            case HEAD -> {
                try {
                    readHead(ctx, b);
                } finally {
                    b.release();
                }
            }
            case TUNNEL_START -> tunnelStart(ctx, b);
            case CONNECTING -> {
                pending.writeBytes(bytes(b));
                b.release();
            }
            case CLOSED -> b.release();
        }
    }

    private void readHead(ChannelHandlerContext ctx, ByteBuf b) {
        byte[] bytes = bytes(b);
        if (head.length() == 0 && bytes.length > 0) {
            requestStartMicros = MicroClock.now();
        }
        if (head.length() == 0 && bytes.length > 0 && (bytes[0] < 'A' || bytes[0] > 'Z')) {
            refuseLogged(400, "This is an HTTP proxy; the connection did not start with an HTTP request.");
            return;
        }
        if (head.length() == 0 && !streamSide && startsWithPreface(bytes)) {
            http2(ctx, bytes);
            return;
        }
        int used = head.feed(bytes, 0, bytes.length);
        if (!head.isComplete()) {
            if (head.isDone()) {
                refuseLogged(431, "The request head is larger than " + HttpHeadParser.MAX_HEAD + " bytes.");
            }
            return;
        }
        cancelHandshakeTimer();
        if (head.error() != null) {
            refuseLogged(400, head.error());
            return;
        }
        request = head.head();
        head = null;
        pending.write(bytes, used, bytes.length - used);
        if ("CONNECT".equals(request.method())) {
            connect(ctx);
            return;
        }
        route = opts.upstream != null ? ProxyRoute.reverse(request, opts.upstream)
                : ProxyRoute.forward(request, tunnelHost, tunnelPort, tunnelTls);
        if (route == null) {
            refuse(400, "The request target " + request.target() + " names no host; a forward proxy needs"
                    + " an absolute URL (GET ws://host/path) or a CONNECT tunnel.");
            return;
        }
        openUpstream(route.host(), route.port(), route.tls(), false);
    }

    /** CONNECT host:port: answer 200, then see whether the client speaks TLS through the tunnel. */
    private void connect(ChannelHandlerContext ctx) {
        if (opts.upstream != null) {
            refuse(405, "This is a reverse proxy for " + opts.upstream + "; it does not accept CONNECT.");
            return;
        }
        String target = request.target();
        int colon = target.lastIndexOf(':');
        try {
            tunnelHost = target.substring(0, colon).replace("[", "").replace("]", "");
            tunnelPort = Integer.parseInt(target.substring(colon + 1));
        } catch (RuntimeException e) {
            refuse(400, "CONNECT needs host:port, not " + target + ".");
            return;
        }
        state = State.TUNNEL_START;
        connectRequest = request;
        connectStartMicros = requestStartMicros;
        startHandshakeTimer(); // now for the request inside the tunnel
        client.writeAndFlush(Unpooled.copiedBuffer(CONNECT_ANSWER.raw(), StandardCharsets.ISO_8859_1));
        if (pending.size() > 0) {
            byte[] early = pending.toByteArray();
            pending.reset();
            tunnelStart(ctx, Unpooled.wrappedBuffer(early));
        }
    }

    private void tunnelStart(ChannelHandlerContext ctx, ByteBuf b) {
        if (!b.isReadable()) {
            b.release();
            return;
        }
        boolean tls = b.getByte(b.readerIndex()) == 0x16;
        if (tls && (opts.interceptContext == null || opts.noIntercept.contains(tunnelHost))) {
            // relayed untouched: no decoding, only listed
            cancelHandshakeTimer();
            state = State.CONNECTING;
            pending.writeBytes(bytes(b));
            b.release();
            openUpstream(tunnelHost, tunnelPort, false, true);
            return;
        }
        head = new HttpHeadParser();
        state = State.HEAD;
        if (tls) {
            tunnelTls = true;
            SslHandler ssl = opts.interceptContext.apply(tunnelHost).newHandler(ctx.alloc());
            ctx.pipeline().addFirst("intercept-tls", ssl);
            ssl.handshakeFuture().addListener(f -> {
                if (!f.isSuccess()) {
                    interceptRefused = true;
                    if (causedBy(f.cause(), ClosedChannelException.class)) {
                        // no alert: Node checks the certificate after the handshake and just hangs up,
                        // and a browser drops the spare connections it opened the same way
                        error("tls", "The client closed the connection during the intercepted TLS handshake for "
                                + tunnelHost + " without an alert; a client that does not trust the wsdebug CA may"
                                + " do that (see wsdebug ca), and a browser closes spare connections this way.");
                    } else {
                        error("tls", "The client refused the intercepted TLS session for " + tunnelHost
                                + " (" + Sentences.rootMessage(f.cause()) + "); does it trust the wsdebug CA? See wsdebug ca.");
                    }
                }
            });
            // replay the ClientHello from the start of the pipeline, through the new TLS handler
            ctx.pipeline().fireChannelRead(b);
        } else {
            readHead(ctx, b);
            b.release();
        }
    }

    private void openUpstream(String host, int port, boolean tls, boolean blind) {
        state = State.CONNECTING;
        client.config().setAutoRead(false);
        if (!blind && route != null && route.websocket()) {
            DecodeLimits limits = DecodeLimits.retaining(opts.retainCap).withBudget(budget);
            conversation = new Conversation(conn, EventSink.all(sink, closeWatch), opts.retainCap)
                    .limits(limits, limits)
                    .scheme(route.tls() ? "wss" : "ws");
            recording = new Recording(conversation);
        }
        connectUpstream(host, port, tls, blind, !blind && conversation != null && wantsHttp2(tls));
    }

    /** Whether to open the upstream WebSocket as an HTTP/2 stream (--upstream-http). */
    private boolean wantsHttp2(boolean tls) {
        return switch (opts.upstreamHttp) {
            case HTTP2 -> true;
            case HTTP1 -> false;
            // the version the client chose, where TLS lets the upstream say whether it has it
            case AUTO -> streamSide && tls;
        };
    }

    private void connectUpstream(String host, int port, boolean tls, boolean blind, boolean h2) {
        Bootstrap b = new Bootstrap().group(client.eventLoop()).channel(NioSocketChannel.class)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, opts.connectTimeoutMillis)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.AUTO_READ, false)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        if (tls) {
                            SslHandler ssl = (h2 ? shared.upstreamTlsH2() : upstreamTls).newHandler(ch.alloc(), host, port);
                            if (!opts.upstreamInsecure) {
                                SSLParameters p = ssl.engine().getSSLParameters();
                                p.setEndpointIdentificationAlgorithm("HTTPS");
                                ssl.engine().setSSLParameters(p);
                            }
                            ch.pipeline().addLast(ssl);
                        }
                        if (!h2) {
                            ch.pipeline().addLast(new Upstream());
                        } else {
                            // until the HTTP/2 handlers come: a failed TLS handshake is reported by its
                            // listener (a 502 with the reason), not left to Netty's end of the pipeline
                            ch.pipeline().addLast(QuietSetup.INSTANCE);
                        }
                    }
                });
        b.connect(host, port).addListener((ChannelFutureListener) f -> {
            if (!f.isSuccess()) {
                upstreamFailed(host + ":" + port, f.cause());
                return;
            }
            Channel tcp = f.channel();
            upstreamTcp = tcp;
            if (!h2) {
                upstream = tcp;
            }
            upstreamOpened.accept(tcp);
            if (!client.isActive()) {
                tcp.close(); // the client left while the proxy was connecting
                return;
            }
            SslHandler ssl = tcp.pipeline().get(SslHandler.class);
            if (ssl == null) {
                if (h2) {
                    http2Upstream(tcp, host, port, tls);
                } else {
                    upstreamReady(blind);
                }
            } else {
                ssl.handshakeFuture().addListener(hs -> {
                    if (!hs.isSuccess()) {
                        upstreamFailed(host + ":" + port + " (TLS)", hs.cause());
                    } else if (!h2) {
                        upstreamReady(blind);
                    } else if (ApplicationProtocolNames.HTTP_2.equals(ssl.applicationProtocol())) {
                        http2Upstream(tcp, host, port, true);
                    } else if (opts.upstreamHttp == ProxyOptions.UpstreamHttp.HTTP2) {
                        tcp.close();
                        upstreamFailed(host + ":" + port, new java.io.IOException("it does not offer HTTP/2 by ALPN ("
                                + (ssl.applicationProtocol() == null ? "no ALPN" : "it chose " + ssl.applicationProtocol())
                                + "), and --upstream-http 2 asks for it"));
                    } else {
                        tcp.pipeline().addLast(new Upstream());
                        upstream = tcp;
                        upstreamReady(blind);
                    }
                });
            }
        });
    }

    /**
     * The upstream connection speaks HTTP/2: once its SETTINGS enable extended CONNECT, the
     * WebSocket opens as a stream of it (one stream per connection; the connection closes with
     * it). Without the setting, --upstream-http 2 answers the client 502, auto falls back to an
     * HTTP/1.1 connection and says so.
     */
    private void http2Upstream(Channel tcp, String host, int port, boolean tls) {
        String where = host + ":" + port;
        SettingsWatch watch = new SettingsWatch();
        tcp.pipeline().addLast(H2Codecs.client(), new Http2MultiplexHandler(
                new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel pushed) {
                        pushed.close(); // a server push is nothing a WebSocket relay wants
                    }
                }), watch);
        H2Codecs.widenConnectionWindow(tcp);
        tcp.config().setAutoRead(true); // the streams' own reads follow the relay
        long wait = opts.limits.handshakeTimeoutMillis > 0 ? opts.limits.handshakeTimeoutMillis : opts.connectTimeoutMillis;
        ScheduledFuture<?> timer = tcp.eventLoop().schedule(() -> watch.settings().completeExceptionally(
                new java.util.concurrent.TimeoutException()), wait, TimeUnit.MILLISECONDS);
        watch.settings().whenComplete((settings, err) -> tcp.eventLoop().execute(() -> {
            timer.cancel(false);
            if (!client.isActive()) {
                tcp.close();
            } else if (err != null) {
                tcp.close();
                upstreamFailed(where, new java.io.IOException("it did not answer the HTTP/2 connection preface with its SETTINGS"
                        + (tls ? "" : "; it does not speak HTTP/2 with prior knowledge (h2c) there")));
            } else if (!Boolean.TRUE.equals(settings.connectProtocolEnabled())) {
                tcp.close();
                String why = "it speaks HTTP/2 but its SETTINGS do not enable extended CONNECT (RFC 8441)";
                if (opts.upstreamHttp == ProxyOptions.UpstreamHttp.HTTP2) {
                    upstreamFailed(where, new java.io.IOException(why + ", and --upstream-http 2 asks for it"));
                } else {
                    error("http2", "The upstream " + where + ": " + why + "; the proxy opened this WebSocket over HTTP/1.1"
                            + " instead.");
                    connectUpstream(host, port, tls, false, false);
                }
            } else {
                openUpstreamStream(tcp, where, tls);
            }
        }));
    }

    private void openUpstreamStream(Channel tcp, String where, boolean tls) {
        new Http2StreamChannelBootstrap(tcp).handler(new ChannelInitializer<Http2StreamChannel>() {
            @Override
            protected void initChannel(Http2StreamChannel stream) {
                stream.config().setAutoRead(false);
                stream.pipeline().addLast(new H2StreamAdapter(upstreamSteps(), Direction.S2C, true),
                        new H2UpstreamSide(tls), new Upstream());
            }
        }).open().addListener(f -> {
            if (!f.isSuccess()) {
                tcp.close();
                upstreamFailed(where, f.cause());
                return;
            }
            Http2StreamChannel stream = (Http2StreamChannel) f.getNow();
            stream.closeFuture().addListener(c -> tcp.close());
            upstream = stream;
            recording.skipTranslatedHeads();
            upstreamReady(false);
        });
    }

    /** The upstream stream's header blocks and reset, into the recording. */
    private H2StreamAdapter.Steps upstreamSteps() {
        return new H2StreamAdapter.Steps() {
            @Override
            public void request(int stream, List<HttpHead.Header> fields, long micros) {
                conversation.h2Request(micros, stream, fields, true);
            }

            @Override
            public void response(List<HttpHead.Header> fields, long micros) {
                conversation.h2Response(micros, fields);
            }

            @Override
            public void reset(Direction from, long errorCode, long micros) {
                conversation.h2Reset(micros, from, errorCode);
            }
        };
    }

    /**
     * The client's connection turned out to speak HTTP/2 (prior knowledge, or h2 chosen by ALPN in
     * an intercepted tunnel): the codec takes it over, advertising extended CONNECT, and each
     * stream becomes a proxied connection of its own, translated to HTTP/1.1 heads at its edge.
     */
    private void http2(ChannelHandlerContext ctx, byte[] bytes) {
        cancelHandshakeTimer();
        head = null;
        if (!opts.clientHttp2) {
            error("handshake", "The client spoke HTTP/2, which this proxy does not accept (--no-http2); the connection"
                    + " was closed.");
            state = State.CLOSED;
            client.close();
            return;
        }
        state = State.H2;
        h2Connection = true;
        boolean absolute = opts.upstream == null && tunnelHost == null;
        String host = tunnelHost;
        int port = tunnelPort;
        boolean tls = tunnelTls;
        ctx.pipeline().addAfter(ctx.name(), "h2-codec", H2Codecs.server(true));
        dev.wsdebug.net.limits.StreamSlots slots = shared.load().streamSlots();
        ctx.pipeline().addAfter("h2-codec", "h2-streams", new Http2MultiplexHandler(new ChannelInitializer<Http2StreamChannel>() {
            @Override
            protected void initChannel(Http2StreamChannel stream) {
                if (!slots.admit(stream, "wsdebug proxy", s -> sink.accept(new ErrorEvent(null, MicroClock.now(), "limit", s)))) {
                    return;
                }
                String id = shared.ids().get();
                ProxyConnection pc = new ProxyConnection(id, shared, true);
                pc.tunnelHost = host;
                pc.tunnelPort = port;
                pc.tunnelTls = tls;
                stream.pipeline().addLast(new H2StreamAdapter(NO_STEPS, Direction.C2S, true));
                if (opts.limits.idleTimeoutMillis > 0) {
                    stream.pipeline().addLast(new IdleStateHandler(0, 0, opts.limits.idleTimeoutMillis, TimeUnit.MILLISECONDS));
                }
                stream.pipeline().addLast(new H2ClientSide(absolute), pc);
                if (shared.open() != null) {
                    shared.open().put(id, pc);
                    stream.closeFuture().addListener(f -> shared.open().remove(id));
                }
            }
        }));
        H2Codecs.widenConnectionWindow(client);
        ctx.fireChannelRead(Unpooled.wrappedBuffer(bytes));
    }

    /** Closes the upstream connection on an error before its handlers are in place; whoever waits for it says why. */
    @io.netty.channel.ChannelHandler.Sharable
    private static final class QuietSetup extends ChannelInboundHandlerAdapter {
        static final QuietSetup INSTANCE = new QuietSetup();

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }

    /** The client side's header blocks are not recorded: the recording is the upstream side's. */
    private static final H2StreamAdapter.Steps NO_STEPS = new H2StreamAdapter.Steps() {
        @Override
        public void request(int stream, List<HttpHead.Header> fields, long micros) {
        }

        @Override
        public void response(List<HttpHead.Header> fields, long micros) {
        }

        @Override
        public void reset(Direction from, long errorCode, long micros) {
        }
    };

    private static boolean startsWithPreface(byte[] bytes) {
        int n = Math.min(bytes.length, PREFACE.length);
        return n >= 3 && java.util.Arrays.equals(bytes, 0, n, PREFACE, 0, n);
    }

    /**
     * An HTTP/2 side ended its stream (END_STREAM): it sends nothing more, but may still read, as a
     * WebSocket server that ends its stream right after its close frame still reads the client's
     * answer. The end is passed on as END_STREAM to a stream on the other side, which keeps
     * reading until it ends too; a TCP side is closed once what it was sent is written. A peer
     * that never ends its side is closed after a grace period.
     */
    private void ended(Direction from) {
        if (faults != null) {
            faults.sourceClosed(from);
            return;
        }
        Channel to = from == Direction.C2S ? upstream : client;
        if (from == Direction.C2S) {
            clientEnded = true;
        } else {
            upstreamEnded = true;
        }
        if (to == null || !to.isActive() || clientEnded && upstreamEnded || !(to instanceof Http2StreamChannel)) {
            if (to != null && to.isActive()) {
                to.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
            }
            Channel self = from == Direction.C2S ? client : upstream;
            if (self != null) {
                self.close();
            }
            return;
        }
        to.writeAndFlush(new io.netty.handler.codec.http2.DefaultHttp2DataFrame(true));
        client.eventLoop().schedule(() -> {
            client.close();
            if (upstream != null) {
                upstream.close();
            }
        }, FaultRelay.CLOSE_GRACE_MILLIS, TimeUnit.MILLISECONDS);
    }

    /** Drops a side at once: a TCP reset (SO_LINGER 0), or RST_STREAM CANCEL for an HTTP/2 stream. */
    static void abort(Channel ch) {
        if (ch instanceof Http2StreamChannel) {
            ch.writeAndFlush(new DefaultHttp2ResetFrame(Http2Error.CANCEL)).addListener(ChannelFutureListener.CLOSE);
        } else {
            ch.config().setOption(ChannelOption.SO_LINGER, 0);
            ch.close();
        }
    }

    private void upstreamReady(boolean blind) {
        if (conversation != null) {
            conversation.endpoints(Addresses.hostPort(client.remoteAddress()), route.host() + ":" + route.port());
        }
        state = State.RELAY;
        if (!blind) {
            FaultPlan plan = conversation == null || opts.faults == null ? null : opts.faults.forPath(requestPath());
            byte[] h = plan == null ? route.head() : upgradeRequest(plan);
            feed(Direction.C2S, h, 0, h.length);
            upstream.write(Unpooled.wrappedBuffer(h));
            if (plan == null && conversation != null && opts.injectable) {
                plan = new FaultPlan(java.util.List.of()); // no rules: a relay only so that messages can be injected
            }
            if (plan != null) {
                faults = new FaultRelay(conn, plan, sink, recording, client, upstream, h, opts.faultHoldCap, budget);
            }
        }
        if (pending.size() > 0) {
            byte[] early = pending.toByteArray();
            pending.reset();
            if (faults != null) {
                faults.read(Direction.C2S, early);
            } else {
                if (conversation == null) {
                    requestBytes += early.length;
                }
                feed(Direction.C2S, early, 0, early.length);
                upstream.write(Unpooled.wrappedBuffer(early));
            }
        }
        upstream.flush();
        upstream.config().setAutoRead(true);
        client.config().setAutoRead(true);
    }

    /**
     * The upgrade request to send upstream: as routed, or without its Upgrade and Connection fields
     * when a strip-upgrade rule applies (noted before the request is recorded, which it concerns).
     */
    private byte[] upgradeRequest(FaultPlan plan) {
        FaultRule strip = plan.first(FaultRule.Action.STRIP_UPGRADE);
        if (strip == null || !strip.fires(java.util.concurrent.ThreadLocalRandom.current())) {
            return route.head();
        }
        sink.accept(FaultRelay.note(conn, "strip-upgrade", "the upgrade request was sent upstream without its Upgrade"
                + " and Connection headers; the answer is relayed as it comes", strip));
        return route.headWithoutUpgrade();
    }

    /** The path of the upgrade request (no query), for path= fault rules. */
    private String requestPath() {
        try {
            String p = URI.create(route.url()).getRawPath();
            return p == null || p.isEmpty() ? "/" : p;
        } catch (IllegalArgumentException e) {
            String t = request.target();
            int q = t.indexOf('?');
            return q < 0 ? t : t.substring(0, q);
        }
    }

    private void upstreamFailed(String where, Throwable cause) {
        String sentence = "The upstream " + where + " cannot be reached: " + Sentences.rootMessage(cause) + ".";
        error("upstream", sentence);
        refuse(502, sentence);
    }

    private void relayFromClient(ByteBuf b) {
        if (closingForLostUpstream) {
            // the client's answer to the proxy's 1014: recorded (there is no upstream to relay it to), and
            // once its close frame is in, the close handshake is complete and TCP closes
            feed(Direction.C2S, b);
            b.release();
            if (closeWatch.clientClosed()) {
                client.close();
            }
            return;
        }
        if (upstream == null || !upstream.isActive() || idleClosing) {
            b.release();
            return;
        }
        if (faults != null) {
            faults.read(Direction.C2S, b);
            return;
        }
        if (conversation == null) {
            requestBytes += b.readableBytes();
        }
        feed(Direction.C2S, b);
        upstream.writeAndFlush(b);
        if (!upstream.isWritable()) {
            client.config().setAutoRead(false);
            upstreamStall().update();
        }
    }

    private StallWatch upstreamStall() {
        if (upstreamStall == null) {
            upstreamStall = new StallWatch(upstream, "The upstream " + (route == null ? tunnelHost + ":" + tunnelPort
                    : route.host() + ":" + route.port()), "the proxy has stopped reading from the client",
                    opts.limits.stallNoticeMillis, held(Direction.C2S));
        }
        return upstreamStall;
    }

    private StallWatch clientStall() {
        if (clientStall == null) {
            clientStall = new StallWatch(client, "The client " + Addresses.hostPort(client.remoteAddress()),
                    "the proxy has stopped reading from the upstream", opts.limits.stallNoticeMillis, held(Direction.S2C));
        }
        return clientStall;
    }

    /** The upstream side of the relay. */
    private final class Upstream extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (!(msg instanceof ByteBuf b)) {
                ReferenceCountUtil.release(msg);
                return;
            }
            if (idleClosing) {
                b.release(); // the proxy ended it: the peers' answers to its close frames are not relayed
                return;
            }
            if (conversation == null) {
                noteResponse(b);
            }
            if (faults != null) {
                faults.read(Direction.S2C, b);
                return;
            }
            feed(Direction.S2C, b);
            client.writeAndFlush(b);
            if (!client.isWritable()) {
                ctx.channel().config().setAutoRead(false);
                clientStall().update();
            }
        }

        @Override
        public void channelWritabilityChanged(ChannelHandlerContext ctx) {
            if (faults != null) {
                faults.updateAutoRead();
            } else if (!closingForLostUpstream) {
                client.config().setAutoRead(ctx.channel().isWritable());
            }
            upstreamStall().update();
            ctx.fireChannelWritabilityChanged();
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt == H2StreamAdapter.PEER_ENDED) {
                ended(Direction.S2C);
                return;
            }
            ctx.fireUserEventTriggered(evt);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            // the upstream hung up: pass the close on once what it sent has reached the client
            if (faults != null) {
                faults.sourceClosed(Direction.S2C);
            } else if (closeWatch.upstreamVanished() && client.isActive()) {
                closeForLostUpstream();
            } else {
                client.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            error("io", "The upstream connection failed: " + Sentences.rootMessage(cause) + ".");
            ctx.close();
        }
    }

    /**
     * The upstream dropped an open WebSocket without a close frame. The client would see its own
     * connection to the proxy close without one too, so the proxy says what happened the way
     * RFC 6455 lets a gateway: a close frame with 1014 Bad Gateway. The bytes are recorded as
     * what the client received, after an event saying the proxy injected them.
     */
    private void closeForLostUpstream() {
        error("upstream", "The upstream connection closed without a close frame; the proxy closed the client's"
                + " side with 1014 Bad Gateway.");
        byte[] close = new dev.wsdebug.wire.FrameWriter().encode(dev.wsdebug.wire.FrameSpec.of(
                dev.wsdebug.wire.Opcode.CLOSE, dev.wsdebug.wire.FrameWriter.closePayload(
                        dev.wsdebug.wire.CloseCodes.BAD_GATEWAY, "upstream connection lost")));
        feed(Direction.S2C, close, 0, close.length);
        closingForLostUpstream = true;
        // reading from the client may have been paused for the upstream's sake; its answer must be read
        client.config().setAutoRead(true);
        client.writeAndFlush(Unpooled.wrappedBuffer(close));
        // give the client a moment to answer the close, then hang up
        client.eventLoop().schedule(() -> {
            client.close();
        }, 2, java.util.concurrent.TimeUnit.SECONDS);
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (faults != null) {
            faults.updateAutoRead();
        } else if (upstream != null) {
            upstream.config().setAutoRead(ctx.channel().isWritable());
        }
        if (upstream != null) {
            clientStall().update();
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt == H2StreamAdapter.PEER_ENDED) {
            ended(Direction.C2S);
            return;
        }
        if (evt instanceof IdleStateEvent && h2Connection) {
            return; // each stream has its own idle timer
        }
        if (evt instanceof IdleStateEvent) {
            if (!idleClosing && state != State.CLOSED) {
                idleClosing = true; // once: the close frames' answers may be all the traffic there is
                idleTimedOut();
            }
            return;
        }
        ctx.fireUserEventTriggered(evt);
    }

    /**
     * --idle-timeout: nothing crossed the client connection for that long. An open WebSocket is
     * closed on both sides with 1001 Going Away (frames the capture shows as the proxy's); what the
     * peers send after that (their close answers) is not relayed, so neither gets a second close.
     * Anything else is simply closed.
     */
    private void idleTimedOut() {
        error("timeout", "No traffic for " + Sentences.seconds(opts.limits.idleTimeoutMillis) + " (--idle-timeout); the"
                + " proxy closed " + (closeWatch.open() ? "the WebSocket on both sides with 1001 Going Away." : "the connection."));
        if (closeWatch.open() && faults == null && upstream != null && upstream.isActive()) {
            dev.wsdebug.wire.FrameWriter w = new dev.wsdebug.wire.FrameWriter();
            byte[] payload = dev.wsdebug.wire.FrameWriter.closePayload(dev.wsdebug.wire.CloseCodes.GOING_AWAY, "idle timeout");
            byte[] toClient = w.encode(dev.wsdebug.wire.FrameSpec.of(dev.wsdebug.wire.Opcode.CLOSE, payload));
            byte[] toUpstream = w.encode(dev.wsdebug.wire.FrameSpec.of(dev.wsdebug.wire.Opcode.CLOSE, payload)
                    .withMask(w.randomMaskKey()));
            feed(Direction.S2C, toClient, 0, toClient.length);
            feed(Direction.C2S, toUpstream, 0, toUpstream.length);
            client.writeAndFlush(Unpooled.wrappedBuffer(toClient));
            upstream.writeAndFlush(Unpooled.wrappedBuffer(toUpstream));
            // the peers may answer; then both sockets close
            client.eventLoop().schedule(() -> {
                client.close();
                upstream.close();
            }, FaultRelay.CLOSE_GRACE_MILLIS, TimeUnit.MILLISECONDS);
        } else {
            client.close();
            if (upstream != null) {
                upstream.close();
            }
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        cancelHandshakeTimer();
        state = State.CLOSED;
        if (h2Connection) {
            ctx.fireChannelInactive(); // to the HTTP/2 codec, which ends the streams
        }
        if (upstream == null && upstreamTcp != null) {
            upstreamTcp.close(); // still connecting or opening its stream
        }
        if (upstream != null) {
            if (faults != null) {
                faults.sourceClosed(Direction.C2S);
            } else {
                upstream.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
            }
            upstream.closeFuture().addListener(f -> finish());
        } else {
            finish();
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (!interceptRefused) { // else the failed intercepted handshake again, already reported as "tls"
            error("io", "The client connection failed: " + Sentences.rootMessage(cause) + ".");
        }
        ctx.close();
    }

    private void finish() {
        if (faults != null) {
            faults.end();
        }
        if (conversation != null) {
            conversation.end(MicroClock.now());
        }
        long now = MicroClock.now();
        if (h2Connection) {
            return; // its streams are listed, each as a connection of its own
        }
        if (route == null && connectRequest != null) {
            // a tunnel not decoded (relayed untouched, or its interception did not get as far as a request)
            sink.accept(new HttpEvent(conn, connectStartMicros, "CONNECT", tunnelHost + ":" + tunnelPort, 200,
                    CONNECT_ANSWER.reason(), connectRequest, CONNECT_ANSWER, requestBytes, responseBytes,
                    now - connectStartMicros));
        } else if (route != null && !route.websocket() && request != null) {
            HttpHead rh = responseHead == null ? null : responseHead.head();
            long body = rh == null ? 0 : responseBytes - rh.length();
            long end = rh != null ? lastResponseMicros : now;
            sink.accept(new HttpEvent(conn, requestStartMicros, route.url(), request, rh, requestBytes, body,
                    Math.max(0, end - requestStartMicros)));
        }
    }

    /** Bytes from the upstream of a plain HTTP exchange or an untouched tunnel: counted, and the response head read. */
    private void noteResponse(ByteBuf b) {
        responseBytes += b.readableBytes();
        lastResponseMicros = MicroClock.now();
        if (route == null) {
            return; // a tunnel: TLS records
        }
        if (responseHead == null) {
            responseHead = new HttpHeadParser();
        }
        if (!responseHead.isDone()) {
            byte[] bytes = bytes(b);
            responseHead.feed(bytes, 0, bytes.length);
        }
    }

    private void feed(Direction dir, ByteBuf b) {
        if (recording != null) {
            recording.feed(dir, MicroClock.now(), b);
        }
    }

    private void feed(Direction dir, byte[] b, int off, int len) {
        if (recording != null && len > 0) {
            recording.feed(dir, MicroClock.now(), b, off, len);
        }
    }

    /** {@link #refuse}, and the sentence in the proxy's log too. */
    private void refuseLogged(int status, String sentence) {
        error("handshake", "Answered " + status + ": " + sentence);
        refuse(status, sentence);
    }

    /** Answers the client with an HTTP error and closes (before any upgrade). */
    private void refuse(int status, String sentence) {
        state = State.CLOSED;
        byte[] body = (sentence + "\n").getBytes(StandardCharsets.UTF_8);
        String reason = io.netty.handler.codec.http.HttpResponseStatus.valueOf(status).reasonPhrase();
        String h = "HTTP/1.1 " + status + " " + reason + "\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: "
                + body.length + "\r\nConnection: close\r\n\r\n";
        ByteBuf out = Unpooled.buffer();
        out.writeBytes(h.getBytes(StandardCharsets.ISO_8859_1)).writeBytes(body);
        if (client.isActive()) {
            client.writeAndFlush(out).addListener(ChannelFutureListener.CLOSE);
        } else {
            out.release();
        }
    }

    /**
     * Bytes held for the receiver of {@code dir} (flow events, which the diagnosis reads); before the
     * upgrade there is no WebSocket to speak of, and a sentence says it.
     */
    private StallWatch.Listener held(Direction dir) {
        return new StallWatch.Listener() {
            @Override
            public void stalled(String sentence, long bytes, long micros) {
                if (conversation == null) {
                    error("backpressure", sentence);
                } else {
                    sink.accept(new FlowEvent(conn, MicroClock.now(), dir, FlowEvent.HELD, bytes, micros));
                }
            }

            @Override
            public void resumed(long micros) {
                if (conversation != null) {
                    sink.accept(new FlowEvent(conn, MicroClock.now(), dir, FlowEvent.DRAINED, -1, micros));
                }
            }
        };
    }

    private void error(String kind, String sentence) {
        sink.accept(new ErrorEvent(conn, MicroClock.now(), kind, sentence));
    }

    private static byte[] bytes(ByteBuf b) {
        byte[] out = new byte[b.readableBytes()];
        b.getBytes(b.readerIndex(), out);
        return out;
    }

    private static boolean causedBy(Throwable t, Class<? extends Throwable> type) {
        for (Throwable r = t; r != null; r = r.getCause() == r ? null : r.getCause()) {
            if (type.isInstance(r)) {
                return true;
            }
        }
        return false;
    }

    /** Follows the connection's events: did the WebSocket open, and did the upstream send a close frame? */
    private static final class CloseWatch implements EventSink {
        private boolean open;
        private boolean upstreamClosed;
        private boolean clientClosed;

        @Override
        public void accept(dev.wsdebug.capture.Event event) {
            if (event instanceof dev.wsdebug.capture.HandshakeEvent h) {
                open = h.result() != null && h.result().upgraded();
            } else if (event instanceof dev.wsdebug.capture.FrameEvent f && f.dir() == Direction.S2C
                    && f.frame().opcode() == dev.wsdebug.wire.Opcode.CLOSE) {
                upstreamClosed = true;
            } else if (event instanceof dev.wsdebug.capture.FrameEvent f && f.dir() == Direction.C2S
                    && f.frame().opcode() == dev.wsdebug.wire.Opcode.CLOSE) {
                clientClosed = true;
            }
        }

        /** The client has sent its close frame. */
        boolean clientClosed() {
            return clientClosed;
        }

        boolean upstreamVanished() {
            return open && !upstreamClosed;
        }

        /** The WebSocket upgraded (and its close handshake may be under way). */
        boolean open() {
            return open;
        }
    }
}
