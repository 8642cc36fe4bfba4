package dev.wsdebug.net.client;

import dev.wsdebug.capture.Conversation;
import dev.wsdebug.capture.ErrorEvent;
import dev.wsdebug.capture.EventSink;
import dev.wsdebug.capture.MicroClock;
import dev.wsdebug.net.Addresses;
import dev.wsdebug.net.ReadsOnHold;
import dev.wsdebug.net.WireTap;
import dev.wsdebug.net.tls.Tls;
import dev.wsdebug.wire.CloseCodes;
import dev.wsdebug.wire.Direction;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ConnectTimeoutException;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.proxy.HttpProxyHandler;
import io.netty.handler.proxy.ProxyConnectException;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.NotSslRecordException;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;

import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.channels.UnresolvedAddressException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLParameters;

/**
 * {@code wsdebug connect}: opens WebSocket connections (ws:// or wss://, directly or through an
 * HTTP CONNECT proxy) whose bytes go through the one {@link Conversation} pipeline.
 */
public final class WsClient implements AutoCloseable {
    private final ClientOptions opts;
    private final EventSink sink;
    private final Consumer<String> notices;
    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final AtomicLong attempts = new AtomicLong();
    private SslContext ssl;
    private SslContext sslH2;

    /**
     * @param sink    receives the schema events of every connection this client opens
     * @param notices one-line remarks for a human (ping round trips, why a connection died)
     */
    public WsClient(ClientOptions opts, EventSink sink, Consumer<String> notices) {
        this.opts = opts;
        this.sink = sink;
        this.notices = notices;
    }

    /**
     * Numbers this client's connections from {@code first} on (by default 1, 2, …): a caller that
     * records several clients into one capture keeps their connection ids apart.
     */
    public WsClient connectionIdsFrom(long first) {
        attempts.set(first - 1);
        return this;
    }

    static boolean secure(URI u) {
        return "wss".equalsIgnoreCase(u.getScheme());
    }

    static int port(URI u) {
        return u.getPort() > 0 ? u.getPort() : secure(u) ? 443 : 80;
    }

    /**
     * Connects and completes the opening handshake: an HTTP/1.1 upgrade, or an extended CONNECT on
     * an HTTP/2 stream (RFC 8441) as {@link ClientOptions#transport} and the server allow.
     *
     * @return the open session
     * @throws ClientFailure with one sentence when the connection or the handshake fails
     */
    public ClientSession connect() throws ClientFailure, InterruptedException {
        String conn = Long.toString(attempts.incrementAndGet());
        ClientOptions.Transport transport = opts.transport;
        if (transport == ClientOptions.Transport.AUTO && !secure(opts.url)) {
            transport = ClientOptions.Transport.HTTP1; // h2c only when asked: a plain server rarely expects a preface
        }
        try {
            return connect(conn, transport);
        } catch (H2Unavailable e) {
            if (transport == ClientOptions.Transport.HTTP2) {
                throw failure(conn, e);
            }
            // the connection speaks h2 already: HTTP/1.1 needs a new one that does not offer it
            notices.accept(e.getMessage() + " Falling back to HTTP/1.1.");
            return connect(conn, ClientOptions.Transport.HTTP1);
        }
    }

    private ClientSession connect(String conn, ClientOptions.Transport transport) throws ClientFailure, InterruptedException {
        URI u = opts.url;
        boolean tls = secure(u);
        boolean offerH2 = tls && transport != ClientOptions.Transport.HTTP1;
        boolean priorKnowledge = !tls && transport == ClientOptions.Transport.HTTP2;
        SslContext ssl = tls ? sslContext(conn, offerH2) : null;
        String host = u.getHost();
        int port = port(u);
        // plain HTTP/1.1 is wired at once, as the channel is made; the others once TLS tells (or at once for h2c)
        ClientSession h1 = offerH2 || priorKnowledge ? null : http1Session();
        Conversation h1Conversation = h1 == null ? null : conversation(conn, h1);
        Bootstrap b = new Bootstrap().group(group).channel(NioSocketChannel.class)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, opts.connectTimeoutMillis)
                .option(ChannelOption.TCP_NODELAY, true)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        if (opts.proxy != null) {
                            ch.pipeline().addLast(new HttpProxyHandler(
                                    new InetSocketAddress(opts.proxy.getHost(), port(opts.proxy))));
                        }
                        if (tls) {
                            SslHandler sslHandler = ssl.newHandler(ch.alloc(), host, port);
                            if (!opts.insecure) {
                                SSLParameters p = sslHandler.engine().getSSLParameters();
                                p.setEndpointIdentificationAlgorithm("HTTPS");
                                sslHandler.engine().setSSLParameters(p);
                            }
                            ch.pipeline().addLast(sslHandler);
                        }
                        if (h1 != null) {
                            ch.pipeline().addLast(new WireTap(h1Conversation, Direction.S2C), h1);
                        } else {
                            ch.pipeline().addLast(new ReadsOnHold());
                        }
                    }
                });
        InetSocketAddress target = opts.proxy != null ? InetSocketAddress.createUnresolved(host, port)
                : new InetSocketAddress(host, port);
        if (opts.proxy == null && target.isUnresolved()) {
            throw failure(conn, new ClientFailure("dns", CloseCodes.ABNORMAL, "Cannot resolve host " + host + ".", null));
        }
        ChannelFuture cf = b.connect(target);
        cf.await();
        if (!cf.isSuccess()) {
            throw failure(conn, describe(cf.cause(), opts));
        }
        Channel ch = cf.channel();
        SslHandler sslHandler = ch.pipeline().get(SslHandler.class);
        HttpProxyHandler proxy = ch.pipeline().get(HttpProxyHandler.class);
        try {
            if (proxy != null) {
                proxy.connectFuture().await();
                if (!proxy.connectFuture().isSuccess()) {
                    throw describe(proxy.connectFuture().cause(), opts);
                }
            }
            if (sslHandler != null) {
                sslHandler.handshakeFuture().await();
                if (!sslHandler.handshakeFuture().isSuccess()) {
                    Throwable cause = sslHandler.handshakeFuture().cause();
                    ClientFailure f = describe(cause, opts);
                    if (f.closeCode() != CloseCodes.TLS_HANDSHAKE) {
                        // the connection closed under the handshake: still a TLS failure (1015)
                        f = new ClientFailure("tls", CloseCodes.TLS_HANDSHAKE, "The TLS handshake with "
                                + u.getHost() + ":" + port + " failed (the server closed the connection during the"
                                + " handshake; does it speak TLS on this port? try ws://); reported as 1015 TLS Handshake.", cause);
                    }
                    throw f;
                }
            }
        } catch (ClientFailure f) {
            ch.close();
            if (f.closeCode() == CloseCodes.TLS_HANDSHAKE) {
                sink.accept(new dev.wsdebug.capture.CloseEvent(conn, MicroClock.now(), CloseCodes.TLS_HANDSHAKE,
                        "", false, "none", false));
            }
            throw failure(conn, f);
        }
        ClientSession session = h1;
        Conversation wired = h1Conversation;
        boolean h2 = priorKnowledge || offerH2 && ApplicationProtocolNames.HTTP_2.equals(sslHandler.applicationProtocol());
        if (h2) {
            H2Stream stream = H2Stream.open(ch, ch.pipeline().get(ReadsOnHold.class), opts, this::conversation, conn, notices);
            session = stream.session();
            wired = stream.conversation();
        } else if (transport == ClientOptions.Transport.HTTP2) {
            ch.close();
            throw new H2Unavailable("The server at " + host + ":" + port + " did not choose HTTP/2 by ALPN ("
                    + (sslHandler.applicationProtocol() == null ? "it offered none" : "it chose " + sslHandler.applicationProtocol())
                    + "), so it takes no WebSocket over HTTP/2.");
        } else if (session == null) {
            session = http1Session();
            wired = conversation(conn, session);
            WireTap tap = new WireTap(wired, Direction.S2C);
            ClientSession added = session;
            // on the event loop, so the session has its channel before the request goes out
            ReadsOnHold hold = ch.pipeline().get(ReadsOnHold.class);
            ch.eventLoop().submit(() -> {
                hold.releaseTo(tap, added);
                if (!ch.isActive()) {
                    ch.pipeline().fireChannelInactive(); // closed while TLS finished: say so as for any early close
                }
            }).await();
        }
        if (!h2) {
            wired.endpoints(Addresses.hostPort(ch.localAddress()),
                    opts.proxy != null ? host + ":" + port : Addresses.hostPort(ch.remoteAddress()));
        }
        session.sendRequest();
        try {
            session.handshake().get();
        } catch (ExecutionException e) {
            ClientFailure f = e.getCause() instanceof ClientFailure cfail ? cfail
                    : new ClientFailure("io", CloseCodes.ABNORMAL, String.valueOf(e.getCause()), e.getCause());
            ch.close();
            throw failure(conn, f);
        }
        return session;
    }

    private ClientSession http1Session() {
        return new ClientSession(opts, ClientUpgrade.http1(ClientRequest.build(opts, ClientRequest.newKey())), notices);
    }

    /** The conversation of one WebSocket; the session reacts after the user's sinks have seen each event. */
    Conversation conversation(String conn, ClientSession session) {
        return new Conversation(conn, EventSink.all(sink, session), opts.retainCap)
                .limits(dev.wsdebug.wire.DecodeLimits.retaining(opts.retainCap),
                        dev.wsdebug.wire.DecodeLimits.retaining(opts.retainCap).withMaxMessage(opts.maxMessage))
                .scheme(secure(opts.url) ? "wss" : "ws");
    }

    /** The client's TLS context, with or without the ALPN offer of h2 (built once each). */
    private SslContext sslContext(String conn, boolean offerH2) throws ClientFailure {
        try {
            if (offerH2) {
                if (sslH2 == null) {
                    sslH2 = Tls.client(opts.ca, opts.cert, opts.key, opts.insecure, true);
                }
                return sslH2;
            }
            if (ssl == null) {
                ssl = Tls.client(opts.ca, opts.cert, opts.key, opts.insecure);
            }
            return ssl;
        } catch (SSLException | IllegalArgumentException e) {
            throw failure(conn, new ClientFailure("tls", CloseCodes.TLS_HANDSHAKE,
                    "The TLS settings cannot be used: " + e.getMessage(), e));
        }
    }

    private ClientFailure failure(String conn, ClientFailure f) {
        sink.accept(new ErrorEvent(conn, MicroClock.now(), f.kind(), f.getMessage()));
        return f;
    }

    /** One sentence for a connection-level exception. */
    static ClientFailure describe(Throwable t, ClientOptions opts) {
        URI u = opts.url;
        String where = u.getHost() + ":" + port(u);
        Throwable root = t;
        while (root.getCause() != null && root.getCause() != root) {
            if (root instanceof SSLHandshakeException || root instanceof ProxyConnectException) {
                break;
            }
            root = root.getCause();
        }
        if (t instanceof ClientFailure cf) {
            return cf;
        }
        if (hasCause(t, SSLHandshakeException.class) || hasCause(t, SSLException.class)) {
            Throwable ssl = hasCause(t, NotSslRecordException.class) ? firstCause(t, NotSslRecordException.class)
                    : firstCause(t, SSLException.class);
            String reason = tlsReason(ssl);
            // the advice is about certificates: useless when the server does not speak TLS at all
            String advice = ssl instanceof NotSslRecordException ? "" : " Use --ca FILE to trust the server's"
                    + " certificate authority, or --insecure to skip verification.";
            return new ClientFailure("tls", CloseCodes.TLS_HANDSHAKE, "The TLS handshake with " + where + " failed ("
                    + reason + "); reported as 1015 TLS Handshake." + advice, t);
        }
        if (hasCause(t, ProxyConnectException.class)) {
            return new ClientFailure("proxy", CloseCodes.ABNORMAL, "The proxy " + opts.proxy.getHost() + ":"
                    + port(opts.proxy) + " did not open a tunnel to " + where + ": "
                    + firstCause(t, ProxyConnectException.class).getMessage() + ".", t);
        }
        if (hasCause(t, ConnectTimeoutException.class)) {
            return new ClientFailure("timeout", CloseCodes.ABNORMAL, "No answer from " + where + " within "
                    + opts.connectTimeoutMillis / 1000.0 + " s.", t);
        }
        if (hasCause(t, ConnectException.class)) {
            String target = opts.proxy != null ? "the proxy " + opts.proxy.getHost() + ":" + port(opts.proxy) : where;
            return new ClientFailure("io", CloseCodes.ABNORMAL, "Connection refused by " + target
                    + ": nothing is listening on that port.", t);
        }
        if (hasCause(t, UnknownHostException.class) || hasCause(t, UnresolvedAddressException.class)) {
            return new ClientFailure("dns", CloseCodes.ABNORMAL, "Cannot resolve host " + u.getHost() + ".", t);
        }
        String msg = root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
        return new ClientFailure("io", CloseCodes.ABNORMAL, "The connection to " + where + " failed: " + msg + ".", t);
    }

    private static String tlsReason(Throwable ssl) {
        if (ssl instanceof NotSslRecordException) {
            // its message is a hex dump of whatever the server sent (often an HTTP 400 page)
            return "the server answered with something that is not TLS; does it speak TLS on this port? (try ws://)";
        }
        Throwable deepest = ssl;
        while (deepest.getCause() != null) {
            deepest = deepest.getCause();
        }
        String m = deepest.getMessage() == null ? deepest.getClass().getSimpleName() : deepest.getMessage();
        if (m.contains("unable to find valid certification path") || m.contains("PKIX")) {
            return "the server's certificate is not trusted";
        }
        if (m.contains("closed") || m.contains("terminated the handshake") || m.contains("SSLHandshakeException")) {
            return "the server closed the connection during the TLS handshake; does it speak TLS on this port? (try ws://)";
        }
        if (m.contains("No subject alternative") || m.contains("doesn't match")) {
            return "the certificate is not valid for this host name: " + m;
        }
        return m;
    }

    private static boolean hasCause(Throwable t, Class<? extends Throwable> type) {
        return firstCause(t, type) != null;
    }

    private static Throwable firstCause(Throwable t, Class<? extends Throwable> type) {
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (type.isInstance(c)) {
                return c;
            }
        }
        return null;
    }

    @Override
    public void close() {
        group.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).awaitUninterruptibly(5_000);
    }
}
