package dev.wsdebug.sniff.http2;

import dev.wsdebug.wire.HttpHead;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http2.DefaultHttp2HeadersDecoder;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2Headers;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The HPACK state (RFC 7541) of one direction of one connection: Netty's decoder, fed every field
 * block in order, since each may change the dynamic table the next ones refer to. A block that
 * fails to decode leaves the table in an unknown state (its later insertions were not made), so
 * from then on this direction's blocks are not decoded at all rather than decoded wrongly.
 *
 * <p>Validation is off: a capture shows what peers sent, uppercase names and misplaced
 * pseudo-headers included.
 */
final class Hpack {
    /**
     * Decoded fields kept per block (RFC 7541 4.1 sizes); a larger list fails that block only (the
     * table stays in step). Servers refuse far less (8-64 KiB); with {@code Http2Connection}'s stream
     * limit this bounds the fields held at once.
     */
    private static final long MAX_LIST = 64L << 10;
    /**
     * The largest dynamic table a size update may ask for (RFC 7541 6.3); the real bound is the
     * receiver's SETTINGS_HEADER_TABLE_SIZE, 4096 by default and rarely above 64 KiB.
     */
    private static final long MAX_TABLE = 64L << 10;

    private final DefaultHttp2HeadersDecoder decoder = new DefaultHttp2HeadersDecoder(false, false, MAX_LIST);
    private boolean lost;
    private String lostWhy;

    Hpack() {
        try {
            decoder.maxHeaderTableSize(MAX_TABLE);
        } catch (Http2Exception e) {
            throw new IllegalStateException(e); // a constant within HPACK's range
        }
    }

    /** Whether an earlier block failed, so that no later block of this direction can be trusted. */
    boolean lost() {
        return lost;
    }

    String lostWhy() {
        return lostWhy;
    }

    /**
     * The fields of a block in order (pseudo-headers first, as Netty keeps them), or null when it
     * cannot be decoded: a block of unknown content ({@code fragment} null) or one that fails makes
     * this direction lost, one whose list is only too long does not.
     */
    List<HttpHead.Header> decode(int stream, byte[] fragment) {
        if (lost) {
            return null;
        }
        if (fragment == null) {
            lose("a field block was too large to keep");
            return null;
        }
        ByteBuf in = Unpooled.wrappedBuffer(fragment);
        try {
            Http2Headers headers = decoder.decodeHeaders(stream, in);
            List<HttpHead.Header> out = new ArrayList<>(headers.size());
            for (Map.Entry<CharSequence, CharSequence> e : headers) {
                out.add(new HttpHead.Header(e.getKey().toString(), e.getValue().toString()));
            }
            return out;
        } catch (Http2Exception.StreamException e) {
            return null; // the whole block was read (the table is in step); only its list is refused
        } catch (Http2Exception | RuntimeException e) {
            lose(e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
            return null;
        } finally {
            in.release();
        }
    }

    /** Marks the state unknown from outside (a field block partly before the capture). */
    void forget(String why) {
        lose(why);
    }

    private void lose(String why) {
        lost = true;
        lostWhy = why;
    }
}
