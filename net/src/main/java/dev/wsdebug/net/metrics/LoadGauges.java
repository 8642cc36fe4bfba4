package dev.wsdebug.net.metrics;

import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

import dev.wsdebug.net.limits.Load;

import java.util.function.LongSupplier;

/**
 * How loaded a server or proxy is, read when metrics are scraped: connections open and refused,
 * the bytes held for peers (decoded messages, writes not yet taken by sockets) and the channels not
 * read from because of backpressure. What it holds is bounded; these show where within the bounds.
 */
public final class LoadGauges {
    private LoadGauges() {
    }

    /** Registers the gauges of this load (read when scraped). */
    public static void register(PrometheusRegistry registry, Load load) {
        gauge(registry, "wsdebug_connections_open", "Connections open now (WebSocket or not yet upgraded).",
                load::openConnections);
        CounterWithCallback.builder().name("wsdebug_connections_refused_total")
                .help("Connections answered 503 because the connection limit was reached.")
                .callback(cb -> cb.call(load.refusedConnections())).register(registry);
        gauge(registry, "wsdebug_held_message_bytes", "Bytes of messages all connections hold now (being received,"
                + " or held for echo or rules).", load::heldMessageBytes);
        gauge(registry, "wsdebug_memory_budget_bytes", "The bound on wsdebug_held_message_bytes.", load::memoryBudget);
        gauge(registry, "wsdebug_pending_write_bytes", "Bytes written towards peers and not yet taken by their sockets.",
                load::pendingWriteBytes);
        gauge(registry, "wsdebug_pending_write_bytes_max", "The most bytes written towards one peer and not yet taken"
                + " by its socket.", load::largestPendingWrite);
        gauge(registry, "wsdebug_paused_reads", "Channels not read from because the other side does not read"
                + " (backpressure).", load::pausedChannels);
    }

    private static void gauge(PrometheusRegistry registry, String name, String help, LongSupplier value) {
        GaugeWithCallback.builder().name(name).help(help).callback(cb -> cb.call(value.getAsLong())).register(registry);
    }
}
