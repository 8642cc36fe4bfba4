package dev.wsdebug.cli.options;

import picocli.CommandLine.Option;

/** The load limits {@code serve} and {@code proxy} share: connections, handshake and idle time, stalls. */
public final class LimitOptions {
    @Option(names = "--max-connections", paramLabel = "N",
            description = "Connections open at once (on HTTP/2 each stream counts); a new one beyond is answered"
                    + " 503 Service Unavailable with a sentence, and the open ones go on. Default: ${DEFAULT-VALUE}.")
    int maxConnections;

    /** @param maxConnections the command's default connection limit */
    public LimitOptions(int maxConnections) {
        this.maxConnections = maxConnections;
    }

    @Option(names = "--handshake-timeout", paramLabel = "S", defaultValue = "10",
            description = "Close a client that has not sent its whole upgrade request S seconds after connecting"
                    + " (slow or silent clients); 0 never. Default: ${DEFAULT-VALUE}.")
    double handshakeTimeout;

    @Option(names = "--idle-timeout", paramLabel = "S", defaultValue = "0",
            description = "Close a connection with no traffic for S seconds (a WebSocket with 1001 Going Away)."
                    + " Default: 0, never: a debugger does not cut idle connections unless asked.")
    double idleTimeout;

    @Option(names = "--stall-notice", paramLabel = "S", defaultValue = "10",
            description = "Report a peer that has left what it is sent unread for S seconds (it stopped reading: the"
                    + " other side is paused meanwhile), and when it reads again. Default: ${DEFAULT-VALUE}.")
    double stallNotice;

    /** Sets the limits; returns a sentence saying what is wrong, or null. */
    public String applyTo(dev.wsdebug.net.limits.Limits limits) {
        String problem = validate();
        if (problem == null) {
            limits.maxConnections = maxConnections;
            limits.handshakeTimeoutMillis = millis(handshakeTimeout);
            limits.idleTimeoutMillis = millis(idleTimeout);
            limits.stallNoticeMillis = Math.max(1, millis(stallNotice));
        }
        return problem;
    }

    private String validate() {
        if (maxConnections < 1) {
            return "--max-connections must be at least 1.";
        }
        if (handshakeTimeout < 0 || idleTimeout < 0 || Double.isNaN(handshakeTimeout) || Double.isNaN(idleTimeout)) {
            return "--handshake-timeout and --idle-timeout are seconds, 0 or more.";
        }
        if (!(stallNotice > 0)) {
            return "--stall-notice is seconds, more than 0.";
        }
        return null;
    }

    private static long millis(double seconds) {
        return seconds <= 0 ? 0 : Math.max(1, Math.round(seconds * 1000));
    }
}
