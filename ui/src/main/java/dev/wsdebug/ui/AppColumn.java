package dev.wsdebug.ui;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.wsdebug.capture.decode.DecodingSink;
import dev.wsdebug.capture.decode.ProtoSchema;
import dev.wsdebug.capture.store.CaptureBrowser;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The grid's App column: which application protocol each WebSocket connection of a capture speaks,
 * as the decoding stage chooses it. The handshake decides when it claims a protocol (no message is
 * read); else the connection's first {@value #FIRST} messages are decoded; a connection the messages
 * pane has decoded further has that answer. Answers are kept per connection, so a capture pays once;
 * a live connection with fewer messages than that (or none) is asked again when its count grows.
 *
 * <p>Reading first messages costs a query per connection: a grid request spends at most
 * {@link #INLINE_NANOS} on them, so a capture of tens of thousands of connections is not slower to
 * list; the rest are read on a thread of the capture's own and the answer says {@code appsPending}
 * (the page asks again, as for the findings).
 */
final class AppColumn {
    /** Messages read to recognise a connection nobody claimed: enough for a protocol's opening exchange. */
    static final int FIRST = 4;
    /** What one grid request may spend reading first messages itself. */
    static final long INLINE_NANOS = 100_000_000L;

    private final CaptureBrowser browser;
    private final DecodedItems decoded;
    /** Only chooses (its sink is never given events); one question at a time. */
    private final DecodingSink chooser;
    private final Map<String, Known> known = new ConcurrentHashMap<>();
    /** Connections waiting for the thread, by id (a newer row replaces an older one). Guarded by itself. */
    private final Map<String, Job> queued = new LinkedHashMap<>();
    /** Guarded by {@link #queued}. */
    private Thread worker;
    private volatile boolean closed;
    private final long inlineNanos;

    /** @param messages the row's message count when it was answered (-1: for good) */
    private record Known(String app, long messages) {
    }

    /** What a row says that the choice needs. */
    private record Job(String conn, String subprotocol, String url, long messages, boolean open) {
        static Job of(ObjectNode row) {
            // a row without a handshake (a capture that began mid-stream) has a URL from its addresses, not one a decoder may claim
            boolean handshake = !row.path("method").isNull();
            return new Job(row.get("conn").asText(), row.path("subprotocol").textValue(),
                    handshake ? row.path("url").textValue() : null,
                    row.path("sent").path("messages").asLong() + row.path("received").path("messages").asLong(),
                    row.path("result").asText().equals("open"));
        }
    }

    AppColumn(CaptureBrowser browser, DecodedItems decoded, String decode, ProtoSchema schema) {
        this(browser, decoded, decode, schema, INLINE_NANOS);
    }

    AppColumn(CaptureBrowser browser, DecodedItems decoded, String decode, ProtoSchema schema, long inlineNanos) {
        this.browser = browser;
        this.decoded = decoded;
        this.chooser = new DecodingSink(e -> { }, decode, schema);
        this.inlineNanos = inlineNanos;
    }

    /** Gives every WebSocket row of the grid its {@code app}; {@code appsPending} when some are still being read. */
    void grid(ObjectNode grid) {
        long deadline = System.nanoTime() + inlineNanos;
        boolean pending = false;
        for (var r : grid.path("connections")) {
            ObjectNode row = (ObjectNode) r;
            if (row.path("kind").asText().equals("ws")) {
                pending |= !answer(row, deadline);
            }
        }
        if (pending) {
            grid.put("appsPending", true);
            startWorker();
        }
    }

    /** Gives a WebSocket row its {@code app} (a plain HTTP exchange's row has none). */
    void row(ObjectNode row) {
        if (row.path("kind").asText().equals("ws")) {
            answer(row, System.nanoTime() + inlineNanos);
        }
    }

    /** Puts the row's app; false when it is left to the thread (the row keeps what was known before). */
    private boolean answer(ObjectNode row, long deadline) {
        Job job = Job.of(row);
        String read = decoded.protocol(job.conn());
        if (read != null) {
            row.put("app", read);
            return true;
        }
        Known k = known.get(job.conn());
        if (k != null && (k.messages() < 0 || k.messages() == job.messages())) {
            row.put("app", k.app());
            return true;
        }
        // past the time of this request only what the handshake claims is answered (it reads nothing)
        Known now = choose(job, System.nanoTime() - deadline < 0);
        if (now != null) {
            row.put("app", now.app());
            return true;
        }
        row.put("app", k == null ? null : k.app());
        synchronized (queued) {
            queued.put(job.conn(), job);
        }
        return false;
    }

    /** The connection's answer, kept; null when it needs messages read and {@code read} is false. */
    private Known choose(Job job, boolean read) {
        boolean[] readMessages = {false};
        String app;
        synchronized (chooser) {
            app = chooser.protocolOf(job.subprotocol(), job.url(), () -> {
                readMessages[0] = true;
                return read ? browser.messages(job.conn(), -1, FIRST) : List.of();
            });
        }
        if (readMessages[0] && !read) {
            return null;
        }
        // the first messages may still be on their way while the connection is open
        boolean settled = !readMessages[0] || job.messages() >= FIRST || !job.open();
        Known k = new Known(app, settled ? -1 : job.messages());
        known.put(job.conn(), k);
        return k;
    }

    private void startWorker() {
        synchronized (queued) {
            if (worker == null && !closed) {
                worker = new Thread(this::work, "ui-app-column");
                worker.setDaemon(true);
                worker.start();
            }
        }
    }

    private void work() {
        while (!closed) {
            Job job;
            synchronized (queued) {
                Iterator<Job> next = queued.values().iterator();
                if (!next.hasNext()) {
                    worker = null;
                    return;
                }
                job = next.next();
                next.remove();
            }
            try {
                choose(job, true);
            } catch (RuntimeException e) {
                // the store cannot be read (closed under us): no app, and not asked again
                known.put(job.conn(), new Known(null, -1));
            }
        }
        synchronized (queued) {
            queued.clear();
            worker = null;
        }
    }

    /** Stops the thread (the capture is closing). */
    void close() {
        closed = true;
    }
}
