package dev.wsdebug.sniff.tls;

import java.security.GeneralSecurityException;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;

/**
 * One TCP connection's TLS, decrypted with the secrets of a key log: fed both directions' bytes
 * in order, it finds the records, follows the handshake (ClientHello and ServerHello in the clear,
 * TLS 1.3's EncryptedExtensions, KeyUpdate and 1.2 renegotiation under encryption), switches keys
 * where each side does, and passes on the application data.
 *
 * <p>What the listener hears: {@link TlsPlaintextListener#info} once per handshake, when what it
 * reports is known: for TLS 1.2 and older right after the ServerHello if the key log holds the
 * master secret (else when it turns up, or when waiting for it ends); for TLS 1.3 once, after the
 * EncryptedExtensions, so that it carries the chosen ALPN protocol. A renegotiation reports again.
 * {@link TlsPlaintextListener#plaintext} gets each application_data record of a side, in order,
 * with the packet that completed it; handshake, alert, heartbeat and change_cipher_spec contents
 * are not passed on. {@link TlsPlaintextListener#problem} gets each kind of trouble once (a wrong
 * key is one problem for the connection, not one per record).
 *
 * <p>Secrets missing from a key log that is still growing ({@link TlsSecrets#mayGrow()}, a live
 * capture: browsers log a secret just after using it) are waited for: a side's records are held,
 * at most {@value #MAX_HELD_BYTES} bytes per connection and {@value #KEY_WAIT_NANOS} ns of capture
 * time, and looked up again with every feed. With a complete key log a missing secret is reported
 * at once.
 *
 * <p>Memory per connection is bounded: a partial record per side (at most 5 + 2^14 + 2048 bytes),
 * the handshake message being reassembled if it is one whose content is read (at most 64 KiB), and
 * the held records above. Not thread-safe: one connection is fed from one thread.
 */
public final class TlsConnection {
    /** How long (capture time) records wait for a secret that a growing key log does not hold yet. */
    static final long KEY_WAIT_NANOS = 3_000_000_000L;
    /** Bytes of records a connection holds while it waits for secrets or the other side's handshake. */
    static final int MAX_HELD_BYTES = 1 << 18;
    /** Records of rejected 0-RTT data skipped before a record that fails is taken for a wrong key. */
    private static final int MAX_SKIPPED = 64;

    private static final int CHANGE_CIPHER_SPEC = 20;
    private static final int HANDSHAKE = 22;
    private static final int APPLICATION_DATA = 23;

    private static final String NO_KEY_ADVICE = "to get one, set SSLKEYLOGFILE=/path for Chrome, Firefox and curl,"
            + " run node with --tls-keylog=/path, or set keylog_filename on Python's SSLContext.";

    /** The kinds of trouble, each reported at most once per connection. */
    private enum Trouble {
        NOT_TLS, NO_HANDSHAKE, MALFORMED_HELLO, UNSUPPORTED, NO_KEY, MISSING_CLIENT_SECRET, MISSING_SERVER_SECRET,
        MISSING_EARLY_SECRET, AUTHENTICATION, GAP_CLIENT, GAP_SERVER, NO_SERVER_HELLO, INTERNAL
    }

    /** The keys that take over a side's records once they can be had. */
    private enum KeyStep {
        /** TLS 1.3 0-RTT data sent before the ServerHello: the suite is not known yet. */
        AWAIT_SERVER_HELLO(false),
        /** 0-RTT data was offered: whether the server took it is in its EncryptedExtensions. */
        AWAIT_ENCRYPTED_EXTENSIONS(false),
        EARLY(true),
        HANDSHAKE(true),
        APPLICATION(true),
        /** The TLS 1.2 (and older) keys a ChangeCipherSpec switches to. */
        TLS12(true);

        final boolean fromKeyLog;

        KeyStep(boolean fromKeyLog) {
            this.fromKeyLog = fromKeyLog;
        }
    }

    /** What a TLS 1.2 ChangeCipherSpec switches to, fixed when it is seen (a renegotiation brings new hellos). */
    private record Tls12Keys(byte[] clientRandom, byte[] serverRandom, int version, CipherSuite suite,
                             boolean encryptThenMac) {
    }

    /** A record that waits for keys (a copy: the caller's array is only lent). */
    private record Held(int type, int version, byte[] fragment, long packet, long timeNanos) {
    }

    private final TlsSecrets secrets;
    private final TlsPlaintextListener listener;
    private final Direction client = new Direction(true);
    private final Direction server = new Direction(false);
    private final EnumSet<Trouble> reported = EnumSet.noneOf(Trouble.class);

    private Hellos.ClientHello clientHello;
    /** The ServerHello in force (not a HelloRetryRequest). */
    private Hellos.ServerHello serverHello;
    /** Negotiated version; 0 until a ServerHello or HelloRetryRequest tells. */
    private int version;
    private CipherSuite suite;
    private String alpn;
    private boolean infoSent;
    /** The handshake in force is a TLS 1.2 renegotiation (a second ServerHello). */
    private boolean renegotiated;
    /** The server answered with a HelloRetryRequest: 0-RTT data of the first ClientHello is dropped. */
    private boolean retried;
    private int heldBytes;
    private long now;
    private boolean ended;

    public TlsConnection(TlsSecrets secrets, TlsPlaintextListener listener) {
        this.secrets = Objects.requireNonNull(secrets, "secrets");
        this.listener = Objects.requireNonNull(listener, "listener");
    }

    /**
     * A ClientHello record starts here: handshake content type, version 3.x, a length a
     * ClientHello can have, handshake type 1.
     */
    public static boolean looksLikeTls(byte[] b, int off, int len) {
        if (b == null || off < 0 || len < 6 || off > b.length - len) {
            return false;
        }
        int length = (b[off + 3] & 0xFF) << 8 | (b[off + 4] & 0xFF);
        boolean header = b[off] == HANDSHAKE && b[off + 1] == 3 && (b[off + 2] & 0xFF) <= 4 && length >= 4
                && length <= 1 << 14 && b[off + 5] == HandshakeReader.CLIENT_HELLO;
        if (!header || len < 9) {
            return header;
        }
        // version + random + session id length at least
        int messageLength = (b[off + 6] & 0xFF) << 16 | (b[off + 7] & 0xFF) << 8 | (b[off + 8] & 0xFF);
        return messageLength >= 35;
    }

    /**
     * Bytes of one side, in stream order.
     *
     * @param packet the packet that carried them: plaintext is reported with the packet that
     *               completed its record
     */
    public void feed(boolean fromClient, long packet, long timeNanos, byte[] b, int off, int len) {
        Objects.checkFromIndexSize(off, len, b.length);
        if (ended || len == 0) {
            return;
        }
        now = timeNanos;
        try {
            retryHeld();
            Direction d = fromClient ? client : server;
            if (!d.stopped) {
                String notTls = d.records.feed(b, off, len, packet, timeNanos);
                if (notTls != null && !d.stopped) {
                    report(Trouble.NOT_TLS, "The " + d.who() + "'s bytes are not TLS: " + notTls + ".");
                    stopAll();
                }
            }
            giveUpStaleWaits();
        } catch (RuntimeException | GeneralSecurityException e) {
            internal(e);
        }
    }

    /** Bytes of one side were lost: its records can no longer be found, so that side is not decrypted further. */
    public void gap(boolean fromClient) {
        Direction d = fromClient ? client : server;
        if (ended || d.stopped) {
            return;
        }
        d.stop();
        report(fromClient ? Trouble.GAP_CLIENT : Trouble.GAP_SERVER, "Bytes the " + d.who()
                + " sent were not captured, so its TLS records can no longer be found; the rest of what it sent is not decrypted.");
    }

    /** The connection is over: records still waiting for secrets are given up on (and said so). */
    public void end(long timeNanos) {
        if (ended) {
            return;
        }
        now = timeNanos;
        try {
            retryHeld();
            for (Direction d : new Direction[] {client, server}) {
                // Giving up on early data lets the handshake records behind it through, hence a second round.
                for (int round = 0; round < 3 && !d.stopped && !d.held.isEmpty(); round++) {
                    giveUp(d);
                    d.replay();
                }
            }
            if (!infoSent && serverHello != null) {
                sendInfo(anyKey());
            }
        } catch (RuntimeException | GeneralSecurityException e) {
            internal(e);
        }
        ended = true;
    }

    // ---- keys

    /** Tries to switch a side to its pending keys; false while they cannot be had (yet), or never. */
    private boolean activate(Direction d) throws GeneralSecurityException {
        while (!d.stopped && d.pending != null) {
            RecordCipher cipher = build(d);
            if (cipher != null) {
                KeyStep step = d.pending;
                d.cipher = cipher;
                d.pending = null;
                d.pendingTls12 = null;
                if (step == KeyStep.TLS12 && !infoSent) {
                    sendInfo(true);
                }
                return true;
            }
            if (!d.pending.fromKeyLog || secrets.mayGrow()) {
                return false;
            }
            KeyStep before = d.pending;
            giveUp(d);
            if (d.pending == before) {
                return false;
            }
            // Given up on early data: the handshake keys come next; try them.
        }
        return false;
    }

    private RecordCipher build(Direction d) throws GeneralSecurityException {
        switch (d.pending) {
            case EARLY, HANDSHAKE, APPLICATION -> {
                byte[] secret = secrets.secret(label(d.pending, d.fromClient), clientHello.random());
                return secret == null ? null : new Tls13RecordCipher(suite, secret);
            }
            case TLS12 -> {
                Tls12Keys keys = d.pendingTls12;
                byte[] master = secrets.secret("CLIENT_RANDOM", keys.clientRandom());
                return master == null ? null : tls12Cipher(d.fromClient, keys, master);
            }
            default -> {
                return null;
            }
        }
    }

    private static String label(KeyStep step, boolean fromClient) {
        return switch (step) {
            case EARLY -> "CLIENT_EARLY_TRAFFIC_SECRET";
            case HANDSHAKE -> fromClient ? "CLIENT_HANDSHAKE_TRAFFIC_SECRET" : "SERVER_HANDSHAKE_TRAFFIC_SECRET";
            case APPLICATION -> fromClient ? "CLIENT_TRAFFIC_SECRET_0" : "SERVER_TRAFFIC_SECRET_0";
            case TLS12 -> "CLIENT_RANDOM";
            default -> throw new IllegalArgumentException(step.name());
        };
    }

    /** Cuts the side's keys from the key block (RFC 5246 6.3): MAC keys, then write keys, then IVs, client first. */
    private static RecordCipher tls12Cipher(boolean fromClient, Tls12Keys keys, byte[] master)
            throws GeneralSecurityException {
        CipherSuite s = keys.suite();
        int mac = s.macLength;
        int key = s.keyLength;
        int iv = s.fixedIvLength();
        byte[] block = Prf.keyBlock(keys.version(), s.prfHmac, master, keys.clientRandom(), keys.serverRandom(),
                2 * (mac + key + iv));
        int side = fromClient ? 0 : 1;
        byte[] macKey = Arrays.copyOfRange(block, side * mac, side * mac + mac);
        int keyAt = 2 * mac + side * key;
        byte[] writeKey = Arrays.copyOfRange(block, keyAt, keyAt + key);
        int ivAt = 2 * mac + 2 * key + side * iv;
        byte[] writeIv = Arrays.copyOfRange(block, ivAt, ivAt + iv);
        if (s.aead()) {
            return new Tls12AeadRecordCipher(s, writeKey, writeIv);
        }
        return new CbcRecordCipher(s, keys.version(), macKey, writeKey, writeIv, keys.encryptThenMac());
    }

    /** Whether the key log holds any secret for this connection's client random. */
    private boolean anyKey() {
        if (clientHello == null) {
            return false;
        }
        for (String label : KeyLog.LABELS) {
            if (secrets.secret(label, clientHello.random()) != null) {
                return true;
            }
        }
        return false;
    }

    private String clientRandomPrefix() {
        return Hex.of(clientHello.random(), 0, 4) + "…";
    }

    // ---- waiting

    private void retryHeld() throws GeneralSecurityException {
        for (Direction d : new Direction[] {client, server}) {
            if (!d.stopped && !d.held.isEmpty()) {
                d.replay();
            }
        }
    }

    private void giveUpStaleWaits() throws GeneralSecurityException {
        for (Direction d : new Direction[] {client, server}) {
            if (d.stopped || d.held.isEmpty()) {
                continue;
            }
            boolean keyLogWait = d.pending != null && d.pending.fromKeyLog;
            if (heldBytes > MAX_HELD_BYTES || keyLogWait && now - d.waitingSince > KEY_WAIT_NANOS) {
                giveUp(d);
                d.replay();
            }
        }
    }

    /** Stops waiting for what a side's pending keys need, and says why. */
    private void giveUp(Direction d) throws GeneralSecurityException {
        KeyStep step = d.pending;
        if (step == null) {
            d.stop();
            return;
        }
        switch (step) {
            case AWAIT_SERVER_HELLO -> {
                report(Trouble.NO_SERVER_HELLO, "The client sent encrypted records but no ServerHello was captured,"
                        + " so they cannot be decrypted.");
                d.stop();
            }
            case AWAIT_ENCRYPTED_EXTENSIONS -> {
                if (!reported.contains(Trouble.NO_KEY) && !reported.contains(Trouble.AUTHENTICATION)) {
                    report(Trouble.NO_SERVER_HELLO, "The server's EncryptedExtensions was not seen, so whether it"
                            + " accepted the client's early data is unknown; the client's records are not decrypted.");
                }
                d.stop();
            }
            case EARLY -> {
                // Without the early secret the 0-RTT records cannot be read, but the handshake records after
                // them can: skip what does not open under the handshake keys.
                report(Trouble.MISSING_EARLY_SECRET, "The key log has no CLIENT_EARLY_TRAFFIC_SECRET for client random "
                        + clientRandomPrefix() + ", so the client's early data (0-RTT) is not decrypted.");
                d.pending = KeyStep.HANDSHAKE;
                d.skipUndecryptable = true;
            }
            case HANDSHAKE, APPLICATION, TLS12 -> {
                if (!anyKey()) {
                    noKey();
                    return;
                }
                String label = step == KeyStep.TLS12 ? "CLIENT_RANDOM" : label(step, d.fromClient);
                String what = step == KeyStep.APPLICATION ? "application data is" : "records are";
                report(d.fromClient ? Trouble.MISSING_CLIENT_SECRET : Trouble.MISSING_SERVER_SECRET, "The key log has no "
                        + label + " for client random " + clientRandomPrefix() + ", so the " + d.who() + "'s " + what
                        + " not decrypted.");
                if (!infoSent) {
                    sendInfo(true);
                }
                d.stop();
            }
        }
    }

    private void noKey() {
        if (!infoSent) {
            sendInfo(false);
        }
        String whose = renegotiated ? "the client random " + clientRandomPrefix() + " of this connection's renegotiation"
                : "this connection's client random " + clientRandomPrefix();
        report(Trouble.NO_KEY, "No key in the key log matches " + whose + "; " + NO_KEY_ADVICE);
        stopAll();
    }

    // ---- handshake

    private void onClientHello(byte[] body, int len) {
        Hellos.ClientHello hello = body == null ? null : Hellos.clientHello(body, len);
        if (hello == null) {
            report(Trouble.MALFORMED_HELLO, "The ClientHello is malformed (or longer than 64 KiB), so this connection"
                    + " cannot be decrypted.");
            stopAll();
            return;
        }
        if (serverHello != null && version == Versions.TLS13) {
            return; // TLS 1.3 has no renegotiation; a second ClientHello only follows a HelloRetryRequest
        }
        boolean renegotiation = serverHello != null;
        clientHello = hello;
        if (!renegotiation) {
            // Records the client sent before (0-RTT data of a hello the server answered with a retry) are
            // ones the server skips too.
            client.dropHeld();
            client.pending = KeyStep.AWAIT_SERVER_HELLO;
        }
    }

    private void onServerHello(byte[] body, int len) throws GeneralSecurityException {
        Hellos.ServerHello hello = body == null ? null : Hellos.serverHello(body, len);
        if (hello == null) {
            report(Trouble.MALFORMED_HELLO, "The ServerHello is malformed (or longer than 64 KiB), so this connection"
                    + " cannot be decrypted.");
            stopAll();
            return;
        }
        if (hello.helloRetryRequest()) {
            version = hello.version();
            retried = true;
            client.dropHeld();
            client.pending = KeyStep.AWAIT_SERVER_HELLO;
            return;
        }
        renegotiated = serverHello != null;
        serverHello = hello;
        version = hello.version();
        alpn = hello.alpn();
        infoSent = false;
        suite = CipherSuite.find(hello.cipherSuite());
        if (clientHello == null) {
            sendInfo(false);
            report(Trouble.NO_HANDSHAKE, "The ClientHello of this connection was not captured, so there is no client"
                    + " random to find its key by; its records are not decrypted.");
            stopAll();
            return;
        }
        if (!Versions.supported(version)) {
            sendInfo(false);
            report(Trouble.UNSUPPORTED, "The server chose protocol version " + Versions.name(version)
                    + ", which this decoder cannot decrypt; the connection's contents are not shown.");
            stopAll();
            return;
        }
        if (suite == null || suite.tls13 != (version == Versions.TLS13)) {
            sendInfo(false);
            report(Trouble.UNSUPPORTED, "The server chose " + CipherSuite.name(hello.cipherSuite())
                    + String.format(" (0x%04X)", hello.cipherSuite())
                    + ", which this decoder cannot decrypt; the connection's contents are not shown.");
            stopAll();
            return;
        }
        if (!secrets.mayGrow() && !anyKey()) {
            noKey();
            return;
        }
        if (version == Versions.TLS13) {
            server.pending = KeyStep.HANDSHAKE;
            client.pending = clientHello.earlyData() ? KeyStep.AWAIT_ENCRYPTED_EXTENSIONS : KeyStep.HANDSHAKE;
            client.replay();
        } else {
            if (client.pending == KeyStep.AWAIT_SERVER_HELLO) {
                client.pending = null;
                client.dropHeld();
            }
            if (secrets.secret("CLIENT_RANDOM", clientHello.random()) != null) {
                sendInfo(true);
            }
        }
    }

    private void onEncryptedExtensions(byte[] body, int len) throws GeneralSecurityException {
        Hellos.EncryptedExtensions extensions = body == null ? null : Hellos.encryptedExtensions(body, len);
        if (extensions != null && extensions.alpn() != null) {
            alpn = extensions.alpn();
        }
        sendInfo(true);
        if (client.pending == KeyStep.AWAIT_ENCRYPTED_EXTENSIONS) {
            if (extensions != null && extensions.earlyData()) {
                client.pending = KeyStep.EARLY;
            } else {
                // Rejected 0-RTT records are skipped by the server as they fail to open; so here.
                client.pending = KeyStep.HANDSHAKE;
                client.skipUndecryptable = true;
            }
            client.replay();
        }
    }

    private void sendInfo(boolean decrypting) {
        if (infoSent || serverHello == null) {
            return;
        }
        infoSent = true;
        listener.info(new TlsInfo(clientHello == null ? null : clientHello.sni(), Versions.name(version),
                CipherSuite.name(serverHello.cipherSuite()), clientHello == null ? List.of() : clientHello.alpn(), alpn,
                decrypting));
    }

    // ---- problems

    private void report(Trouble trouble, String sentence) {
        if (reported.add(trouble)) {
            listener.problem(now, sentence);
        }
    }

    private void stopAll() {
        client.stop();
        server.stop();
    }

    private void internal(Exception e) {
        // A safety net: a bug must not take the capture down; the connection's problem says what happened.
        report(Trouble.INTERNAL, "Decrypting this connection failed unexpectedly (" + e + "); the rest of it is skipped.");
        stopAll();
    }

    // ---- one side

    /** The state of one side's records: its read keys, the keys to come, records held for them. */
    private final class Direction implements RecordReader.Sink, HandshakeReader.Sink {
        final boolean fromClient;
        final RecordReader records = new RecordReader(this);
        final HandshakeReader handshake = new HandshakeReader(this);
        final ArrayDeque<Held> held = new ArrayDeque<>();
        /** Current read protection; null while the side sends in the clear. */
        RecordCipher cipher;
        /** Keys that take over from the next protected record, or null. */
        KeyStep pending;
        Tls12Keys pendingTls12;
        long waitingSince;
        boolean stopped;
        /** TLS 1.3: the first Finished of this side was seen (a later one is post-handshake authentication). */
        boolean finished;
        /** TLS 1.3: skip records that do not open (0-RTT data the server rejected) until one does. */
        boolean skipUndecryptable;
        int skipped;

        Direction(boolean fromClient) {
            this.fromClient = fromClient;
        }

        String who() {
            return fromClient ? "client" : "server";
        }

        @Override
        public void record(int type, int recordVersion, byte[] b, int off, int len, long packet, long timeNanos) {
            if (stopped) {
                return;
            }
            try {
                if (!held.isEmpty() || !process(type, recordVersion, b, off, len, packet, timeNanos)) {
                    hold(new Held(type, recordVersion, Arrays.copyOfRange(b, off, off + len), packet, timeNanos));
                }
            } catch (GeneralSecurityException e) {
                internal(e);
            }
        }

        private void hold(Held h) {
            if (stopped) {
                return;
            }
            if (held.isEmpty()) {
                waitingSince = h.timeNanos();
            }
            held.addLast(h);
            heldBytes += h.fragment().length;
        }

        /** Processes the held records the keys allow now. */
        void replay() throws GeneralSecurityException {
            while (!stopped && !held.isEmpty()) {
                Held h = held.pollFirst();
                heldBytes -= h.fragment().length;
                if (!process(h.type(), h.version(), h.fragment(), 0, h.fragment().length, h.packet(), h.timeNanos())) {
                    if (stopped) {
                        return;
                    }
                    held.addFirst(h);
                    heldBytes += h.fragment().length;
                    return;
                }
            }
        }

        void dropHeld() {
            for (Held h : held) {
                heldBytes -= h.fragment().length;
            }
            held.clear();
        }

        void stop() {
            stopped = true;
            pending = null;
            dropHeld();
        }

        /** Whether a record of this type is protected now (or is about to be, once the pending keys come). */
        private boolean isProtected(int type) {
            if (version == Versions.TLS13 || pending == KeyStep.AWAIT_SERVER_HELLO) {
                // TLS 1.3 protects everything as application_data; its change_cipher_spec (middlebox
                // compatibility) and alerts sent before the keys are plain.
                return type == APPLICATION_DATA;
            }
            return cipher != null || pending != null || type == APPLICATION_DATA;
        }

        /** Handles one record; false when it must wait for keys. */
        private boolean process(int type, int recordVersion, byte[] b, int off, int len, long packet, long timeNanos)
                throws GeneralSecurityException {
            if (!isProtected(type)) {
                dispatch(type, b, off, len, packet, timeNanos);
                return true;
            }
            if (fromClient && retried && pending == KeyStep.AWAIT_SERVER_HELLO) {
                return true; // 0-RTT data of the first ClientHello: a retry rejects it (RFC 8446 4.1.4)
            }
            if (pending != null && !activate(this)) {
                return false;
            }
            if (cipher == null) {
                report(Trouble.NO_HANDSHAKE, "This connection's TLS handshake was not captured (the capture began"
                        + " after it), so there is no client random to find its key by; its records are not decrypted.");
                stopAll();
                return true;
            }
            RecordCipher.Plaintext p = cipher.open(type, recordVersion, b, off, len);
            if (p == null) {
                if (skipUndecryptable && skipped++ < MAX_SKIPPED) {
                    return true;
                }
                if (!infoSent) {
                    sendInfo(true);
                }
                report(Trouble.AUTHENTICATION, "The key log's secret for client random " + clientRandomPrefix()
                        + " does not decrypt the " + who() + "'s records (authentication failed): it belongs to another"
                        + " session or is damaged.");
                stop();
                return true;
            }
            skipUndecryptable = false;
            dispatch(p.type(), p.b(), p.off(), p.len(), packet, timeNanos);
            return true;
        }

        private void dispatch(int type, byte[] b, int off, int len, long packet, long timeNanos)
                throws GeneralSecurityException {
            switch (type) {
                case CHANGE_CIPHER_SPEC -> {
                    if (version != 0 && version != Versions.TLS13 && serverHello != null && suite != null) {
                        pending = KeyStep.TLS12;
                        pendingTls12 = new Tls12Keys(clientHello.random(), serverHello.random(), version, suite,
                                serverHello.encryptThenMac());
                    }
                }
                case HANDSHAKE -> {
                    handshake.feed(b, off, len);
                }
                case APPLICATION_DATA -> {
                    if (len > 0) {
                        listener.plaintext(fromClient, packet, timeNanos, b, off, len);
                    }
                }
                default -> {
                    // alerts, heartbeats: not application data
                }
            }
        }

        @Override
        public void message(int type, byte[] body, int len) {
            try {
                switch (type) {
                    case HandshakeReader.CLIENT_HELLO -> {
                        if (fromClient) {
                            onClientHello(body, len);
                        }
                    }
                    case HandshakeReader.SERVER_HELLO -> {
                        if (!fromClient) {
                            onServerHello(body, len);
                        }
                    }
                    case HandshakeReader.ENCRYPTED_EXTENSIONS -> {
                        if (!fromClient && version == Versions.TLS13) {
                            onEncryptedExtensions(body, len);
                        }
                    }
                    case HandshakeReader.FINISHED -> {
                        if (version == Versions.TLS13 && !finished) {
                            finished = true;
                            pending = KeyStep.APPLICATION;
                        }
                    }
                    case HandshakeReader.END_OF_EARLY_DATA -> {
                        if (fromClient && version == Versions.TLS13 && pending == null) {
                            pending = KeyStep.HANDSHAKE;
                        }
                    }
                    case HandshakeReader.KEY_UPDATE -> {
                        // The sender's next records use the next secret; a request_update asks the peer for its
                        // own KeyUpdate, which shows in the peer's records.
                        if (version == Versions.TLS13 && finished && pending == null && cipher instanceof Tls13RecordCipher c) {
                            cipher = c.next();
                        }
                    }
                    default -> {
                    }
                }
            } catch (GeneralSecurityException e) {
                internal(e);
            }
        }
    }
}
