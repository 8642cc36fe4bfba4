package dev.wsdebug.net.probe;

import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;

/**
 * Verifies the server's chain as the client would (the JDK trust store, or --ca), but records the
 * verdict instead of failing the handshake: the probe shows the chain of an untrusted server too,
 * which is when it is most needed. The WebSocket connections that follow verify for real.
 */
final class RecordingTrustManager implements X509TrustManager {
    private final X509TrustManager real;
    private volatile X509Certificate[] chain;
    private volatile String problem;

    private RecordingTrustManager(X509TrustManager real) {
        this.real = real;
    }

    /** @param ca PEM trust anchors, or null for the JDK's; with insecure no verification at all */
    static RecordingTrustManager create(Path ca, boolean insecure) throws IOException, GeneralSecurityException {
        if (insecure) {
            return new RecordingTrustManager(null);
        }
        TrustManagerFactory f = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        if (ca == null) {
            f.init((KeyStore) null);
        } else {
            KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
            ks.load(null, null);
            try (InputStream in = Files.newInputStream(ca)) {
                int i = 0;
                for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                    ks.setCertificateEntry("ca" + i++, c);
                }
            }
            f.init(ks);
        }
        for (var tm : f.getTrustManagers()) {
            if (tm instanceof X509TrustManager x) {
                return new RecordingTrustManager(x);
            }
        }
        throw new GeneralSecurityException("no X.509 trust manager");
    }

    @Override
    public void checkServerTrusted(X509Certificate[] presented, String authType) {
        chain = presented.clone();
        if (real == null) {
            problem = "not verified (--insecure)";
            return;
        }
        try {
            real.checkServerTrusted(presented, authType);
        } catch (CertificateException e) {
            problem = e.getMessage() != null && e.getMessage().contains("PKIX")
                    ? "not trusted: no path to a trusted certificate authority" : "not trusted: " + e.getMessage();
        }
    }

    @Override
    public void checkClientTrusted(X509Certificate[] presented, String authType) throws CertificateException {
        throw new CertificateException("a client does not verify clients");
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
        return real == null ? new X509Certificate[0] : real.getAcceptedIssuers();
    }

    X509Certificate[] chain() {
        return chain;
    }

    /** Why the chain is not trusted, or null when it is. */
    String problem() {
        return problem;
    }

    boolean verified() {
        return real != null && problem == null;
    }
}
