package dev.wsdebug.net.probe;

import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;

/**
 * The TLS handshake of a wss:// endpoint on its own connection, with what it negotiated and the
 * certificate chain. The JDK's socket is enough here: nothing of WebSocket crosses this connection.
 */
final class TlsStep {
    private TlsStep() {
    }

    /** @return whether the WebSocket checks can follow (the handshake worked and the server is trusted as the client will require) */
    static boolean run(ProbeOptions o, InetAddress address, String host, int port, ProbeListener out) {
        String where = TcpStep.hostPort(address, port);
        RecordingTrustManager trust;
        SSLContext ctx;
        try {
            trust = RecordingTrustManager.create(o.ca, o.insecure);
            ctx = SSLContext.getInstance("TLS");
            ctx.init(null, new TrustManager[] {trust}, null);
        } catch (IOException | GeneralSecurityException e) {
            out.check(ProbeCheck.fail("tls", "TLS settings", "--ca " + o.ca + " cannot be used: " + e.getMessage(), null));
            return false;
        }
        long start = System.nanoTime();
        try (Socket plain = new Socket()) {
            plain.connect(new InetSocketAddress(address, port), o.connectTimeoutMillis);
            plain.setSoTimeout(o.connectTimeoutMillis);
            start = System.nanoTime();
            try (SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket(plain, host, port, false)) {
                SSLParameters p = s.getSSLParameters();
                // a WebSocket upgrade is HTTP/1.1: what the server selects says whether it would speak it
                p.setApplicationProtocols(new String[] {"http/1.1"});
                if (!HostnameMatch.isIpLiteral(host)) {
                    p.setServerNames(List.of(new SNIHostName(host)));
                }
                s.setSSLParameters(p);
                s.startHandshake();
                double ms = Millis.since(start);
                SSLSession session = s.getSession();
                String alpn = s.getApplicationProtocol();
                out.check(ProbeCheck.ok("tls", "TLS handshake " + where, session.getProtocol() + ", "
                        + session.getCipherSuite() + ", ALPN " + (alpn == null || alpn.isEmpty() ? "none" : alpn)
                        + " (" + Millis.format(ms) + ")", ms));
                return certificates(o, trust, host, out);
            }
        } catch (IOException e) {
            double ms = Millis.since(start);
            String why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            out.check(ProbeCheck.fail("tls", "TLS handshake " + where, why, ms));
            out.finding(Finding.error(null, "tls-handshake-failed", "The TLS handshake with " + where + " failed: " + why + ".")
                    .evidence("after " + Millis.format(ms))
                    .cause("The server does not speak TLS on this port, or it and the client share no protocol"
                            + " version or cipher suite.")
                    .fix("Check the port and the scheme (ws:// for plain connections), and the server's TLS settings.")
                    .build());
            return false;
        }
    }

    private static boolean certificates(ProbeOptions o, RecordingTrustManager trust, String host, ProbeListener out) {
        X509Certificate[] chain = trust.chain();
        if (chain == null || chain.length == 0) {
            out.check(ProbeCheck.fail("certificate", "certificate chain", "the server sent none", null));
            return false;
        }
        Instant now = Instant.now();
        for (int i = 0; i < chain.length; i++) {
            X509Certificate c = chain[i];
            Instant end = c.getNotAfter().toInstant();
            long days = Duration.between(now, end).toDays();
            String what = "certificate " + i + ": " + c.getSubjectX500Principal().getName();
            String detail = "issued by " + c.getIssuerX500Principal().getName() + ", expires "
                    + LocalDate.ofInstant(end, ZoneOffset.UTC) + " (" + (end.isBefore(now) ? "expired" : days + " days left") + ")";
            if (end.isBefore(now) || c.getNotBefore().toInstant().isAfter(now)) {
                out.check(ProbeCheck.fail("certificate", what, end.isBefore(now) ? detail : detail + ", not valid yet", null));
                out.finding(Finding.error(null, "certificate-expired", "The certificate " + c.getSubjectX500Principal().getName()
                                + " is not valid now (valid " + c.getNotBefore().toInstant() + " to " + end + ").")
                        .evidence(detail)
                        .cause("A certificate that was not renewed, or a clock that is wrong here or on the server.")
                        .fix("Renew the certificate, and check the clocks.")
                        .build());
            } else if (days < o.certificateWarningDays) {
                out.check(ProbeCheck.warn("certificate", what, detail + ": under " + o.certificateWarningDays + " days", null));
                out.finding(Finding.warning(null, "certificate-expiring", "The certificate " + c.getSubjectX500Principal().getName()
                                + " expires in " + days + " days.")
                        .evidence(detail)
                        .cause("Its renewal is not done yet, or is not automated.")
                        .fix("Renew it before " + LocalDate.ofInstant(end, ZoneOffset.UTC) + ".")
                        .build());
            } else {
                out.check(ProbeCheck.ok("certificate", what, detail, null));
            }
        }
        boolean usable = true;
        if (trust.verified()) {
            out.check(ProbeCheck.ok("certificate", "certificate chain trusted", o.ca != null ? "by --ca " + o.ca : "by the JDK trust store", null));
        } else if (o.insecure) {
            out.check(ProbeCheck.warn("certificate", "certificate chain trusted", trust.problem(), null));
        } else {
            usable = false;
            out.check(ProbeCheck.fail("certificate", "certificate chain trusted", trust.problem(), null));
            out.finding(Finding.error(null, "tls-untrusted", "The server's certificate chain is " + trust.problem() + ".")
                    .evidence("issuer of the last certificate sent: " + chain[chain.length - 1].getIssuerX500Principal().getName())
                    .cause("A self-signed or private CA certificate, or a server that does not send its intermediate certificates.")
                    .fix("Send the full chain from the server, or trust its CA (--ca FILE); --insecure skips the check.")
                    .build());
        }
        List<String> names = HostnameMatch.names(chain[0]);
        if (HostnameMatch.matches(chain[0], host)) {
            out.check(ProbeCheck.ok("hostname", "host name " + host + " matches the certificate", String.join(", ", names), null));
        } else {
            out.check(o.insecure ? ProbeCheck.warn("hostname", "host name " + host + " matches the certificate",
                    "no: " + String.join(", ", names), null)
                    : ProbeCheck.fail("hostname", "host name " + host + " matches the certificate", "no: " + String.join(", ", names), null));
            String summary = "The certificate is not valid for " + host + ".";
            // with --insecure the connections still work: worth knowing, not a failure
            out.finding((o.insecure ? Finding.warning(null, "hostname-mismatch", summary)
                    : Finding.error(null, "hostname-mismatch", summary))
                    .evidence("it names " + (names.isEmpty() ? "no host (no subject alternative names)" : String.join(", ", names)))
                    .cause("The URL uses a name (or an address) the certificate does not list.")
                    .fix("Connect with a name the certificate lists, or add this one to the certificate.")
                    .build());
            usable &= o.insecure;
        }
        return usable;
    }
}
