package dev.wsdebug.net.probe;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

/** Resolves the host to every address it has: a client may reach any of them, so each is tried next. */
final class DnsStep {
    private DnsStep() {
    }

    /** @return the addresses, or an empty list when the name does not resolve (reported) */
    static List<InetAddress> run(String host, ProbeListener out) {
        long start = System.nanoTime();
        try {
            List<InetAddress> all = Arrays.asList(InetAddress.getAllByName(host));
            double ms = Millis.since(start);
            if (HostnameMatch.isIpLiteral(host)) {
                out.check(ProbeCheck.ok("dns", "DNS " + host, "an address: nothing to resolve", ms));
                return all;
            }
            out.check(ProbeCheck.ok("dns", "DNS " + host, all.stream().map(InetAddress::getHostAddress)
                    .collect(Collectors.joining(", ")) + " (" + Millis.format(ms) + ")", ms));
            return all;
        } catch (UnknownHostException e) {
            double ms = Millis.since(start);
            out.check(ProbeCheck.fail("dns", "DNS " + host, "does not resolve", ms));
            out.finding(Finding.error(null, "dns-unresolved", "The host name " + host + " does not resolve.")
                    .evidence("no address after " + Millis.format(ms))
                    .cause("A typo in the URL, a name that only exists inside another network (VPN, cluster DNS),"
                            + " or a resolver that cannot be reached.")
                    .fix("Check the host name, and resolve it from this machine (dig, nslookup).")
                    .build());
            return List.of();
        }
    }
}
