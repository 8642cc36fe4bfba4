package dev.wsdebug.bench;

import dev.wsdebug.sniff.tls.KeyLog;
import dev.wsdebug.sniff.tls.TlsConnection;
import dev.wsdebug.sniff.tls.TlsInfo;
import dev.wsdebug.sniff.tls.TlsPlaintextListener;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * TLS decryption throughput of sniff's {@link TlsConnection} on one core, on a synthetic TLS 1.3
 * session built in {@link #setup} with a known key log: a ClientHello and a ServerHello (the
 * {@code suite}, supported_versions 1.3) in the clear, the server's change_cipher_spec, its
 * EncryptedExtensions and Finished in one record under the server handshake secret, the client's
 * change_cipher_spec and Finished under the client handshake secret, then {@value #RECORDS_PER_OP}
 * application_data records of {@code size} plaintext bytes each from the server under
 * SERVER_TRAFFIC_SECRET_0 (random secrets and client random; the key log holds the four traffic
 * secrets, as {@code SSLKEYLOGFILE} would). Records are sealed here with the JDK's AEADs, as RFC 8446
 * 5.2 says (nonce = IV XOR sequence number, the record header as additional data, the content type
 * at the end of the inner plaintext).
 *
 * <p>{@code wsdebug}: each invocation gets a fresh {@code TlsConnection} that has already been fed
 * the handshake ({@code @Setup(Level.Invocation)}, not timed), then feeds it the server's
 * application records in pieces of {@code segment} bytes, as TCP segments would bring them (0: all
 * in one call; records cut across pieces are copied by the record reader). The listener reads one
 * byte of each plaintext record into the Blackhole. One invocation = {@value #RECORDS_PER_OP} records,
 * so <b>the score is records/s</b> and <b>plaintext bytes/s = score × size</b>.
 *
 * <p>{@code jce} (baseline, the AEAD alone): the same records opened with {@code Cipher.init} +
 * {@code updateAAD} + {@code doFinal} per record, as sniff's {@code Aead} does, without record
 * parsing, key schedule or listener.
 *
 * <p>{@link #setup} checks that TlsConnection reports the session as decrypting, reports no
 * problem, and delivers exactly the original plaintext (CRC32).
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@State(Scope.Thread)
public class TlsDecryptBenchmark {
    /** Application data records per invocation. */
    public static final int RECORDS_PER_OP = 256;

    @Param({"TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256"})
    public String suite;

    /** Plaintext bytes per record: 16384 = the largest (bulk transfer), 1024 = small messages. */
    @Param({"16384", "1024"})
    public int size;

    /** Bytes per feed call (a TCP segment's payload); 0 = all records in one call. */
    @Param({"1460"})
    public int segment;

    private byte[] clientHello;
    private byte[] serverHandshake;
    private byte[] clientFinished;
    private byte[] serverRecords;
    private KeyLog keyLog;

    // for the jce baseline
    private String transformation;
    private SecretKey serverKey;
    private byte[][] nonces;
    private byte[][] aads;
    private int[] recordOffsets;
    private final byte[] out = new byte[(1 << 14) + 256];

    private record Suite(int id, String hmac, int hashLength, String cipher, String keyAlgorithm, int keyLength) {
        boolean gcm() {
            return cipher.startsWith("AES");
        }
    }

    private static Suite suite(String name) {
        return switch (name) {
            case "TLS_AES_128_GCM_SHA256" -> new Suite(0x1301, "HmacSHA256", 32, "AES/GCM/NoPadding", "AES", 16);
            case "TLS_AES_256_GCM_SHA384" -> new Suite(0x1302, "HmacSHA384", 48, "AES/GCM/NoPadding", "AES", 32);
            case "TLS_CHACHA20_POLY1305_SHA256" -> new Suite(0x1303, "HmacSHA256", 32, "ChaCha20-Poly1305", "ChaCha20", 32);
            default -> throw new IllegalArgumentException(name);
        };
    }

    @Setup(Level.Trial)
    public void setup() throws GeneralSecurityException {
        Suite s = suite(this.suite);
        Random random = new Random(0x715 + size + s.id());
        byte[] clientRandom = bytes(random, 32);
        byte[] chs = bytes(random, s.hashLength());
        byte[] shs = bytes(random, s.hashLength());
        byte[] cts = bytes(random, s.hashLength());
        byte[] sts = bytes(random, s.hashLength());
        HexFormat hex = HexFormat.of();
        String cr = hex.formatHex(clientRandom);
        keyLog = KeyLog.parse("CLIENT_HANDSHAKE_TRAFFIC_SECRET " + cr + " " + hex.formatHex(chs) + "\n"
                + "SERVER_HANDSHAKE_TRAFFIC_SECRET " + cr + " " + hex.formatHex(shs) + "\n"
                + "CLIENT_TRAFFIC_SECRET_0 " + cr + " " + hex.formatHex(cts) + "\n"
                + "SERVER_TRAFFIC_SECRET_0 " + cr + " " + hex.formatHex(sts) + "\n");

        clientHello = record(22, 0x0301, clientHello(clientRandom, bytes(random, 32), s.id()));
        ByteArrayOutputStream server = new ByteArrayOutputStream();
        server.writeBytes(record(22, 0x0303, serverHello(bytes(random, 32), s.id())));
        server.writeBytes(record(20, 0x0303, new byte[] {1}));
        Sealer serverHs = new Sealer(s, shs);
        ByteArrayOutputStream hs = new ByteArrayOutputStream();
        hs.writeBytes(new byte[] {8, 0, 0, 2, 0, 0}); // EncryptedExtensions, no extensions
        hs.writeBytes(handshake(20, bytes(random, s.hashLength()))); // Finished
        server.writeBytes(serverHs.seal(22, hs.toByteArray()));
        serverHandshake = server.toByteArray();
        ByteArrayOutputStream client = new ByteArrayOutputStream();
        client.writeBytes(record(20, 0x0303, new byte[] {1}));
        client.writeBytes(new Sealer(s, chs).seal(22, handshake(20, bytes(random, s.hashLength()))));
        clientFinished = client.toByteArray();

        Sealer app = new Sealer(s, sts);
        ByteArrayOutputStream records = new ByteArrayOutputStream();
        CRC32 expected = new CRC32();
        nonces = new byte[RECORDS_PER_OP][];
        aads = new byte[RECORDS_PER_OP][];
        recordOffsets = new int[RECORDS_PER_OP];
        for (int i = 0; i < RECORDS_PER_OP; i++) {
            byte[] plain = bytes(random, size);
            expected.update(plain);
            nonces[i] = app.nonce();
            recordOffsets[i] = records.size();
            byte[] sealed = app.seal(23, plain);
            aads[i] = java.util.Arrays.copyOf(sealed, 5);
            records.writeBytes(sealed);
        }
        serverRecords = records.toByteArray();
        transformation = s.cipher();
        serverKey = new SecretKeySpec(app.key, s.keyAlgorithm());

        // TlsConnection must decrypt everything, and nothing else, before anything is measured.
        Listener check = new Listener(null);
        check.crc = new CRC32();
        TlsConnection c = handshaken(check);
        feed(c, serverRecords, segment);
        c.end(3_000_000L);
        if (!check.decrypting || !check.problems.isEmpty() || check.records != RECORDS_PER_OP
                || check.crc.getValue() != expected.getValue()) {
            throw new IllegalStateException("TlsConnection did not decrypt the session: decrypting=" + check.decrypting
                    + ", records " + check.records + ", problems " + check.problems + ", crc " + check.crc.getValue()
                    + " vs " + expected.getValue());
        }
        // ... and so must the baseline.
        CRC32 jceCrc = new CRC32();
        for (int i = 0; i < RECORDS_PER_OP; i++) {
            int n = open(i);
            jceCrc.update(out, 0, n - 1);
        }
        if (jceCrc.getValue() != expected.getValue()) {
            throw new IllegalStateException("the jce baseline did not reproduce the plaintext");
        }
    }

    /** A TlsConnection that has been fed the whole handshake of both sides. */
    TlsConnection handshaken(Listener listener) {
        TlsConnection c = new TlsConnection(keyLog, listener);
        c.feed(true, 1, 1_000L, clientHello, 0, clientHello.length);
        c.feed(false, 2, 2_000L, serverHandshake, 0, serverHandshake.length);
        c.feed(true, 3, 3_000L, clientFinished, 0, clientFinished.length);
        return c;
    }

    static void feed(TlsConnection c, byte[] b, int segment) {
        if (segment <= 0) {
            c.feed(false, 4, 4_000L, b, 0, b.length);
            return;
        }
        long packet = 4;
        for (int off = 0; off < b.length; off += segment) {
            c.feed(false, packet++, 4_000L, b, off, Math.min(segment, b.length - off));
        }
    }

    /** A fresh connection per invocation (the sequence numbers start again), handshake already done. */
    @State(Scope.Thread)
    public static class Fresh {
        TlsConnection connection;

        @Setup(Level.Invocation)
        public void fresh(TlsDecryptBenchmark b, Blackhole bh) {
            connection = b.handshaken(new Listener(bh));
        }
    }

    /** wsdebug's TlsConnection: record reader, TLS 1.3 record protection, plaintext to the listener. */
    @Benchmark
    @OperationsPerInvocation(RECORDS_PER_OP)
    public void wsdebug(Fresh fresh) {
        feed(fresh.connection, serverRecords, segment);
    }

    /** Baseline: the AEAD alone, one Cipher.init + updateAAD + doFinal per record. */
    @Benchmark
    @OperationsPerInvocation(RECORDS_PER_OP)
    public void jce(Blackhole bh) throws GeneralSecurityException {
        for (int i = 0; i < RECORDS_PER_OP; i++) {
            bh.consume(open(i));
        }
    }

    private int open(int i) throws GeneralSecurityException {
        Cipher cipher = jceCipher();
        cipher.init(Cipher.DECRYPT_MODE, serverKey, transformation.startsWith("AES")
                ? new GCMParameterSpec(128, nonces[i]) : new IvParameterSpec(nonces[i]));
        cipher.updateAAD(aads[i]);
        int off = recordOffsets[i] + 5;
        int len = ((aads[i][3] & 0xFF) << 8) | (aads[i][4] & 0xFF);
        return cipher.doFinal(serverRecords, off, len, out, 0);
    }

    private Cipher jce;

    private Cipher jceCipher() throws GeneralSecurityException {
        if (jce == null) {
            jce = Cipher.getInstance(transformation);
        }
        return jce;
    }

    /** Counts plaintext records; reads one byte of each into the Blackhole (or a CRC while checking). */
    static final class Listener implements TlsPlaintextListener {
        private final Blackhole bh;
        CRC32 crc;
        long records;
        boolean decrypting;
        final List<String> problems = new ArrayList<>();

        Listener(Blackhole bh) {
            this.bh = bh;
        }

        @Override
        public void info(TlsInfo info) {
            decrypting = info.decrypting();
        }

        @Override
        public void plaintext(boolean fromClient, long packet, long timeNanos, byte[] b, int off, int len) {
            if (crc != null) {
                crc.update(b, off, len);
                records++;
            } else {
                bh.consume(b[off + len - 1]);
            }
        }

        @Override
        public void problem(long timeNanos, String sentence) {
            problems.add(sentence);
        }
    }

    // ---- building the session

    /** Seals records of one direction under one TLS 1.3 traffic secret (RFC 8446 5.2, 7.3). */
    private static final class Sealer {
        final byte[] key;
        private final byte[] iv;
        private final Suite suite;
        private final Cipher cipher;
        private long sequence;

        Sealer(Suite suite, byte[] secret) throws GeneralSecurityException {
            this.suite = suite;
            this.key = expandLabel(suite.hmac(), secret, "key", suite.keyLength());
            this.iv = expandLabel(suite.hmac(), secret, "iv", 12);
            this.cipher = Cipher.getInstance(suite.cipher());
        }

        /** The nonce of the next record. */
        byte[] nonce() {
            byte[] n = iv.clone();
            long s = sequence;
            for (int i = 11; i >= 4; i--) {
                n[i] ^= (byte) s;
                s >>>= 8;
            }
            return n;
        }

        /** A whole protected record: header (application_data, 0x0303) + AEAD(content || type). */
        byte[] seal(int type, byte[] content) throws GeneralSecurityException {
            byte[] inner = java.util.Arrays.copyOf(content, content.length + 1);
            inner[content.length] = (byte) type;
            int length = inner.length + 16;
            byte[] header = {23, 3, 3, (byte) (length >>> 8), (byte) length};
            byte[] nonce = nonce();
            sequence++;
            SecretKey k = new SecretKeySpec(key, suite.keyAlgorithm());
            cipher.init(Cipher.ENCRYPT_MODE, k, suite.gcm() ? new GCMParameterSpec(128, nonce) : new IvParameterSpec(nonce));
            cipher.updateAAD(header);
            byte[] sealed = cipher.doFinal(inner);
            byte[] r = new byte[5 + sealed.length];
            System.arraycopy(header, 0, r, 0, 5);
            System.arraycopy(sealed, 0, r, 5, sealed.length);
            return r;
        }
    }

    /** HKDF-Expand-Label(secret, label, "", length) with an empty context (RFC 8446 7.1). */
    static byte[] expandLabel(String hmac, byte[] secret, String label, int length) throws GeneralSecurityException {
        byte[] full = ("tls13 " + label).getBytes(StandardCharsets.US_ASCII);
        byte[] info = new byte[2 + 1 + full.length + 1];
        info[0] = (byte) (length >>> 8);
        info[1] = (byte) length;
        info[2] = (byte) full.length;
        System.arraycopy(full, 0, info, 3, full.length);
        Mac mac = Mac.getInstance(hmac);
        mac.init(new SecretKeySpec(secret, hmac));
        byte[] result = new byte[length];
        byte[] t = new byte[0];
        for (int i = 1, filled = 0; filled < length; i++) {
            mac.update(t);
            mac.update(info);
            mac.update((byte) i);
            t = mac.doFinal();
            int n = Math.min(t.length, length - filled);
            System.arraycopy(t, 0, result, filled, n);
            filled += n;
        }
        return result;
    }

    private static byte[] clientHello(byte[] random, byte[] sessionId, int suite) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.writeBytes(new byte[] {3, 3});
        b.writeBytes(random);
        b.write(sessionId.length);
        b.writeBytes(sessionId);
        b.writeBytes(new byte[] {0, 2, (byte) (suite >>> 8), (byte) suite});
        b.writeBytes(new byte[] {1, 0}); // compression: null
        byte[] host = "bench.example".getBytes(StandardCharsets.US_ASCII);
        ByteArrayOutputStream ext = new ByteArrayOutputStream();
        ext.writeBytes(new byte[] {0, 43, 0, 3, 2, 3, 4}); // supported_versions: TLS 1.3
        ext.writeBytes(new byte[] {0, 0, 0, (byte) (host.length + 5), 0, (byte) (host.length + 3), 0, 0,
                (byte) host.length}); // server_name
        ext.writeBytes(host);
        byte[] e = ext.toByteArray();
        b.writeBytes(new byte[] {(byte) (e.length >>> 8), (byte) e.length});
        b.writeBytes(e);
        return handshake(1, b.toByteArray());
    }

    private static byte[] serverHello(byte[] random, int suite) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.writeBytes(new byte[] {3, 3});
        b.writeBytes(random);
        b.write(0); // legacy_session_id_echo: empty
        b.writeBytes(new byte[] {(byte) (suite >>> 8), (byte) suite, 0});
        byte[] e = {0, 43, 0, 2, 3, 4}; // supported_versions: TLS 1.3
        b.writeBytes(new byte[] {0, (byte) e.length});
        b.writeBytes(e);
        return handshake(2, b.toByteArray());
    }

    private static byte[] handshake(int type, byte[] body) {
        byte[] m = new byte[4 + body.length];
        m[0] = (byte) type;
        m[1] = (byte) (body.length >>> 16);
        m[2] = (byte) (body.length >>> 8);
        m[3] = (byte) body.length;
        System.arraycopy(body, 0, m, 4, body.length);
        return m;
    }

    private static byte[] record(int type, int version, byte[] fragment) {
        byte[] r = new byte[5 + fragment.length];
        r[0] = (byte) type;
        r[1] = (byte) (version >>> 8);
        r[2] = (byte) version;
        r[3] = (byte) (fragment.length >>> 8);
        r[4] = (byte) fragment.length;
        System.arraycopy(fragment, 0, r, 5, fragment.length);
        return r;
    }

    private static byte[] bytes(Random random, int n) {
        byte[] b = new byte[n];
        random.nextBytes(b);
        return b;
    }
}
