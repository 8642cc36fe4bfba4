package dev.wsdebug.sniff.tls;

import java.util.HashMap;
import java.util.Map;

/**
 * What record protection a cipher suite means: the bulk cipher, its key and IV sizes, the MAC of
 * the CBC suites, and the hash of the PRF (TLS 1.2) or HKDF (TLS 1.3). Only the suites this
 * decoder can decrypt are here; {@link #name} also knows common ones it cannot.
 */
final class CipherSuite {
    enum Bulk {
        AES_GCM, CHACHA20_POLY1305, AES_CCM, AES_CCM_8, AES_CBC, TRIPLE_DES_CBC
    }

    final int id;
    final String name;
    final Bulk bulk;
    final int keyLength;
    /** HMAC algorithm (JCE name) of a CBC suite, null for AEAD suites. */
    final String mac;
    final int macLength;
    /** JCE HMAC name of the PRF hash (TLS 1.2) or HKDF hash (TLS 1.3). */
    final String prfHmac;
    final boolean tls13;

    private CipherSuite(int id, String name, Bulk bulk, int keyLength, String mac, int macLength, String prfHmac,
                        boolean tls13) {
        this.id = id;
        this.name = name;
        this.bulk = bulk;
        this.keyLength = keyLength;
        this.mac = mac;
        this.macLength = macLength;
        this.prfHmac = prfHmac;
        this.tls13 = tls13;
    }

    boolean aead() {
        return mac == null;
    }

    int blockSize() {
        return bulk == Bulk.TRIPLE_DES_CBC ? 8 : 16;
    }

    int tagLength() {
        return bulk == Bulk.AES_CCM_8 ? 8 : 16;
    }

    /** The hash length of the HKDF (TLS 1.3): the size of traffic secrets. */
    int hashLength() {
        return prfHmac.equals("HmacSHA384") ? 48 : 32;
    }

    /**
     * Size of client_write_IV in the TLS 1.2 key block: the implicit nonce part of an AEAD suite
     * (RFC 5288, RFC 7905), the first CBC IV of SSL 3.0 and TLS 1.0 (later versions ignore it).
     */
    int fixedIvLength() {
        return switch (bulk) {
            case AES_GCM, AES_CCM, AES_CCM_8 -> 4;
            case CHACHA20_POLY1305 -> 12;
            case AES_CBC, TRIPLE_DES_CBC -> blockSize();
        };
    }

    private static final Map<Integer, CipherSuite> SUPPORTED = new HashMap<>();
    private static final Map<Integer, String> NAMES = new HashMap<>();

    private static void add(int id, String name, Bulk bulk, int keyLength, String mac, String prfHmac) {
        int macLength = mac == null ? 0 : switch (mac) {
            case "HmacSHA1" -> 20;
            case "HmacSHA256" -> 32;
            case "HmacSHA384" -> 48;
            default -> throw new IllegalArgumentException(mac);
        };
        SUPPORTED.put(id, new CipherSuite(id, name, bulk, keyLength, mac, macLength, prfHmac, id >> 8 == 0x13));
        NAMES.put(id, name);
    }

    private static final String SHA256 = "HmacSHA256";
    private static final String SHA384 = "HmacSHA384";

    static {
        // TLS 1.3 (RFC 8446 B.4)
        add(0x1301, "TLS_AES_128_GCM_SHA256", Bulk.AES_GCM, 16, null, SHA256);
        add(0x1302, "TLS_AES_256_GCM_SHA384", Bulk.AES_GCM, 32, null, SHA384);
        add(0x1303, "TLS_CHACHA20_POLY1305_SHA256", Bulk.CHACHA20_POLY1305, 32, null, SHA256);
        add(0x1304, "TLS_AES_128_CCM_SHA256", Bulk.AES_CCM, 16, null, SHA256);
        add(0x1305, "TLS_AES_128_CCM_8_SHA256", Bulk.AES_CCM_8, 16, null, SHA256);

        // TLS 1.2 AES-GCM (RFC 5288, RFC 5289, RFC 5487): the PRF hash is the suite's
        String[][] gcm = {
            {"009C", "TLS_RSA_WITH_AES_128_GCM_SHA256"}, {"009D", "TLS_RSA_WITH_AES_256_GCM_SHA384"},
            {"009E", "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256"}, {"009F", "TLS_DHE_RSA_WITH_AES_256_GCM_SHA384"},
            {"00A2", "TLS_DHE_DSS_WITH_AES_128_GCM_SHA256"}, {"00A3", "TLS_DHE_DSS_WITH_AES_256_GCM_SHA384"},
            {"00A6", "TLS_DH_anon_WITH_AES_128_GCM_SHA256"}, {"00A7", "TLS_DH_anon_WITH_AES_256_GCM_SHA384"},
            {"00A8", "TLS_PSK_WITH_AES_128_GCM_SHA256"}, {"00A9", "TLS_PSK_WITH_AES_256_GCM_SHA384"},
            {"00AA", "TLS_DHE_PSK_WITH_AES_128_GCM_SHA256"}, {"00AB", "TLS_DHE_PSK_WITH_AES_256_GCM_SHA384"},
            {"00AC", "TLS_RSA_PSK_WITH_AES_128_GCM_SHA256"}, {"00AD", "TLS_RSA_PSK_WITH_AES_256_GCM_SHA384"},
            {"C02B", "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"}, {"C02C", "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384"},
            {"C02D", "TLS_ECDH_ECDSA_WITH_AES_128_GCM_SHA256"}, {"C02E", "TLS_ECDH_ECDSA_WITH_AES_256_GCM_SHA384"},
            {"C02F", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"}, {"C030", "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384"},
            {"C031", "TLS_ECDH_RSA_WITH_AES_128_GCM_SHA256"}, {"C032", "TLS_ECDH_RSA_WITH_AES_256_GCM_SHA384"},
        };
        for (String[] s : gcm) {
            boolean big = s[1].endsWith("SHA384");
            add(Integer.parseInt(s[0], 16), s[1], Bulk.AES_GCM, big ? 32 : 16, null, big ? SHA384 : SHA256);
        }

        // TLS 1.2 ChaCha20-Poly1305 (RFC 7905)
        String[][] chacha = {
            {"CCA8", "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256"}, {"CCA9", "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256"},
            {"CCAA", "TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256"}, {"CCAB", "TLS_PSK_WITH_CHACHA20_POLY1305_SHA256"},
            {"CCAC", "TLS_ECDHE_PSK_WITH_CHACHA20_POLY1305_SHA256"}, {"CCAD", "TLS_DHE_PSK_WITH_CHACHA20_POLY1305_SHA256"},
            {"CCAE", "TLS_RSA_PSK_WITH_CHACHA20_POLY1305_SHA256"},
        };
        for (String[] s : chacha) {
            add(Integer.parseInt(s[0], 16), s[1], Bulk.CHACHA20_POLY1305, 32, null, SHA256);
        }

        // TLS 1.2 AES-CCM (RFC 6655, RFC 7251): PRF SHA-256 throughout
        String[][] ccm = {
            {"C09C", "TLS_RSA_WITH_AES_128_CCM"}, {"C09D", "TLS_RSA_WITH_AES_256_CCM"},
            {"C09E", "TLS_DHE_RSA_WITH_AES_128_CCM"}, {"C09F", "TLS_DHE_RSA_WITH_AES_256_CCM"},
            {"C0A0", "TLS_RSA_WITH_AES_128_CCM_8"}, {"C0A1", "TLS_RSA_WITH_AES_256_CCM_8"},
            {"C0A2", "TLS_DHE_RSA_WITH_AES_128_CCM_8"}, {"C0A3", "TLS_DHE_RSA_WITH_AES_256_CCM_8"},
            {"C0AC", "TLS_ECDHE_ECDSA_WITH_AES_128_CCM"}, {"C0AD", "TLS_ECDHE_ECDSA_WITH_AES_256_CCM"},
            {"C0AE", "TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8"}, {"C0AF", "TLS_ECDHE_ECDSA_WITH_AES_256_CCM_8"},
        };
        for (String[] s : ccm) {
            boolean eight = s[1].endsWith("_8");
            boolean big = s[1].contains("256");
            add(Integer.parseInt(s[0], 16), s[1], eight ? Bulk.AES_CCM_8 : Bulk.AES_CCM, big ? 32 : 16, null, SHA256);
        }

        // CBC suites of SSL 3.0 to TLS 1.2 (RFC 5246 A.5, RFC 4492, RFC 5289); the PRF of TLS 1.2 is
        // SHA-256 unless the suite names SHA384.
        String[][] cbc = {
            {"002F", "TLS_RSA_WITH_AES_128_CBC_SHA"}, {"0035", "TLS_RSA_WITH_AES_256_CBC_SHA"},
            {"003C", "TLS_RSA_WITH_AES_128_CBC_SHA256"}, {"003D", "TLS_RSA_WITH_AES_256_CBC_SHA256"},
            {"0030", "TLS_DH_DSS_WITH_AES_128_CBC_SHA"}, {"0036", "TLS_DH_DSS_WITH_AES_256_CBC_SHA"},
            {"0031", "TLS_DH_RSA_WITH_AES_128_CBC_SHA"}, {"0037", "TLS_DH_RSA_WITH_AES_256_CBC_SHA"},
            {"0032", "TLS_DHE_DSS_WITH_AES_128_CBC_SHA"}, {"0038", "TLS_DHE_DSS_WITH_AES_256_CBC_SHA"},
            {"0033", "TLS_DHE_RSA_WITH_AES_128_CBC_SHA"}, {"0039", "TLS_DHE_RSA_WITH_AES_256_CBC_SHA"},
            {"0034", "TLS_DH_anon_WITH_AES_128_CBC_SHA"}, {"003A", "TLS_DH_anon_WITH_AES_256_CBC_SHA"},
            {"0040", "TLS_DHE_DSS_WITH_AES_128_CBC_SHA256"}, {"006A", "TLS_DHE_DSS_WITH_AES_256_CBC_SHA256"},
            {"0067", "TLS_DHE_RSA_WITH_AES_128_CBC_SHA256"}, {"006B", "TLS_DHE_RSA_WITH_AES_256_CBC_SHA256"},
            {"006C", "TLS_DH_anon_WITH_AES_128_CBC_SHA256"}, {"006D", "TLS_DH_anon_WITH_AES_256_CBC_SHA256"},
            {"008C", "TLS_PSK_WITH_AES_128_CBC_SHA"}, {"008D", "TLS_PSK_WITH_AES_256_CBC_SHA"},
            {"C004", "TLS_ECDH_ECDSA_WITH_AES_128_CBC_SHA"}, {"C005", "TLS_ECDH_ECDSA_WITH_AES_256_CBC_SHA"},
            {"C009", "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA"}, {"C00A", "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA"},
            {"C00E", "TLS_ECDH_RSA_WITH_AES_128_CBC_SHA"}, {"C00F", "TLS_ECDH_RSA_WITH_AES_256_CBC_SHA"},
            {"C013", "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA"}, {"C014", "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA"},
            {"C018", "TLS_ECDH_anon_WITH_AES_128_CBC_SHA"}, {"C019", "TLS_ECDH_anon_WITH_AES_256_CBC_SHA"},
            {"C023", "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256"}, {"C024", "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384"},
            {"C025", "TLS_ECDH_ECDSA_WITH_AES_128_CBC_SHA256"}, {"C026", "TLS_ECDH_ECDSA_WITH_AES_256_CBC_SHA384"},
            {"C027", "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256"}, {"C028", "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384"},
            {"C029", "TLS_ECDH_RSA_WITH_AES_128_CBC_SHA256"}, {"C02A", "TLS_ECDH_RSA_WITH_AES_256_CBC_SHA384"},
            {"C035", "TLS_ECDHE_PSK_WITH_AES_128_CBC_SHA"}, {"C036", "TLS_ECDHE_PSK_WITH_AES_256_CBC_SHA"},
            {"000A", "TLS_RSA_WITH_3DES_EDE_CBC_SHA"}, {"0013", "TLS_DHE_DSS_WITH_3DES_EDE_CBC_SHA"},
            {"0016", "TLS_DHE_RSA_WITH_3DES_EDE_CBC_SHA"}, {"C008", "TLS_ECDHE_ECDSA_WITH_3DES_EDE_CBC_SHA"},
            {"C012", "TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA"},
        };
        for (String[] s : cbc) {
            String n = s[1];
            Bulk bulk = n.contains("3DES") ? Bulk.TRIPLE_DES_CBC : Bulk.AES_CBC;
            int keyLength = bulk == Bulk.TRIPLE_DES_CBC ? 24 : n.contains("AES_256") ? 32 : 16;
            String mac = n.endsWith("SHA384") ? SHA384 : n.endsWith("SHA256") ? SHA256 : "HmacSHA1";
            add(Integer.parseInt(s[0], 16), n, bulk, keyLength, mac, n.endsWith("SHA384") ? SHA384 : SHA256);
        }

        // Suites seen in old captures that this decoder does not decrypt (named in its problem).
        String[][] others = {
            {"0000", "TLS_NULL_WITH_NULL_NULL"}, {"0001", "TLS_RSA_WITH_NULL_MD5"}, {"0002", "TLS_RSA_WITH_NULL_SHA"},
            {"003B", "TLS_RSA_WITH_NULL_SHA256"}, {"0004", "TLS_RSA_WITH_RC4_128_MD5"}, {"0005", "TLS_RSA_WITH_RC4_128_SHA"},
            {"C007", "TLS_ECDHE_ECDSA_WITH_RC4_128_SHA"}, {"C011", "TLS_ECDHE_RSA_WITH_RC4_128_SHA"},
            {"0009", "TLS_RSA_WITH_DES_CBC_SHA"}, {"0015", "TLS_DHE_RSA_WITH_DES_CBC_SHA"},
            {"0003", "TLS_RSA_EXPORT_WITH_RC4_40_MD5"}, {"0008", "TLS_RSA_EXPORT_WITH_DES40_CBC_SHA"},
            {"0041", "TLS_RSA_WITH_CAMELLIA_128_CBC_SHA"}, {"0084", "TLS_RSA_WITH_CAMELLIA_256_CBC_SHA"},
            {"0045", "TLS_DHE_RSA_WITH_CAMELLIA_128_CBC_SHA"}, {"0088", "TLS_DHE_RSA_WITH_CAMELLIA_256_CBC_SHA"},
            {"0096", "TLS_RSA_WITH_SEED_CBC_SHA"}, {"0007", "TLS_RSA_WITH_IDEA_CBC_SHA"},
            {"C03C", "TLS_RSA_WITH_ARIA_128_CBC_SHA256"}, {"C050", "TLS_RSA_WITH_ARIA_128_GCM_SHA256"},
            {"00FF", "TLS_EMPTY_RENEGOTIATION_INFO_SCSV"}, {"5600", "TLS_FALLBACK_SCSV"},
        };
        for (String[] s : others) {
            NAMES.put(Integer.parseInt(s[0], 16), s[1]);
        }
    }

    /** The suite's parameters, or null when this decoder cannot decrypt it. */
    static CipherSuite find(int id) {
        return SUPPORTED.get(id);
    }

    /** IANA name, or the number in hex for a suite this table does not know. */
    static String name(int id) {
        String name = NAMES.get(id);
        return name != null ? name : String.format("0x%04X", id);
    }
}
