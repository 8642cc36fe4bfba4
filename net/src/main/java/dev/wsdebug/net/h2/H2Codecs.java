package dev.wsdebug.net.h2;

import io.netty.channel.Channel;
import io.netty.handler.codec.http2.DefaultHttp2WindowUpdateFrame;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2Settings;

/**
 * The HTTP/2 codecs of wsdebug's client, server and proxy, with receive windows sized for
 * WebSockets. HTTP/2 starts every stream and the connection at a 64 KiB window; a WebSocket keeps
 * messages in flight both ways on a long-lived stream, and at 64 KiB for the whole connection a
 * sender with more than that outstanding waits for WINDOW_UPDATEs (bench/echo.sh measured two
 * window stalls per 16 KiB message over one connection, and 0.31 of HTTP/1.1's rate). Memory is
 * still bounded: a window is what a peer may send before we read it, and the relay and the echo
 * stop reading a stream whose other side does not take what it is sent.
 */
public final class H2Codecs {
    /** What each stream may receive before we read: 1 MiB (SETTINGS_INITIAL_WINDOW_SIZE). */
    public static final int STREAM_WINDOW = 1 << 20;
    /** What the connection may receive before we read: 16 MiB (WINDOW_UPDATE on stream 0 at the start). */
    public static final int CONNECTION_WINDOW = 16 << 20;

    private H2Codecs() {
    }

    /** A server codec; {@code connectProtocol} advertises SETTINGS_ENABLE_CONNECT_PROTOCOL (RFC 8441). */
    public static Http2FrameCodec server(boolean connectProtocol) {
        Http2Settings settings = Http2Settings.defaultSettings().initialWindowSize(STREAM_WINDOW);
        if (connectProtocol) {
            settings.connectProtocolEnabled(true);
        }
        return Http2FrameCodecBuilder.forServer().initialSettings(settings).build();
    }

    /** A client codec. */
    public static Http2FrameCodec client() {
        return Http2FrameCodecBuilder.forClient().initialSettings(Http2Settings.defaultSettings()
                .initialWindowSize(STREAM_WINDOW)).build();
    }

    /**
     * Raises the connection's receive window to {@link #CONNECTION_WINDOW}, once the codec is in
     * the pipeline (it sends the WINDOW_UPDATE after its preface).
     */
    public static void widenConnectionWindow(Channel ch) {
        ch.writeAndFlush(new DefaultHttp2WindowUpdateFrame(CONNECTION_WINDOW - Http2CodecUtil.DEFAULT_WINDOW_SIZE));
    }
}
