package dev.wsdebug.sniff.tls;

import static org.assertj.core.api.Assertions.assertThat;

import java.security.GeneralSecurityException;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * Key derivation and record opening against published vectors: the TLS PRF vectors of the IETF
 * TLS working group list (as used by BearSSL's tests) and the RFC 8448 section 3 trace.
 */
class KeyScheduleTest {

    @Test
    void tls12PrfWithSha256() throws GeneralSecurityException {
        byte[] out = Prf.tls12("HmacSHA256", Hex.decode("9bbe436ba940f017b17652849a71db35"), "test label",
                Hex.decode("a0ba9f936cda311827a6f796ffd5198c"), 100);
        assertThat(Hex.of(out)).isEqualTo("e3f229ba727be17b8d122620557cd453c2aab21d07c3d495329b52d4e61edb5a"
                + "6b301791e90d35c9c9a46b4e14baf9af0fa022f7077def17abfd3797c0564bab"
                + "4fbc91666e9def9b97fce34f796789baa48082d122ee42c5a72e5a5110fff701" + "87347b66");
    }

    @Test
    void tls12PrfWithSha384() throws GeneralSecurityException {
        byte[] out = Prf.tls12("HmacSHA384", Hex.decode("b80b733d6ceefcdc71566ea48e5567df"), "test label",
                Hex.decode("cd665cf6a8447dd6ff8b27555edb7465"), 148);
        assertThat(Hex.of(out)).isEqualTo("7b0c18e9ced410ed1804f2cfa34a336a1c14dffb4900bb5fd7942107e81c83cd"
                + "e9ca0faa60be9fe34f82b1233c9146a0e534cb400fed2700884f9dc236f80edd"
                + "8bfa961144c9e8d792eca722a7b32fc3d416d473ebc2c5fd4abfdad05d918425"
                + "9b5bf8cd4d90fa0d31e2dec479e4f1a26066f2eea9a69236a3e52655c9e9aee6"
                + "91c8f3a26854308d5eaa3be85e0990703d73e56f");
    }

    @Test
    void tls10PrfIsMd5XorSha1() throws GeneralSecurityException {
        byte[] secret = new byte[48];
        Arrays.fill(secret, (byte) 0xab);
        byte[] seed = new byte[64];
        Arrays.fill(seed, (byte) 0xcd);
        byte[] out = Prf.tls10(secret, "PRF Testvector", seed, 104);
        assertThat(Hex.of(out)).isEqualTo("d3d4d1e349b5d515044666d51de32bab258cb521b6b053463e354832fd976754"
                + "443bcf9a296519bc289abcbc1187e4ebd31e602353776c408aafb74cbc85eff6"
                + "9255f9788faa184cbb957a9819d84a5d7eb006eb459d3ae8de9810454b8b2d8f"
                + "1afbc655a8c9a013");
    }

    @Test
    void hkdfExpandLabelGivesTheTrafficKeysOfRfc8448() throws GeneralSecurityException {
        String[][] cases = {
            {"server_handshake_traffic_secret", "server_handshake_key", "server_handshake_iv"},
            {"client_handshake_traffic_secret", "client_handshake_key", "client_handshake_iv"},
            {"server_application_traffic_secret_0", "server_application_key", "server_application_iv"},
            {"client_application_traffic_secret_0", "client_application_key", "client_application_iv"},
        };
        for (String[] c : cases) {
            byte[] secret = Rfc8448.get(c[0]);
            assertThat(Hkdf.expandLabel("HmacSHA256", secret, "key", new byte[0], 16)).as(c[1]).isEqualTo(Rfc8448.get(c[1]));
            assertThat(Hkdf.expandLabel("HmacSHA256", secret, "iv", new byte[0], 12)).as(c[2]).isEqualTo(Rfc8448.get(c[2]));
        }
    }

    @Test
    void hkdfExpandLabelDerivesTheHandshakeSecretsOfRfc8448() throws GeneralSecurityException {
        // "derive secret tls13 s hs traffic": PRK = handshake secret, context = hash(ClientHello + ServerHello)
        byte[] handshakeSecret = Hex.decode("1dc826e93606aa6fdc0aadc12f741b01046aa6b99f691ed221a9f0ca043fbeac");
        byte[] helloHash = Hex.decode("860c06edc07858ee8e78f0e7428c58edd6b43f2ca3e6e95f02ed063cf0e1cad8");
        assertThat(Hkdf.expandLabel("HmacSHA256", handshakeSecret, "s hs traffic", helloHash, 32))
                .isEqualTo(Rfc8448.get("server_handshake_traffic_secret"));
        assertThat(Hkdf.expandLabel("HmacSHA256", handshakeSecret, "c hs traffic", helloHash, 32))
                .isEqualTo(Rfc8448.get("client_handshake_traffic_secret"));
    }

    private static Tls13RecordCipher cipher(String secret) throws GeneralSecurityException {
        return new Tls13RecordCipher(CipherSuite.find(0x1301), Rfc8448.get(secret));
    }

    private static RecordCipher.Plaintext open(RecordCipher cipher, byte[] record) {
        int version = (record[1] & 0xFF) << 8 | (record[2] & 0xFF);
        return cipher.open(record[0] & 0xFF, version, record, 5, record.length - 5);
    }

    @Test
    void theServerHandshakeFlightOfRfc8448Opens() throws GeneralSecurityException {
        RecordCipher.Plaintext p = open(cipher("server_handshake_traffic_secret"), Rfc8448.get("server_handshake_record"));
        assertThat(p).isNotNull();
        assertThat(p.type()).isEqualTo(22);
        // 674 bytes sealed: 16 of tag and 1 of inner content type leave 657 of handshake messages,
        // EncryptedExtensions (type 8, 36 bytes) first.
        assertThat(p.len()).isEqualTo(657);
        byte[] ee = Arrays.copyOfRange(p.b(), p.off(), p.off() + 40);
        assertThat(Hex.of(ee)).isEqualTo("080000240022000a00140012001d00170018001901000101010201030104001c0002400100000000");
    }

    @Test
    void applicationDataOfRfc8448OpensAtItsSequenceNumber() throws GeneralSecurityException {
        RecordCipher.Plaintext client = open(cipher("client_application_traffic_secret_0"),
                Rfc8448.get("client_application_record"));
        assertThat(client.type()).isEqualTo(23);
        assertThat(Arrays.copyOfRange(client.b(), client.off(), client.off() + client.len())).isEqualTo(Rfc8448.payload());

        // The server's application data is its second record under the key, after the NewSessionTicket.
        Tls13RecordCipher server = cipher("server_application_traffic_secret_0");
        assertThat(open(server, Rfc8448.get("server_application_record"))).as("at sequence 0").isNull();
        RecordCipher.Plaintext ticket = open(server, Rfc8448.get("server_ticket_record"));
        assertThat(ticket.type()).isEqualTo(22);
        assertThat(ticket.b()[ticket.off()]).as("NewSessionTicket").isEqualTo((byte) 4);
        RecordCipher.Plaintext data = open(server, Rfc8448.get("server_application_record"));
        assertThat(Arrays.copyOfRange(data.b(), data.off(), data.off() + data.len())).isEqualTo(Rfc8448.payload());
    }

    @Test
    void aTamperedRecordDoesNotOpenAndLeavesTheSequenceNumber() throws GeneralSecurityException {
        Tls13RecordCipher c = cipher("client_handshake_traffic_secret");
        byte[] record = Rfc8448.get("client_finished_record");
        record[20] ^= 1;
        assertThat(open(c, record)).isNull();
        RecordCipher.Plaintext finished = open(c, Rfc8448.get("client_finished_record"));
        assertThat(finished.type()).isEqualTo(22);
        assertThat(Hex.of(finished.b(), finished.off(), 4)).isEqualTo("14000020");
    }

    @Test
    void keyUpdateDerivesTheNextSecretWithTrafficUpd() throws GeneralSecurityException {
        byte[] secret = Rfc8448.get("client_application_traffic_secret_0");
        Tls13RecordCipher next = cipher("client_application_traffic_secret_0").next();
        assertThat(next.secret).isEqualTo(Hkdf.expandLabel("HmacSHA256", secret, "traffic upd", new byte[0], 32));
        assertThat(next.secret).isNotEqualTo(secret);
    }

    @Test
    void tls12KeyBlockIsCutInTheRfc5246Order() throws GeneralSecurityException {
        // The key block of TLS 1.2 is PRF(master, "key expansion", server_random + client_random).
        byte[] master = new byte[48];
        Arrays.fill(master, (byte) 7);
        byte[] clientRandom = new byte[32];
        byte[] serverRandom = new byte[32];
        Arrays.fill(serverRandom, (byte) 1);
        byte[] block = Prf.keyBlock(Versions.TLS12, "HmacSHA256", master, clientRandom, serverRandom, 40);
        byte[] expected = Prf.tls12("HmacSHA256", master, "key expansion", Prf.concat(serverRandom, clientRandom), 40);
        assertThat(block).isEqualTo(expected);
        assertThat(Prf.keyBlock(Versions.TLS10, "HmacSHA256", master, clientRandom, serverRandom, 40))
                .isEqualTo(Prf.tls10(master, "key expansion", Prf.concat(serverRandom, clientRandom), 40));
    }
}
