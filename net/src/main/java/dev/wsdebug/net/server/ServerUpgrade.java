package dev.wsdebug.net.server;

import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;

/**
 * The transport of a server's opening handshake, one strategy per HTTP version (as Jetty's
 * websocket-core swaps its upgrade class): how the request arrives, which rules it must meet, how
 * the answer is written and how a connection is dropped. What follows the handshake, the WebSocket
 * phase of {@link ServerConnection}, is the same on both.
 */
interface ServerUpgrade {
    /**
     * Takes what arrived before the answer.
     *
     * @return the answer once the request is complete, else null
     */
    ServerHandshake read(Object msg, ServerOptions opts);

    /** How much of the request has arrived (for the timeout's notice). */
    int received();

    /** Writes the answer; a refusal ends the request with it. */
    ChannelFuture write(ChannelHandlerContext ctx, ServerHandshake answer);

    /** Drops the connection at once, without a close frame: the client sees 1006. */
    void abort(ChannelHandlerContext ctx);

    /** Why the request cannot be answered at all (not HTTP), to be said before hanging up; else null. */
    default String hangUp() {
        return null;
    }
}
