package dev.wsdebug.net;

import dev.wsdebug.capture.SynchronizedSink;
import dev.wsdebug.net.server.ServerOptions;
import dev.wsdebug.net.server.WsServer;

import java.net.InetSocketAddress;

/**
 * A WsServer on 127.0.0.1 and a free port, recording what its pipeline reports and running the
 * analysis rules over it ({@link #alarms}, for the tests whose sessions are healthy).
 */
final class TestServer implements AutoCloseable {
    final ServerOptions opts;
    final ServerRecorder recorder = new ServerRecorder();
    final NoFalseAlarms alarms = new NoFalseAlarms();
    final WsServer server;
    final InetSocketAddress address;

    private TestServer(ServerOptions opts) throws Exception {
        this.opts = opts;
        opts.host = "127.0.0.1";
        opts.port = 0;
        this.server = new WsServer(opts, new SynchronizedSink(alarms.tee(recorder)));
        InetSocketAddress bound;
        try {
            bound = server.start();
        } catch (Exception | Error e) {
            server.close();
            throw e;
        }
        this.address = bound;
    }

    static TestServer start(ServerOptions opts) throws Exception {
        return new TestServer(opts);
    }

    static TestServer start() throws Exception {
        return new TestServer(new ServerOptions());
    }

    int port() {
        return address.getPort();
    }

    /** ws:// (or wss:// with TLS) URL of this path on the server. */
    String url(String path) {
        return (opts.tls ? "wss" : "ws") + "://127.0.0.1:" + port() + path;
    }

    @Override
    public void close() {
        server.close();
    }
}
