package dev.wsdebug.wire;

/**
 * The close code registry (RFC 6455 section 7.4 and the IANA WebSocket Close Code Number Registry):
 * a name and a one-sentence meaning for every code, and which codes may appear in a close frame.
 */
public final class CloseCodes {
    public static final int NORMAL = 1000;
    public static final int GOING_AWAY = 1001;
    public static final int PROTOCOL_ERROR = 1002;
    public static final int UNSUPPORTED_DATA = 1003;
    public static final int NO_STATUS_RECEIVED = 1005;
    public static final int ABNORMAL = 1006;
    public static final int INVALID_PAYLOAD = 1007;
    public static final int POLICY_VIOLATION = 1008;
    public static final int MESSAGE_TOO_BIG = 1009;
    public static final int MANDATORY_EXTENSION = 1010;
    public static final int INTERNAL_ERROR = 1011;
    public static final int SERVICE_RESTART = 1012;
    public static final int TRY_AGAIN_LATER = 1013;
    public static final int BAD_GATEWAY = 1014;
    public static final int TLS_HANDSHAKE = 1015;

    private static final String[][] KNOWN = {
        {"Normal Closure", "The connection completed the purpose it was opened for."},
        {"Going Away", "The endpoint is going away, for example a server shutting down or a browser leaving the page."},
        {"Protocol Error", "The endpoint received something that breaks the WebSocket protocol."},
        {"Unsupported Data", "The endpoint received a type of data it cannot accept, for example binary where only text is understood."},
        {"Reserved", "Reserved by RFC 6455 with no meaning yet; it must not be sent."},
        {"No Status Received", "The close frame carried no status code; set locally, never sent on the wire."},
        {"Abnormal Closure", "The connection dropped without a close frame; set locally, never sent on the wire."},
        {"Invalid Frame Payload Data", "A message carried data that does not match its type, such as invalid UTF-8 in a text message."},
        {"Policy Violation", "A message broke the endpoint's policy; used when no more specific code fits."},
        {"Message Too Big", "A message was larger than the endpoint is willing to process."},
        {"Mandatory Extension", "The client expected the server to negotiate an extension that it did not."},
        {"Internal Error", "The server met an unexpected condition that stopped it from fulfilling the request."},
        {"Service Restart", "The service is restarting; the client may reconnect after a short delay."},
        {"Try Again Later", "The service is overloaded or temporarily unavailable; the client should retry later."},
        {"Bad Gateway", "A gateway or proxy received an invalid response from the upstream server."},
        {"TLS Handshake", "The TLS handshake failed, for example the certificate could not be verified; set locally, never sent on the wire."},
    };

    private CloseCodes() {
    }

    /** The registry name, e.g. "Normal Closure"; a range name for 3000-4999; "Invalid" otherwise. */
    public static String name(int code) {
        if (code >= 1000 && code <= 1015) {
            return KNOWN[code - 1000][0];
        }
        if (code >= 3000 && code <= 3999) {
            return "Registered (3000-3999)";
        }
        if (code >= 4000 && code <= 4999) {
            return "Private Use (4000-4999)";
        }
        if (code >= 1016 && code <= 2999) {
            return "Reserved (1016-2999)";
        }
        return "Invalid";
    }

    /** One sentence saying what the code means. */
    public static String meaning(int code) {
        if (code >= 1000 && code <= 1015) {
            return KNOWN[code - 1000][1];
        }
        if (code >= 3000 && code <= 3999) {
            return "A code registered with IANA for a library, framework or application.";
        }
        if (code >= 4000 && code <= 4999) {
            return "A code for private use; its meaning is agreed between the application's endpoints.";
        }
        if (code >= 1016 && code <= 2999) {
            return "Reserved for future revisions of the WebSocket protocol; it must not be sent.";
        }
        return "Not a WebSocket close code; a close frame must not carry it.";
    }

    /** 1005, 1006 and 1015 describe what an endpoint saw; RFC 6455 forbids putting them in a close frame. */
    public static boolean isLocalOnly(int code) {
        return code == NO_STATUS_RECEIVED || code == ABNORMAL || code == TLS_HANDSHAKE;
    }

    /** True for the codes a close frame may carry: 1000-1003, 1007-1014 and 3000-4999. */
    public static boolean isValidOnWire(int code) {
        return (code >= 1000 && code <= 1003)
                || (code >= 1007 && code <= 1014)
                || (code >= 3000 && code <= 4999);
    }

    /**
     * The code an endpoint closes with when the peer broke a rule (RFC 6455 7.4.1): 1007 for text
     * that is not UTF-8 (and a compressed stream that cannot be inflated), 1009 for a message over
     * the limit, 1002 for everything else.
     */
    public static int forViolation(Violation v) {
        String rule = v.rule();
        if (rule.equals(Rule.TEXT_INVALID_UTF8.id()) || rule.equals(Rule.DEFLATE_STREAM_INVALID.id())) {
            return INVALID_PAYLOAD;
        }
        return rule.equals(Rule.MESSAGE_TOO_BIG.id()) ? MESSAGE_TOO_BIG : PROTOCOL_ERROR;
    }
}
