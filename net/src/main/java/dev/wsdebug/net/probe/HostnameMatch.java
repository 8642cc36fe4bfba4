package dev.wsdebug.net.probe;

import java.net.InetAddress;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;

/**
 * Whether a certificate names the host, by its subject alternative names (RFC 6125: DNS names with
 * a wildcard only as the whole leftmost label, IP addresses exactly). Checked apart from the
 * handshake so that a mismatch is a line of the checklist, not a failed connection.
 */
final class HostnameMatch {
    private static final int DNS = 2;
    private static final int IP = 7;

    private HostnameMatch() {
    }

    /** The names the certificate is valid for, as "DNS:x" and "IP:y". */
    static List<String> names(X509Certificate cert) {
        List<String> out = new ArrayList<>();
        try {
            Collection<List<?>> sans = cert.getSubjectAlternativeNames();
            if (sans != null) {
                for (List<?> san : sans) {
                    int type = (Integer) san.get(0);
                    if (type == DNS) {
                        out.add("DNS:" + san.get(1));
                    } else if (type == IP) {
                        out.add("IP:" + san.get(1));
                    }
                }
            }
        } catch (CertificateParsingException e) {
            // an unreadable extension names nothing
        }
        return out;
    }

    static boolean matches(X509Certificate cert, String host) {
        String h = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        boolean literal = isIpLiteral(h);
        for (String n : names(cert)) {
            if (literal && n.startsWith("IP:") && sameAddress(n.substring(3), h)) {
                return true;
            }
            if (!literal && n.startsWith("DNS:") && dnsMatches(n.substring(4), h)) {
                return true;
            }
        }
        return false;
    }

    private static boolean dnsMatches(String pattern, String host) {
        String p = pattern.toLowerCase(Locale.ROOT);
        String h = host.toLowerCase(Locale.ROOT);
        if (h.endsWith(".")) {
            h = h.substring(0, h.length() - 1);
        }
        if (p.startsWith("*.")) {
            int dot = h.indexOf('.');
            // the wildcard stands for exactly one label, never for the registrable domain itself
            return dot > 0 && h.substring(dot + 1).equals(p.substring(2)) && p.substring(2).contains(".");
        }
        return p.equals(h);
    }

    static boolean isIpLiteral(String h) {
        return h.contains(":") || h.matches("[0-9.]+");
    }

    private static boolean sameAddress(String a, String b) {
        try {
            // both are literals: no lookup happens
            return InetAddress.getByName(a).equals(InetAddress.getByName(b));
        } catch (java.net.UnknownHostException e) {
            return false;
        }
    }
}
