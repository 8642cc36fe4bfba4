package dev.wsdebug.capture.store;

import dev.wsdebug.capture.CloseEvent;
import dev.wsdebug.capture.ErrorEvent;
import dev.wsdebug.capture.Event;
import dev.wsdebug.capture.EventSink;
import dev.wsdebug.capture.FrameEvent;
import dev.wsdebug.capture.HandshakeEvent;
import dev.wsdebug.capture.MessageEvent;
import dev.wsdebug.capture.MicroClock;
import dev.wsdebug.wire.Direction;
import dev.wsdebug.wire.Frame;
import dev.wsdebug.wire.HandshakeResult;
import dev.wsdebug.wire.HttpHead;
import dev.wsdebug.wire.Masking;
import dev.wsdebug.wire.Message;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * Writes a capture file ({@code .wsdb}, SQLite): every event, and the raw bytes of every chunk so
 * that {@link CaptureReader} can decode the connection again through the same pipeline.
 *
 * <p>Thread-safe: any number of connections may feed it from any threads. Callers only copy what
 * they hand over into a bounded queue; one writer thread drains it into the database in
 * transactions of at most {@value #BATCH_ROWS} rows or {@value #BATCH_MILLIS} ms. The file is in WAL
 * mode with {@code synchronous=NORMAL}: a process killed outright loses at most the transaction in
 * progress, and the file always opens. When the queue is full (the disk is slower than the
 * traffic), callers wait for room instead of letting memory grow.
 *
 * <p>Message payloads are kept up to a cap (beyond it: the first bytes, the full length and the
 * SHA-256); raw bytes are kept up to a cap per connection, after which the gap is recorded and a
 * reader shows the stored events of that connection instead of decoding it again.
 *
 * <p>If writing fails (disk full, file removed), the store stops keeping data and {@link #flush},
 * {@link #sync} and {@link #close} throw with one sentence; the calls that hand data over never throw, so a
 * failing capture does not break the traffic it watches.
 */
public final class CaptureStore implements EventSink {
    /** Default payload cap: bytes of each message's decoded payload kept. */
    public static final int DEFAULT_PAYLOAD_CAP = 1 << 20;
    /** Default raw cap: raw wire bytes kept per connection. */
    public static final long DEFAULT_RAW_CAP = 256L << 20;
    static final int BATCH_ROWS = 1000;
    static final long BATCH_MILLIS = 50;
    static final int QUEUE_ITEMS = 8192;
    static final long QUEUE_BYTES = 32L << 20;

    private static final HexFormat HEX = HexFormat.of();

    private final Path file;
    private final int payloadCap;
    private final long rawCap;
    private final ItemQueue queue;
    private final Connection db;
    private final boolean fts;
    private final Thread writer;
    private final Map<String, RawBudget> raw = new ConcurrentHashMap<>();
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile String failure;

    /** A new capture at {@code file} with the default caps. */
    public static CaptureStore create(Path file) {
        return new CaptureStore(file, DEFAULT_PAYLOAD_CAP, DEFAULT_RAW_CAP);
    }

    /**
     * Creates the capture file, replacing an existing capture (but no other kind of file).
     *
     * @param payloadCap bytes of each message's decoded payload to keep (the proxy's {@code --max-payload})
     * @param rawCap     raw wire bytes to keep per connection
     * @throws IllegalArgumentException with one sentence when the file cannot be created
     */
    public CaptureStore(Path file, int payloadCap, long rawCap) {
        this(file, payloadCap, rawCap, QUEUE_ITEMS, QUEUE_BYTES);
    }

    CaptureStore(Path file, int payloadCap, long rawCap, int queueItems, long queueBytes) {
        if (payloadCap < 0 || rawCap < 0) {
            throw new IllegalArgumentException("The payload and raw caps cannot be negative.");
        }
        this.file = file;
        this.payloadCap = payloadCap;
        this.rawCap = rawCap;
        this.queue = new ItemQueue(queueItems, queueBytes);
        replaceable(file);
        Connection c = null;
        boolean withFts;
        try {
            c = Db.open(file, false);
            try (Statement s = c.createStatement()) {
                s.execute("PRAGMA application_id = " + Schema.APPLICATION_ID);
                s.execute("PRAGMA journal_mode = WAL");
                s.execute("PRAGMA synchronous = NORMAL");
            }
            c.setAutoCommit(false);
            try (Statement s = c.createStatement()) {
                for (String ddl : Schema.TABLES) {
                    s.execute(ddl);
                }
            }
            withFts = createFts(c);
            try (PreparedStatement meta = c.prepareStatement("INSERT INTO meta (key, value) VALUES (?, ?)")) {
                String tool = CaptureStore.class.getPackage().getImplementationVersion();
                String[][] rows = {
                        {"schema_version", Integer.toString(Schema.VERSION)},
                        {"tool", "wsdebug"},
                        {"tool_version", tool == null ? "development" : tool},
                        {"created_t", Long.toString(MicroClock.now())},
                        {"payload_cap", Integer.toString(payloadCap)},
                        {"raw_cap", Long.toString(rawCap)},
                        {"fts", withFts ? "fts5" : "none"}};
                for (String[] r : rows) {
                    meta.setString(1, r[0]);
                    meta.setString(2, r[1]);
                    meta.executeUpdate();
                }
            }
            c.commit();
        } catch (SQLException e) {
            Db.closeQuietly(c);
            throw new IllegalArgumentException("Cannot create the capture " + file + ": " + Db.sentence(e));
        }
        this.db = c;
        this.fts = withFts;
        this.writer = new Thread(new Writer(), "wsdebug-capture-store");
        writer.setDaemon(true);
        writer.start();
    }

    /** Refuses to replace a file that is not a capture; removes a capture and its WAL files. */
    private static void replaceable(Path file) {
        if (!Files.exists(file)) {
            return;
        }
        try {
            if (Files.isDirectory(file)) {
                throw new IllegalArgumentException("Cannot create the capture " + file + ": it is a directory.");
            }
            if (Files.size(file) > 0 && !CaptureReader.looksLikeCapture(file)) {
                throw new IllegalArgumentException(file + " exists and is not a wsdebug capture; not overwriting it.");
            }
            for (String suffix : new String[] {"-wal", "-shm", "-journal"}) {
                Files.deleteIfExists(Path.of(file + suffix));
            }
            Files.delete(file);
        } catch (IOException e) {
            throw new IllegalArgumentException("Cannot replace " + file + ": " + e.getMessage() + ".");
        }
    }

    private static boolean createFts(Connection c) {
        try (Statement s = c.createStatement()) {
            s.execute("SAVEPOINT fts");
            try {
                s.execute(Schema.FTS);
                s.execute("RELEASE fts");
                return true;
            } catch (SQLException e) {
                s.execute("ROLLBACK TO fts");
                s.execute("RELEASE fts");
                return false; // an SQLite without FTS5: the capture works, without a text index
            }
        } catch (SQLException e) {
            return false;
        }
    }

    public Path file() {
        return file;
    }

    /** Whether text payloads are indexed for full-text search (the bundled SQLite has FTS5). */
    public boolean hasTextIndex() {
        return fts;
    }

    /** The sentence saying why writing failed, or null while all is well. */
    public String failure() {
        return failure;
    }

    // ---- producers ---------------------------------------------------------------------------

    @Override
    public void chunk(String conn, Direction dir, long timeMicros, byte[] b, int off, int len) {
        if (len <= 0 || closed.get()) {
            return;
        }
        RawBudget budget = raw.computeIfAbsent(conn, k -> new RawBudget());
        boolean keep;
        synchronized (budget) {
            keep = !budget.gap && budget.kept + len <= rawCap;
            if (keep) {
                budget.kept += len;
            } else {
                budget.gap = true; // once bytes are missing, later bytes cannot be decoded: keep none
            }
        }
        if (keep) {
            put(new Chunk(conn, dir.id(), timeMicros, Arrays.copyOfRange(b, off, off + len)));
        } else {
            put(new Gap(conn, timeMicros, len));
        }
    }

    @Override
    public void accept(Event event) {
        if (closed.get()) {
            return;
        }
        if (event.conn() != null) {
            raw.computeIfAbsent(event.conn(), k -> new RawBudget());
        }
        if (event instanceof FrameEvent f) {
            put(frame(f));
        } else if (event instanceof MessageEvent m) {
            put(message(m));
        } else if (event instanceof HandshakeEvent h) {
            put(handshake(h));
        } else if (event instanceof CloseEvent c) {
            put(new Row(Kind.CLOSE, c.conn(), c.timeMicros(), null, null, r -> {
                r.closeT = c.timeMicros();
                r.closeCode = c.code();
                r.closeName = c.codeName();
                r.closeReason = c.reason();
                r.closeOnWire = c.onWire();
                r.closeInitiator = c.initiator();
                r.closeClean = c.clean();
            }, 128));
        } else if (event instanceof ErrorEvent e) {
            put(new Row(Kind.ERROR, e.conn(), e.timeMicros(), new Object[] {e.conn(), e.timeMicros(), e.kind(), e.message()},
                    null, null, 128 + e.message().length()));
        }
    }

    @Override
    public void ended(String conn, long timeMicros) {
        // a conversation that never saw a byte or an event leaves no trace
        if (raw.remove(conn) != null && !closed.get()) {
            put(new Ended(conn, timeMicros));
        }
    }

    private Row handshake(HandshakeEvent h) {
        HandshakeResult r = h.result();
        HttpHead resp = h.response();
        Integer status = r != null ? Integer.valueOf(r.status()) : resp != null ? Integer.valueOf(resp.status()) : null;
        Object[] v = {h.conn(), h.timeMicros(), h.transport(), h.url(), Codec.head(h.request()), Codec.head(resp), status,
                bit(r != null && r.upgraded()), r == null ? null : bit(r.valid()), r == null ? null : r.expectedAccept(),
                r == null ? null : r.actualAccept(), r == null ? null : bit(r.acceptValid()),
                r == null ? null : r.subprotocol(), r == null ? null : r.extensions(),
                r == null ? null : Codec.deflate(r.deflate()), r == null ? null : Codec.strings(r.problems()),
                h.client(), h.server()};
        long size = 256 + (h.request() == null ? 0 : h.request().length()) + (resp == null ? 0 : resp.length());
        return new Row(Kind.HANDSHAKE, h.conn(), h.timeMicros(), v, null, c -> {
            c.url = h.url();
            c.client = h.client();
            c.server = h.server();
        }, size);
    }

    private static Row frame(FrameEvent e) {
        Frame f = e.frame();
        int code = f.closeCode();
        Object[] v = {e.conn(), e.seq(), e.timeMicros(), e.dir().id(), f.offset(), bit(f.fin()), bit(f.rsv1()),
                bit(f.rsv2()), bit(f.rsv3()), f.opcode(), f.type(), bit(f.masked()),
                f.masked() ? Masking.keyHex(f.maskKey()) : null, f.headerLength(), f.lengthEncoding(),
                f.payloadLength(), code >= 0 ? code : null, code >= 0 ? f.closeReason() : null, f.controlPayload(),
                Codec.violations(f.violations())};
        return new Row(Kind.FRAME, e.conn(), e.timeMicros(), v, null, null,
                256 + (f.controlPayload() == null ? 0 : f.controlPayload().length));
    }

    private Row message(MessageEvent e) {
        Message m = e.message();
        byte[] payload = m.payload();
        boolean truncated = m.truncated();
        String sha = m.sha256();
        if (payload.length > payloadCap) {
            if (!truncated) {
                sha = sha256(payload);
            }
            payload = Arrays.copyOf(payload, payloadCap);
            truncated = true;
        }
        String text = m.isText() ? new String(payload, StandardCharsets.UTF_8) : null;
        Object[] v = {e.conn(), e.seq(), e.timeMicros(), e.dir().id(), m.type(), m.opcode(), m.frames(),
                bit(m.compressed()), m.wireLength(), m.length(), payload, bit(truncated), truncated ? sha : null,
                m.isText() ? (m.utf8InvalidAt() < 0 ? "valid" : "invalid at byte " + m.utf8InvalidAt()) : null,
                m.isText() ? m.utf8InvalidAt() : null, m.firstOffset(), Codec.violations(m.violations())};
        return new Row(Kind.MESSAGE, e.conn(), e.timeMicros(), v, fts ? text : null, null,
                256 + payload.length * (text == null ? 1L : 3L));
    }

    private static int bit(boolean b) {
        return b ? 1 : 0;
    }

    static String sha256(byte[] b) {
        try {
            return HEX.formatHex(MessageDigest.getInstance("SHA-256").digest(b));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private void put(Item item) {
        queue.put(item);
    }

    // ---- flush and close ---------------------------------------------------------------------

    /**
     * Does not wait: the writer commits what it has within {@value #BATCH_MILLIS} ms anyway, and
     * sinks such as the CLI's live view flush after every event. Throws if writing has failed.
     * {@link #sync} waits for the commit.
     */
    @Override
    public void flush() {
        throwIfFailed();
    }

    /** Waits until everything handed over so far is committed to the file (visible to readers, safe from a kill). */
    public void sync() {
        if (!closed.get()) {
            Barrier b = new Barrier(false);
            if (queue.put(b)) {
                b.await(writer);
            }
        }
        throwIfFailed();
    }

    /** Commits what is queued, leaves the file as one self-contained database, and stops the writer. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            Barrier b = new Barrier(true);
            if (queue.put(b)) {
                b.await(writer);
            }
            try {
                writer.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        throwIfFailed();
    }

    private void throwIfFailed() {
        String f = failure;
        if (f != null) {
            throw new UncheckedIOException(new IOException(f));
        }
    }

    /** Pulls the database from under the writer, as a failing disk would (tests). */
    void breakDatabaseForTest() throws SQLException {
        db.close();
    }

    /** The most items the queue ever held at once (tests check the bound). */
    int queueHighWater() {
        return queue.highWater;
    }

    // ---- what goes through the queue ---------------------------------------------------------

    private enum Kind {
        HANDSHAKE("INSERT INTO handshakes (ord, conn, t, transport, url, request, response, status, upgraded, valid,"
                + " accept_expected, accept_actual, accept_valid, subprotocol, extensions, deflate, problems, client, server)"
                + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"),
        FRAME("INSERT INTO frames (ord, conn, seq, t, dir, offset, fin, rsv1, rsv2, rsv3, opcode, type, masked, mask_key,"
                + " header_length, length_encoding, payload_length, close_code, close_reason, control_payload, violations)"
                + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"),
        MESSAGE("INSERT INTO messages (ord, conn, seq, t, dir, type, opcode, frames, compressed, wire_length, length,"
                + " payload, truncated, sha256, utf8, utf8_invalid_at, first_offset, violations)"
                + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"),
        ERROR("INSERT INTO errors (ord, conn, t, kind, message) VALUES (?, ?, ?, ?, ?)"),
        CLOSE(null);

        final String sql;

        Kind(String sql) {
            this.sql = sql;
        }
    }

    private interface Item {
        /** Bytes this item holds, roughly, for the queue's memory bound. */
        long size();
    }

    private record Chunk(String conn, String dir, long t, byte[] bytes) implements Item {
        @Override
        public long size() {
            return 64L + bytes.length;
        }
    }

    private record Gap(String conn, long t, long length) implements Item {
        @Override
        public long size() {
            return 64;
        }
    }

    private record Ended(String conn, long t) implements Item {
        @Override
        public long size() {
            return 64;
        }
    }

    /** One event: a row to insert (values without the ord) and/or an update of its connection's row. */
    private record Row(Kind kind, String conn, long t, Object[] values, String text, Consumer<ConnRow> update,
                       long size) implements Item {
    }

    private static final class Barrier implements Item {
        final boolean stop;
        final CountDownLatch done = new CountDownLatch(1);

        Barrier(boolean stop) {
            this.stop = stop;
        }

        @Override
        public long size() {
            return 0;
        }

        void await(Thread writer) {
            boolean interrupted = false;
            try {
                while (true) {
                    try {
                        if (done.await(100, TimeUnit.MILLISECONDS) || !writer.isAlive()) {
                            return;
                        }
                    } catch (InterruptedException e) {
                        interrupted = true;
                    }
                }
            } finally {
                if (interrupted) {
                    Thread.currentThread().interrupt();
                }
            }
        }
    }

    /** Raw bytes kept so far for one connection (producer side). */
    private static final class RawBudget {
        long kept;
        boolean gap;
    }

    /**
     * Items waiting for the writer, bounded in count and bytes. A producer waits while it is full;
     * one item larger than the byte bound is admitted alone. Once the writer has stopped nothing
     * waits and everything is dropped.
     */
    private static final class ItemQueue {
        private final ArrayDeque<Item> items = new ArrayDeque<>();
        private final ReentrantLock lock = new ReentrantLock();
        private final Condition notEmpty = lock.newCondition();
        private final Condition notFull = lock.newCondition();
        private final int maxItems;
        private final long maxBytes;
        private long bytes;
        private boolean dead;
        volatile int highWater;

        ItemQueue(int maxItems, long maxBytes) {
            this.maxItems = maxItems;
            this.maxBytes = maxBytes;
        }

        /** Adds the item, waiting for room; false when the writer has stopped and the item was dropped. */
        boolean put(Item item) {
            long size = item.size();
            boolean interrupted = false;
            lock.lock();
            try {
                while (!dead && !items.isEmpty() && (items.size() >= maxItems || bytes + size > maxBytes)) {
                    try {
                        notFull.await();
                    } catch (InterruptedException e) {
                        interrupted = true; // keep the data: the bound is exceeded by this one item
                        break;
                    }
                }
                if (dead) {
                    return false;
                }
                items.addLast(item);
                bytes += size;
                if (items.size() > highWater) {
                    highWater = items.size();
                }
                notEmpty.signal();
                return true;
            } finally {
                lock.unlock();
                if (interrupted) {
                    Thread.currentThread().interrupt();
                }
            }
        }

        /** The next item, waiting at most {@code nanos} (forever when negative); null on time-out. */
        Item poll(long nanos) throws InterruptedException {
            lock.lock();
            try {
                while (items.isEmpty()) {
                    if (nanos < 0) {
                        notEmpty.await();
                    } else {
                        if (nanos == 0) {
                            return null;
                        }
                        nanos = notEmpty.awaitNanos(nanos);
                        if (nanos <= 0 && items.isEmpty()) {
                            return null;
                        }
                    }
                }
                Item it = items.removeFirst();
                bytes -= it.size();
                notFull.signalAll();
                return it;
            } finally {
                lock.unlock();
            }
        }

        /** The writer stopped: drop what is queued, release waiting producers and flushers. */
        List<Item> kill() {
            lock.lock();
            try {
                dead = true;
                List<Item> left = new ArrayList<>(items);
                items.clear();
                bytes = 0;
                notFull.signalAll();
                return left;
            } finally {
                lock.unlock();
            }
        }
    }

    /** A connection's row as the writer accumulates it between commits. */
    private static final class ConnRow {
        final String conn;
        long first;
        long last;
        Long ended;
        String url;
        String client;
        String server;
        Long closeT;
        Long closeOrd;
        Integer closeCode;
        String closeName;
        String closeReason;
        Boolean closeOnWire;
        String closeInitiator;
        Boolean closeClean;
        long rawBytes;
        long rawDropped;
        Long gapT;

        ConnRow(String conn, long t) {
            this.conn = conn;
            this.first = t;
            this.last = t;
        }
    }

    // ---- the writer --------------------------------------------------------------------------

    private final class Writer implements Runnable {
        private static final String UPSERT = "INSERT INTO connections (conn, first_t, last_t, ended_t, url, client, server,"
                + " close_t, close_ord, close_code, close_name, close_reason, close_on_wire, close_initiator, close_clean,"
                + " raw_bytes, raw_dropped, raw_gap_t) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                + " ON CONFLICT (conn) DO UPDATE SET first_t = min(first_t, excluded.first_t),"
                + " last_t = max(last_t, excluded.last_t), ended_t = coalesce(excluded.ended_t, ended_t),"
                + " url = coalesce(excluded.url, url), client = coalesce(excluded.client, client),"
                + " server = coalesce(excluded.server, server), close_t = coalesce(excluded.close_t, close_t),"
                + " close_ord = coalesce(excluded.close_ord, close_ord), close_code = coalesce(excluded.close_code, close_code),"
                + " close_name = coalesce(excluded.close_name, close_name),"
                + " close_reason = coalesce(excluded.close_reason, close_reason),"
                + " close_on_wire = coalesce(excluded.close_on_wire, close_on_wire),"
                + " close_initiator = coalesce(excluded.close_initiator, close_initiator),"
                + " close_clean = coalesce(excluded.close_clean, close_clean),"
                + " raw_bytes = raw_bytes + excluded.raw_bytes, raw_dropped = raw_dropped + excluded.raw_dropped,"
                + " raw_gap_t = coalesce(raw_gap_t, excluded.raw_gap_t)";

        /** Connections touched since the last commit. */
        private final Map<String, ConnRow> dirty = new HashMap<>();
        private final Map<Kind, PreparedStatement> inserts = new HashMap<>();
        private PreparedStatement chunkInsert;
        private PreparedStatement ftsInsert;
        private PreparedStatement upsert;
        private long ord;

        @Override
        public void run() {
            boolean clean = false;
            List<Barrier> barriers = new ArrayList<>();
            try {
                prepare();
                boolean stop = false;
                while (!stop) {
                    Item item = queue.poll(-1);
                    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(BATCH_MILLIS);
                    int rows = 0;
                    while (item != null) {
                        if (item instanceof Barrier b) {
                            barriers.add(b);
                            stop = b.stop;
                            break; // commit now
                        }
                        write(item);
                        if (++rows >= BATCH_ROWS) {
                            break;
                        }
                        item = queue.poll(Math.max(0, deadline - System.nanoTime()));
                    }
                    commit();
                    barriers.forEach(b -> b.done.countDown());
                    barriers.clear();
                }
                clean = true;
            } catch (Throwable e) {
                failure = "Writing the capture " + file + " failed: " + (e instanceof SQLException s ? Db.sentence(s)
                        : e.getMessage() == null ? e.toString() : e.getMessage());
                closed.set(true);
            } finally {
                for (Item left : queue.kill()) {
                    if (left instanceof Barrier b) {
                        barriers.add(b);
                    }
                }
                finish(clean);
                barriers.forEach(b -> b.done.countDown());
            }
        }

        private void prepare() throws SQLException {
            for (Kind k : Kind.values()) {
                if (k.sql != null) {
                    inserts.put(k, db.prepareStatement(k.sql));
                }
            }
            chunkInsert = db.prepareStatement("INSERT INTO chunks (conn, dir, t, bytes) VALUES (?, ?, ?, ?)");
            upsert = db.prepareStatement(UPSERT);
            if (fts) {
                ftsInsert = db.prepareStatement("INSERT INTO message_text (rowid, text) VALUES (?, ?)");
            }
        }

        private ConnRow conn(String conn, long t) {
            ConnRow r = dirty.get(conn);
            if (r == null) {
                r = new ConnRow(conn, t);
                dirty.put(conn, r);
            } else {
                r.first = Math.min(r.first, t);
                r.last = Math.max(r.last, t);
            }
            return r;
        }

        private void write(Item item) throws SQLException {
            if (item instanceof Chunk c) {
                chunkInsert.setString(1, c.conn());
                chunkInsert.setString(2, c.dir());
                chunkInsert.setLong(3, c.t());
                chunkInsert.setBytes(4, c.bytes());
                chunkInsert.executeUpdate();
                conn(c.conn(), c.t()).rawBytes += c.bytes().length;
            } else if (item instanceof Gap g) {
                ConnRow r = conn(g.conn(), g.t());
                r.rawDropped += g.length();
                if (r.gapT == null) {
                    r.gapT = g.t();
                }
            } else if (item instanceof Ended e) {
                conn(e.conn(), e.t()).ended = e.t();
            } else if (item instanceof Row row) {
                long o = ++ord;
                if (row.kind().sql != null) {
                    PreparedStatement ps = inserts.get(row.kind());
                    ps.setLong(1, o);
                    Object[] v = row.values();
                    for (int i = 0; i < v.length; i++) {
                        ps.setObject(i + 2, v[i]);
                    }
                    ps.executeUpdate();
                    if (row.text() != null) {
                        ftsInsert.setLong(1, o);
                        ftsInsert.setString(2, row.text());
                        ftsInsert.executeUpdate();
                    }
                }
                if (row.conn() != null) {
                    ConnRow r = conn(row.conn(), row.t());
                    if (row.update() != null) {
                        row.update().accept(r);
                    }
                    if (row.kind() == Kind.CLOSE) {
                        r.closeOrd = o;
                    }
                }
            }
        }

        private void commit() throws SQLException {
            for (Iterator<ConnRow> it = dirty.values().iterator(); it.hasNext(); ) {
                ConnRow r = it.next();
                Object[] v = {r.conn, r.first, r.last, r.ended, r.url, r.client, r.server, r.closeT, r.closeOrd,
                        r.closeCode, r.closeName, r.closeReason, r.closeOnWire == null ? null : bit(r.closeOnWire),
                        r.closeInitiator, r.closeClean == null ? null : bit(r.closeClean), r.rawBytes, r.rawDropped,
                        r.gapT};
                for (int i = 0; i < v.length; i++) {
                    upsert.setObject(i + 1, v[i]);
                }
                upsert.executeUpdate();
                it.remove(); // the row is in the database; the next change starts a fresh delta
            }
            db.commit();
        }

        /** Leaves a cleanly closed capture as one file (no WAL beside it), readable anywhere. */
        private void finish(boolean clean) {
            try {
                if (clean) {
                    db.setAutoCommit(true);
                    try (Statement s = db.createStatement()) {
                        s.execute("PRAGMA journal_mode = DELETE");
                    }
                } else {
                    db.rollback();
                }
            } catch (SQLException e) {
                if (failure == null) {
                    failure = "Closing the capture " + file + " failed: " + Db.sentence(e);
                }
            } finally {
                Db.closeQuietly(db);
            }
        }
    }
}
