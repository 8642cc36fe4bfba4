package dev.wsdebug.net.tls;

import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.util.NetUtil;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.AuthorityKeyIdentifier;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.net.IDN;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.CertificateException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateFactory;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import javax.net.ssl.X509ExtendedKeyManager;

/**
 * The local certificate authority of the intercepting proxy: a CA certificate and key kept in the
 * user's data directory, and leaf certificates for intercepted hosts, issued on the fly and cached.
 *
 * <p>Files, in {@link #defaultDir()} unless another directory is given: {@value #CERT_FILE} (the CA
 * certificate, PEM; what users add to their trust stores) and {@value #KEY_FILE} (its private key,
 * PKCS#8 PEM, created with mode 0600 in a 0700 directory, never readable by others even briefly).
 * Both are created on first use and reused afterwards; concurrent wsdebug processes agree on one CA
 * through a lock file.
 *
 * <p>The CA key is EC P-256 (ECDSA with SHA-256), accepted by Chromium, Firefox, Node, Python and the
 * JDK. Leaves get their own P-256 key, a subjectAltName for exactly the host (dNSName, or iPAddress
 * for an IP literal) and a validity under 397 days (Chromium rejects longer ones). An RSA or EC CA
 * put in the directory by hand is used as it is.
 *
 * <p>Thread-safe. {@link #serverContext(String)} is what the proxy presents for a host (SNI or the
 * CONNECT target); it throws only unchecked exceptions, so {@code ca::serverContext} fits a
 * {@code Function<String, SslContext>}.
 */
public final class LocalCa {
    /** The CA certificate's file name. */
    public static final String CERT_FILE = "ca.pem";
    /** The CA private key's file name. */
    public static final String KEY_FILE = "ca-key.pem";
    private static final String LOCK_FILE = ".lock";

    /** How long a new CA is valid. */
    static final Duration CA_VALIDITY = Duration.ofDays(3652);
    /** Leaves start this much in the past, for clocks slightly behind ours. */
    static final Duration BACKDATE = Duration.ofHours(1);
    /** From notBefore to notAfter of a leaf: under Chromium's 398-day limit, and under 397 days. */
    static final Duration LEAF_VALIDITY = Duration.ofDays(396).plus(BACKDATE);
    /** A cached leaf this close to its end is issued again. */
    private static final Duration RENEW_BEFORE = Duration.ofDays(2);
    /** Hosts cached at most; beyond, the cache starts over (a proxy seldom sees this many). */
    private static final int CACHE_LIMIT = 10_000;

    private static final Set<PosixFilePermission> DIR_MODE = PosixFilePermissions.fromString("rwx------");
    private static final Set<PosixFilePermission> KEY_MODE = PosixFilePermissions.fromString("rw-------");
    private static final Set<PosixFilePermission> CERT_MODE = PosixFilePermissions.fromString("rw-r--r--");
    private static final Pattern DNS_NAME = Pattern.compile(
            "(?=.{1,253}$)[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?(?:\\.[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?)*");
    private static final SecureRandom RANDOM = new SecureRandom();
    /** Serialises creation and replacement within this JVM (a file lock does so across processes). */
    private static final Object FILES = new Object();

    private final Path dir;
    private final Clock clock;
    private final boolean created;
    private volatile Authority authority;

    /** The CA in force and the leaves it issued (a new CA starts with an empty cache). */
    private record Authority(X509Certificate certificate, PrivateKey key, byte[] keyId,
                             ConcurrentHashMap<String, Entry> leaves) {
        Authority(X509Certificate certificate, PrivateKey key) {
            this(certificate, key, keyIdentifier(certificate), new ConcurrentHashMap<>());
        }
    }

    /**
     * A leaf certificate for one host, with its private key.
     *
     * @param host        the host it names (normalised: lower case, IPv6 without brackets, compressed)
     * @param certificate the leaf
     * @param key         the leaf's private key
     * @param issuer      the CA certificate that signed it
     */
    public record Leaf(String host, X509Certificate certificate, PrivateKey key, X509Certificate issuer) {
        /** The chain a server presents: the leaf, then the CA. */
        public X509Certificate[] chain() {
            return new X509Certificate[] {certificate, issuer};
        }
    }

    /** A cached leaf and, once asked for, its Netty server context. */
    private static final class Entry {
        final Leaf leaf;
        private volatile SslContext context;
        private volatile SslContext contextH2;

        Entry(Leaf leaf) {
            this.leaf = leaf;
        }

        /** The leaf's context; with {@code h2} it also offers HTTP/2 by ALPN (h2 first, as servers list it). */
        SslContext context(boolean h2) {
            SslContext c = h2 ? contextH2 : context;
            if (c == null) {
                synchronized (this) {
                    c = h2 ? contextH2 : context;
                    if (c == null) {
                        c = build(h2);
                        if (h2) {
                            contextH2 = c;
                        } else {
                            context = c;
                        }
                    }
                }
            }
            return c;
        }

        private SslContext build(boolean h2) {
            SslContextBuilder b = SslContextBuilder.forServer(new LeafKeyManager(leaf));
            if (h2) {
                b.applicationProtocolConfig(new io.netty.handler.ssl.ApplicationProtocolConfig(
                        io.netty.handler.ssl.ApplicationProtocolConfig.Protocol.ALPN,
                        io.netty.handler.ssl.ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                        io.netty.handler.ssl.ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
                        io.netty.handler.ssl.ApplicationProtocolNames.HTTP_2, io.netty.handler.ssl.ApplicationProtocolNames.HTTP_1_1));
            }
            try {
                return b.build();
            } catch (SSLException e) {
                throw new UncheckedIOException("cannot make a TLS context for " + leaf.host() + ": " + e.getMessage(), e);
            }
        }
    }

    /**
     * The directory holds files that are not a usable CA (not PEM, not a CA, a key that does not
     * match, expired): making a new CA ({@link #createNew(Path)}) replaces them.
     */
    public static final class UnusableCaException extends IOException {
        private static final long serialVersionUID = 1L;

        UnusableCaException(String message) {
            super(message);
        }

        UnusableCaException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /**
     * Presents one leaf. Netty's own path from a key and chain goes through a PKCS#12 key store whose
     * key encryption costs about 100 ms per context; this costs nothing.
     */
    private static final class LeafKeyManager extends X509ExtendedKeyManager {
        private static final String ALIAS = "leaf";
        private final Leaf leaf;
        private final String algorithm;

        LeafKeyManager(Leaf leaf) {
            this.leaf = leaf;
            this.algorithm = leaf.key().getAlgorithm();
        }

        private String aliasFor(String keyType) {
            return keyType != null && (keyType.equals(algorithm) || keyType.startsWith(algorithm + "_")) ? ALIAS : null;
        }

        @Override
        public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
            return aliasFor(keyType);
        }

        @Override
        public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
            return aliasFor(keyType);
        }

        @Override
        public String[] getServerAliases(String keyType, Principal[] issuers) {
            return aliasFor(keyType) == null ? null : new String[] {ALIAS};
        }

        @Override
        public X509Certificate[] getCertificateChain(String alias) {
            return ALIAS.equals(alias) ? leaf.chain() : null;
        }

        @Override
        public PrivateKey getPrivateKey(String alias) {
            return ALIAS.equals(alias) ? leaf.key() : null;
        }

        @Override
        public String chooseEngineClientAlias(String[] keyTypes, Principal[] issuers, SSLEngine engine) {
            return null; // a server identity only
        }

        @Override
        public String chooseClientAlias(String[] keyTypes, Principal[] issuers, Socket socket) {
            return null; // a server identity only
        }

        @Override
        public String[] getClientAliases(String keyType, Principal[] issuers) {
            return null;
        }
    }

    private LocalCa(Path dir, Clock clock, Authority authority, boolean created) {
        this.dir = dir;
        this.clock = clock;
        this.authority = authority;
        this.created = created;
    }

    // ---------------------------------------------------------------- where the CA lives

    /**
     * Where the CA lives: {@code $WSDEBUG_HOME/ca} when WSDEBUG_HOME is set, else
     * {@code $XDG_DATA_HOME/wsdebug/ca}, else {@code ~/.local/share/wsdebug/ca}.
     */
    public static Path defaultDir() {
        return defaultDir(System.getenv(), System.getProperty("user.home"));
    }

    static Path defaultDir(Map<String, String> env, String userHome) {
        String home = env.get("WSDEBUG_HOME");
        if (home != null && !home.isBlank()) {
            return Paths.get(home).toAbsolutePath().resolve("ca");
        }
        String xdg = env.get("XDG_DATA_HOME");
        // the XDG spec: a relative path is invalid and is ignored
        if (xdg != null && !xdg.isBlank() && Paths.get(xdg).isAbsolute()) {
            return Paths.get(xdg).resolve("wsdebug").resolve("ca");
        }
        return Paths.get(userHome).toAbsolutePath().resolve(".local").resolve("share").resolve("wsdebug").resolve("ca");
    }

    // ---------------------------------------------------------------- loading and creating

    /** {@link #loadOrCreate(Path)} in {@link #defaultDir()}. */
    public static LocalCa loadOrCreate() throws IOException {
        return loadOrCreate(defaultDir());
    }

    /**
     * The CA in this directory, created (with the directory) when it holds no CA certificate yet.
     *
     * @throws UnusableCaException when the files are there but are not a usable CA
     * @throws IOException         when the directory or files cannot be created or read
     */
    public static LocalCa loadOrCreate(Path dir) throws IOException {
        return loadOrCreate(dir, Clock.systemUTC());
    }

    static LocalCa loadOrCreate(Path dir, Clock clock) throws IOException {
        Path d = dir.toAbsolutePath();
        return underLock(d, () -> {
            if (!Files.exists(d.resolve(CERT_FILE))) {
                // no certificate means nobody can trust this CA yet: a stale key may be replaced
                return new LocalCa(d, clock, writeNew(d, clock.instant()), true);
            }
            return new LocalCa(d, clock, read(d, clock.instant()), false);
        });
    }

    /**
     * Makes a new CA in this directory, replacing whatever is there (even files that are not a
     * usable CA), and returns it.
     */
    public static LocalCa createNew(Path dir) throws IOException {
        return createNew(dir, Clock.systemUTC());
    }

    static LocalCa createNew(Path dir, Clock clock) throws IOException {
        Path d = dir.toAbsolutePath();
        return underLock(d, () -> new LocalCa(d, clock, writeNew(d, clock.instant()), true));
    }

    /**
     * Replaces this CA with a new one, on disk and here: leaves issued from now on are signed by the
     * new CA, and the cached ones are dropped. Clients must trust the new certificate instead.
     */
    public void regenerate() throws IOException {
        Authority fresh = underLock(dir, () -> writeNew(dir, clock.instant()));
        authority = fresh;
    }

    // ---------------------------------------------------------------- the CA

    /** The directory holding the CA's files. */
    public Path dir() {
        return dir;
    }

    /** The CA certificate's file: what users trust. */
    public Path certificatePath() {
        return dir.resolve(CERT_FILE);
    }

    /** The CA private key's file (mode 0600). */
    public Path keyPath() {
        return dir.resolve(KEY_FILE);
    }

    /** Whether the CA was made by the call that returned this object (rather than read from disk). */
    public boolean created() {
        return created;
    }

    public X509Certificate certificate() {
        return authority.certificate();
    }

    /** The CA certificate in PEM (never the key). */
    public String certificatePem() {
        return pem("CERTIFICATE", encoded(authority.certificate()));
    }

    /** SHA-256 of the CA certificate, as colon-separated upper-case hex (how browsers show it). */
    public String fingerprint() {
        return fingerprint(authority.certificate());
    }

    /** SHA-256 of a certificate, as colon-separated upper-case hex. */
    public static String fingerprint(X509Certificate cert) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(encoded(cert));
            return HexFormat.ofDelimiter(":").withUpperCase().formatHex(d);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    // ---------------------------------------------------------------- leaves

    /**
     * A leaf certificate for a host name or IP literal (IPv6 with or without brackets), signed by
     * this CA; cached per host with its key, and issued again when close to its end.
     *
     * @throws IllegalArgumentException when the host is neither a valid DNS name nor an IP literal
     */
    public Leaf leafFor(String host) {
        return entry(host).leaf;
    }

    /**
     * A Netty server context presenting {@link #leafFor(String) the leaf} for this host and the CA
     * certificate as its chain; cached with the leaf.
     *
     * @throws IllegalArgumentException when the host is neither a valid DNS name nor an IP literal
     * @throws UncheckedIOException     when Netty cannot build the context
     */
    public SslContext serverContext(String host) {
        return entry(host).context(false);
    }

    /** {@link #serverContext(String)}, offering HTTP/2 by ALPN too when {@code h2}. */
    public SslContext serverContext(String host, boolean h2) {
        return entry(host).context(h2);
    }

    private Entry entry(String host) {
        String name = normalizeHost(host);
        Authority a = authority;
        Instant now = clock.instant();
        Entry e = a.leaves().get(name);
        if (e != null && fresh(e.leaf, now)) {
            return e;
        }
        if (a.leaves().size() >= CACHE_LIMIT) {
            a.leaves().clear();
        }
        return a.leaves().compute(name, (k, old) -> old != null && fresh(old.leaf, now) ? old : new Entry(issue(a, k, now)));
    }

    private static boolean fresh(Leaf leaf, Instant now) {
        return leaf.certificate().getNotAfter().toInstant().isAfter(now.plus(RENEW_BEFORE));
    }

    private static Leaf issue(Authority ca, String host, Instant now) {
        try {
            KeyPair pair = newEcKeyPair();
            Instant notBefore = now.minus(BACKDATE);
            Instant notAfter = notBefore.plus(LEAF_VALIDITY);
            Instant caEnd = ca.certificate().getNotAfter().toInstant();
            if (notAfter.isAfter(caEnd)) {
                notAfter = caEnd;
            }
            X500NameBuilder subject = new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.O, "wsdebug");
            if (host.length() <= 64) { // ub-common-name
                subject.addRDN(BCStyle.CN, host);
            }
            X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(ca.certificate(), serial(),
                    Date.from(notBefore), Date.from(notAfter), subject.build(), pair.getPublic());
            JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
            b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
            b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
            b.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth));
            b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(generalName(host)));
            b.addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(pair.getPublic()));
            b.addExtension(Extension.authorityKeyIdentifier, false, new AuthorityKeyIdentifier(ca.keyId()));
            X509Certificate cert = sign(b, ca.key());
            return new Leaf(host, cert, pair.getPrivate(), ca.certificate());
        } catch (GeneralSecurityException | IOException | OperatorCreationException e) {
            throw new IllegalStateException("cannot issue a certificate for " + host + ": " + e.getMessage(), e);
        }
    }

    private static GeneralName generalName(String host) {
        if (host.indexOf(':') >= 0 || NetUtil.isValidIpV4Address(host)) {
            return new GeneralName(GeneralName.iPAddress, new DEROctetString(NetUtil.createByteArrayFromIpAddressString(host)));
        }
        return new GeneralName(GeneralName.dNSName, host);
    }

    /**
     * The host as a leaf names it: lower case, without a trailing dot; an IP literal without
     * brackets or zone, IPv6 compressed; an internationalised name in its ASCII (punycode) form.
     *
     * @throws IllegalArgumentException when it is neither a DNS name nor an IP literal
     */
    public static String normalizeHost(String host) {
        if (host == null) {
            throw new IllegalArgumentException("no host name");
        }
        String h = host.strip();
        if (h.startsWith("[") && h.endsWith("]") && h.length() > 2) {
            h = h.substring(1, h.length() - 1);
        }
        if (h.indexOf(':') >= 0) {
            int zone = h.indexOf('%');
            String bare = zone >= 0 ? h.substring(0, zone) : h;
            if (!NetUtil.isValidIpV6Address(bare)) {
                throw new IllegalArgumentException("'" + host + "' is not a host name or IP address");
            }
            byte[] bytes = NetUtil.createByteArrayFromIpAddressString(bare);
            try {
                return NetUtil.toAddressString(InetAddress.getByAddress(bytes));
            } catch (IOException e) {
                throw new IllegalArgumentException("'" + host + "' is not a host name or IP address", e);
            }
        }
        if (h.endsWith(".")) {
            h = h.substring(0, h.length() - 1);
        }
        if (NetUtil.isValidIpV4Address(h)) {
            return h;
        }
        String ascii;
        try {
            ascii = IDN.toASCII(h, IDN.ALLOW_UNASSIGNED).toLowerCase(Locale.ROOT);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("'" + host + "' is not a host name or IP address", e);
        }
        if (!DNS_NAME.matcher(ascii).matches()) {
            throw new IllegalArgumentException("'" + host + "' is not a host name or IP address");
        }
        return ascii;
    }

    // ---------------------------------------------------------------- making a CA

    private static Authority writeNew(Path dir, Instant now) throws IOException {
        Authority a = newAuthority(now);
        // key first: a certificate on disk always has its key next to it
        writeAtomically(dir, KEY_FILE, pem("PRIVATE KEY", a.key().getEncoded()), KEY_MODE);
        writeAtomically(dir, CERT_FILE, pem("CERTIFICATE", encoded(a.certificate())), CERT_MODE);
        return a;
    }

    private static Authority newAuthority(Instant now) {
        try {
            KeyPair pair = newEcKeyPair();
            String cn = "wsdebug local CA (" + hostName() + ")";
            if (cn.length() > 64) {
                cn = cn.substring(0, 60) + "...)";
            }
            X500Name name = new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.CN, cn).build();
            X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(name, serial(),
                    Date.from(now.minus(BACKDATE)), Date.from(now.plus(CA_VALIDITY)), name, pair.getPublic());
            JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
            // path length 0: this CA signs leaves only
            b.addExtension(Extension.basicConstraints, true, new BasicConstraints(0));
            b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
            b.addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(pair.getPublic()));
            return new Authority(sign(b, pair.getPrivate()), pair.getPrivate());
        } catch (GeneralSecurityException | IOException | OperatorCreationException e) {
            throw new IllegalStateException("cannot make a CA certificate: " + e.getMessage(), e);
        }
    }

    private static KeyPair newEcKeyPair() throws GeneralSecurityException {
        KeyPairGenerator gen = KeyPairGenerator.getInstance("EC");
        gen.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
        return gen.generateKeyPair();
    }

    /** A positive serial with 126 random bits (CA/Browser Forum: at least 64). */
    private static BigInteger serial() {
        return new BigInteger(126, RANDOM).setBit(126);
    }

    private static X509Certificate sign(X509v3CertificateBuilder b, PrivateKey key)
            throws OperatorCreationException, CertificateException {
        String alg = "RSA".equals(key.getAlgorithm()) ? "SHA256withRSA" : "SHA256withECDSA";
        return new JcaX509CertificateConverter().getCertificate(b.build(new JcaContentSignerBuilder(alg).build(key)));
    }

    /** This machine's name, for the CA's subject (without a DNS lookup where the kernel says it). */
    private static String hostName() {
        try {
            Path proc = Paths.get("/proc/sys/kernel/hostname");
            if (Files.isReadable(proc)) {
                String h = Files.readString(proc).strip();
                if (!h.isEmpty()) {
                    return h;
                }
            }
        } catch (IOException | RuntimeException e) {
            // try the next source
        }
        for (String var : new String[] {"HOSTNAME", "COMPUTERNAME"}) {
            String h = System.getenv(var);
            if (h != null && !h.isBlank()) {
                return h.strip();
            }
        }
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "localhost";
        }
    }

    private static byte[] keyIdentifier(X509Certificate cert) {
        byte[] ext = cert.getExtensionValue(Extension.subjectKeyIdentifier.getId());
        if (ext != null) {
            try {
                return ASN1OctetString.getInstance(ASN1OctetString.getInstance(ext).getOctets()).getOctets();
            } catch (IllegalArgumentException e) {
                // computed below
            }
        }
        try {
            return new JcaX509ExtensionUtils().createSubjectKeyIdentifier(cert.getPublicKey()).getKeyIdentifier();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    // ---------------------------------------------------------------- reading a CA

    private static Authority read(Path dir, Instant now) throws IOException {
        Path certFile = dir.resolve(CERT_FILE);
        Path keyFile = dir.resolve(KEY_FILE);
        X509Certificate cert;
        try (InputStream in = Files.newInputStream(certFile)) {
            cert = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        } catch (CertificateException | ClassCastException e) {
            throw new UnusableCaException(certFile + " is not a PEM certificate", e);
        }
        if (cert.getBasicConstraints() < 0) {
            throw new UnusableCaException(certFile + " is not a CA certificate");
        }
        try {
            cert.checkValidity(Date.from(now));
        } catch (CertificateExpiredException e) {
            throw new UnusableCaException("the local CA " + certFile + " expired on "
                    + cert.getNotAfter().toInstant(), e);
        } catch (CertificateNotYetValidException e) {
            throw new UnusableCaException("the local CA " + certFile + " is not valid before "
                    + cert.getNotBefore().toInstant() + " (is the clock right?)", e);
        }
        PrivateKey key;
        try {
            key = readKey(keyFile);
        } catch (NoSuchFileException e) {
            throw new UnusableCaException(certFile + " has no private key next to it (" + KEY_FILE + " is missing)", e);
        }
        if (!matches(key, cert.getPublicKey())) {
            throw new UnusableCaException(keyFile + " is not the private key of " + certFile);
        }
        tighten(keyFile, KEY_MODE);
        return new Authority(cert, key);
    }

    private static PrivateKey readKey(Path keyFile) throws IOException {
        Object o;
        try (Reader r = Files.newBufferedReader(keyFile, StandardCharsets.US_ASCII); PEMParser p = new PEMParser(r)) {
            o = p.readObject();
        } catch (IOException e) {
            if (e instanceof NoSuchFileException || e instanceof java.nio.file.AccessDeniedException) {
                throw e;
            }
            o = null;
        } catch (RuntimeException e) {
            o = null;
        }
        JcaPEMKeyConverter conv = new JcaPEMKeyConverter();
        try {
            if (o instanceof PrivateKeyInfo info) {
                return conv.getPrivateKey(info);
            }
            if (o instanceof PEMKeyPair pair) {
                return conv.getKeyPair(pair).getPrivate();
            }
        } catch (IOException | RuntimeException e) {
            // reported below
        }
        throw new UnusableCaException(keyFile + " is not an unencrypted PEM private key");
    }

    private static boolean matches(PrivateKey key, PublicKey pub) {
        try {
            String alg = "RSA".equals(pub.getAlgorithm()) ? "SHA256withRSA" : "SHA256withECDSA";
            byte[] probe = new byte[32];
            RANDOM.nextBytes(probe);
            Signature s = Signature.getInstance(alg);
            s.initSign(key);
            s.update(probe);
            byte[] sig = s.sign();
            Signature v = Signature.getInstance(alg);
            v.initVerify(pub);
            v.update(probe);
            return v.verify(sig);
        } catch (GeneralSecurityException | RuntimeException e) {
            return false;
        }
    }

    // ---------------------------------------------------------------- files

    private static boolean posix() {
        return FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
    }

    private static FileAttribute<?>[] mode(Set<PosixFilePermission> perms) {
        return posix() ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(perms)} : new FileAttribute<?>[0];
    }

    /** Creates the directory (0700 from the start) or makes an existing one 0700. */
    private static void prepareDir(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            Files.createDirectories(dir, mode(DIR_MODE));
        }
        if (posix()) {
            // the umask may have narrowed what mkdir made, and an old directory may be wider
            Files.setPosixFilePermissions(dir, DIR_MODE);
        }
    }

    /** Work on the CA's files. */
    private interface FileWork<T> {
        T run() throws IOException;
    }

    /**
     * Runs the work with the directory prepared, holding this JVM's monitor and the directory's
     * lock file, so that concurrent threads and wsdebug processes agree on one CA.
     */
    private static <T> T underLock(Path dir, FileWork<T> work) throws IOException {
        synchronized (FILES) {
            prepareDir(dir);
            Path lockFile = dir.resolve(LOCK_FILE);
            try (FileChannel ch = FileChannel.open(lockFile, Set.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE),
                    mode(KEY_MODE))) {
                FileLock lock = ch.lock();
                try {
                    return work.run();
                } finally {
                    lock.release();
                }
            }
        }
    }

    /**
     * Writes a file next to its final name with its mode set at creation, then renames it over the
     * final name: readers see the old file or the new one, never a part, and never wider permissions.
     */
    private static void writeAtomically(Path dir, String name, String text, Set<PosixFilePermission> perms) throws IOException {
        Path tmp = Files.createTempFile(dir, "." + name + ".", ".tmp", mode(perms));
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                ByteBuffer buf = ByteBuffer.wrap(text.getBytes(StandardCharsets.US_ASCII));
                while (buf.hasRemaining()) {
                    ch.write(buf);
                }
                ch.force(true);
            }
            if (posix() && !perms.equals(KEY_MODE)) {
                Files.setPosixFilePermissions(tmp, perms); // widen past the umask: only ever for the certificate
            }
            Files.move(tmp, dir.resolve(name), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private static void tighten(Path file, Set<PosixFilePermission> perms) {
        if (!posix()) {
            return;
        }
        try {
            if (!Files.getPosixFilePermissions(file).equals(perms)) {
                Files.setPosixFilePermissions(file, perms);
            }
        } catch (IOException | RuntimeException e) {
            // someone else's file: leave it
        }
    }

    static byte[] encoded(X509Certificate cert) {
        try {
            return cert.getEncoded();
        } catch (CertificateException e) {
            throw new IllegalStateException(e);
        }
    }

    static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n"
                + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }
}
