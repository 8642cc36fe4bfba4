package dev.wsdebug.net.client;

import dev.wsdebug.capture.Conversation;
import dev.wsdebug.net.Addresses;
import dev.wsdebug.net.ReadsOnHold;
import dev.wsdebug.net.WireTap;
import dev.wsdebug.net.h2.H2Codecs;
import dev.wsdebug.net.h2.H2StreamAdapter;
import dev.wsdebug.net.h2.SettingsWatch;
import dev.wsdebug.wire.CloseCodes;
import dev.wsdebug.wire.Direction;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import io.netty.util.concurrent.Future;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BiFunction;
import java.util.function.Consumer;

/**
 * A client's WebSocket as a stream of an HTTP/2 connection (RFC 8441): waits for the server's
 * SETTINGS, checks that they enable extended CONNECT, then opens one stream whose pipeline is the
 * stream adapter, the wire tap and the session, so the session works as on a TCP connection. The
 * connection lives as long as its one stream.
 *
 * @param session      the session on the stream, its request not yet sent
 * @param conversation the stream's conversation
 */
record H2Stream(ClientSession session, Conversation conversation) {

    static H2Stream open(Channel ch, ReadsOnHold hold, ClientOptions opts, BiFunction<String, ClientSession, Conversation> conversations,
                         String conn, Consumer<String> notices) throws ClientFailure, InterruptedException {
        String where = opts.url.getHost() + ":" + WsClient.port(opts.url);
        SettingsWatch watch = new SettingsWatch();
        // on the event loop: the server's SETTINGS, held since the TLS handshake, must reach the codec first
        ch.eventLoop().submit(() -> hold.releaseTo(H2Codecs.client(),
                new Http2MultiplexHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel pushed) {
                        pushed.close(); // a server push is nothing a WebSocket client wants
                    }
                }), watch)).await();
        H2Codecs.widenConnectionWindow(ch);
        Http2Settings settings;
        try {
            settings = watch.settings().get(opts.handshakeTimeoutMillis, TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            ch.close();
            throw new H2Unavailable("The server at " + where + " did not answer the HTTP/2 connection preface with its"
                    + " SETTINGS" + (e instanceof TimeoutException ? " within " + opts.handshakeTimeoutMillis / 1000.0 + " s" : "")
                    + ": it does not speak HTTP/2" + (WsClient.secure(opts.url) ? "" : " with prior knowledge (h2c)")
                    + " on this port.");
        }
        if (!Boolean.TRUE.equals(settings.connectProtocolEnabled())) {
            ch.close();
            throw new H2Unavailable("The server at " + where + " speaks HTTP/2 but its SETTINGS do not enable extended"
                    + " CONNECT (SETTINGS_ENABLE_CONNECT_PROTOCOL, RFC 8441), so it takes no WebSocket over HTTP/2.");
        }
        ClientSession session = new ClientSession(opts, ClientUpgrade.h2(ClientRequest.h2(opts)), notices);
        Conversation conversation = conversations.apply(conn, session).endpoints(Addresses.hostPort(ch.localAddress()),
                opts.proxy != null ? where : Addresses.hostPort(ch.remoteAddress()));
        WireTap tap = new WireTap(conversation, Direction.S2C);
        Future<Http2StreamChannel> opened = new Http2StreamChannelBootstrap(ch)
                .handler(new ChannelInitializer<Http2StreamChannel>() {
                    @Override
                    protected void initChannel(Http2StreamChannel stream) {
                        stream.pipeline().addLast(new H2StreamAdapter(tap, Direction.S2C, true), tap, session);
                    }
                }).open();
        if (!opened.await(opts.handshakeTimeoutMillis) || !opened.isSuccess()) {
            ch.close();
            throw new ClientFailure("io", CloseCodes.ABNORMAL, "Could not open an HTTP/2 stream to " + where + ".", opened.cause());
        }
        // one WebSocket per connection: when its stream is gone, so is the connection
        opened.getNow().closeFuture().addListener(f -> ch.close());
        return new H2Stream(session, conversation);
    }
}
