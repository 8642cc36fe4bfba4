package dev.wsdebug.net.probe;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * One line of the probe's checklist: what was checked, how it went and what was measured.
 *
 * @param check  a short stable id (dns, tcp, tls, certificate, hostname, upgrade, accept,
 *               subprotocol, deflate, ping, close, http2, idle, keepalive): what scripts match on
 * @param what   what was checked, for a human
 * @param detail the figure or the reason, for a human
 * @param ms     the time measured in milliseconds, or null when the check measures no time
 */
public record ProbeCheck(String check, Status status, String what, String detail, Double ms) {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** ok: as it should be; warn: works but deserves attention; fail: broken. */
    public enum Status { OK, WARN, FAIL }

    public static ProbeCheck ok(String check, String what, String detail, Double ms) {
        return new ProbeCheck(check, Status.OK, what, detail, ms);
    }

    public static ProbeCheck warn(String check, String what, String detail, Double ms) {
        return new ProbeCheck(check, Status.WARN, what, detail, ms);
    }

    public static ProbeCheck fail(String check, String what, String detail, Double ms) {
        return new ProbeCheck(check, Status.FAIL, what, detail, ms);
    }

    public boolean failed() {
        return status == Status.FAIL;
    }

    /**
     * The {@code probe} event of {@code diagnose URL --json}: one JSON object on one line. {@code ok}
     * is false only for a failure, so a script can test one field; {@code status} tells a warning.
     */
    public String toJson() {
        ObjectNode o = JSON.createObjectNode();
        o.put("event", "probe");
        o.put("check", check);
        o.put("ok", status != Status.FAIL);
        o.put("status", status.name().toLowerCase(java.util.Locale.ROOT));
        o.put("what", what);
        if (ms != null) {
            // a tenth of a microsecond is far below what the clock and the network can tell apart
            o.put("ms", Math.round(ms * 1000) / 1000.0);
        }
        o.put("detail", detail);
        return o.toString();
    }
}
