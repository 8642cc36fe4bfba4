package dev.wsdebug.net.h2;

import dev.wsdebug.wire.HttpHead;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.Http2Headers;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Header fields between Netty's {@link Http2Headers} and the pipeline's {@link HttpHead.Header}
 * list. Order is kept as it was on the wire, pseudo-headers first, so a transcript shows what
 * HPACK carried.
 */
public final class H2Fields {
    private H2Fields() {
    }

    /** The fields of a decoded header block, in order. */
    public static List<HttpHead.Header> of(Http2Headers headers) {
        List<HttpHead.Header> out = new ArrayList<>(headers.size());
        for (Map.Entry<CharSequence, CharSequence> e : headers) {
            out.add(new HttpHead.Header(e.getKey().toString(), e.getValue().toString()));
        }
        return out;
    }

    /**
     * A header block from fields in order. Names are lower-cased, as HTTP/2 requires (RFC 9113
     * 8.2.1); validation is left to our own checks, so a deliberately odd field still goes out.
     */
    public static Http2Headers block(List<HttpHead.Header> fields) {
        Http2Headers h = new DefaultHttp2Headers(false);
        for (HttpHead.Header f : fields) {
            h.add(f.name().toLowerCase(Locale.ROOT), f.value());
        }
        return h;
    }
}
