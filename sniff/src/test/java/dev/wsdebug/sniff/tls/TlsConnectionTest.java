package dev.wsdebug.sniff.tls;

import static dev.wsdebug.sniff.tls.TlsWriter.ascii;
import static dev.wsdebug.sniff.tls.TlsWriter.clientHello;
import static dev.wsdebug.sniff.tls.TlsWriter.encryptedExtensions;
import static dev.wsdebug.sniff.tls.TlsWriter.finished;
import static dev.wsdebug.sniff.tls.TlsWriter.handshake;
import static dev.wsdebug.sniff.tls.TlsWriter.keyUpdate;
import static dev.wsdebug.sniff.tls.TlsWriter.record;
import static dev.wsdebug.sniff.tls.TlsWriter.serverHello;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link TlsConnection} on written sessions (see {@link TlsWriter}) for what the corpus does not
 * show, and on bytes that are not (good) TLS.
 */
class TlsConnectionTest {
    private static final byte[] CCS = {20, 3, 3, 0, 1, 1};
    private static final byte[] CLOSE_NOTIFY = {1, 0};

    private static byte[] filled(int value, int length) {
        byte[] b = new byte[length];
        Arrays.fill(b, (byte) value);
        return b;
    }

    /** A connection fed packet by packet, each packet the concatenation of some records. */
    private static final class Session {
        final Recorder recorder = new Recorder();
        final TlsConnection connection;
        long packet;

        Session(TlsSecrets secrets) {
            connection = new TlsConnection(secrets, recorder);
        }

        Session client(byte[]... records) {
            return send(true, records);
        }

        Session server(byte[]... records) {
            return send(false, records);
        }

        private Session send(boolean fromClient, byte[]... records) {
            byte[] b = Rfc8448ConnectionTest.concat(records);
            packet++;
            connection.feed(fromClient, packet, packet * 1_000_000L, b, 0, b.length);
            return this;
        }

        Recorder end() {
            connection.end((packet + 1) * 1_000_000L);
            return recorder;
        }

        String clientText() {
            return recorder.fromClient.toString(StandardCharsets.US_ASCII);
        }

        String serverText() {
            return recorder.fromServer.toString(StandardCharsets.US_ASCII);
        }
    }

    /** The secrets of one TLS 1.3 connection, and the key log line for each. */
    private static final class Tls13Secrets {
        final byte[] clientRandom = filled(0xC1, 32);
        final byte[] early = filled(1, 32);
        final byte[] clientHandshake = filled(2, 32);
        final byte[] serverHandshake = filled(3, 32);
        final byte[] clientTraffic = filled(4, 32);
        final byte[] serverTraffic = filled(5, 32);

        KeyLog keyLog(boolean withEarly) {
            String r = Hex.of(clientRandom);
            return KeyLog.parse((withEarly ? "CLIENT_EARLY_TRAFFIC_SECRET " + r + " " + Hex.of(early) + "\n" : "")
                    + "CLIENT_HANDSHAKE_TRAFFIC_SECRET " + r + " " + Hex.of(clientHandshake) + "\n"
                    + "SERVER_HANDSHAKE_TRAFFIC_SECRET " + r + " " + Hex.of(serverHandshake) + "\n"
                    + "CLIENT_TRAFFIC_SECRET_0 " + r + " " + Hex.of(clientTraffic) + "\n"
                    + "SERVER_TRAFFIC_SECRET_0 " + r + " " + Hex.of(serverTraffic) + "\n");
        }
    }

    @Test
    void acceptedEarlyDataPaddingCompatibilityRecordsAndAKeyUpdate() {
        Tls13Secrets s = new Tls13Secrets();
        TlsWriter.Tls13Sealer early = new TlsWriter.Tls13Sealer(s.early);
        TlsWriter.Tls13Sealer clientHs = new TlsWriter.Tls13Sealer(s.clientHandshake);
        TlsWriter.Tls13Sealer serverHs = new TlsWriter.Tls13Sealer(s.serverHandshake);
        TlsWriter.Tls13Sealer clientApp = new TlsWriter.Tls13Sealer(s.clientTraffic);
        TlsWriter.Tls13Sealer serverApp = new TlsWriter.Tls13Sealer(s.serverTraffic);
        Session session = new Session(s.keyLog(true))
                .client(record(22, 0x0301, clientHello(s.clientRandom, "example.org", List.of("h2", "http/1.1"), true, true)),
                        CCS, early.seal(23, ascii("early "), 0))
                .server(record(22, 0x0303, serverHello(filled(0x5E, 32), 0x0304, 0x1301, null)), CCS,
                        serverHs.seal(22, Rfc8448ConnectionTest.concat(encryptedExtensions("h2", true), finished(32)), 0),
                        serverApp.seal(23, ascii("half-rtt "), 5))
                .client(early.seal(22, handshake(HandshakeReader.END_OF_EARLY_DATA, new byte[0]), 0),
                        clientHs.seal(22, finished(32), 0), clientApp.seal(23, ascii("hello"), 100))
                .server(serverApp.seal(22, keyUpdate(false), 0));
        TlsWriter.Tls13Sealer updated = serverApp.next();
        Recorder r = session.server(updated.seal(23, ascii("after update"), 0), updated.seal(21, CLOSE_NOTIFY, 0))
                .client(clientApp.seal(21, CLOSE_NOTIFY, 3))
                .end();
        assertThat(r.problems).isEmpty();
        assertThat(r.infos).containsExactly(new TlsInfo("example.org", "TLS 1.3", "TLS_AES_128_GCM_SHA256",
                List.of("h2", "http/1.1"), "h2", true));
        assertThat(session.clientText()).isEqualTo("early hello");
        assertThat(session.serverText()).isEqualTo("half-rtt after update");
        assertThat(r.clientPackets).containsExactly(1L, 3L);
        assertThat(r.serverPackets).containsExactly(2L, 5L);
    }

    @Test
    void rejectedEarlyDataIsSkippedLikeTheServerSkipsIt() {
        Tls13Secrets s = new Tls13Secrets();
        TlsWriter.Tls13Sealer early = new TlsWriter.Tls13Sealer(s.early);
        Session session = new Session(s.keyLog(true))
                .client(record(22, 0x0301, clientHello(s.clientRandom, null, List.of(), true, true)),
                        early.seal(23, ascii("lost "), 0), early.seal(23, ascii("also lost"), 0))
                .server(record(22, 0x0303, serverHello(filled(0x5E, 32), 0x0304, 0x1301, null)),
                        new TlsWriter.Tls13Sealer(s.serverHandshake).seal(22,
                                Rfc8448ConnectionTest.concat(encryptedExtensions(null, false), finished(32)), 0))
                .client(new TlsWriter.Tls13Sealer(s.clientHandshake).seal(22, finished(32), 0),
                        new TlsWriter.Tls13Sealer(s.clientTraffic).seal(23, ascii("hello"), 0));
        Recorder r = session.end();
        assertThat(r.problems).isEmpty();
        assertThat(session.clientText()).isEqualTo("hello");
    }

    @Test
    void earlyDataWithoutItsSecretIsSaidAndTheRestDecrypts() {
        Tls13Secrets s = new Tls13Secrets();
        TlsWriter.Tls13Sealer early = new TlsWriter.Tls13Sealer(s.early);
        Session session = new Session(s.keyLog(false))
                .client(record(22, 0x0301, clientHello(s.clientRandom, null, List.of(), true, true)),
                        early.seal(23, ascii("unreadable"), 0))
                .server(record(22, 0x0303, serverHello(filled(0x5E, 32), 0x0304, 0x1301, null)),
                        new TlsWriter.Tls13Sealer(s.serverHandshake).seal(22,
                                Rfc8448ConnectionTest.concat(encryptedExtensions(null, true), finished(32)), 0))
                .client(early.seal(22, handshake(HandshakeReader.END_OF_EARLY_DATA, new byte[0]), 0),
                        new TlsWriter.Tls13Sealer(s.clientHandshake).seal(22, finished(32), 0),
                        new TlsWriter.Tls13Sealer(s.clientTraffic).seal(23, ascii("hello"), 0));
        Recorder r = session.end();
        assertThat(r.problems).containsExactly("The key log has no CLIENT_EARLY_TRAFFIC_SECRET for client random c1c1c1c1…,"
                + " so the client's early data (0-RTT) is not decrypted.");
        assertThat(session.clientText()).isEqualTo("hello");
    }

    @Test
    void aHelloRetryRequestLeadsToTheSecondHello() {
        Tls13Secrets s = new Tls13Secrets();
        Session session = new Session(s.keyLog(false))
                .client(record(22, 0x0301, clientHello(s.clientRandom, "retry.example", List.of(), true, false)))
                .server(record(22, 0x0303, serverHello(Hellos.HELLO_RETRY_REQUEST, 0x0304, 0x1301, null)), CCS)
                .client(CCS, record(22, 0x0303, clientHello(s.clientRandom, "retry.example", List.of(), true, false)))
                .server(record(22, 0x0303, serverHello(filled(0x5E, 32), 0x0304, 0x1301, null)),
                        new TlsWriter.Tls13Sealer(s.serverHandshake).seal(22,
                                Rfc8448ConnectionTest.concat(encryptedExtensions(null, false), finished(32)), 0))
                .client(new TlsWriter.Tls13Sealer(s.clientHandshake).seal(22, finished(32), 0),
                        new TlsWriter.Tls13Sealer(s.clientTraffic).seal(23, ascii("hello"), 0));
        Recorder r = session.end();
        assertThat(r.problems).isEmpty();
        assertThat(r.infos).containsExactly(new TlsInfo("retry.example", "TLS 1.3", "TLS_AES_128_GCM_SHA256", List.of(), null, true));
        assertThat(session.clientText()).isEqualTo("hello");
    }

    @Test
    void earlyDataThatCrossesAHelloRetryRequestIsDropped() {
        Tls13Secrets s = new Tls13Secrets();
        TlsWriter.Tls13Sealer early = new TlsWriter.Tls13Sealer(s.early);
        Session session = new Session(s.keyLog(true))
                .client(record(22, 0x0301, clientHello(s.clientRandom, null, List.of(), true, true)))
                .server(record(22, 0x0303, serverHello(Hellos.HELLO_RETRY_REQUEST, 0x0304, 0x1301, null)))
                .client(early.seal(23, ascii("sent before the retry arrived"), 0), CCS,
                        record(22, 0x0303, clientHello(s.clientRandom, null, List.of(), true, false)))
                .server(record(22, 0x0303, serverHello(filled(0x5E, 32), 0x0304, 0x1301, null)),
                        new TlsWriter.Tls13Sealer(s.serverHandshake).seal(22,
                                Rfc8448ConnectionTest.concat(encryptedExtensions(null, false), finished(32)), 0))
                .client(new TlsWriter.Tls13Sealer(s.clientHandshake).seal(22, finished(32), 0),
                        new TlsWriter.Tls13Sealer(s.clientTraffic).seal(23, ascii("hello"), 0));
        Recorder r = session.end();
        assertThat(r.problems).isEmpty();
        assertThat(session.clientText()).isEqualTo("hello");
    }

    @Test
    void aTls12RenegotiationSwitchesToTheNewMasterSecretAndReportsAgain() {
        byte[] random1 = filled(0x11, 32);
        byte[] random2 = filled(0x22, 32);
        byte[] server1 = filled(0x33, 32);
        byte[] server2 = filled(0x44, 32);
        byte[] master1 = filled(0x55, 48);
        byte[] master2 = filled(0x66, 48);
        KeyLog keys = KeyLog.parse("CLIENT_RANDOM " + Hex.of(random1) + " " + Hex.of(master1) + "\n"
                + "CLIENT_RANDOM " + Hex.of(random2) + " " + Hex.of(master2) + "\n");
        TlsWriter.Tls12GcmSealer[] first = TlsWriter.Tls12GcmSealer.pair(master1, random1, server1);
        TlsWriter.Tls12GcmSealer[] second = TlsWriter.Tls12GcmSealer.pair(master2, random2, server2);
        byte[] clientKeyExchange = handshake(16, filled(7, 33));
        Session session = new Session(keys)
                .client(record(22, 0x0301, clientHello(random1, "old.example", List.of("http/1.1"), false, false)))
                .server(record(22, 0x0303, serverHello(server1, 0x0303, 0xC02F, "http/1.1")))
                .client(record(22, 0x0303, clientKeyExchange), CCS, first[0].seal(22, finished(12)))
                .server(CCS, first[1].seal(22, finished(12)))
                .client(first[0].seal(23, ascii("one ")))
                // the renegotiation runs under the first keys, ChangeCipherSpec included
                .client(first[0].seal(22, clientHello(random2, "old.example", List.of("http/1.1"), false, false)))
                .server(first[1].seal(22, serverHello(server2, 0x0303, 0xC02F, "http/1.1")))
                .client(first[0].seal(22, clientKeyExchange), first[0].seal(20, new byte[] {1}), second[0].seal(22, finished(12)))
                .server(first[1].seal(20, new byte[] {1}), second[1].seal(22, finished(12)))
                .client(second[0].seal(23, ascii("two")))
                .server(second[1].seal(23, ascii("ok")), second[1].seal(21, new byte[] {1, 0}));
        Recorder r = session.end();
        assertThat(r.problems).isEmpty();
        TlsInfo info = new TlsInfo("old.example", "TLS 1.2", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", List.of("http/1.1"),
                "http/1.1", true);
        assertThat(r.infos).containsExactly(info, info);
        assertThat(session.clientText()).isEqualTo("one two");
        assertThat(session.serverText()).isEqualTo("ok");
    }

    @Test
    void anUnsupportedSuiteIsNamedAndTheConnectionStillReported() {
        Session session = new Session(KeyLog.parse("CLIENT_RANDOM " + "11".repeat(32) + " " + "55".repeat(48)))
                .client(record(22, 0x0301, clientHello(filled(0x11, 32), "rc4.example", List.of(), false, false)))
                .server(record(22, 0x0303, serverHello(filled(0x33, 32), 0x0303, 0x0005, null)));
        Recorder r = session.end();
        assertThat(r.infos).containsExactly(new TlsInfo("rc4.example", "TLS 1.2", "TLS_RSA_WITH_RC4_128_SHA", List.of(), null, false));
        assertThat(r.problems).containsExactly("The server chose TLS_RSA_WITH_RC4_128_SHA (0x0005), which this decoder"
                + " cannot decrypt; the connection's contents are not shown.");
    }

    @Test
    void anUnknownVersionIsNamed() {
        Session session = new Session(KeyLog.parse(""))
                .client(record(22, 0x0301, clientHello(filled(0x11, 32), null, List.of(), true, false)))
                .server(record(22, 0x0303, serverHello(filled(0x33, 32), 0x0303, 0x1301, null)));
        // A TLS 1.3 suite in a TLS 1.2 ServerHello is not a combination anyone can decrypt.
        assertThat(session.end().problems).containsExactly("The server chose TLS_AES_128_GCM_SHA256 (0x1301), which this"
                + " decoder cannot decrypt; the connection's contents are not shown.");
        byte[] draft = serverHello(filled(0x33, 32), 0x0304, 0x1301, null);
        draft[draft.length - 1] = 0x1C; // supported_versions: 0x7F1C, TLS 1.3 draft 28
        draft[draft.length - 2] = 0x7F;
        Session drafted = new Session(KeyLog.parse(""))
                .client(record(22, 0x0301, clientHello(filled(0x11, 32), null, List.of(), true, false)))
                .server(record(22, 0x0303, draft));
        assertThat(drafted.end().problems).containsExactly("The server chose protocol version TLS 1.3 draft 28, which"
                + " this decoder cannot decrypt; the connection's contents are not shown.");
    }

    @Test
    void bytesThatAreNotTlsGiveOneProblem() {
        Session session = new Session(KeyLog.parse(""));
        session.client(ascii("GET / HTTP/1.1\r\nHost: example\r\n\r\n")).client(ascii("more")).server(ascii("HTTP/1.1 200 OK\r\n"));
        Recorder r = session.end();
        assertThat(r.problems).containsExactly("The client's bytes are not TLS: byte 0 starts no TLS record (content"
                + " type 71, where TLS has 20 to 24).");
        assertThat(r.infos).isEmpty();
    }

    @Test
    void aRecordLongerThanTlsAllowsIsNotTls() {
        Session ok = new Session(KeyLog.parse(""));
        int max = RecordReader.MAX_FRAGMENT;
        ok.client(new byte[] {23, 3, 3, (byte) (max >> 8), (byte) max});
        assertThat(ok.recorder.problems).isEmpty();
        Session tooLong = new Session(KeyLog.parse(""));
        tooLong.client(new byte[] {22, 3, 1, (byte) ((max + 1) >> 8), (byte) (max + 1), 1});
        assertThat(tooLong.end().problems).containsExactly("The client's bytes are not TLS: the record at byte 0 claims"
                + " 18433 bytes, more than TLS allows (18432).");
    }

    @Test
    void aGapStopsOneSideOnceAndTheOtherGoesOn() {
        Tls13Secrets s = new Tls13Secrets();
        TlsWriter.Tls13Sealer serverApp = new TlsWriter.Tls13Sealer(s.serverTraffic);
        TlsWriter.Tls13Sealer clientApp = new TlsWriter.Tls13Sealer(s.clientTraffic);
        Session session = new Session(s.keyLog(false))
                .client(record(22, 0x0301, clientHello(s.clientRandom, null, List.of(), true, false)))
                .server(record(22, 0x0303, serverHello(filled(0x5E, 32), 0x0304, 0x1301, null)),
                        new TlsWriter.Tls13Sealer(s.serverHandshake).seal(22,
                                Rfc8448ConnectionTest.concat(encryptedExtensions(null, false), finished(32)), 0),
                        serverApp.seal(23, ascii("before "), 0))
                .client(new TlsWriter.Tls13Sealer(s.clientHandshake).seal(22, finished(32), 0), clientApp.seal(23, ascii("a"), 0));
        session.connection.gap(false);
        session.connection.gap(false);
        session.server(Arrays.copyOfRange(serverApp.seal(23, ascii("after gap"), 0), 3, 20)).client(clientApp.seal(23, ascii("b"), 0));
        Recorder r = session.end();
        assertThat(r.problems).containsExactly("Bytes the server sent were not captured, so its TLS records can no longer"
                + " be found; the rest of what it sent is not decrypted.");
        assertThat(session.serverText()).isEqualTo("before ");
        assertThat(session.clientText()).isEqualTo("ab");
    }

    @Test
    void aConnectionCapturedAfterItsHandshakeSaysSo() {
        Tls13Secrets s = new Tls13Secrets();
        Session session = new Session(s.keyLog(false)).client(new TlsWriter.Tls13Sealer(s.clientTraffic).seal(23, ascii("x"), 0));
        assertThat(session.end().problems).containsExactly("This connection's TLS handshake was not captured (the capture"
                + " began after it), so there is no client random to find its key by; its records are not decrypted.");
    }

    @Test
    void looksLikeTlsRecognisesAClientHelloRecordStart() {
        byte[] hello = Rfc8448.get("client_hello_record");
        assertThat(TlsConnection.looksLikeTls(hello, 0, hello.length)).isTrue();
        assertThat(TlsConnection.looksLikeTls(hello, 0, 6)).as("the first six bytes suffice").isTrue();
        byte[] shifted = Rfc8448ConnectionTest.concat(new byte[3], hello);
        assertThat(TlsConnection.looksLikeTls(shifted, 3, hello.length)).isTrue();
        assertThat(TlsConnection.looksLikeTls(hello, 0, 5)).isFalse();
        byte[] server = Rfc8448.get("server_hello_record");
        assertThat(TlsConnection.looksLikeTls(server, 0, server.length)).as("a ServerHello").isFalse();
        byte[] http = ascii("GET / HTTP/1.1\r\n");
        assertThat(TlsConnection.looksLikeTls(http, 0, http.length)).isFalse();
        byte[] sslv2 = Hex.decode("80 2b 01 00 02 00 12 00 00 00 10");
        assertThat(TlsConnection.looksLikeTls(sslv2, 0, sslv2.length)).isFalse();
        byte[] huge = hello.clone();
        huge[3] = (byte) 0x80;
        assertThat(TlsConnection.looksLikeTls(huge, 0, huge.length)).as("longer than a plaintext record").isFalse();
        assertThat(TlsConnection.looksLikeTls(hello, 190, 20)).as("past the array").isFalse();
        assertThat(TlsConnection.looksLikeTls(null, 0, 0)).isFalse();
    }

    @Test
    void damagedSessionsNeverThrowAndEveryProblemIsASentence() {
        byte[] session = Rfc8448ConnectionTest.concat(Rfc8448.get("client_hello_record"), Rfc8448.get("server_hello_record"),
                Rfc8448.get("server_handshake_record"), Rfc8448.get("client_finished_record"),
                Rfc8448.get("client_application_record"));
        int[] sides = {201, 95 + 679, 58 + 72}; // client, server, client
        KeyLog keys = KeyLog.parse(Rfc8448.keyLog());
        Random random = new Random(8448);
        for (int round = 0; round < 2000; round++) {
            byte[] damaged = session.clone();
            int flips = 1 + random.nextInt(4);
            for (int i = 0; i < flips; i++) {
                damaged[random.nextInt(damaged.length)] ^= (byte) (1 << random.nextInt(8));
            }
            Recorder r = new Recorder();
            TlsConnection c = new TlsConnection(keys, r);
            int at = 0;
            boolean fromClient = true;
            for (int side : sides) {
                int end = Math.min(damaged.length, at + side);
                while (at < end) {
                    int n = Math.min(end - at, 1 + random.nextInt(300));
                    c.feed(fromClient, round, round, damaged, at, n);
                    at += n;
                }
                fromClient = !fromClient;
            }
            if (random.nextBoolean()) {
                c.gap(random.nextBoolean());
            }
            c.end(round + 1);
            assertThat(r.problems).allSatisfy(p -> assertThat(p).endsWith("."));
            assertThat(r.problems).doesNotHaveDuplicates().hasSizeLessThanOrEqualTo(4);
            assertThat(r.infos.size()).isLessThanOrEqualTo(1);
        }
    }
}
