package dev.wsdebug.capture.store;

import dev.wsdebug.capture.CloseEvent;
import dev.wsdebug.capture.ErrorEvent;
import dev.wsdebug.capture.Event;
import dev.wsdebug.capture.EventSink;
import dev.wsdebug.capture.FlowEvent;
import dev.wsdebug.capture.FrameEvent;
import dev.wsdebug.capture.HandshakeEvent;
import dev.wsdebug.capture.HttpEvent;
import dev.wsdebug.capture.MessageEvent;
import dev.wsdebug.capture.MicroClock;
import dev.wsdebug.wire.DeflateParams;
import dev.wsdebug.wire.Direction;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * Writes a capture file ({@code .wsdb}, SQLite): the raw bytes of every connection, the events
 * that are not in those bytes, and the frame and message rows derived from them.
 *
 * <p>Thread-safe: any number of connections may feed it from any threads. Callers only copy what
 * they hand over into a bounded queue; one writer thread drains it into the database in
 * transactions of at most {@value #BATCH_ITEMS} items or {@value #BATCH_MILLIS} ms. When the
 * queue is full (the disk is slower than the traffic), callers wait for room instead of letting
 * memory grow, but at most {@value #MAX_WAIT_MILLIS} ms, so that a stuck disk never stops the
 * traffic: what does not fit in time is not recorded, and the capture says so. Raw bytes that do
 * not fit end the connection's raw record there, as the raw cap does (a reader decodes the bytes
 * before the gap, says that the store could not keep up and how many bytes are missing, then shows
 * the events stored after it); events that do not fit are counted, and the count is stored as an
 * error without a connection as soon as the queue has room again ({@link #notRecorded} sums it
 * all up). Until the writer has caught up with half of the queue, callers that find it full do not
 * wait again.
 *
 * <p>Recording is cheap because it stores what arrived, not what it means: consecutive reads of a
 * connection are merged into large {@code chunks} rows ({@link ChunkRuns}); handshakes, closes,
 * errors, plain HTTP exchanges and flow facts are stored as they happen; frame and message events are not stored while the connection's
 * raw bytes are kept, because the {@link Indexer} derives exactly those rows from the raw bytes
 * through the same pipeline, behind the traffic (one chunk at a time whenever no read has arrived
 * for {@value #IDLE_MILLIS} ms) and completely before {@link #sync} and
 * {@link #close} return. Past the raw cap of a connection its frame and message events are stored
 * as they happen.
 *
 * <p>Durability: WAL mode with {@code synchronous=OFF}. A process that is killed outright loses at
 * most the transaction in progress and the file always opens (the operating system has every
 * committed page); an operating-system crash or power loss may lose the last seconds, as with a
 * packet capture being written. A killed capture's raw bytes are complete up to the last commit;
 * its frame and message tables may stop earlier ({@code meta.indexed_chunk} says where), which a
 * {@link CaptureReader} does not mind because it decodes the raw bytes again.
 *
 * <p>Message payloads are kept up to a cap (beyond it: the first bytes, the full length and the
 * SHA-256). Raw bytes are kept up to a cap per connection (1 GiB by default), after which the
 * gap is recorded and a reader shows the rest of that connection from its stored rows.
 *
 * <p>If writing fails (disk full, file removed), the store stops keeping data and {@link #flush},
 * {@link #sync} and {@link #close} throw with one sentence; the calls that hand data over never
 * throw, so a failing capture does not break the traffic it watches.
 */
public final class CaptureStore implements EventSink {
    /** Default payload cap: bytes of each message's decoded payload kept. */
    public static final int DEFAULT_PAYLOAD_CAP = 1 << 20;
    /**
     * Default raw cap: raw wire bytes kept per connection. The raw bytes are the record, so the cap
     * is high; it bounds what one endless or bulk connection adds to the file, after which its
     * events are stored with their payloads capped.
     */
    public static final long DEFAULT_RAW_CAP = 1L << 30;
    static final int BATCH_ITEMS = 4096;
    static final long BATCH_MILLIS = 50;
    static final int QUEUE_ITEMS = 8192;
    static final long QUEUE_BYTES = 8L << 20;
    /**
     * The longest a caller waits for room in the queue. Long enough to ride out a disk's hiccup (a
     * checkpoint, a busy moment of the page cache) without losing anything; short enough that a
     * stuck disk shows as a pause of the relay, not as a proxy that stopped.
     */
    static final long MAX_WAIT_MILLIS = 1000;
    /** The error kind of what the store itself reports about the record (what it could not keep). */
    static final String KIND = "capture";
    /** Marks the first raw byte of a connection not kept because the store could not keep up (an errors row). */
    static final String OVERLOAD_MARK = "The capture store could not keep up (the disk was slower than the traffic):"
            + " from here on, the raw bytes of this connection are not recorded.";
    /** Marks where a packet capture lacked bytes of a connection (an errors row): its raw bytes stop there. */
    static final String NOT_CAPTURED_MARK = "The packet capture this was read from lacks bytes of this connection:"
            + " from here on, its raw bytes are not recorded.";
    /** SQLite page size: large pages make large raw rows cheap (fewer overflow pages to chain and log). */
    static final int PAGE_SIZE = 65536;
    /**
     * The indexer runs only once no read has arrived for this long: deriving rows costs CPU that
     * the relay needs while traffic flows (on a busy machine it showed as milliseconds of added
     * latency), and a pause of this length is when a step costs nobody anything.
     */
    static final long IDLE_MILLIS = 20;
    static final long IDLE_NANOS = TimeUnit.MILLISECONDS.toNanos(IDLE_MILLIS);

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
    private volatile long indexBacklog;
    /** Events not recorded because the queue had no room in time, not yet reported in the capture. */
    private final AtomicLong unreportedEvents = new AtomicLong();
    private final LongAdder lostEvents = new LongAdder();
    /** Raw bytes not recorded because the queue had no room in time (and later bytes of those connections). */
    private final LongAdder lostBytes = new LongAdder();
    private final LongAdder lostConnections = new LongAdder();
    /** Test hook: the writer waits for this latch before its next transaction. */
    private volatile Stall stall;

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
        this(file, payloadCap, rawCap, queueItems, queueBytes, TimeUnit.MILLISECONDS.toNanos(MAX_WAIT_MILLIS));
    }

    /** @param maxWaitNanos the longest a caller waits for room in the queue */
    CaptureStore(Path file, int payloadCap, long rawCap, int queueItems, long queueBytes, long maxWaitNanos) {
        if (payloadCap < 0 || rawCap < 0) {
            throw new IllegalArgumentException("The payload and raw caps cannot be negative.");
        }
        this.file = file;
        this.payloadCap = payloadCap;
        this.rawCap = rawCap;
        this.queue = new ItemQueue(queueItems, queueBytes, maxWaitNanos);
        replaceable(file);
        Connection c = null;
        boolean withFts;
        try {
            c = Db.open(file, false);
            try (Statement s = c.createStatement()) {
                s.execute("PRAGMA page_size = " + PAGE_SIZE);
                s.execute("PRAGMA application_id = " + Schema.APPLICATION_ID);
                s.execute("PRAGMA journal_mode = WAL");
                s.execute("PRAGMA synchronous = OFF");
                s.execute("PRAGMA wal_autocheckpoint = " + (16 << 20) / PAGE_SIZE);
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
                        {"fts", withFts ? "fts5" : "none"},
                        {"indexed_chunk", "0"}};
                for (String[] r : rows) {
                    meta.setString(1, r[0]);
                    meta.setString(2, r[1]);
                    meta.executeUpdate();
                }
            }
            c.commit();
            // the tables into the file itself: a copy taken without its -wal file is still a capture
            c.setAutoCommit(true);
            try (Statement s = c.createStatement()) {
                s.execute("PRAGMA wal_checkpoint(TRUNCATE)");
            }
            c.setAutoCommit(false);
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

    /**
     * Raw bytes whose frame and message rows are not derived yet (as of the writer's last commit):
     * what {@link #close} still has to index. A caller may tell its user before closing.
     */
    public long indexBacklogBytes() {
        return indexBacklog;
    }

    // ---- producers ---------------------------------------------------------------------------

    @Override
    public void chunk(String conn, Direction dir, long timeMicros, byte[] b, int off, int len) {
        if (len <= 0 || closed.get()) {
            return;
        }
        RawBudget budget = raw.computeIfAbsent(conn, k -> new RawBudget());
        boolean keep;
        boolean first = false;
        synchronized (budget) {
            keep = !budget.gap && budget.kept + len <= rawCap;
            if (keep) {
                budget.kept += len;
            } else {
                first = !budget.gap;
                budget.gap = true; // once bytes are missing, later bytes cannot be decoded: keep none
            }
        }
        if (keep) {
            int put = queue.put(new StoreItem.Chunk(conn, dir, timeMicros, Arrays.copyOfRange(b, off, off + len)));
            if (put == ItemQueue.ADDED) {
                if (unreportedEvents.get() != 0) {
                    reportLostEvents();
                }
            } else if (put == ItemQueue.FULL) {
                overloaded(conn, budget, timeMicros, len);
            }
        } else if (first) {
            queue.putAlways(new StoreItem.Gap(conn, timeMicros, len, StoreItem.Gap.Cause.RAW_CAP));
        } else {
            dropped(conn, budget, timeMicros, len);
        }
    }

    /**
     * Bytes a packet capture lacked: the raw record of the connection ends here (the bytes around a
     * hole cannot be decoded again as one stream); what follows is recorded as events.
     */
    @Override
    public void gap(String conn, Direction dir, long timeMicros, long missing) {
        if (closed.get() || missing <= 0) {
            return;
        }
        RawBudget budget = raw.computeIfAbsent(conn, k -> new RawBudget());
        boolean first;
        synchronized (budget) {
            first = !budget.gap;
            budget.gap = true;
        }
        if (first) {
            queue.putAlways(new StoreItem.Gap(conn, timeMicros, 0, StoreItem.Gap.Cause.NOT_CAPTURED));
        }
    }

    /** The queue had no room in time for a chunk: the connection's raw record ends here. */
    private void overloaded(String conn, RawBudget budget, long timeMicros, int len) {
        boolean first;
        synchronized (budget) {
            budget.kept -= len;
            first = !budget.gap;
            budget.gap = true;
            budget.overloaded |= first;
        }
        if (first) {
            lostConnections.increment();
            lostBytes.add(len);
            queue.putAlways(new StoreItem.Gap(conn, timeMicros, len, StoreItem.Gap.Cause.OVERLOAD));
        } else {
            dropped(conn, budget, timeMicros, len);
        }
    }

    /**
     * Bytes after a connection's gap: counted, and the count handed over when the queue has room
     * right away (else with the next one, at the connection's end or at close), never waiting.
     */
    private void dropped(String conn, RawBudget budget, long timeMicros, int len) {
        long n;
        synchronized (budget) {
            n = budget.unreported + len;
            budget.unreported = 0;
            budget.lastDropped = timeMicros;
            if (budget.overloaded) {
                lostBytes.add(len);
            }
        }
        if (!queue.offer(new StoreItem.Gap(conn, timeMicros, n, null))) {
            synchronized (budget) {
                budget.unreported += n;
            }
        }
    }

    @Override
    public void accept(Event event) {
        if (closed.get() || event instanceof FlowEvent f && !storable(f)) {
            return;
        }
        // an HTTP exchange is complete in itself: no budget kept for it (the proxy never ends such a connection)
        if (event.conn() != null && !(event instanceof HttpEvent)) {
            RawBudget budget = raw.computeIfAbsent(event.conn(), k -> new RawBudget());
            if ((event instanceof FrameEvent || event instanceof MessageEvent) && budget.holdsRaw()) {
                return; // its raw bytes are stored: the indexer derives this row from them
            }
        }
        int put = queue.put(new StoreItem.Recorded(event));
        if (put == ItemQueue.ADDED) {
            if (unreportedEvents.get() != 0) {
                reportLostEvents();
            }
        } else if (put == ItemQueue.FULL) {
            unreportedEvents.incrementAndGet();
            lostEvents.increment();
        }
    }

    /**
     * Whether a flow fact has what its row requires: its columns are NOT NULL, and one bad event
     * must not fail the writer (which would end the whole capture).
     */
    private static boolean storable(FlowEvent f) {
        return f.conn() != null && f.dir() != null && f.kind() != null;
    }

    /** The queue had room again: the count of events it had none for goes into the capture, once. */
    private void reportLostEvents() {
        long n = unreportedEvents.getAndSet(0);
        if (n > 0) {
            queue.putAlways(new StoreItem.Recorded(new ErrorEvent(null, MicroClock.now(), KIND, "The capture store could not"
                    + " keep up (the disk was slower than the traffic): " + n + (n == 1 ? " event was" : " events were")
                    + " not recorded.")));
        }
    }

    @Override
    public void assumedWebSocket(String conn, DeflateParams deflate) {
        if (!closed.get()) {
            raw.computeIfAbsent(conn, k -> new RawBudget());
            queue.putAlways(new StoreItem.Assumed(conn, deflate));
        }
    }

    @Override
    public void ended(String conn, long timeMicros) {
        // a conversation that never saw a byte or an event leaves no trace
        RawBudget budget = raw.remove(conn);
        if (budget != null && !closed.get()) {
            handOverDropped(conn, budget);
            queue.putAlways(new StoreItem.Ended(conn, timeMicros));
        }
    }

    /** The count of dropped bytes not handed over yet. */
    private void handOverDropped(String conn, RawBudget budget) {
        long n;
        long t;
        synchronized (budget) {
            n = budget.unreported;
            t = budget.lastDropped;
            budget.unreported = 0;
        }
        if (n > 0) {
            queue.putAlways(new StoreItem.Gap(conn, t, n, null));
        }
    }

    /**
     * What the store could not record because its writer did not keep up (the disk was slower than
     * the traffic), as one sentence; null when it recorded everything it was handed. The capture
     * itself says so too, per connection and in an error without a connection.
     */
    public String notRecorded() {
        long bytes = lostBytes.sum();
        long conns = lostConnections.sum();
        long events = lostEvents.sum();
        if (conns == 0 && events == 0) {
            return null;
        }
        String what = conns == 0 ? "" : bytes + " raw bytes of " + conns + (conns == 1 ? " connection" : " connections");
        if (events > 0) {
            what += (what.isEmpty() ? "" : " and ") + events + (events == 1 ? " event" : " events");
        }
        return "The capture store could not keep up (the disk was slower than the traffic): " + what
                + (conns == 0 && events == 1 ? " was" : " were") + " not recorded.";
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

    /**
     * Waits until everything handed over so far is committed to the file, its frame and message
     * rows derived (visible to readers, safe from a kill).
     */
    public void sync() {
        if (!closed.get()) {
            StoreItem.Barrier b = new StoreItem.Barrier(false);
            if (queue.putAlways(b)) {
                b.await(writer);
            }
        }
        throwIfFailed();
    }

    /** Commits what is queued, derives the remaining rows, leaves the file as one self-contained database. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            raw.forEach(this::handOverDropped);
            reportLostEvents();
            StoreItem.Barrier b = new StoreItem.Barrier(true);
            if (queue.putAlways(b)) {
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

    /**
     * The writer stops before its next transaction until {@link Stall#release} is counted down
     * (tests: a disk that does not keep up); {@link Stall#reached} says that it has stopped.
     */
    Stall stallWriterForTest() {
        Stall s = new Stall(new CountDownLatch(1), new CountDownLatch(1));
        stall = s;
        return s;
    }

    record Stall(CountDownLatch reached, CountDownLatch release) {
    }

    /** Raw bytes kept so far for one connection (producer side). */
    private static final class RawBudget {
        long kept;
        /** No raw bytes are kept from here on (raw cap, or no room in time). */
        boolean gap;
        /** The gap came from a queue without room. */
        boolean overloaded;
        /** Bytes dropped after the gap that the writer has not been told about. */
        long unreported;
        long lastDropped;

        synchronized boolean holdsRaw() {
            return kept > 0 && !gap;
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
        Long gapOrd;
        String assumed;

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
                + " raw_bytes, raw_dropped, raw_gap_t, raw_gap_ord, assumed)"
                + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
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
                + " raw_gap_t = coalesce(raw_gap_t, excluded.raw_gap_t), raw_gap_ord = coalesce(raw_gap_ord, excluded.raw_gap_ord),"
                + " assumed = coalesce(assumed, excluded.assumed)";

        /** Connections touched since the last commit. */
        private final Map<String, ConnRow> dirty = new HashMap<>();
        private PreparedStatement chunkInsert;
        private PreparedStatement upsert;
        private PreparedStatement progress;
        private EventRows rows;
        private Indexer indexer;
        private ChunkRuns runs;
        private long chunkId;
        private long savedProgress;
        /** When the last raw bytes arrived. */
        private long lastReadNanos = System.nanoTime() - IDLE_NANOS;

        @Override
        public void run() {
            boolean clean = false;
            List<StoreItem.Barrier> barriers = new ArrayList<>();
            try {
                prepare();
                boolean stop = false;
                while (!stop) {
                    // behind: wait only until traffic has paused long enough to index one chunk
                    StoreItem item = queue.poll(indexer.behind()
                            ? Math.max(0, lastReadNanos + IDLE_NANOS - System.nanoTime()) : -1);
                    if (item == null) {
                        if (indexer.behind() && System.nanoTime() - lastReadNanos >= IDLE_NANOS) {
                            indexer.step(1);
                            commit();
                        }
                        continue;
                    }
                    Stall s = stall;
                    if (s != null) {
                        stall = null;
                        s.reached.countDown();
                        s.release.await();
                    }
                    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(BATCH_MILLIS);
                    int n = 0;
                    while (item != null) {
                        if (item instanceof StoreItem.Barrier b) {
                            barriers.add(b);
                            stop = b.stop;
                            break;
                        }
                        write(item);
                        if (++n >= BATCH_ITEMS) {
                            break;
                        }
                        item = queue.poll(Math.max(0, deadline - System.nanoTime()));
                    }
                    if (!barriers.isEmpty()) {
                        while (indexer.behind() || runs.holding()) {
                            commit(); // in steps: a bounded WAL, and a backlog figure that shows progress
                            indexer.step(64);
                        }
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
                for (StoreItem left : queue.kill()) {
                    if (left instanceof StoreItem.Barrier b) {
                        barriers.add(b);
                    }
                }
                finish(clean);
                barriers.forEach(b -> b.done.countDown());
            }
        }

        private void prepare() throws SQLException {
            chunkInsert = db.prepareStatement("INSERT INTO chunks (id, conn, dir, t, bytes, times) VALUES (?, ?, ?, ?, ?, ?)");
            upsert = db.prepareStatement(UPSERT);
            progress = db.prepareStatement("UPDATE meta SET value = ? WHERE key = 'indexed_chunk'");
            rows = new EventRows(db, payloadCap, fts);
            indexer = new Indexer(db, rows, payloadCap);
            runs = new ChunkRuns(this::chunkRow);
        }

        private void chunkRow(String conn, Direction dir, long t, byte[] bytes, byte[] times) throws SQLException {
            long id = ++chunkId;
            chunkInsert.setLong(1, id);
            chunkInsert.setString(2, conn);
            chunkInsert.setString(3, dir.id());
            chunkInsert.setLong(4, t);
            chunkInsert.setBytes(5, bytes);
            chunkInsert.setBytes(6, times);
            chunkInsert.executeUpdate();
            indexer.written(id, conn, bytes.length);
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

        private void write(StoreItem item) throws Exception {
            if (item instanceof StoreItem.Chunk c) {
                runs.append(c.conn(), c.dir(), c.t(), c.bytes());
                conn(c.conn(), c.t()).rawBytes += c.bytes().length;
                lastReadNanos = System.nanoTime();
            } else if (item instanceof StoreItem.Gap g) {
                runs.flush(g.conn());
                ConnRow r = conn(g.conn(), g.t());
                r.rawDropped += g.length();
                if (g.cause() != null) { // the first gap of the connection
                    r.gapT = g.t();
                    r.gapOrd = rows.lastOrd(); // rows stored after this one are not in the raw bytes
                    if (g.cause() == StoreItem.Gap.Cause.OVERLOAD) {
                        rows.error(new ErrorEvent(g.conn(), g.t(), KIND, OVERLOAD_MARK)); // what a reader tells apart
                    } else if (g.cause() == StoreItem.Gap.Cause.NOT_CAPTURED) {
                        rows.error(new ErrorEvent(g.conn(), g.t(), KIND, NOT_CAPTURED_MARK));
                    }
                }
            } else if (item instanceof StoreItem.Assumed a) {
                conn(a.conn(), MicroClock.now()).assumed = Codec.assumed(a.deflate());
                indexer.assumed(a.conn(), a.deflate());
            } else if (item instanceof StoreItem.Ended e) {
                runs.flush(e.conn());
                conn(e.conn(), e.t()).ended = e.t();
                indexer.ended(e.conn());
            } else if (item instanceof StoreItem.Recorded rec) {
                record(rec.event());
            }
        }

        private void record(Event event) throws SQLException {
            ConnRow r = event.conn() == null ? null : conn(event.conn(), event.timeMicros());
            if (event instanceof HandshakeEvent h) {
                rows.handshake(h);
                r.url = h.url();
                r.client = h.client();
                r.server = h.server();
            } else if (event instanceof FrameEvent f) {
                rows.frame(f);
            } else if (event instanceof MessageEvent m) {
                rows.message(m);
            } else if (event instanceof ErrorEvent e) {
                rows.error(e);
            } else if (event instanceof HttpEvent x) {
                rows.http(x);
                if (r != null) {
                    r.last = Math.max(r.last, x.timeMicros() + Math.max(0, x.durationMicros()));
                }
            } else if (event instanceof FlowEvent f) {
                rows.flow(f);
            } else if (event instanceof CloseEvent c) {
                r.closeOrd = rows.nextOrd();
                r.closeT = c.timeMicros();
                r.closeCode = c.code();
                r.closeName = c.codeName();
                r.closeReason = c.reason();
                r.closeOnWire = c.onWire();
                r.closeInitiator = c.initiator();
                r.closeClean = c.clean();
            }
        }

        private void commit() throws Exception {
            runs.flushAll();
            for (Iterator<ConnRow> it = dirty.values().iterator(); it.hasNext(); ) {
                ConnRow r = it.next();
                Object[] v = {r.conn, r.first, r.last, r.ended, r.url, r.client, r.server, r.closeT, r.closeOrd,
                        r.closeCode, r.closeName, r.closeReason, r.closeOnWire == null ? null : EventRows.bit(r.closeOnWire),
                        r.closeInitiator, r.closeClean == null ? null : EventRows.bit(r.closeClean), r.rawBytes, r.rawDropped,
                        r.gapT, r.gapOrd, r.assumed};
                for (int i = 0; i < v.length; i++) {
                    upsert.setObject(i + 1, v[i]);
                }
                upsert.executeUpdate();
                it.remove(); // the row is in the database; the next change starts a fresh delta
            }
            if (indexer.indexed() != savedProgress) {
                savedProgress = indexer.indexed();
                progress.setString(1, Long.toString(savedProgress));
                progress.executeUpdate();
            }
            db.commit();
            indexBacklog = indexer.backlogBytes();
        }

        /** Leaves a cleanly closed capture as one file (no WAL beside it), readable anywhere. */
        private void finish(boolean clean) {
            try {
                if (clean) {
                    indexer.close();
                    rows.close();
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
