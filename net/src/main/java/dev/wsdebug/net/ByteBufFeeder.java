package dev.wsdebug.net;

import dev.wsdebug.capture.Conversation;
import dev.wsdebug.wire.Direction;
import io.netty.buffer.ByteBuf;

import java.nio.ByteBuffer;

/**
 * Hands a Netty buffer's readable bytes to a {@link Conversation} without moving its reader index
 * and without a fresh copy: array-backed buffers (and each array of a composite) are fed in place,
 * direct ones through a scratch array.
 *
 * <p>The scratch array belongs to the thread (an event loop serves thousands of connections, and
 * one array per connection would cost each of them 16 KiB while idle). A conversation only uses
 * the fed array during the call; a feed that starts while another is using the thread's array (a
 * sink that feeds a second conversation) gets an array of its own.
 */
public final class ByteBufFeeder {
    private static final int SCRATCH = 16 * 1024;
    private static final ThreadLocal<Scratch> SCRATCHES = ThreadLocal.withInitial(Scratch::new);

    /** One thread's scratch array and whether a feed is using it. */
    private static final class Scratch {
        byte[] bytes = new byte[SCRATCH];
        boolean inUse;
    }

    public void feed(Conversation conversation, Direction dir, long timeMicros, ByteBuf b) {
        int n = b.readableBytes();
        if (n == 0) {
            return;
        }
        if (b.hasArray()) {
            conversation.feed(dir, timeMicros, b.array(), b.arrayOffset() + b.readerIndex(), n);
            return;
        }
        Scratch s = SCRATCHES.get();
        boolean mine = !s.inUse;
        if (mine && s.bytes.length < n) {
            s.bytes = new byte[n]; // a read is fed in one piece, as it arrived (the capture keeps read boundaries)
        }
        byte[] scratch = mine ? s.bytes : new byte[n];
        s.inUse = true;
        try {
            if (b.nioBufferCount() > 1) {
                // e.g. a frame header and its payload, each in its own array; the parsers take any chunking
                for (ByteBuffer part : b.nioBuffers()) {
                    if (part.hasArray()) {
                        conversation.feed(dir, timeMicros, part.array(), part.arrayOffset() + part.position(), part.remaining());
                    } else {
                        scratch = feedDirect(conversation, dir, timeMicros, part, scratch);
                    }
                }
            } else {
                scratch = feedDirect(conversation, dir, timeMicros, b.nioBuffer(), scratch);
            }
        } finally {
            if (mine) {
                s.inUse = false;
            }
        }
    }

    /** Copies a direct buffer through the scratch array (in pieces only if it is larger). */
    private static byte[] feedDirect(Conversation c, Direction dir, long t, ByteBuffer part, byte[] scratch) {
        while (part.hasRemaining()) {
            int len = Math.min(part.remaining(), scratch.length);
            part.get(scratch, 0, len);
            c.feed(dir, t, scratch, 0, len);
        }
        return scratch;
    }
}
