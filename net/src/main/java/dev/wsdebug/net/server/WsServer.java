package dev.wsdebug.net.server;

import dev.wsdebug.capture.Conversation;
import dev.wsdebug.capture.ErrorEvent;
import dev.wsdebug.capture.EventSink;
import dev.wsdebug.capture.MicroClock;
import dev.wsdebug.net.Listener;
import dev.wsdebug.net.Addresses;
import dev.wsdebug.net.WireTap;
import dev.wsdebug.net.h2.H2Codecs;
import dev.wsdebug.net.h2.H2StreamAdapter;
import dev.wsdebug.net.h2.PrefaceSniffer;
import dev.wsdebug.net.limits.Load;
import dev.wsdebug.net.limits.StreamSlots;
import dev.wsdebug.net.tls.Tls;
import dev.wsdebug.wire.DecodeLimits;
import dev.wsdebug.wire.Direction;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.ApplicationProtocolNegotiationHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.timeout.IdleStateHandler;

import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLException;

/**
 * {@code wsdebug serve}: an echo server whose every connection goes through the one
 * {@link Conversation} pipeline, with knobs to misbehave on purpose.
 *
 * <p>Bounded ({@link ServerOptions#limits}): a connection limit (more get 503), one memory budget
 * for the messages all of them hold, and per connection nothing sized by the
 * largest thing it ever saw, so an idle WebSocket costs a few kilobytes.
 */
public final class WsServer implements AutoCloseable {
    private final ServerOptions opts;
    private final EventSink sink;
    private final AtomicLong connections = new AtomicLong();
    private final Load load;
    private final Listener listener = new Listener();
    private Tls.Identity identity;

    /**
     * @param sink receives every connection's events; called from several threads, so it must
     *             be thread-safe (see {@link dev.wsdebug.capture.SynchronizedSink})
     */
    public WsServer(ServerOptions opts, EventSink sink) {
        this.opts = opts;
        this.sink = sink;
        this.load = new Load(opts.limits);
    }

    /**
     * Binds and starts accepting.
     *
     * @return the address actually bound (port 0 picks a free one)
     * @throws SSLException when the TLS certificate or key cannot be used
     * @throws java.net.BindException (sneakily, from Netty) when the port is taken
     */
    public InetSocketAddress start() throws SSLException, InterruptedException {
        SslContext ssl = null;
        if (opts.tls) {
            if (opts.cert == null) {
                identity = Tls.selfSigned();
            }
            ssl = Tls.server(opts.cert, opts.key, identity, opts.http2);
        }
        SslContext sslContext = ssl;
        return listener.bind(opts.host, opts.port, new ChannelInitializer<SocketChannel>() {
            @Override
            protected void initChannel(SocketChannel ch) {
                if (!load.admit(ch, "wsdebug serve", s -> sink.accept(new ErrorEvent(null, MicroClock.now(), "limit", s)))) {
                    return;
                }
                if (sslContext != null) {
                    ch.pipeline().addLast(sslContext.newHandler(ch.alloc()));
                }
                if (!opts.http2) {
                    http1(ch);
                } else if (sslContext != null) {
                    ch.pipeline().addLast(new ApplicationProtocolNegotiationHandler(ApplicationProtocolNames.HTTP_1_1) {
                        @Override
                        protected void configurePipeline(ChannelHandlerContext ctx, String protocol) {
                            if (ApplicationProtocolNames.HTTP_2.equals(protocol)) {
                                h2(ch);
                            } else {
                                http1(ch);
                            }
                        }
                    });
                } else {
                    ch.pipeline().addLast(new PrefaceSniffer(opts.limits.handshakeTimeoutMillis,
                            h2 -> {
                                if (h2) {
                                    h2(ch);
                                } else {
                                    http1(ch);
                                }
                            }));
                }
            }
        });
    }

    /** One WebSocket per connection, opened by an HTTP/1.1 upgrade. */
    private void http1(Channel ch) {
        String id = Long.toString(connections.incrementAndGet());
        ServerConnection endpoint = new ServerConnection(opts, id, sink, load.budget(), new Http1Upgrade());
        if (opts.limits.idleTimeoutMillis > 0) {
            ch.pipeline().addLast(new IdleStateHandler(0, 0, opts.limits.idleTimeoutMillis, TimeUnit.MILLISECONDS));
        }
        ch.pipeline().addLast(new WireTap(conversation(id, endpoint, ch), Direction.C2S), endpoint);
    }

    /**
     * An HTTP/2 connection: each stream the client opens is a WebSocket of its own (its own id and
     * conversation), opened by an extended CONNECT and carried by the stream's DATA.
     */
    private void h2(Channel ch) {
        boolean enabled = !opts.noConnectProtocol;
        StreamSlots slots = load.streamSlots();
        ch.pipeline().addLast(H2Codecs.server(enabled),
                new Http2MultiplexHandler(new ChannelInitializer<Http2StreamChannel>() {
                    @Override
                    protected void initChannel(Http2StreamChannel stream) {
                        if (!slots.admit(stream, "wsdebug serve", s -> sink.accept(new ErrorEvent(null, MicroClock.now(), "limit", s)))) {
                            return;
                        }
                        String id = Long.toString(connections.incrementAndGet());
                        ServerConnection endpoint = new ServerConnection(opts, id, sink, load.budget(), new Http2Upgrade(enabled));
                        WireTap tap = new WireTap(conversation(id, endpoint, ch), Direction.C2S);
                        stream.pipeline().addLast(new H2StreamAdapter(tap, Direction.C2S, enabled));
                        if (opts.limits.idleTimeoutMillis > 0) {
                            stream.pipeline().addLast(new IdleStateHandler(0, 0, opts.limits.idleTimeoutMillis, TimeUnit.MILLISECONDS));
                        }
                        stream.pipeline().addLast(tap, endpoint);
                    }
                }));
        H2Codecs.widenConnectionWindow(ch);
    }

    private Conversation conversation(String id, ServerConnection endpoint, Channel ch) {
        return new Conversation(id, EventSink.all(sink, endpoint))
                .limits(DecodeLimits.retaining(opts.maxMessage).withMaxMessage(opts.maxMessage).withBudget(load.budget()),
                        // its own echoes are decoded for the view only
                        DecodeLimits.retaining(Math.min(opts.maxMessage, Conversation.DEFAULT_RETAIN)).withBudget(load.budget()))
                .scheme(opts.tls ? "wss" : "ws")
                .endpoints(Addresses.hostPort(ch.remoteAddress()), Addresses.hostPort(ch.localAddress()));
    }

    /** The self-signed identity generated for --tls without --cert, or null. */
    public Tls.Identity identity() {
        return identity;
    }

    /** Connections accepted so far (refused ones not counted). */
    public long connections() {
        return connections.get();
    }

    /** Connections open and refused, memory held, bytes waiting for slow clients. */
    public Load load() {
        return load;
    }

    /** Blocks until the listener closes. */
    public void awaitClose() throws InterruptedException {
        listener.awaitClose();
    }

    @Override
    public void close() {
        listener.close();
    }
}
