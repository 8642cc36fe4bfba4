package dev.wsdebug.net;

import dev.wsdebug.capture.EventSink;
import dev.wsdebug.capture.SynchronizedSink;
import dev.wsdebug.net.metrics.MetricsServer;
import dev.wsdebug.net.metrics.MetricsSink;
import dev.wsdebug.net.metrics.PrometheusText;
import dev.wsdebug.net.proxy.ProxyOptions;
import dev.wsdebug.net.proxy.WsProxy;
import dev.wsdebug.net.server.ServerOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The real proxy with metrics, as {@code wsdebug proxy --metrics PORT} wires it: an in-process echo
 * server upstream, WsProxy in reverse mode sending its events to a MetricsSink (and a recorder),
 * the JDK WebSocket client through it, and scrapes over HTTP. Loopback only.
 */
@Timeout(30)
class ProxyMetricsTest {
    private static final int N = 5;

    @Test
    void countsTrafficThroughTheProxyAndActiveConnectionsGoOneThenZero() throws Exception {
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).build();
        MetricsSink metrics = new MetricsSink();
        ServerRecorder recorder = new ServerRecorder();
        ServerOptions serverOpts = new ServerOptions();
        serverOpts.compress = false; // wire bytes equal decoded bytes below
        try (TestServer upstream = TestServer.start(serverOpts);
             MetricsServer scrape = new MetricsServer(metrics.registry(), 0)) {
            ProxyOptions o = new ProxyOptions();
            o.host = "127.0.0.1";
            o.port = 0;
            o.upstream = URI.create(upstream.url("/"));
            o.connectTimeoutMillis = 5_000;
            WsProxy proxy = new WsProxy(o, EventSink.all(metrics, new SynchronizedSink(recorder)));
            try {
                InetSocketAddress bound = proxy.start();
                scrape.start();
                assertThat(scrape(http, scrape).value("wsdebug_connections_active")).isEqualTo(0);

                try (JdkPeer client = JdkPeer.connect(http, "ws://127.0.0.1:" + bound.getPort() + "/echo")) {
                    long bytes = 0;
                    for (int i = 0; i < N; i++) {
                        String text = "message " + i;
                        bytes += text.getBytes(StandardCharsets.UTF_8).length;
                        client.sendText(text, true);
                        assertThat(client.next(JdkPeer.Text.class).text()).isEqualTo(text);
                    }
                    client.ping("rtt?".getBytes(StandardCharsets.UTF_8));
                    assertThat(client.next(JdkPeer.Pong.class).data()).isEqualTo("rtt?".getBytes(StandardCharsets.UTF_8));

                    // the proxy decodes each chunk before relaying it, so all of that is counted by now
                    PrometheusText open = scrape(http, scrape);
                    assertThat(open.value("wsdebug_connections_active")).isEqualTo(1);
                    assertThat(open.value("wsdebug_messages_total{direction=\"c2s\",type=\"text\"}")).isEqualTo(N);
                    assertThat(open.value("wsdebug_messages_total{direction=\"s2c\",type=\"text\"}")).isEqualTo(N);
                    assertThat(open.value("wsdebug_message_bytes_total{direction=\"c2s\",type=\"text\"}")).isEqualTo(bytes);
                    assertThat(open.value("wsdebug_message_bytes_total{direction=\"s2c\",type=\"text\"}")).isEqualTo(bytes);
                    assertThat(open.value("wsdebug_messages_total{direction=\"c2s\",type=\"binary\"}")).isEqualTo(0);
                    assertThat(open.value("wsdebug_frames_total{direction=\"c2s\",type=\"ping\"}")).isEqualTo(1);
                    assertThat(open.value("wsdebug_ping_rtt_seconds_count{direction=\"c2s\"}")).isEqualTo(1);
                    assertThat(open.value("wsdebug_ping_rtt_seconds_sum{direction=\"c2s\"}")).isBetween(0.0, 5.0);
                    assertThat(open.value("wsdebug_connections_total{result=\"clean\"}")).isEqualTo(0);

                    client.sendClose(1000, "done");
                    assertThat(client.next(JdkPeer.Closed.class).code()).isEqualTo(1000);
                }

                PrometheusText closed = awaitActive(http, scrape, 0);
                assertThat(closed.value("wsdebug_connections_total{result=\"clean\"}")).isEqualTo(1);
                assertThat(closed.value("wsdebug_connections_total{result=\"abnormal\"}")).isEqualTo(0);
                assertThat(closed.value("wsdebug_connections_total{result=\"handshake_failed\"}")).isEqualTo(0);
                assertThat(closed.value("wsdebug_close_codes_total{code=\"1000\"}")).isEqualTo(1);
                assertThat(closed.samples.keySet()).noneMatch(k -> k.startsWith("wsdebug_protocol_violations_total"));
                assertThat(recorder.closes()).hasSize(1);
            } finally {
                proxy.close();
            }
        }
    }

    @Test
    void countsARefusedUpgradeThroughTheProxy() throws Exception {
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).build();
        MetricsSink metrics = new MetricsSink();
        ServerOptions serverOpts = new ServerOptions();
        serverOpts.reject = 403;
        try (TestServer upstream = TestServer.start(serverOpts);
             MetricsServer scrape = new MetricsServer(metrics.registry(), 0)) {
            ProxyOptions o = new ProxyOptions();
            o.host = "127.0.0.1";
            o.port = 0;
            o.upstream = URI.create(upstream.url("/"));
            WsProxy proxy = new WsProxy(o, metrics);
            try {
                InetSocketAddress bound = proxy.start();
                scrape.start();
                try {
                    JdkPeer.connect(http, "ws://127.0.0.1:" + bound.getPort() + "/").close();
                } catch (Exception expected) {
                    // the JDK client fails on a non-101 answer
                }
                PrometheusText m = awaitSample(http, scrape, "wsdebug_handshake_failures_total{status=\"403\"}", 1);
                assertThat(m.value("wsdebug_connections_total{result=\"handshake_failed\"}")).isEqualTo(1);
                assertThat(m.value("wsdebug_connections_active")).isEqualTo(0);
            } finally {
                proxy.close();
            }
        }
    }

    private static PrometheusText scrape(HttpClient http, MetricsServer server) throws Exception {
        return PrometheusText.scrape(http, server.url());
    }

    /** Scrapes until the active gauge reads {@code n} (bounded). */
    private static PrometheusText awaitActive(HttpClient http, MetricsServer server, double n) throws Exception {
        return awaitSample(http, server, "wsdebug_connections_active", n);
    }

    private static PrometheusText awaitSample(HttpClient http, MetricsServer server, String key, double n) throws Exception {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (true) {
            PrometheusText m = scrape(http, server);
            Double v = m.samples.get(key);
            if (v != null && v == n) {
                return m;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError(key + " is " + v + ", not " + n + ", after 5 s:\n" + m.body);
            }
            Thread.sleep(20);
        }
    }
}
