package dev.wsdebug.net.proxy;

import dev.wsdebug.capture.ErrorEvent;
import dev.wsdebug.capture.EventSink;
import dev.wsdebug.capture.MicroClock;
import dev.wsdebug.net.Listener;
import dev.wsdebug.net.limits.Load;
import dev.wsdebug.net.tls.Tls;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.timeout.IdleStateHandler;

import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLException;

/**
 * {@code wsdebug proxy}: an intercepting WebSocket proxy. Reverse mode sends every client to one
 * upstream; forward mode is an HTTP proxy (absolute-form requests and CONNECT tunnels, with TLS
 * interception when a local CA is configured). Bytes are relayed as they arrive; each WebSocket
 * connection is decoded by its own {@link dev.wsdebug.capture.Conversation}.
 *
 * <p>Bounded ({@link ProxyOptions#limits}): a limit on client connections (more get 503), one
 * memory budget for the decoded messages of all of them, backpressure both ways.
 */
public final class WsProxy implements AutoCloseable {
    private final ProxyOptions opts;
    private final EventSink sink;
    private final AtomicLong connections = new AtomicLong();
    private final Load load;
    private final Listener listener = new Listener();

    /**
     * @param sink thread-safe: connections run on several threads. It gets every connection's events,
     *             and an {@link dev.wsdebug.capture.HttpEvent} for each plain HTTP request passed
     *             through and each CONNECT tunnel relayed untouched, when its connection ends
     */
    public WsProxy(ProxyOptions opts, EventSink sink) {
        this.opts = opts;
        this.sink = sink;
        this.load = new Load(opts.limits);
    }

    public InetSocketAddress start() throws SSLException, InterruptedException {
        SslContext upstreamTls = Tls.client(opts.upstreamCa, null, null, opts.upstreamInsecure);
        SslContext upstreamTlsH2 = Tls.client(opts.upstreamCa, null, null, opts.upstreamInsecure, true);
        ProxyConnection.Shared shared = new ProxyConnection.Shared(opts, sink, upstreamTls, upstreamTlsH2, load.budget(),
                load::track, () -> Long.toString(connections.incrementAndGet()), opts.injectable ? open : null, load);
        return listener.bind(opts.host, opts.port, new ChannelInitializer<SocketChannel>() {
            @Override
            protected void initChannel(SocketChannel ch) {
                if (!load.admit(ch, "wsdebug proxy", s -> sink.accept(new ErrorEvent(null, MicroClock.now(), "limit", s)))) {
                    return;
                }
                String id = shared.ids().get();
                if (opts.limits.idleTimeoutMillis > 0) {
                    ch.pipeline().addLast(new IdleStateHandler(0, 0, opts.limits.idleTimeoutMillis, TimeUnit.MILLISECONDS));
                }
                ProxyConnection pc = new ProxyConnection(id, shared);
                if (opts.injectable) {
                    open.put(id, pc);
                    ch.closeFuture().addListener(f -> open.remove(id));
                }
                ch.pipeline().addLast(pc);
            }
        });
    }

    /** Open connections by id, kept only with {@link ProxyOptions#injectable}. */
    private final java.util.Map<String, ProxyConnection> open = new java.util.concurrent.ConcurrentHashMap<>();

    /**
     * Sends a message, ping or pong that no peer sent into a live connection (needs
     * {@link ProxyOptions#injectable}); it is recorded after an {@code inject} error event.
     *
     * @param toward {@link dev.wsdebug.wire.Direction#C2S}: to the server; S2C: to the client
     * @return null when sent, else why not (one sentence)
     */
    public String inject(String conn, dev.wsdebug.wire.Direction toward, int opcode, byte[] payload) {
        ProxyConnection pc = open.get(conn);
        if (pc == null) {
            return opts.injectable ? "Connection " + conn + " is not open." : "This proxy was not started for injection (--ui).";
        }
        try {
            return pc.inject(toward, opcode, payload).get(5, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            return "Connection " + conn + " did not take the message in time.";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "Interrupted.";
        }
    }

    /** Whether {@link #inject} can reach this connection now. */
    public boolean injectable(String conn) {
        ProxyConnection pc = open.get(conn);
        return pc != null && pc.injectable();
    }

    public long connections() {
        return connections.get();
    }

    /** Client connections open and refused, memory held, bytes waiting for slow peers. */
    public Load load() {
        return load;
    }

    public void awaitClose() throws InterruptedException {
        listener.awaitClose();
    }

    @Override
    public void close() {
        listener.close();
    }
}
