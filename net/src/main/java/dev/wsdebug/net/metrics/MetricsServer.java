package dev.wsdebug.net.metrics;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Serves one registry as {@code GET /metrics} in the Prometheus text format (version 0.0.4), on
 * 127.0.0.1 unless told otherwise. Every other method or path is answered 404. Runs on the JDK's
 * own HTTP server with one daemon worker thread.
 *
 * <pre>{@code
 * MetricsSink metrics = new MetricsSink();
 * MetricsServer server = new MetricsServer(metrics.registry(), "127.0.0.1", 9464);
 * InetSocketAddress bound = server.start();   // port 0 picks a free one
 * ... EventSink.all(view, metrics) ...
 * server.close();
 * }</pre>
 */
public final class MetricsServer implements AutoCloseable {
    public static final String PATH = "/metrics";
    public static final String DEFAULT_HOST = "127.0.0.1";
    private static final byte[] NOT_FOUND = "Not found: only GET /metrics is served.\n".getBytes(StandardCharsets.UTF_8);

    private final PrometheusRegistry registry;
    private final String host;
    private final int port;
    private final PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();
    private HttpServer server;
    private ExecutorService worker;
    private InetSocketAddress address;

    /** Serves the registry on 127.0.0.1:port (0 picks a free port). */
    public MetricsServer(PrometheusRegistry registry, int port) {
        this(registry, DEFAULT_HOST, port);
    }

    /**
     * @param host the address to bind (an IP literal or a host name)
     * @param port the port, 0 for a free one
     */
    public MetricsServer(PrometheusRegistry registry, String host, int port) {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be 0 to 65535, not " + port);
        }
        this.registry = registry;
        this.host = host;
        this.port = port;
    }

    /**
     * Binds and starts serving.
     *
     * @return the address actually bound
     * @throws java.net.BindException when the port is taken
     */
    public synchronized InetSocketAddress start() throws IOException {
        if (server != null) {
            throw new IllegalStateException("already started");
        }
        HttpServer s = HttpServer.create(new InetSocketAddress(host, port), 16);
        worker = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "wsdebug-metrics");
            t.setDaemon(true);
            return t;
        });
        s.setExecutor(worker);
        s.createContext("/", this::handle);
        s.start();
        server = s;
        address = s.getAddress();
        return address;
    }

    /** The bound address, or null before {@link #start}. */
    public synchronized InetSocketAddress address() {
        return address;
    }

    /** The scrape URL, e.g. {@code http://127.0.0.1:9464/metrics}; null before {@link #start}. */
    public synchronized String url() {
        if (address == null) {
            return null;
        }
        String h = address.getAddress().getHostAddress();
        if (h.indexOf(':') >= 0) {
            h = "[" + h + "]";
        }
        return "http://" + h + ":" + address.getPort() + PATH;
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            if (!"GET".equals(ex.getRequestMethod()) || !PATH.equals(ex.getRequestURI().getPath())) {
                ex.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
                ex.sendResponseHeaders(404, NOT_FOUND.length);
                ex.getResponseBody().write(NOT_FOUND);
                return;
            }
            ByteArrayOutputStream body = new ByteArrayOutputStream(4096);
            writer.write(body, registry.scrape());
            ex.getResponseHeaders().set("Content-Type", PrometheusTextFormatWriter.CONTENT_TYPE);
            ex.getResponseHeaders().set("Cache-Control", "no-store");
            ex.sendResponseHeaders(200, body.size());
            try (OutputStream out = ex.getResponseBody()) {
                body.writeTo(out);
            }
        }
    }

    /** Stops serving; open exchanges are cut off. Safe to call more than once. */
    @Override
    public synchronized void close() {
        if (server != null) {
            server.stop(0);
            server = null;
        }
        if (worker != null) {
            worker.shutdownNow();
            worker = null;
        }
    }
}
