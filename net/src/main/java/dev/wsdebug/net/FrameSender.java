package dev.wsdebug.net;

import dev.wsdebug.wire.DeflateParams;
import dev.wsdebug.wire.Direction;
import dev.wsdebug.wire.FrameSpec;
import dev.wsdebug.wire.FrameWriter;
import dev.wsdebug.wire.MessageDeflater;
import dev.wsdebug.wire.Opcode;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Puts messages and control frames on a channel as one endpoint: masked when it is the client,
 * compressed when permessage-deflate was negotiated and our compressor can honour the window the
 * peer asked for (otherwise uncompressed, which RSV1=0 always allows), fragmented on request.
 */
public final class FrameSender {
    /**
     * Unmasked payloads of at least this many bytes are written as they are, after a separate
     * header, instead of being copied into one array with it; below this the copy is cheaper.
     */
    static final int WRAP_PAYLOAD_FROM = 512;

    private final Channel channel;
    private final boolean mask;
    private final FrameWriter writer = new FrameWriter();
    private MessageDeflater deflater;
    private int fragmentSize;
    private boolean closeSent;

    /**
     * @param direction the direction this endpoint sends in: C2S for a client, S2C for a server
     */
    public FrameSender(Channel channel, Direction direction) {
        this.channel = channel;
        this.mask = direction == Direction.C2S;
    }

    /** Turns on compression for what this endpoint sends, as negotiated. */
    public void deflate(DeflateParams params, Direction direction) {
        if (params != null && MessageDeflater.supportsWindowBits(params.windowBits(direction))) {
            deflater = new MessageDeflater(params.noContextTakeover(direction));
        }
    }

    public boolean compressing() {
        return deflater != null;
    }

    /** Splits every message into frames of at most this many payload bytes (0: one frame). */
    public void fragmentSize(int bytes) {
        this.fragmentSize = bytes;
    }

    public boolean closeSent() {
        return closeSent;
    }

    public ChannelFuture text(String text) {
        return message(Opcode.TEXT, text.getBytes(StandardCharsets.UTF_8));
    }

    public ChannelFuture binary(byte[] data) {
        return message(Opcode.BINARY, data);
    }

    /** A whole data message, compressed and fragmented as configured. */
    public ChannelFuture message(int opcode, byte[] payload) {
        return message(opcode, payload, true);
    }

    /**
     * A whole data message, compressed and fragmented as configured; with {@code flush} false it is
     * only queued on the channel, and goes out with the next flush (any flushing write flushes it too).
     */
    public ChannelFuture message(int opcode, byte[] payload, boolean flush) {
        boolean compressed = deflater != null;
        byte[] body = compressed ? deflater.deflate(payload) : payload;
        if (fragmentSize <= 0 || body.length <= fragmentSize) {
            return frame(new FrameSpec(true, compressed, false, false, opcode, null, 0, body), flush);
        }
        ChannelFuture last = null;
        for (int off = 0; off < body.length; off += fragmentSize) {
            int end = Math.min(body.length, off + fragmentSize);
            boolean first = off == 0;
            last = frame(new FrameSpec(end == body.length, first && compressed, false, false,
                    first ? opcode : Opcode.CONTINUATION, null, 0, Arrays.copyOfRange(body, off, end)), flush);
        }
        return last;
    }

    public ChannelFuture ping(byte[] payload) {
        return frame(FrameSpec.of(Opcode.PING, payload));
    }

    public ChannelFuture pong(byte[] payload) {
        return frame(FrameSpec.of(Opcode.PONG, payload));
    }

    /**
     * A close frame; code -1 sends one without a status code.
     */
    public ChannelFuture close(int code, String reason) {
        closeSent = true;
        byte[] payload = code < 0 ? new byte[0] : FrameWriter.closePayload(code, reason);
        return frame(FrameSpec.of(Opcode.CLOSE, payload));
    }

    /**
     * Any frame as specified; the mask key is chosen here for a client. An unmasked frame with a
     * large payload and the shortest length encoding goes out as its header followed by the payload
     * array itself, not a copy (the same bytes as {@link FrameWriter#encode}): the caller must not
     * change the array afterwards.
     */
    public ChannelFuture frame(FrameSpec spec) {
        return frame(spec, true);
    }

    private ChannelFuture frame(FrameSpec spec, boolean flush) {
        FrameSpec s = mask && spec.maskKey() == null ? spec.withMask(writer.randomMaskKey()) : spec;
        ByteBuf bytes = s.maskKey() == null && s.lengthEncoding() == 0 && s.payload().length >= WRAP_PAYLOAD_FROM
                ? Unpooled.wrappedBuffer(unmaskedHeader(s), s.payload())
                : Unpooled.wrappedBuffer(writer.encode(s));
        return flush ? channel.writeAndFlush(bytes) : channel.write(bytes);
    }

    /** The header {@link FrameWriter} writes for an unmasked frame with the shortest length encoding. */
    static byte[] unmaskedHeader(FrameSpec s) {
        int len = s.payload().length;
        int enc = FrameWriter.shortestEncoding(len);
        byte[] h = new byte[FrameWriter.headerLength(len, enc, false)];
        h[0] = (byte) ((s.fin() ? 0x80 : 0) | (s.rsv1() ? 0x40 : 0) | (s.rsv2() ? 0x20 : 0) | (s.rsv3() ? 0x10 : 0)
                | s.opcode());
        if (enc == 7) {
            h[1] = (byte) len;
        } else if (enc == 16) {
            h[1] = 126;
            h[2] = (byte) (len >>> 8);
            h[3] = (byte) len;
        } else {
            h[1] = 127;
            for (int k = 0; k < 8; k++) {
                h[2 + k] = (byte) ((long) len >>> (56 - 8 * k));
            }
        }
        return h;
    }

    /** Bytes exactly as given (a handshake, or deliberately broken input). */
    public ChannelFuture raw(byte[] bytes) {
        return channel.writeAndFlush(Unpooled.wrappedBuffer(bytes));
    }
}
