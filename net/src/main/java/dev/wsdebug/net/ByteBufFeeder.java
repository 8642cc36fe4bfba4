package dev.wsdebug.net;

import dev.wsdebug.capture.Conversation;
import dev.wsdebug.wire.Direction;
import io.netty.buffer.ByteBuf;

import java.nio.ByteBuffer;

/**
 * Hands a Netty buffer's readable bytes to a {@link Conversation} without moving its reader index
 * and without a fresh copy: array-backed buffers (and each array of a composite) are fed in place,
 * direct ones through one reused scratch array. One per connection, used from its event loop.
 */
final class ByteBufFeeder {
    private byte[] scratch = new byte[16 * 1024];

    void feed(Conversation conversation, Direction dir, long timeMicros, ByteBuf b) {
        int n = b.readableBytes();
        if (n == 0) {
            return;
        }
        if (b.hasArray()) {
            conversation.feed(dir, timeMicros, b.array(), b.arrayOffset() + b.readerIndex(), n);
        } else if (b.nioBufferCount() > 1) {
            // e.g. a frame header and its payload, each in its own array; the parsers take any chunking
            for (ByteBuffer part : b.nioBuffers()) {
                if (part.hasArray()) {
                    conversation.feed(dir, timeMicros, part.array(), part.arrayOffset() + part.position(), part.remaining());
                } else {
                    int len = part.remaining();
                    ensureScratch(len);
                    part.get(scratch, 0, len);
                    conversation.feed(dir, timeMicros, scratch, 0, len);
                }
            }
        } else {
            ensureScratch(n);
            b.getBytes(b.readerIndex(), scratch, 0, n);
            conversation.feed(dir, timeMicros, scratch, 0, n);
        }
    }

    private void ensureScratch(int n) {
        if (scratch.length < n) {
            scratch = new byte[Math.max(n, scratch.length * 2)];
        }
    }
}
