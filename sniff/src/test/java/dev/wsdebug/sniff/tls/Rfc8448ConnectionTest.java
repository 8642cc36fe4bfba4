package dev.wsdebug.sniff.tls;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The whole RFC 8448 section 3 connection through {@link TlsConnection}. */
class Rfc8448ConnectionTest {
    private static final String NO_KEY = "No key in the key log matches this connection's client random cb34ecb1…; to get one,"
            + " set SSLKEYLOGFILE=/path for Chrome, Firefox and curl, run node with --tls-keylog=/path, or set"
            + " keylog_filename on Python's SSLContext.";

    /** The trace in capture order: side and record. */
    private record Step(boolean fromClient, String record) {
    }

    private static final List<Step> TRACE = List.of(
            new Step(true, "client_hello_record"),
            new Step(false, "server_hello_record"),
            new Step(false, "server_handshake_record"),
            new Step(true, "client_finished_record"),
            new Step(false, "server_ticket_record"),
            new Step(true, "client_application_record"),
            new Step(false, "server_application_record"));

    /** Feeds the trace, one packet per record, split into pieces of {@code piece} bytes (0: whole records). */
    private static Recorder run(TlsSecrets secrets, int piece) {
        Recorder recorder = new Recorder();
        TlsConnection connection = new TlsConnection(secrets, recorder);
        long packet = 0;
        for (Step step : TRACE) {
            packet++;
            byte[] record = Rfc8448.get(step.record());
            int size = piece <= 0 ? record.length : piece;
            for (int i = 0; i < record.length; i += size) {
                connection.feed(step.fromClient(), packet, packet * 1000, record, i, Math.min(size, record.length - i));
            }
        }
        connection.end(packet * 1000 + 1);
        return recorder;
    }

    private static void assertDecrypted(Recorder r) {
        assertThat(r.problems).isEmpty();
        assertThat(r.infos).containsExactly(new TlsInfo("server", "TLS 1.3", "TLS_AES_128_GCM_SHA256", List.of(), null, true));
        assertThat(r.fromClient.toByteArray()).isEqualTo(Rfc8448.payload());
        assertThat(r.fromServer.toByteArray()).isEqualTo(Rfc8448.payload());
        assertThat(r.clientPackets).containsExactly(6L);
        assertThat(r.serverPackets).containsExactly(7L);
    }

    @Test
    void theTraceDecryptsWithItsSecrets() {
        assertDecrypted(run(KeyLog.parse(Rfc8448.keyLog()), 0));
    }

    @Test
    void recordsFedOneByteAtATimeDecryptTheSame() {
        assertDecrypted(run(KeyLog.parse(Rfc8448.keyLog()), 1));
    }

    @Test
    void recordsFedInOddPiecesDecryptTheSame() {
        assertDecrypted(run(KeyLog.parse(Rfc8448.keyLog()), 7));
    }

    @Test
    void severalRecordsInOneFeedDecryptTheSame() {
        Recorder r = new Recorder();
        TlsConnection c = new TlsConnection(KeyLog.parse(Rfc8448.keyLog()), r);
        byte[] client1 = Rfc8448.get("client_hello_record");
        byte[] server = concat(Rfc8448.get("server_hello_record"), Rfc8448.get("server_handshake_record"),
                Rfc8448.get("server_ticket_record"), Rfc8448.get("server_application_record"));
        byte[] client2 = concat(Rfc8448.get("client_finished_record"), Rfc8448.get("client_application_record"));
        c.feed(true, 1, 1, client1, 0, client1.length);
        c.feed(false, 2, 2, server, 0, server.length);
        c.feed(true, 3, 3, client2, 0, client2.length);
        c.end(4);
        assertThat(r.problems).isEmpty();
        assertThat(r.fromClient.toByteArray()).isEqualTo(Rfc8448.payload());
        assertThat(r.fromServer.toByteArray()).isEqualTo(Rfc8448.payload());
        assertThat(r.serverPackets).containsExactly(2L);
    }

    @Test
    void wrongSecretsGiveOneAuthenticationProblemForTheConnection() {
        String wrong = Rfc8448.keyLog().replace(" b3eddb12", " b3eddb13").replace(" b67b7d69", " b67b7d6a")
                .replace(" 9e40646c", " 9e40646d").replace(" a11af9f0", " a11af9f1");
        Recorder r = run(KeyLog.parse(wrong), 0);
        assertThat(r.problems).containsExactly("The key log's secret for client random cb34ecb1… does not decrypt the"
                + " server's records (authentication failed): it belongs to another session or is damaged.");
        assertThat(r.infos).singleElement().extracting(TlsInfo::decrypting).isEqualTo(true);
        assertThat(r.fromClient.size() + r.fromServer.size()).isZero();
    }

    @Test
    void noKeyGivesInfoWithoutDecryptionAndTheSentenceOnHowToGetOne() {
        Recorder r = run(KeyLog.parse(""), 0);
        assertThat(r.infos).containsExactly(new TlsInfo("server", "TLS 1.3", "TLS_AES_128_GCM_SHA256", List.of(), null, false));
        assertThat(r.problems).containsExactly(NO_KEY);
        assertThat(r.fromClient.size() + r.fromServer.size()).isZero();
    }

    @Test
    void missingApplicationSecretsAreNamed() {
        String handshakeOnly = Rfc8448.keyLog().lines().filter(l -> l.contains("HANDSHAKE")).reduce("", (a, b) -> a + b + "\n");
        Recorder r = run(KeyLog.parse(handshakeOnly), 0);
        assertThat(r.infos).singleElement().extracting(TlsInfo::decrypting).isEqualTo(true);
        assertThat(r.problems).containsExactlyInAnyOrder(
                "The key log has no SERVER_TRAFFIC_SECRET_0 for client random cb34ecb1…, so the server's application data is not decrypted.",
                "The key log has no CLIENT_TRAFFIC_SECRET_0 for client random cb34ecb1…, so the client's application data is not decrypted.");
    }

    @Test
    void aGrowingKeyLogIsWaitedForAndHeldRecordsAreDecryptedOnceTheSecretsCome() {
        KeyLog live = new KeyLog();
        Recorder r = new Recorder();
        TlsConnection c = new TlsConnection(live, r);
        for (int i = 0; i < TRACE.size(); i++) {
            if (i == 3) {
                live.add(Rfc8448.keyLog().getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            }
            byte[] record = Rfc8448.get(TRACE.get(i).record());
            c.feed(TRACE.get(i).fromClient(), i + 1, (i + 1) * 1000L, record, 0, record.length);
            if (i == 2) {
                assertThat(r.infos).as("the server's flight waits for its secret").isEmpty();
                assertThat(r.problems).isEmpty();
            }
        }
        c.end(10_000);
        assertDecrypted(r);
    }

    @Test
    void aGrowingKeyLogIsWaitedForAFewSecondsOfCaptureTimeOnly() {
        Recorder r = new Recorder();
        TlsConnection c = new TlsConnection(new KeyLog(), r);
        feed(c, 0, 1_000_000L);
        feed(c, 1, 2_000_000L);
        feed(c, 2, 3_000_000L);
        assertThat(r.problems).isEmpty();
        feed(c, 3, 3_500_000_000L);
        assertThat(r.problems).as("given up before the end").containsExactly(NO_KEY);
        assertThat(r.infos).singleElement().extracting(TlsInfo::decrypting).isEqualTo(false);
        c.end(4_000_000_000L);
        assertThat(r.problems).hasSize(1);
    }

    @Test
    void recordsHeldForAGrowingKeyLogAreBounded() {
        Recorder r = new Recorder();
        TlsConnection c = new TlsConnection(new KeyLog(), r);
        feed(c, 0, 1);
        feed(c, 1, 2);
        byte[] record = new byte[5 + 16_000];
        record[0] = 23;
        record[1] = 3;
        record[2] = 3;
        record[3] = (byte) (16_000 >> 8);
        record[4] = (byte) 16_000;
        int fed = 0;
        while (r.problems.isEmpty() && fed < 100) {
            c.feed(false, 3 + fed, 3, record, 0, record.length);
            fed++;
        }
        assertThat(r.problems).containsExactly(NO_KEY);
        assertThat((long) fed * record.length).isGreaterThan(TlsConnection.MAX_HELD_BYTES).isLessThan(TlsConnection.MAX_HELD_BYTES + 2L * record.length);
    }

    private static void feed(TlsConnection c, int step, long time) {
        byte[] record = Rfc8448.get(TRACE.get(step).record());
        c.feed(TRACE.get(step).fromClient(), step + 1, time, record, 0, record.length);
    }

    static byte[] concat(byte[]... parts) {
        int n = 0;
        for (byte[] p : parts) {
            n += p.length;
        }
        byte[] out = new byte[n];
        int at = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return out;
    }
}
