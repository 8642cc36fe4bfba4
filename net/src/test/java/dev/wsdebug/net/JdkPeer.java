package dev.wsdebug.net;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The JDK's own WebSocket client ({@code java.net.http}), an implementation independent of wsdebug,
 * with what it receives queued for the test: whole messages (parts joined), pongs, the close and
 * errors.
 */
final class JdkPeer implements AutoCloseable {
    static final long TIMEOUT_SECONDS = 5;

    /** Something the client received. */
    sealed interface Received permits Text, Binary, Pong, Closed, Failed {
    }

    record Text(String text, int parts) implements Received {
    }

    record Binary(byte[] data, int parts) implements Received {
    }

    record Pong(byte[] data) implements Received {
    }

    record Closed(int code, String reason) implements Received {
    }

    record Failed(Throwable error) implements Received {
    }

    private final BlockingQueue<Received> inbox = new LinkedBlockingQueue<>();
    private final WebSocket ws;

    private JdkPeer(HttpClient http, URI uri, String... subprotocols) throws Exception {
        WebSocket.Builder b = http.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(TIMEOUT_SECONDS));
        if (subprotocols.length > 0) {
            b.subprotocols(subprotocols[0], java.util.Arrays.copyOfRange(subprotocols, 1, subprotocols.length));
        }
        this.ws = b.buildAsync(uri, new Collector()).get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    }

    static JdkPeer connect(HttpClient http, String url, String... subprotocols) throws Exception {
        return new JdkPeer(http, URI.create(url), subprotocols);
    }

    WebSocket socket() {
        return ws;
    }

    String subprotocol() {
        return ws.getSubprotocol();
    }

    void sendText(String text, boolean last) throws Exception {
        ws.sendText(text, last).get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    }

    void sendBinary(byte[] data, boolean last) throws Exception {
        ws.sendBinary(ByteBuffer.wrap(data), last).get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    }

    void ping(byte[] data) throws Exception {
        ws.sendPing(ByteBuffer.wrap(data)).get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    }

    void sendClose(int code, String reason) throws Exception {
        ws.sendClose(code, reason).get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    }

    /** The next thing received, waiting at most {@link #TIMEOUT_SECONDS}. */
    Received next() throws InterruptedException {
        Received r = inbox.poll(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        if (r == null) {
            throw new AssertionError("the JDK client received nothing within " + TIMEOUT_SECONDS + " s");
        }
        return r;
    }

    /** The next thing received, which must be of this type. */
    <T extends Received> T next(Class<T> type) throws InterruptedException {
        Received r = next();
        if (!type.isInstance(r)) {
            throw new AssertionError("the JDK client expected a " + type.getSimpleName() + " but received " + r);
        }
        return type.cast(r);
    }

    @Override
    public void close() {
        ws.abort();
    }

    private final class Collector implements WebSocket.Listener {
        private final StringBuilder text = new StringBuilder();
        private final ByteArrayOutputStream binary = new ByteArrayOutputStream();
        private int parts;

        @Override
        public void onOpen(WebSocket webSocket) {
            webSocket.request(1);
        }

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            text.append(data);
            parts++;
            if (last) {
                inbox.add(new Text(text.toString(), parts));
                text.setLength(0);
                parts = 0;
            }
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
            byte[] b = new byte[data.remaining()];
            data.get(b);
            binary.writeBytes(b);
            parts++;
            if (last) {
                inbox.add(new Binary(binary.toByteArray(), parts));
                binary.reset();
                parts = 0;
            }
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onPong(WebSocket webSocket, ByteBuffer message) {
            byte[] b = new byte[message.remaining()];
            message.get(b);
            inbox.add(new Pong(b));
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onPing(WebSocket webSocket, ByteBuffer message) {
            // the JDK answers pings itself
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            inbox.add(new Closed(statusCode, reason));
            return null;
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            inbox.add(new Failed(error));
        }
    }
}
