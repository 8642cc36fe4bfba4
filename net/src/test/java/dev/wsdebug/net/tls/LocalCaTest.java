package dev.wsdebug.net.tls;

import io.netty.handler.ssl.SslContext;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.x509.AuthorityKeyIdentifier;
import org.bouncycastle.asn1.x509.Extension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.cert.CertPath;
import java.security.cert.CertPathValidator;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The local CA on disk and the leaves it issues, checked with the JDK's own PKIX validation. */
class LocalCaTest {
    private static final String SERVER_AUTH = "1.3.6.1.5.5.7.3.1";

    /** A clock the test moves. */
    static final class MovableClock extends Clock {
        volatile Instant now = Instant.now();

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    static X509Certificate parseCert(byte[] pem) throws Exception {
        return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(new ByteArrayInputStream(pem));
    }

    /** Validates leaf → CA with the JDK's PKIX validator, the CA as the only trust anchor. */
    static void validate(X509Certificate leaf, X509Certificate ca) throws Exception {
        CertificateFactory cf = CertificateFactory.getInstance("X.509");
        CertPath path = cf.generateCertPath(List.of(leaf));
        PKIXParameters params = new PKIXParameters(Set.of(new TrustAnchor(ca, null)));
        params.setRevocationEnabled(false);
        CertPathValidator.getInstance("PKIX").validate(path, params);
    }

    private static List<Object> sans(X509Certificate cert) throws Exception {
        Collection<List<?>> names = cert.getSubjectAlternativeNames();
        List<Object> out = new ArrayList<>();
        for (List<?> n : names) {
            out.add(n.get(0) + ":" + n.get(1));
        }
        return out;
    }

    private static byte[] extensionOctets(X509Certificate cert, String oid) {
        return ASN1OctetString.getInstance(cert.getExtensionValue(oid)).getOctets();
    }

    @Test
    void createdOnFirstUseAndReusedAfter(@TempDir Path home) throws Exception {
        Path dir = home.resolve("data").resolve("ca");
        LocalCa first = LocalCa.loadOrCreate(dir);
        assertThat(first.created()).isTrue();
        assertThat(first.certificatePath()).isEqualTo(dir.resolve("ca.pem")).isRegularFile();
        assertThat(first.keyPath()).isEqualTo(dir.resolve("ca-key.pem")).isRegularFile();
        byte[] certBytes = Files.readAllBytes(first.certificatePath());
        byte[] keyBytes = Files.readAllBytes(first.keyPath());

        LocalCa again = LocalCa.loadOrCreate(dir);
        assertThat(again.created()).isFalse();
        assertThat(again.certificate().getEncoded()).isEqualTo(first.certificate().getEncoded());
        assertThat(Files.readAllBytes(again.certificatePath())).isEqualTo(certBytes);
        assertThat(Files.readAllBytes(again.keyPath())).isEqualTo(keyBytes);
        assertThat(again.certificatePem()).isEqualTo(new String(certBytes, java.nio.charset.StandardCharsets.US_ASCII));
        assertThat(parseCert(certBytes)).isEqualTo(first.certificate());
        // a leaf from the reloaded CA verifies against the certificate users trusted the first time
        validate(again.leafFor("example.test").certificate(), parseCert(certBytes));
    }

    @Test
    void keyIsPkcs8PemReadableOnlyByTheOwnerInAPrivateDirectory(@TempDir Path home) throws Exception {
        Path dir = home.resolve("ca");
        LocalCa ca = LocalCa.loadOrCreate(dir);
        assertThat(Files.getPosixFilePermissions(ca.keyPath())).isEqualTo(PosixFilePermissions.fromString("rw-------"));
        assertThat(Files.getPosixFilePermissions(dir)).isEqualTo(PosixFilePermissions.fromString("rwx------"));
        // no temporary files left behind
        try (var files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("ca.pem", "ca-key.pem", ".lock");
        }

        String keyPem = Files.readString(ca.keyPath());
        assertThat(keyPem).startsWith("-----BEGIN PRIVATE KEY-----\n").endsWith("-----END PRIVATE KEY-----\n");
        String b64 = keyPem.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
        PrivateKey key = KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(b64)));
        assertThat(key.getAlgorithm()).isEqualTo("EC");
        assertThat(Files.readString(ca.certificatePath())).startsWith("-----BEGIN CERTIFICATE-----\n")
                .doesNotContain("PRIVATE");
        assertThat(ca.certificatePem()).doesNotContain("PRIVATE");
    }

    @Test
    void anExistingWideDirectoryIsNarrowedAndAWideKeyTightened(@TempDir Path home) throws Exception {
        Path dir = Files.createDirectory(home.resolve("ca"), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        LocalCa ca = LocalCa.loadOrCreate(dir);
        assertThat(Files.getPosixFilePermissions(dir)).isEqualTo(PosixFilePermissions.fromString("rwx------"));

        Files.setPosixFilePermissions(ca.keyPath(), PosixFilePermissions.fromString("rw-r--r--"));
        LocalCa.loadOrCreate(dir);
        assertThat(Files.getPosixFilePermissions(ca.keyPath())).isEqualTo(PosixFilePermissions.fromString("rw-------"));
    }

    @Test
    void caCertificateIsAP256CaForSigningCertificatesOnly(@TempDir Path dir) throws Exception {
        X509Certificate ca = LocalCa.loadOrCreate(dir).certificate();
        assertThat(ca.getSubjectX500Principal().getName()).startsWith("CN=wsdebug local CA (").endsWith(")");
        assertThat(ca.getIssuerX500Principal()).isEqualTo(ca.getSubjectX500Principal());
        ca.verify(ca.getPublicKey());
        assertThat(ca.getPublicKey().getAlgorithm()).isEqualTo("EC");
        assertThat(ca.getPublicKey().toString()).contains("secp256r1");
        assertThat(ca.getSigAlgName()).isEqualTo("SHA256withECDSA");
        assertThat(ca.getVersion()).isEqualTo(3);
        assertThat(ca.getBasicConstraints()).isGreaterThanOrEqualTo(0);
        assertThat(ca.getCriticalExtensionOIDs()).contains(Extension.basicConstraints.getId(), Extension.keyUsage.getId());
        boolean[] ku = ca.getKeyUsage();
        assertThat(ku[5]).as("keyCertSign").isTrue();
        assertThat(ku[6]).as("cRLSign").isTrue();
        assertThat(ku[0]).as("digitalSignature").isFalse();
        assertThat(ca.getExtensionValue(Extension.subjectKeyIdentifier.getId())).isNotNull();
        assertThat(ca.getSerialNumber().signum()).isPositive();
        assertThat(ca.getSerialNumber().bitLength()).isGreaterThanOrEqualTo(64);
        Duration validity = Duration.between(ca.getNotBefore().toInstant(), ca.getNotAfter().toInstant());
        assertThat(validity).isBetween(Duration.ofDays(3640), Duration.ofDays(3660));
        assertThat(ca.getNotBefore().toInstant()).isBefore(Instant.now());
    }

    @Test
    void regenerateReplacesTheCaOnDiskAndInTheRunningInstance(@TempDir Path dir) throws Exception {
        LocalCa ca = LocalCa.loadOrCreate(dir);
        X509Certificate oldCa = ca.certificate();
        byte[] oldFile = Files.readAllBytes(ca.certificatePath());
        byte[] oldKey = Files.readAllBytes(ca.keyPath());
        LocalCa.Leaf oldLeaf = ca.leafFor("example.test");

        ca.regenerate();
        assertThat(ca.certificate()).isNotEqualTo(oldCa);
        assertThat(ca.certificate().getPublicKey()).isNotEqualTo(oldCa.getPublicKey());
        assertThat(Files.readAllBytes(ca.certificatePath())).isNotEqualTo(oldFile);
        assertThat(Files.readAllBytes(ca.keyPath())).isNotEqualTo(oldKey);
        assertThat(Files.getPosixFilePermissions(ca.keyPath())).isEqualTo(PosixFilePermissions.fromString("rw-------"));

        LocalCa.Leaf newLeaf = ca.leafFor("example.test");
        assertThat(newLeaf).isNotSameAs(oldLeaf);
        validate(newLeaf.certificate(), ca.certificate());
        assertThatThrownBy(() -> validate(newLeaf.certificate(), oldCa)).isInstanceOf(CertPathValidatorException.class);
        // what the next process loads is the new CA
        assertThat(LocalCa.loadOrCreate(dir).certificate()).isEqualTo(ca.certificate());

        LocalCa fresh = LocalCa.createNew(dir);
        assertThat(fresh.created()).isTrue();
        assertThat(fresh.certificate()).isNotEqualTo(ca.certificate());
        assertThat(LocalCa.loadOrCreate(dir).certificate()).isEqualTo(fresh.certificate());
    }

    @Test
    void leavesVerifyAgainstTheCaAndNameExactlyTheirHost(@TempDir Path dir) throws Exception {
        LocalCa ca = LocalCa.loadOrCreate(dir);
        Map<String, String> expected = Map.of(
                "example.com", "2:example.com",
                "WWW.Example.COM.", "2:www.example.com",
                "127.0.0.1", "7:127.0.0.1",
                "::1", "7:0:0:0:0:0:0:0:1",
                "[::1]", "7:0:0:0:0:0:0:0:1",
                "2001:DB8:0:0:0:0:0:1", "7:2001:db8:0:0:0:0:0:1",
                "bücher.example", "2:xn--bcher-kva.example",
                "under_score.local", "2:under_score.local");
        for (Map.Entry<String, String> e : expected.entrySet()) {
            LocalCa.Leaf leaf = ca.leafFor(e.getKey());
            X509Certificate cert = leaf.certificate();
            validate(cert, ca.certificate());
            assertThat(sans(cert)).as(e.getKey()).containsExactly(e.getValue());
            assertThat(leaf.issuer()).isEqualTo(ca.certificate());
            assertThat(leaf.chain()).containsExactly(cert, ca.certificate());
            assertThat(leaf.key().getAlgorithm()).isEqualTo("EC");
            assertThat(cert.getPublicKey()).isNotEqualTo(ca.certificate().getPublicKey());
        }
        assertThat(ca.leafFor("::1")).isSameAs(ca.leafFor("[0:0:0:0:0:0:0:1]"));
        assertThat(ca.leafFor("::1").host()).isEqualTo("::1");
    }

    @Test
    void leavesAreServerCertificatesValidForLessThan397Days(@TempDir Path dir) throws Exception {
        LocalCa ca = LocalCa.loadOrCreate(dir);
        Instant before = Instant.now();
        X509Certificate leaf = ca.leafFor("localhost").certificate();
        Duration validity = Duration.between(leaf.getNotBefore().toInstant(), leaf.getNotAfter().toInstant());
        assertThat(validity).isLessThanOrEqualTo(Duration.ofDays(397)).isGreaterThan(Duration.ofDays(300));
        // backdated about an hour, for clients whose clocks are a little behind
        assertThat(leaf.getNotBefore().toInstant()).isBetween(before.minus(Duration.ofMinutes(61)), before.minus(Duration.ofMinutes(59)));
        assertThat(leaf.getBasicConstraints()).isEqualTo(-1);
        assertThat(leaf.getExtendedKeyUsage()).containsExactly(SERVER_AUTH);
        boolean[] ku = leaf.getKeyUsage();
        assertThat(ku[0]).as("digitalSignature").isTrue();
        assertThat(ku[5]).as("keyCertSign").isFalse();
        assertThat(leaf.getCriticalExtensionOIDs()).contains(Extension.keyUsage.getId());
        assertThat(leaf.getSubjectX500Principal().getName()).contains("CN=localhost");
        assertThat(leaf.getIssuerX500Principal()).isEqualTo(ca.certificate().getSubjectX500Principal());
        assertThat(leaf.getSerialNumber().bitLength()).isGreaterThanOrEqualTo(64);
        byte[] caSki = ASN1OctetString.getInstance(extensionOctets(ca.certificate(), Extension.subjectKeyIdentifier.getId())).getOctets();
        AuthorityKeyIdentifier aki = AuthorityKeyIdentifier.getInstance(extensionOctets(leaf, Extension.authorityKeyIdentifier.getId()));
        assertThat(aki.getKeyIdentifierOctets()).isEqualTo(caSki);
        assertThat(leaf.getExtensionValue(Extension.subjectKeyIdentifier.getId())).isNotNull();
        leaf.verify(ca.certificate().getPublicKey());
    }

    @Test
    void leavesAndContextsAreCachedPerHost(@TempDir Path dir) throws Exception {
        LocalCa ca = LocalCa.loadOrCreate(dir);
        LocalCa.Leaf a = ca.leafFor("cache.test");
        assertThat(ca.leafFor("cache.test")).isSameAs(a);
        assertThat(ca.leafFor("Cache.Test.")).isSameAs(a);
        assertThat(ca.leafFor("other.test")).isNotSameAs(a);
        SslContext ctx = ca.serverContext("cache.test");
        assertThat(ctx.isServer()).isTrue();
        assertThat(ca.serverContext("CACHE.test")).isSameAs(ctx);
        assertThat(ca.leafFor("cache.test")).isSameAs(a);

        // many threads asking for one new host at once get one leaf
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Callable<LocalCa.Leaf>> tasks = new ArrayList<>();
            for (int i = 0; i < 16; i++) {
                tasks.add(() -> ca.leafFor("race.test"));
            }
            Set<LocalCa.Leaf> distinct = new HashSet<>();
            for (Future<LocalCa.Leaf> f : pool.invokeAll(tasks, 30, TimeUnit.SECONDS)) {
                distinct.add(f.get());
            }
            assertThat(distinct).hasSize(1);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void issuingIsFast(@TempDir Path dir) throws Exception {
        LocalCa ca = LocalCa.loadOrCreate(dir);
        ca.leafFor("warm.up");
        long start = System.nanoTime();
        for (int i = 0; i < 50; i++) {
            ca.leafFor("host" + i + ".test");
        }
        long perLeafMillis = (System.nanoTime() - start) / 50 / 1_000_000;
        assertThat(perLeafMillis).as("ms per leaf").isLessThan(50);
    }

    @Test
    void aLeafCloseToItsEndIsIssuedAgain(@TempDir Path dir) throws Exception {
        MovableClock clock = new MovableClock();
        LocalCa ca = LocalCa.loadOrCreate(dir, clock);
        LocalCa.Leaf first = ca.leafFor("renew.test");
        clock.now = clock.now.plus(Duration.ofDays(300));
        assertThat(ca.leafFor("renew.test")).isSameAs(first);
        clock.now = first.certificate().getNotAfter().toInstant().minus(Duration.ofDays(1));
        LocalCa.Leaf second = ca.leafFor("renew.test");
        assertThat(second).isNotSameAs(first);
        assertThat(second.certificate().getNotAfter()).isAfter(first.certificate().getNotAfter());
    }

    @Test
    void hostsThatAreNotNamesOrAddressesAreRefused(@TempDir Path dir) throws Exception {
        LocalCa ca = LocalCa.loadOrCreate(dir);
        for (String bad : new String[] {"", " ", "a b", "exa mple.com", "-bad.example", "bad-.example", "a..b", "x/y",
                "::g", "[::1", "host:443", "a".repeat(64) + ".example", ("abcdefghi.").repeat(26) + "com"}) {
            assertThatThrownBy(() -> ca.leafFor(bad)).as("'%s'", bad).isInstanceOf(IllegalArgumentException.class);
        }
        assertThatThrownBy(() -> ca.serverContext(null)).isInstanceOf(IllegalArgumentException.class);
        // a name longer than a common name may be still gets its SAN
        String longName = "a".repeat(60) + ".example.test";
        X509Certificate cert = ca.leafFor(longName).certificate();
        assertThat(sans(cert)).containsExactly("2:" + longName);
        validate(cert, ca.certificate());
    }

    @Test
    void concurrentFirstUsesAgreeOnOneCa(@TempDir Path home) throws Exception {
        Path dir = home.resolve("shared");
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Callable<LocalCa>> tasks = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                tasks.add(() -> LocalCa.loadOrCreate(dir));
            }
            Set<X509Certificate> certs = new HashSet<>();
            int created = 0;
            for (Future<LocalCa> f : pool.invokeAll(tasks, 30, TimeUnit.SECONDS)) {
                certs.add(f.get().certificate());
                created += f.get().created() ? 1 : 0;
            }
            assertThat(certs).hasSize(1);
            assertThat(created).isEqualTo(1);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void brokenFilesAreReportedAndCreateNewReplacesThem(@TempDir Path dir) throws Exception {
        LocalCa ca = LocalCa.loadOrCreate(dir);
        Path key = ca.keyPath();
        byte[] keyBytes = Files.readAllBytes(key);

        Files.delete(key);
        assertThatThrownBy(() -> LocalCa.loadOrCreate(dir)).isInstanceOf(LocalCa.UnusableCaException.class)
                .hasMessageContaining("ca-key.pem is missing");

        Files.writeString(key, "not a key\n");
        assertThatThrownBy(() -> LocalCa.loadOrCreate(dir)).isInstanceOf(LocalCa.UnusableCaException.class)
                .hasMessageContaining("not an unencrypted PEM private key");

        // another CA's key
        Path other = dir.resolve("other");
        Files.write(key, Files.readAllBytes(LocalCa.loadOrCreate(other).keyPath()));
        assertThatThrownBy(() -> LocalCa.loadOrCreate(dir)).isInstanceOf(LocalCa.UnusableCaException.class)
                .hasMessageContaining("is not the private key of");

        Files.write(key, keyBytes);
        assertThat(LocalCa.loadOrCreate(dir).certificate()).isEqualTo(ca.certificate());

        Files.writeString(ca.certificatePath(), "garbage");
        assertThatThrownBy(() -> LocalCa.loadOrCreate(dir)).isInstanceOf(LocalCa.UnusableCaException.class)
                .hasMessageContaining("is not a PEM certificate");

        LocalCa replaced = LocalCa.createNew(dir);
        assertThat(LocalCa.loadOrCreate(dir).certificate()).isEqualTo(replaced.certificate());

        // a key without its certificate (a crash while creating): nobody trusts it yet, so a new CA is made
        Files.delete(replaced.certificatePath());
        LocalCa again = LocalCa.loadOrCreate(dir);
        assertThat(again.created()).isTrue();
        assertThat(again.certificate()).isNotEqualTo(replaced.certificate());
    }

    @Test
    void anExpiredCaIsReportedNotUsed(@TempDir Path dir) throws Exception {
        MovableClock clock = new MovableClock();
        LocalCa.loadOrCreate(dir, clock);
        clock.now = clock.now.plus(Duration.ofDays(3700));
        assertThatThrownBy(() -> LocalCa.loadOrCreate(dir, clock)).isInstanceOf(LocalCa.UnusableCaException.class)
                .hasMessageContaining("expired");
    }

    @Test
    void theDirectoryComesFromWsdebugHomeThenXdgThenHome() {
        assertThat(LocalCa.defaultDir(Map.of("WSDEBUG_HOME", "/w", "XDG_DATA_HOME", "/x"), "/home/u"))
                .isEqualTo(Path.of("/w/ca"));
        assertThat(LocalCa.defaultDir(Map.of("WSDEBUG_HOME", "", "XDG_DATA_HOME", "/x"), "/home/u"))
                .isEqualTo(Path.of("/x/wsdebug/ca"));
        assertThat(LocalCa.defaultDir(Map.of("XDG_DATA_HOME", "relative"), "/home/u"))
                .isEqualTo(Path.of("/home/u/.local/share/wsdebug/ca"));
        assertThat(LocalCa.defaultDir(Map.of(), "/home/u")).isEqualTo(Path.of("/home/u/.local/share/wsdebug/ca"));
    }

    @Test
    void fingerprintIsTheSha256OfTheCertificate(@TempDir Path dir) throws Exception {
        LocalCa ca = LocalCa.loadOrCreate(dir);
        byte[] digest = java.security.MessageDigest.getInstance("SHA-256").digest(ca.certificate().getEncoded());
        assertThat(ca.fingerprint().replace(":", "")).isEqualToIgnoringCase(java.util.HexFormat.of().formatHex(digest));
        assertThat(ca.fingerprint()).matches("([0-9A-F]{2}:){31}[0-9A-F]{2}");
    }
}
