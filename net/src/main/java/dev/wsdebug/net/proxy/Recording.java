package dev.wsdebug.net.proxy;

import dev.wsdebug.capture.Conversation;
import dev.wsdebug.net.ByteBufFeeder;
import dev.wsdebug.wire.Direction;
import dev.wsdebug.wire.HttpHeadParser;
import io.netty.buffer.ByteBuf;

/**
 * What a proxied WebSocket's {@link Conversation} is fed: the upstream side of the relay, as the
 * upstream sent and received it. The relay itself always speaks HTTP/1.1 heads (a side on HTTP/2
 * translates at its edge, see {@link H2UpstreamSide}); when the upstream side is an HTTP/2 stream,
 * its real header blocks reach the conversation from that stream, and the translated HTTP/1.1
 * head of each direction is left out here, so the capture shows what crossed the wire.
 */
final class Recording {
    private final Conversation conversation;
    private final ByteBufFeeder feeder = new ByteBufFeeder();
    /** Non-null while the translated head of that direction is being skipped. */
    private HttpHeadParser skipC2S;
    private HttpHeadParser skipS2C;

    Recording(Conversation conversation) {
        this.conversation = conversation;
    }

    Conversation conversation() {
        return conversation;
    }

    /** The upstream side is an HTTP/2 stream: its handshake comes as header blocks, not these heads. */
    void skipTranslatedHeads() {
        skipC2S = new HttpHeadParser();
        skipS2C = new HttpHeadParser();
    }

    void feed(Direction dir, long micros, ByteBuf b) {
        if (conversation.ended()) {
            return; // the upstream side has ended (an HTTP/2 stream it reset): what the relay still moves never crosses it
        }
        if (skipping(dir) == null) {
            feeder.feed(conversation, dir, micros, b);
            return;
        }
        byte[] bytes = new byte[b.readableBytes()];
        b.getBytes(b.readerIndex(), bytes);
        feed(dir, micros, bytes, 0, bytes.length);
    }

    void feed(Direction dir, long micros, byte[] b, int off, int len) {
        if (conversation.ended()) {
            return;
        }
        HttpHeadParser skip = skipping(dir);
        if (skip != null) {
            int used = skip.feed(b, off, len);
            if (!skip.isDone()) {
                return;
            }
            if (dir == Direction.C2S) {
                skipC2S = null;
            } else {
                skipS2C = null;
            }
            off += used;
            len -= used;
        }
        if (len > 0) {
            conversation.feed(dir, micros, b, off, len);
        }
    }

    private HttpHeadParser skipping(Direction dir) {
        return dir == Direction.C2S ? skipC2S : skipS2C;
    }
}
