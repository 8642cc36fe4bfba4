package dev.wsdebug.ui;

import dev.wsdebug.capture.EventSink;
import dev.wsdebug.capture.peer.Peer;
import dev.wsdebug.capture.store.CaptureStore;
import dev.wsdebug.net.proxy.ProxyOptions;
import dev.wsdebug.net.proxy.WsProxy;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.file.Path;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Traffic for the App column's tests: python websockets' echo server (speaking the subprotocol
 * {@value #SUBPROTOCOL} to clients that offer it) behind wsdebug's proxy, which records into the
 * sink given; the clients are the JDK's WebSocket.
 */
public final class EchoProxy implements AutoCloseable {
    /** A subprotocol whose name a decoder claims: GraphQL over WebSocket. */
    public static final String SUBPROTOCOL = "graphql-transport-ws";
    /** What the JSON connection of {@link #threeConnections} sends. */
    public static final String JSON_TEXT = "{\"greeting\":\"hi\",\"n\":1}";

    private final Peer echo;
    private final WsProxy proxy;
    private final int port;
    private final HttpClient http = HttpClient.newHttpClient();

    public EchoProxy(EventSink sink) throws Exception {
        echo = Peer.start(Peer.Kind.PYTHON_WEBSOCKETS, "--subprotocol", SUBPROTOCOL);
        try {
            ProxyOptions o = new ProxyOptions();
            o.port = 0;
            o.upstream = URI.create("ws://127.0.0.1:" + echo.port());
            proxy = new WsProxy(o, sink);
            port = proxy.start().getPort();
        } catch (Exception | Error e) {
            echo.close();
            throw e;
        }
    }

    /** Opens a connection through the proxy to this path, offering these subprotocols. */
    public Client connect(String path, String... subprotocols) throws Exception {
        WebSocket.Builder b = http.newWebSocketBuilder();
        if (subprotocols.length > 0) {
            b.subprotocols(subprotocols[0], java.util.Arrays.copyOfRange(subprotocols, 1, subprotocols.length));
        }
        Client c = new Client();
        c.ws = b.buildAsync(URI.create("ws://127.0.0.1:" + port + path), c).get(10, TimeUnit.SECONDS);
        return c;
    }

    /** One client connection: says a text and waits for its echo. */
    public static final class Client implements WebSocket.Listener {
        private WebSocket ws;
        private final BlockingQueue<String> heard = new LinkedBlockingQueue<>();
        private final StringBuilder part = new StringBuilder();

        @Override
        public CompletionStage<?> onText(WebSocket w, CharSequence data, boolean last) {
            part.append(data);
            if (last) {
                heard.add(part.toString());
                part.setLength(0);
            }
            w.request(1);
            return null;
        }

        /** Sends the text and returns what came back. */
        public String say(String text) throws Exception {
            ws.sendText(text, true).get(10, TimeUnit.SECONDS);
            String back = heard.poll(10, TimeUnit.SECONDS);
            if (back == null) {
                throw new AssertionError("no echo of " + text);
            }
            return back;
        }

        public String subprotocol() {
            return ws.getSubprotocol();
        }

        /** Closes with 1000 and waits a moment for the server's close. */
        public void close() throws Exception {
            ws.sendClose(WebSocket.NORMAL_CLOSURE, "done").get(10, TimeUnit.SECONDS);
        }
    }

    /**
     * Records three connections into {@code wsdb}, one after the other: {@code /a} sends
     * {@link #JSON_TEXT} and gets its echo, {@code /b} says nothing, {@code /c} negotiates
     * {@link #SUBPROTOCOL} and says nothing; each closes with 1000. Skips without python websockets.
     */
    public static Path threeConnections(Path wsdb) throws Exception {
        try (CaptureStore store = CaptureStore.create(wsdb);
             EchoProxy p = new EchoProxy(EventSink.all(store))) {
            Client a = p.connect("/a");
            if (!a.say(JSON_TEXT).equals(JSON_TEXT)) {
                throw new AssertionError("the echo server changed the text");
            }
            Client b = p.connect("/b");
            Client c = p.connect("/c", SUBPROTOCOL);
            if (!SUBPROTOCOL.equals(c.subprotocol())) {
                throw new AssertionError("the echo server did not take " + SUBPROTOCOL + ": " + c.subprotocol());
            }
            a.close();
            b.close();
            c.close();
            Thread.sleep(300); // the close frames through the proxy into the store
        }
        return wsdb;
    }

    @Override
    public void close() {
        try {
            proxy.close();
        } finally {
            echo.close();
        }
    }
}
