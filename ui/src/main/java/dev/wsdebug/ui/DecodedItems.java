package dev.wsdebug.ui;

import dev.wsdebug.capture.HandshakeEvent;
import dev.wsdebug.capture.MessageEvent;
import dev.wsdebug.capture.decode.Decoded;
import dev.wsdebug.capture.decode.DecodingSink;
import dev.wsdebug.capture.store.CaptureBrowser;

import java.util.Collection;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the application protocol of each message of a capture says, for the messages pane. A
 * connection's messages go through one {@link DecodingSink} in wire order, as {@code read} feeds
 * them, because decoding is stateful (Socket.IO attachments join their event, STOMP frames span
 * messages) and a response is paired with the request before it. Readings are kept, up to a weight
 * bound, and each connection's decoder stays where it stopped: paging on decodes only the new
 * messages, and a live connection goes on from its last message. A reading that was dropped sends
 * its connection back to the start (the state it needs is gone with the messages before it).
 */
final class DecodedItems {
    /** Messages read from the store at a time (the browser serves other requests in between). */
    static final int BATCH = 2_000;
    /** Rough bytes of readings kept per capture (payload-sized trees, summaries). */
    static final long MAX_WEIGHT = 64L << 20;
    /** Connections whose decoder state is kept at once. */
    static final int MAX_LANES = 64;

    private final CaptureBrowser browser;
    private final String decode;
    /** As {@code --proto}, or null. */
    private final dev.wsdebug.capture.decode.ProtoSchema schema;
    private final Map<String, Lane> lanes = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Lane> eldest) {
            return size() > MAX_LANES;
        }
    };
    /** Readings by connection and seq, least recently used first; a null reading: nothing recognised. */
    private final LinkedHashMap<Key, Kept> kept = new LinkedHashMap<>(256, 0.75f, true);
    private final long maxWeight;
    private long weight;
    /**
     * The protocol each connection's decoder settled on by the last message it read (the grid's App
     * column): as many entries as connections the page decoded, a few bytes each. Read without this
     * object's lock, which a long decoding holds.
     */
    private final Map<String, String> protocols = new java.util.concurrent.ConcurrentHashMap<>();
    /** The seqs the current question asks for, and their readings as they are made (the bound may drop them from {@link #kept}). */
    private java.util.Set<Long> wanted = java.util.Set.of();
    private Map<Long, Decoded> answer = new HashMap<>();

    private record Key(String conn, long seq) {
    }

    private record Kept(Decoded decoded, long weight) {
    }

    /** @param decode as {@code --decode} (checked by the caller): null chooses per connection, {@code none} decodes nothing */
    DecodedItems(CaptureBrowser browser, String decode) {
        this(browser, decode, MAX_WEIGHT);
    }

    DecodedItems(CaptureBrowser browser, String decode, long maxWeight) {
        this(browser, decode, null, maxWeight);
    }

    DecodedItems(CaptureBrowser browser, String decode, dev.wsdebug.capture.decode.ProtoSchema schema, long maxWeight) {
        this.browser = browser;
        this.decode = decode;
        this.schema = schema;
        this.maxWeight = maxWeight;
    }

    /** The readings of these messages of a connection (seqs of message rows); those recognised, by seq. */
    synchronized Map<Long, Decoded> of(String conn, Collection<Long> seqs) {
        Map<Long, Decoded> out = new HashMap<>();
        if (seqs.isEmpty() || DecodingSink.NONE.equals(decode)) {
            return out;
        }
        wanted = new java.util.HashSet<>(seqs);
        answer = out;
        long last = seqs.stream().mapToLong(Long::longValue).max().getAsLong();
        Lane lane = lanes.get(conn);
        if (lane != null && seqs.stream().anyMatch(s -> s <= lane.done && !kept.containsKey(new Key(conn, s)))) {
            lanes.remove(conn);
        }
        Lane l = lanes.computeIfAbsent(conn, Lane::new);
        try {
            for (long s : seqs) { // those read before
                Kept k = kept.get(new Key(conn, s));
                if (k != null && k.decoded() != null) {
                    out.put(s, k.decoded());
                }
            }
            l.through(last); // and those read now
            String p = l.sink.protocol(conn);
            if (p != null) {
                protocols.put(conn, p);
            }
        } finally {
            wanted = java.util.Set.of();
            answer = new HashMap<>();
        }
        return out;
    }

    /** The protocol the connection's messages were read as, once the page had some decoded; else null. */
    String protocol(String conn) {
        return protocols.get(conn);
    }

    /** The reading of one message, or null when none (not a message, or nothing recognised). */
    Decoded of(String conn, long seq) {
        return of(conn, List.of(seq)).get(seq);
    }

    private void keep(String conn, MessageEvent m) {
        Decoded d = m.decoded();
        if (d != null && wanted.contains(m.seq())) {
            answer.put(m.seq(), d);
        }
        long w = 64 + (d == null ? 0 : 4L * m.message().payload().length
                + (d.summary() == null ? 0 : 2L * d.summary().length())
                + (d.problem() == null ? 0 : 2L * d.problem().length()));
        Kept old = kept.put(new Key(conn, m.seq()), new Kept(d, w));
        weight += w - (old == null ? 0 : old.weight());
        Iterator<Kept> eldest = kept.values().iterator();
        while (weight > maxWeight && eldest.hasNext()) {
            weight -= eldest.next().weight();
            eldest.remove();
        }
    }

    /** One connection's decoder with its state, and the seq of the last message it read. */
    private final class Lane {
        private final String conn;
        private final DecodingSink sink;
        private long done = -1;

        Lane(String conn) {
            this.conn = conn;
            this.sink = new DecodingSink(e -> {
                if (e instanceof MessageEvent m) {
                    keep(conn, m);
                }
            }, decode, schema);
            HandshakeEvent h = browser.handshake(conn);
            if (h != null) {
                sink.accept(h); // the subprotocol and URL choose the decoder, as in read
            }
        }

        void through(long seq) {
            while (done < seq) {
                List<MessageEvent> batch = browser.messages(conn, done, BATCH);
                if (batch.isEmpty()) {
                    return; // a live connection: the rest is not in the store yet
                }
                for (MessageEvent m : batch) {
                    sink.accept(m);
                    done = m.seq();
                }
            }
        }
    }
}
