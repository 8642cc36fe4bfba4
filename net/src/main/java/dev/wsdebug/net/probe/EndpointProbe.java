package dev.wsdebug.net.probe;

import dev.wsdebug.capture.FindingEvent;

import java.net.InetAddress;
import java.net.URI;
import java.util.List;
import java.util.Locale;

/**
 * {@code wsdebug diagnose URL}: probes a live endpoint layer by layer (DNS, TCP, TLS, the upgrade,
 * negotiation, ping, close, and with --idle the idle timeout) and reports each measurement as it is
 * made. A layer that fails stops the probe: what builds on it could only fail for the same reason.
 */
public final class EndpointProbe {
    private final ProbeOptions o;

    public EndpointProbe(ProbeOptions options) {
        this.o = options;
    }

    /** What a run found. */
    public record Outcome(int failedChecks, int warnings, int errorFindings) {
        public boolean failed() {
            return failedChecks > 0 || errorFindings > 0;
        }
    }

    public Outcome run(ProbeListener listener) throws InterruptedException {
        Counting out = new Counting(listener);
        URI u = o.url;
        boolean tls = "wss".equalsIgnoreCase(u.getScheme());
        String host = u.getHost();
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int port = u.getPort() > 0 ? u.getPort() : tls ? 443 : 80;
        List<InetAddress> addresses = DnsStep.run(host, out);
        if (addresses.isEmpty()) {
            return out.outcome();
        }
        List<InetAddress> reachable = TcpStep.run(addresses, port, o.connectTimeoutMillis, out);
        if (reachable.isEmpty()) {
            return out.outcome();
        }
        if (tls && !TlsStep.run(o, reachable.get(0), host, port, out)) {
            return out.outcome();
        }
        try (ProbeConnection main = ProbeConnection.open(o, 1, ProbeConnection.DEFAULT_OFFER)) {
            if (!UpgradeStep.run(main, out)) {
                return out.outcome();
            }
            NegotiationStep.subprotocol(main, out);
            try (ProbeConnection plain = ProbeConnection.open(o, 2, null)) {
                NegotiationStep.deflate(main, plain, out);
                plain.closeGently(1_000);
            }
            PingStep.run(main, o, out);
            CloseStep.run(main, o, out);
        }
        Http2Step.run(o, reachable.get(0), host, port, tls, out);
        if (o.idleSeconds > 0) {
            IdleStep.run(o, 3, out);
        }
        return out.outcome();
    }

    /** Passes everything on and keeps the tally the exit status comes from. */
    private static final class Counting implements ProbeListener {
        private final ProbeListener next;
        private int failed;
        private int warnings;
        private int errors;

        Counting(ProbeListener next) {
            this.next = next;
        }

        @Override
        public void check(ProbeCheck check) {
            if (check.status() == ProbeCheck.Status.FAIL) {
                failed++;
            } else if (check.status() == ProbeCheck.Status.WARN) {
                warnings++;
            }
            next.check(check);
        }

        @Override
        public void finding(FindingEvent finding) {
            if (FindingEvent.ERROR.equals(finding.severity().toLowerCase(Locale.ROOT))) {
                errors++;
            }
            next.finding(finding);
        }

        Outcome outcome() {
            return new Outcome(failed, warnings, errors);
        }
    }
}
