package dev.wsdebug.net;

import dev.wsdebug.capture.ErrorEvent;
import dev.wsdebug.capture.EventSink;
import dev.wsdebug.capture.MicroClock;
import dev.wsdebug.net.limits.ConnectionGate;
import dev.wsdebug.wire.RetainBudget;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.GlobalEventExecutor;

import javax.net.ssl.SSLException;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * {@code wsdebug proxy}: an intercepting WebSocket proxy. Reverse mode sends every client to one
 * upstream; forward mode is an HTTP proxy (absolute-form requests and CONNECT tunnels, with TLS
 * interception when a local CA is configured). Bytes are relayed as they arrive; each WebSocket
 * connection is decoded by its own {@link dev.wsdebug.capture.Conversation}.
 *
 * <p>Bounded: at most {@link ProxyOptions#maxConnections} client connections (more get 503), one
 * {@link RetainBudget} for the decoded messages of all of them, backpressure both ways.
 */
public final class WsProxy implements AutoCloseable {
    private final ProxyOptions opts;
    private final EventSink sink;
    private final Consumer<HttpExchange> httpLog;
    private final AtomicLong connections = new AtomicLong();
    private final RetainBudget budget;
    private final ConnectionGate gate;
    /** Every open channel, client and upstream sides, to add up what they hold. */
    private final ChannelGroup open = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
    private EventLoopGroup boss;
    private EventLoopGroup workers;
    private Channel listener;

    /**
     * @param sink    thread-safe: connections run on several threads
     * @param httpLog plain HTTP requests passed through in forward mode
     */
    public WsProxy(ProxyOptions opts, EventSink sink, Consumer<HttpExchange> httpLog) {
        this.opts = opts;
        this.sink = sink;
        this.httpLog = httpLog;
        this.budget = opts.memoryBudget > 0 ? new RetainBudget(opts.memoryBudget) : RetainBudget.ofHeap(0.25);
        this.gate = new ConnectionGate(opts.maxConnections, "--max-connections");
    }

    public InetSocketAddress start() throws SSLException, InterruptedException {
        SslContext upstreamTls = Tls.client(opts.upstreamCa, null, null, opts.upstreamInsecure);
        boss = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        workers = new MultiThreadIoEventLoopGroup(NioIoHandler.newFactory());
        ServerBootstrap b = new ServerBootstrap().group(boss, workers).channel(NioServerSocketChannel.class)
                .option(ChannelOption.SO_BACKLOG, 1024)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        if (!gate.admit(ch, "wsdebug proxy", s -> sink.accept(new ErrorEvent(null, MicroClock.now(), "limit", s)))) {
                            return;
                        }
                        open.add(ch);
                        String id = Long.toString(connections.incrementAndGet());
                        if (opts.idleTimeoutMillis > 0) {
                            ch.pipeline().addLast(new IdleStateHandler(0, 0, opts.idleTimeoutMillis, TimeUnit.MILLISECONDS));
                        }
                        ch.pipeline().addLast(new ProxyConnection(id, opts, sink, httpLog, upstreamTls, budget, open::add));
                    }
                });
        listener = b.bind(opts.host, opts.port).sync().channel();
        return (InetSocketAddress) listener.localAddress();
    }

    public long connections() {
        return connections.get();
    }

    /** Client connections open now. */
    public int openConnections() {
        return gate.open();
    }

    /** Client connections refused with 503 for being over the limit. */
    public long refusedConnections() {
        return gate.refused();
    }

    /** Bytes of decoded messages held by all connections now. */
    public long heldMessageBytes() {
        return budget.held();
    }

    /** The budget's bound on {@link #heldMessageBytes()}. */
    public long memoryBudget() {
        return budget.limit();
    }

    /** The most bytes written to one channel and not yet taken by its socket. */
    public long largestPendingWrite() {
        return PendingWrites.largest(open);
    }

    /** Bytes written towards clients and upstreams and not yet taken by their sockets. */
    public long pendingWriteBytes() {
        return PendingWrites.of(open);
    }

    /** Channels (either side) not read from because the other side does not take what it is sent. */
    public int pausedChannels() {
        return PendingWrites.paused(open);
    }

    public void awaitClose() throws InterruptedException {
        listener.closeFuture().sync();
    }

    @Override
    public void close() {
        if (listener != null) {
            // bounded waits: a shutdown hook must never hang the JVM's exit
            listener.close().awaitUninterruptibly(5_000);
        }
        if (workers != null) {
            workers.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5_000);
        }
        if (boss != null) {
            boss.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5_000);
        }
    }
}
