package dev.wsdebug.ui;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.DefaultHttpContent;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The live feed (server-sent events): live sources say what changed, and at most four times a
 * second, when anything did, every open page is told which connections of which capture have new
 * rows; the page then reads them from the store. So a proxy at tens of thousands of messages per
 * second costs the page four small updates a second, and the store stays the one place data lives.
 */
final class LiveFeed implements AutoCloseable {
    private static final long TICK_MILLIS = 250;
    private static final long KEEPALIVE_MILLIS = 15_000;

    private final Captures captures;
    private final Set<Channel> listeners = ConcurrentHashMap.newKeySet();
    /** capture id → conn → rows seen so far. */
    private final Map<String, Map<String, Long>> dirty = new ConcurrentHashMap<>();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "ui-live-feed");
        t.setDaemon(true);
        return t;
    });
    private long lastSent = System.currentTimeMillis();

    LiveFeed(Captures captures) {
        this.captures = captures;
        timer.scheduleWithFixedDelay(this::tick, TICK_MILLIS, TICK_MILLIS, TimeUnit.MILLISECONDS);
    }

    void add(Channel ch) {
        listeners.add(ch);
        ch.closeFuture().addListener(f -> listeners.remove(ch));
        ch.writeAndFlush(new DefaultHttpContent(Unpooled.copiedBuffer(": wsdebug live feed\n\n", StandardCharsets.UTF_8)));
    }

    /** A live source recorded a row (a message or a control frame) of a connection, or opened one. */
    void changed(String captureId, String conn, long rows) {
        dirty.computeIfAbsent(captureId, k -> new ConcurrentHashMap<>()).merge(conn == null ? "" : conn, rows, Math::max);
    }

    /** Counts rows per connection of one capture as its source records them, and marks them changed. */
    dev.wsdebug.capture.EventSink notifier(String captureId) {
        Map<String, java.util.concurrent.atomic.AtomicLong> rows = new ConcurrentHashMap<>();
        return new dev.wsdebug.capture.EventSink() {
            @Override
            public void accept(dev.wsdebug.capture.Event e) {
                if (e.conn() == null) {
                    return;
                }
                boolean row = e instanceof dev.wsdebug.capture.MessageEvent || e instanceof dev.wsdebug.capture.HttpEvent
                        || e instanceof dev.wsdebug.capture.FrameEvent f && f.frame().opcode() >= 8;
                java.util.concurrent.atomic.AtomicLong n = rows.computeIfAbsent(e.conn(),
                        k -> new java.util.concurrent.atomic.AtomicLong());
                changed(captureId, e.conn(), row ? n.incrementAndGet() : n.get());
            }
        };
    }

    int listeners() {
        return listeners.size();
    }

    private void tick() {
        try {
            if (dirty.isEmpty()) {
                if (System.currentTimeMillis() - lastSent > KEEPALIVE_MILLIS) {
                    send(": keepalive\n\n");
                }
                return;
            }
            ObjectNode update = Reply.JSON.createObjectNode();
            ArrayNode arr = update.putArray("captures");
            for (String id : new TreeMap<>(dirty).keySet()) {
                Map<String, Long> conns = dirty.remove(id);
                OpenCapture cap = captures.get(id);
                if (cap == null || conns == null) {
                    continue;
                }
                cap.sync(); // what the page reads next is committed
                ObjectNode c = arr.addObject();
                c.put("id", id);
                c.put("connections", cap.browser().connectionCount());
                ObjectNode items = c.putObject("items");
                conns.forEach((conn, rows) -> {
                    if (!conn.isEmpty()) {
                        items.put(conn, rows);
                    }
                });
            }
            send("event: update\ndata: " + Reply.JSON.writeValueAsString(update) + "\n\n");
        } catch (Exception e) {
            // a failing tick must not stop the next one; the page re-reads on the next update
        }
    }

    private void send(String text) {
        lastSent = System.currentTimeMillis();
        for (Channel ch : listeners) {
            if (ch.isActive()) {
                ch.writeAndFlush(new DefaultHttpContent(Unpooled.copiedBuffer(text, StandardCharsets.UTF_8)));
            }
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
        for (Channel ch : listeners) {
            ch.close();
        }
    }
}
