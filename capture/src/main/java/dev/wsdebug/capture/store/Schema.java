package dev.wsdebug.capture.store;

import java.util.List;

/**
 * The layout of a {@code .wsdb} capture, schema version 4. Times are microseconds since the epoch;
 * booleans are 0/1; {@code dir} is {@code c2s} or {@code s2c}. Every event row has an {@code ord}:
 * the order in which the writer stored the row, shared by all event tables (it is also their
 * rowid); frame and message rows derived from raw bytes are stored after the traffic, so within a
 * connection their order is {@code seq}. JSON columns hold text in the shapes documented in
 * docs/ARCHITECTURE.md.
 *
 * <p>Version 2 (from version 1): {@code chunks.times} (the reads merged into a row, see
 * {@link ReadTimes}), {@code connections.raw_gap_ord} (the last row stored before the raw cap
 * was reached), {@code connections.assumed} (set when the conversation skipped the handshake: the
 * permessage-deflate parameters it assumed as JSON, or {@code none}) and {@code meta.indexed_chunk}. Version 1 files are read as before.
 *
 * <p>Version 3 (from version 2): the table {@code http}, plain HTTP exchanges ({@code http} events);
 * older files have none and are read as before.
 *
 * <p>Version 4 (from version 3): the table {@code flow}, transport facts about a connection's bytes
 * ({@code flow} events: TCP windows, Nagle waits, bytes the proxy holds); older files have none and
 * are read as before.
 *
 * <p>Version 5 (from version 4): {@code handshakes.stream}, the HTTP/2 stream of a handshake made as
 * an RFC 8441 extended CONNECT (transport {@code h2}); null over HTTP/1.1 and in older files.
 */
final class Schema {
    /** The schema this build writes; it reads this one and every older one. */
    static final int VERSION = 5;
    /** {@code PRAGMA application_id}: "wsdb", so that file(1) and tools can tell the file apart. */
    static final int APPLICATION_ID = 0x77736462;
    /** The first 16 bytes of every SQLite 3 database file. */
    static final String SQLITE_MAGIC = "SQLite format 3\0";

    static final List<String> TABLES = List.of(
            "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID",
            """
            CREATE TABLE connections (
              conn TEXT PRIMARY KEY,
              first_t INTEGER NOT NULL,
              last_t INTEGER NOT NULL,
              ended_t INTEGER,
              url TEXT,
              client TEXT,
              server TEXT,
              close_t INTEGER,
              close_ord INTEGER,
              close_code INTEGER,
              close_name TEXT,
              close_reason TEXT,
              close_on_wire INTEGER,
              close_initiator TEXT,
              close_clean INTEGER,
              raw_bytes INTEGER NOT NULL DEFAULT 0,
              raw_dropped INTEGER NOT NULL DEFAULT 0,
              raw_gap_t INTEGER,
              raw_gap_ord INTEGER,
              assumed TEXT
            )""",
            """
            CREATE TABLE handshakes (
              ord INTEGER PRIMARY KEY,
              conn TEXT NOT NULL,
              t INTEGER NOT NULL,
              transport TEXT,
              url TEXT,
              request TEXT,
              response TEXT,
              status INTEGER,
              upgraded INTEGER NOT NULL,
              valid INTEGER,
              accept_expected TEXT,
              accept_actual TEXT,
              accept_valid INTEGER,
              subprotocol TEXT,
              extensions TEXT,
              deflate TEXT,
              problems TEXT,
              client TEXT,
              server TEXT,
              stream INTEGER
            )""",
            "CREATE INDEX handshakes_conn ON handshakes (conn)",
            """
            CREATE TABLE frames (
              ord INTEGER PRIMARY KEY,
              conn TEXT NOT NULL,
              seq INTEGER NOT NULL,
              t INTEGER NOT NULL,
              dir TEXT NOT NULL,
              offset INTEGER NOT NULL,
              fin INTEGER NOT NULL,
              rsv1 INTEGER NOT NULL,
              rsv2 INTEGER NOT NULL,
              rsv3 INTEGER NOT NULL,
              opcode INTEGER NOT NULL,
              type TEXT NOT NULL,
              masked INTEGER NOT NULL,
              mask_key TEXT,
              header_length INTEGER NOT NULL,
              length_encoding INTEGER NOT NULL,
              payload_length INTEGER NOT NULL,
              close_code INTEGER,
              close_reason TEXT,
              control_payload BLOB,
              violations TEXT
            )""",
            "CREATE INDEX frames_conn ON frames (conn, seq)",
            """
            CREATE TABLE messages (
              ord INTEGER PRIMARY KEY,
              conn TEXT NOT NULL,
              seq INTEGER NOT NULL,
              t INTEGER NOT NULL,
              dir TEXT NOT NULL,
              type TEXT NOT NULL,
              opcode INTEGER NOT NULL,
              frames INTEGER NOT NULL,
              compressed INTEGER NOT NULL,
              wire_length INTEGER NOT NULL,
              length INTEGER NOT NULL,
              payload BLOB NOT NULL,
              truncated INTEGER NOT NULL,
              sha256 TEXT,
              utf8 TEXT,
              utf8_invalid_at INTEGER,
              first_offset INTEGER NOT NULL,
              violations TEXT
            )""",
            "CREATE INDEX messages_conn ON messages (conn, seq)",
            """
            CREATE TABLE errors (
              ord INTEGER PRIMARY KEY,
              conn TEXT,
              t INTEGER NOT NULL,
              kind TEXT NOT NULL,
              message TEXT NOT NULL
            )""",
            "CREATE INDEX errors_conn ON errors (conn, ord)",
            """
            CREATE TABLE http (
              ord INTEGER PRIMARY KEY,
              conn TEXT,
              t INTEGER NOT NULL,
              method TEXT,
              url TEXT,
              status INTEGER NOT NULL,
              reason TEXT,
              request TEXT,
              response TEXT,
              request_body_length INTEGER NOT NULL,
              response_body_length INTEGER NOT NULL,
              duration_us INTEGER NOT NULL
            )""",
            "CREATE INDEX http_conn ON http (conn, ord)",
            """
            CREATE TABLE flow (
              ord INTEGER PRIMARY KEY,
              conn TEXT NOT NULL,
              t INTEGER NOT NULL,
              dir TEXT NOT NULL,
              kind TEXT NOT NULL,
              bytes INTEGER NOT NULL,
              duration_us INTEGER NOT NULL
            )""",
            "CREATE INDEX flow_conn ON flow (conn, ord)",
            """
            CREATE TABLE chunks (
              id INTEGER PRIMARY KEY,
              conn TEXT NOT NULL,
              dir TEXT NOT NULL,
              t INTEGER NOT NULL,
              bytes BLOB NOT NULL,
              times BLOB
            )""",
            "CREATE INDEX chunks_conn ON chunks (conn, id)");

    /** Full-text index of text message payloads (as stored, so at most the payload cap); rowid = messages.ord. */
    static final String FTS = "CREATE VIRTUAL TABLE message_text USING fts5 (text, content='')";

    private Schema() {
    }
}
