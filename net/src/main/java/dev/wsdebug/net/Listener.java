package dev.wsdebug.net;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;

import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

/**
 * A listening socket with its event loops, as {@code serve} and the proxy each run one: a thread
 * that accepts, worker loops for the connections, TCP_NODELAY on each (WebSocket frames are small
 * and latency is what a debugger shows), and a shutdown whose waits are bounded, since it runs in
 * a shutdown hook that must never hang the JVM's exit.
 */
public final class Listener implements AutoCloseable {
    private EventLoopGroup boss;
    private EventLoopGroup workers;
    private Channel channel;

    /**
     * Binds and starts accepting; {@code init} sets up each new connection.
     *
     * @return the address actually bound (port 0 picks a free one)
     * @throws java.net.BindException (sneakily, from Netty) when the port is taken
     */
    public InetSocketAddress bind(String host, int port, ChannelInitializer<SocketChannel> init) throws InterruptedException {
        boss = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        workers = new MultiThreadIoEventLoopGroup(NioIoHandler.newFactory());
        ServerBootstrap b = new ServerBootstrap()
                .group(boss, workers)
                .channel(NioServerSocketChannel.class)
                .option(ChannelOption.SO_BACKLOG, 1024)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(init);
        channel = b.bind(host, port).sync().channel();
        return (InetSocketAddress) channel.localAddress();
    }

    /** Blocks until the listening socket closes. */
    public void awaitClose() throws InterruptedException {
        channel.closeFuture().sync();
    }

    @Override
    public void close() {
        if (channel != null) {
            channel.close().awaitUninterruptibly(5_000);
        }
        if (workers != null) {
            workers.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5_000);
        }
        if (boss != null) {
            boss.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5_000);
        }
    }
}
