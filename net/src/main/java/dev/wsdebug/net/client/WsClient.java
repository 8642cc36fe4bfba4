package dev.wsdebug.net.client;

import dev.wsdebug.capture.Conversation;
import dev.wsdebug.capture.ErrorEvent;
import dev.wsdebug.capture.EventSink;
import dev.wsdebug.capture.MicroClock;
import dev.wsdebug.net.Addresses;
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
     * Connects and completes the opening handshake.
     *
     * @return the open session
     * @throws ClientFailure with one sentence when the connection or the handshake fails
     */
    public ClientSession connect() throws ClientFailure, InterruptedException {
        URI u = opts.url;
        String conn = Long.toString(attempts.incrementAndGet());
        boolean tls = secure(u);
        if (tls && ssl == null) {
            try {
                ssl = Tls.client(opts.ca, opts.cert, opts.key, opts.insecure);
            } catch (SSLException | IllegalArgumentException e) {
                throw failure(conn, new ClientFailure("tls", CloseCodes.TLS_HANDSHAKE,
                        "The TLS settings cannot be used: " + e.getMessage(), e));
            }
        }
        String host = u.getHost();
        int port = port(u);
        ClientSession session = new ClientSession(opts, ClientRequest.build(opts, ClientRequest.newKey()), notices);
        // the session reacts after the user's sinks have seen the event
        Conversation wired = new Conversation(conn, EventSink.all(sink, session), opts.retainCap)
                .limits(dev.wsdebug.wire.DecodeLimits.retaining(opts.retainCap),
                        dev.wsdebug.wire.DecodeLimits.retaining(opts.retainCap).withMaxMessage(opts.maxMessage))
                .scheme(tls ? "wss" : "ws");
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
                        SslHandler sslHandler = null;
                        if (tls) {
                            sslHandler = ssl.newHandler(ch.alloc(), host, port);
                            if (!opts.insecure) {
                                SSLParameters p = sslHandler.engine().getSSLParameters();
                                p.setEndpointIdentificationAlgorithm("HTTPS");
                                sslHandler.engine().setSSLParameters(p);
                            }
                            ch.pipeline().addLast(sslHandler);
                        }
                        ch.pipeline().addLast(new WireTap(wired, Direction.S2C), session);
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
        wired.endpoints(Addresses.hostPort(ch.localAddress()),
                opts.proxy != null ? host + ":" + port : Addresses.hostPort(ch.remoteAddress()));
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
