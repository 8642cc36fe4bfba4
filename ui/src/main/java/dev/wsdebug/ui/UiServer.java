package dev.wsdebug.ui;

import dev.wsdebug.capture.EventSink;
import dev.wsdebug.sniff.DecodeOptions;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.stream.ChunkedWriteHandler;

import java.net.InetSocketAddress;
import java.net.URI;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * The UI's HTTP server: the app, the JSON API over the open captures, and the live feed. Binds
 * 127.0.0.1 unless told otherwise; every request needs the run's token (see {@link Guard}).
 */
public final class UiServer implements AutoCloseable {
    private final EventLoopGroup group;
    private final ExecutorService workers;
    private final Channel listener;
    private final Guard guard;
    private final Captures captures;
    private final LiveFeed live;
    private final Sessions sessions;
    private final String host;
    private final int port;

    private UiServer(UiOptions o, Supplier<DecodeOptions> decode) throws InterruptedException {
        guard = new Guard(o.token);
        captures = new Captures(decode, o.decode, o.protoSchema);
        live = new LiveFeed(captures);
        sessions = new Sessions(captures, live);
        Api api = new Api(captures, sessions);
        StaticFiles files = new StaticFiles();
        AtomicInteger n = new AtomicInteger();
        workers = Executors.newFixedThreadPool(4, r -> {
            Thread t = new Thread(r, "ui-api-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        try {
            ServerBootstrap b = new ServerBootstrap()
                    .group(group)
                    .channel(NioServerSocketChannel.class)
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            ch.pipeline().addLast(new HttpServerCodec(8192, 16384, 65536));
                            ch.pipeline().addLast(new ChunkedWriteHandler());
                            ch.pipeline().addLast(new HttpHandler(guard, files, api, live, workers));
                        }
                    });
            listener = b.bind(o.host, o.port).sync().channel();
        } catch (Exception e) { // Netty rethrows the bind's IOException unchecked
            group.shutdownGracefully();
            workers.shutdownNow();
            live.close();
            if (e instanceof InterruptedException ie) {
                throw ie;
            }
            Throwable c = e;
            while (c.getCause() != null) {
                c = c.getCause();
            }
            throw new IllegalArgumentException("Cannot listen on " + o.host + ":" + o.port + " for the UI: "
                    + (c.getMessage() == null ? c.toString() : c.getMessage()) + ".");
        }
        host = o.host;
        port = ((InetSocketAddress) listener.localAddress()).getPort();
        guard.listener(host, port);
    }

    /**
     * Starts listening.
     *
     * @throws IllegalArgumentException with one sentence when the address cannot be bound
     */
    public static UiServer start(UiOptions o) {
        return start(o, DecodeOptions::new);
    }

    /** Starts listening; files opened later are decoded with {@code decode} (e.g. a key log). */
    public static UiServer start(UiOptions o, Supplier<DecodeOptions> decode) {
        try {
            return new UiServer(o, decode);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while starting the UI.");
        }
    }

    public Captures captures() {
        return captures;
    }

    public int port() {
        return port;
    }

    public String token() {
        return guard.token();
    }

    /** The address to open, with the token. */
    public URI url() {
        String h = host.equals("0.0.0.0") || host.equals("::") ? "127.0.0.1" : host.contains(":") ? "[" + host + "]" : host;
        return URI.create("http://" + h + ":" + port + "/?token=" + guard.token());
    }

    /** Tells open pages that a live capture has new rows for a connection. */
    public void changed(OpenCapture capture, String conn, long rows) {
        live.changed(capture.id(), conn, rows);
    }

    /**
     * A sink for a live source's events, beside its store: it counts each connection's rows (its
     * messages and control frames) and tells open pages which changed.
     */
    public EventSink notifier(OpenCapture capture) {
        return live.notifier(capture.id());
    }

    @Override
    public void close() {
        live.close();
        listener.close().awaitUninterruptibly();
        group.shutdownGracefully(0, 2, java.util.concurrent.TimeUnit.SECONDS).awaitUninterruptibly();
        workers.shutdownNow();
        sessions.close();
        captures.close();
    }
}
