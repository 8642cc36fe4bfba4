package dev.wsdebug.net.tls;

import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import javax.net.ssl.SSLException;

/** TLS contexts for the client and the server, and the server's self-signed certificate. */
public final class Tls {
    private Tls() {
    }

    /** A certificate with its private key. */
    public record Identity(X509Certificate certificate, PrivateKey key) {
        /** The certificate in PEM, for a client's --ca or a test's trust store. */
        public String certificatePem() {
            return pem(certificate);
        }
    }

    /**
     * A self-signed certificate for localhost, 127.0.0.1 and ::1, valid for a day: what
     * {@code serve --tls} presents when no certificate is given.
     */
    public static Identity selfSigned() {
        try {
            KeyPairGenerator gen = KeyPairGenerator.getInstance("EC");
            gen.initialize(new ECGenParameterSpec("secp256r1"), new SecureRandom());
            KeyPair pair = gen.generateKeyPair();
            X500Name name = new X500Name("CN=wsdebug serve (self-signed)");
            Instant now = Instant.now();
            X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(name,
                    new BigInteger(64, new SecureRandom()), Date.from(now.minus(Duration.ofHours(1))),
                    Date.from(now.plus(Duration.ofDays(1))), name, pair.getPublic());
            b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName[] {
                new GeneralName(GeneralName.dNSName, "localhost"),
                new GeneralName(GeneralName.iPAddress, "127.0.0.1"),
                new GeneralName(GeneralName.iPAddress, "::1")}));
            b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
            ContentSigner signer = new JcaContentSignerBuilder("SHA256withECDSA").build(pair.getPrivate());
            X509Certificate cert = new JcaX509CertificateConverter().getCertificate(b.build(signer));
            return new Identity(cert, pair.getPrivate());
        } catch (GeneralSecurityException | IOException | org.bouncycastle.operator.OperatorCreationException e) {
            throw new IllegalStateException("cannot create a self-signed certificate: " + e.getMessage(), e);
        }
    }

    /**
     * The context of {@code serve --tls}: from PEM files, else the given identity; with {@code h2}
     * it offers HTTP/2 by ALPN, HTTP/1.1 being taken otherwise.
     */
    public static SslContext server(Path certFile, Path keyFile, Identity id, boolean h2) throws SSLException {
        SslContextBuilder b;
        try {
            b = certFile != null ? SslContextBuilder.forServer(certFile.toFile(), keyFile.toFile())
                    : SslContextBuilder.forServer(id.key(), id.certificate());
        } catch (IllegalArgumentException e) {
            throw new SSLException("cannot use " + certFile + " and " + keyFile + ": " + e.getMessage(), e);
        }
        if (h2) {
            b.applicationProtocolConfig(alpn(ApplicationProtocolNames.HTTP_2, ApplicationProtocolNames.HTTP_1_1));
        }
        try {
            return b.build();
        } catch (IllegalArgumentException e) {
            throw new SSLException("cannot use " + certFile + " and " + keyFile + ": " + e.getMessage(), e);
        }
    }

    /** ALPN offering these protocols, most wanted first; a peer that picks none is served without. */
    private static ApplicationProtocolConfig alpn(String... protocols) {
        return new ApplicationProtocolConfig(ApplicationProtocolConfig.Protocol.ALPN,
                ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT, protocols);
    }

    public static SslContext server(Identity id) throws SSLException {
        return SslContextBuilder.forServer(id.key(), id.certificate()).build();
    }

    /** A server context from PEM files (certificate chain, PKCS#8 or PKCS#1 key). */
    public static SslContext server(Path certFile, Path keyFile) throws SSLException {
        try {
            return SslContextBuilder.forServer(certFile.toFile(), keyFile.toFile()).build();
        } catch (IllegalArgumentException e) {
            throw new SSLException("cannot use " + certFile + " and " + keyFile + ": " + e.getMessage(), e);
        }
    }

    /**
     * A client context.
     *
     * @param ca       extra trust anchors in PEM, or null for the JDK's trust store
     * @param cert     client certificate chain in PEM, or null
     * @param key      its private key in PEM, or null
     * @param insecure accept any server certificate
     */
    public static SslContext client(Path ca, Path cert, Path key, boolean insecure) throws SSLException {
        return client(ca, cert, key, insecure, false);
    }

    /** A client context that, with {@code h2}, offers HTTP/2 and HTTP/1.1 by ALPN. */
    public static SslContext client(Path ca, Path cert, Path key, boolean insecure, boolean h2) throws SSLException {
        SslContextBuilder b = SslContextBuilder.forClient();
        if (h2) {
            b.applicationProtocolConfig(alpn(ApplicationProtocolNames.HTTP_2, ApplicationProtocolNames.HTTP_1_1));
        }
        if (insecure) {
            b.trustManager(InsecureTrustManagerFactory.INSTANCE);
        } else if (ca != null) {
            b.trustManager(ca.toFile());
        }
        if (cert != null) {
            b.keyManager(cert.toFile(), key.toFile());
        }
        return b.build();
    }

    static String pem(Object o) {
        StringWriter w = new StringWriter();
        try (JcaPEMWriter pw = new JcaPEMWriter(w)) {
            pw.writeObject(o);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return w.toString();
    }

    /** Writes the certificate as PEM to a file. */
    public static void writePem(X509Certificate cert, Path file) throws IOException {
        Files.writeString(file, pem(cert));
    }
}
