package dev.wsdebug.net;

import dev.wsdebug.capture.Conversation;
import dev.wsdebug.capture.MicroClock;
import dev.wsdebug.wire.Direction;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;

import java.util.ArrayDeque;
import java.util.function.Consumer;

/**
 * Sits just above TLS (or the socket) and hands a copy of every byte read and written to the
 * connection's {@link Conversation}, so what wsdebug shows is exactly what crossed the wire.
 *
 * <p>An endpoint reacts to the conversation's events by writing, which comes back here while a
 * feed is still running; such bytes are queued and fed right after, so the conversation is never
 * entered twice. Written bytes are passed on before they are fed, so that what an endpoint writes
 * in reaction to them follows them on the wire. The queue holds a retained view of the written
 * buffer rather than a copy (an echo server queues every reply this way); written bytes are never
 * changed in place, so the view shows exactly the bytes that were written.
 */
public final class WireTap extends ChannelDuplexHandler {
    private final Conversation conversation;
    private final Direction inbound;
    private final ArrayDeque<Pending> pending = new ArrayDeque<>();
    private final ByteBufFeeder feeder = new ByteBufFeeder();
    private boolean feeding;
    private boolean ended;

    /**
     * @param inbound direction of the bytes this side reads: S2C for a client, C2S for a server
     */
    public WireTap(Conversation conversation, Direction inbound) {
        this.conversation = conversation;
        this.inbound = inbound;
    }

    public Conversation conversation() {
        return conversation;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof ByteBuf b) {
            feed(inbound, b);
        }
        ctx.fireChannelRead(msg);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (!(msg instanceof ByteBuf b) || !b.isReadable()) {
            ctx.write(msg, promise);
            return;
        }
        // The bytes go on first and are fed after: feeding them can make the endpoint write more
        // (the server's 101 lets the conversation decode frames that came with the request, and
        // their echoes), and those writes must follow these bytes on the wire, not overtake them.
        ByteBuf copy = b.retainedDuplicate();
        try {
            ctx.write(msg, promise);
            feed(inbound.opposite(), copy);
        } finally {
            copy.release();
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        end();
        ctx.fireChannelInactive();
    }

    /** Ends the conversation (idempotent): the connection is gone. */
    public void end() {
        if (!ended && !feeding) {
            ended = true;
            Pending p;
            while ((p = pending.poll()) != null) {
                p.release();
            }
            conversation.end(MicroClock.now());
        }
    }

    /**
     * A step of an HTTP/2 handshake (the header blocks of an extended CONNECT, a stream reset), which
     * reaches the conversation as a call rather than bytes: it takes its turn with the bytes, under the
     * same rule that the conversation is never entered twice.
     */
    public void h2(Consumer<Conversation> step) {
        if (ended) {
            return;
        }
        if (feeding) {
            pending.add(new Pending(null, null, step));
            return;
        }
        feeding = true;
        try {
            step.accept(conversation);
            drain();
        } finally {
            feeding = false;
        }
    }

    /** Bytes written (or an HTTP/2 handshake step taken) during a feed, waiting for it to finish. */
    private record Pending(Direction dir, ByteBuf bytes, Consumer<Conversation> step) {
        void release() {
            if (bytes != null) {
                bytes.release();
            }
        }
    }

    private void feed(Direction dir, ByteBuf b) {
        int n = b.readableBytes();
        if (n == 0 || ended) {
            return;
        }
        if (feeding) {
            // a view with its own indices: the write below this handler may move b's reader index
            pending.add(new Pending(dir, b.retainedDuplicate(), null));
            return;
        }
        feeding = true;
        try {
            feedNow(dir, MicroClock.now(), b);
            drain();
        } finally {
            feeding = false;
        }
    }

    private void drain() {
        Pending next;
        while ((next = pending.poll()) != null) {
            try {
                if (next.step != null) {
                    next.step.accept(conversation);
                } else {
                    feedNow(next.dir, MicroClock.now(), next.bytes);
                }
            } finally {
                next.release();
            }
        }
    }

    /** Feeds the readable bytes of b, straight from its arrays where it has them (one time t for all). */
    private void feedNow(Direction dir, long t, ByteBuf b) {
        feeder.feed(conversation, dir, t, b);
    }

}
