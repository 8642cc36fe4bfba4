package dev.wsdebug.net.probe;

import dev.wsdebug.capture.HandshakeEvent;
import dev.wsdebug.wire.DeflateParams;
import dev.wsdebug.wire.HandshakeResult;

import java.util.ArrayList;
import java.util.List;

/**
 * What the handshake negotiated: the subprotocol among the -s offers, and permessage-deflate,
 * compared between a connection with the default offer and one without any offer (a server that
 * compresses only when asked is right; one that answers an extension nobody offered is not).
 */
final class NegotiationStep {
    private NegotiationStep() {
    }

    /**
     * The subprotocol check of a connection's handshake.
     *
     * @return whether it reported a mismatch that is an error (the client fails such a connection)
     */
    static boolean subprotocol(ProbeConnection c, ProbeListener out) {
        HandshakeEvent h = c.handshake();
        if (h == null || h.result() == null) {
            return false;
        }
        List<String> offered = h.request() == null ? List.of() : rawTokens(h.request().joined("Sec-WebSocket-Protocol"));
        String selected = h.result().subprotocol() == null ? null : h.result().subprotocol().trim();
        String what = "subprotocol" + (offered.isEmpty() ? " (none offered)" : " (offered " + String.join(", ", offered) + ")");
        if (selected == null) {
            if (offered.isEmpty()) {
                out.check(ProbeCheck.ok("subprotocol", what, "none selected", null));
                return false;
            }
            out.check(ProbeCheck.warn("subprotocol", what, "the server selected none", null));
            out.finding(Finding.warning(c.conn, "subprotocol-mismatch", "The client asked for " + String.join(", ", offered)
                            + " and the server selected no subprotocol.")
                    .evidence("request Sec-WebSocket-Protocol: " + String.join(", ", offered))
                    .cause("The server speaks none of them (or ignores the header). Many clients (browsers among them)"
                            + " then fail the connection.")
                    .fix("Offer a subprotocol the server lists, or configure the server to select one.")
                    .build());
            return false;
        }
        if (!offered.contains(selected)) {
            out.check(ProbeCheck.fail("subprotocol", what, "the server selected " + selected + ", which was not offered", null));
            out.finding(Finding.error(c.conn, "subprotocol-mismatch", "The server selected " + selected
                            + (offered.isEmpty() ? " although the client asked for no subprotocol."
                            : ", which is not among the client's offers (" + String.join(", ", offered) + ")."))
                    .evidence("response Sec-WebSocket-Protocol: " + selected)
                    .cause("RFC 6455 4.1: a client must fail the connection when the server selects a subprotocol it did not offer.")
                    .fix("Make the server answer Sec-WebSocket-Protocol only with one of the client's offers.")
                    .build());
            return true;
        }
        out.check(ProbeCheck.ok("subprotocol", what, selected + " selected", null));
        return false;
    }

    /**
     * The deflate checks: {@code offered} used the default offer, {@code plain} offered nothing
     * (null when it could not be opened).
     */
    static void deflate(ProbeConnection offered, ProbeConnection plain, ProbeListener out) {
        HandshakeResult r = offered.handshake().result();
        String offer = offered.handshake().request() == null ? ProbeConnection.DEFAULT_OFFER
                : offered.handshake().request().joined("Sec-WebSocket-Extensions");
        DeflateParams d = r.deflate();
        if (d != null) {
            List<String> params = parameters(d);
            out.check(ProbeCheck.ok("deflate", "permessage-deflate (offered: " + offer + ")", "accepted with "
                    + (params.isEmpty() ? "no parameters" : String.join(", ", params)) + "; in force: " + inForce(d), null));
        } else {
            out.check(ProbeCheck.warn("deflate", "permessage-deflate (offered: " + offer + ")", "declined: messages travel uncompressed", null));
            out.finding(Finding.info(offered.conn, "deflate-declined", "The server declined permessage-deflate.")
                    .evidence("offer: " + offer + "; response Sec-WebSocket-Extensions: "
                            + (r.extensions() == null ? "none" : r.extensions()))
                    .cause("Compression is disabled on the server, or something in between strips the header.")
                    .fix("Nothing, if the messages are small or already compressed; else enable permessage-deflate on the server.")
                    .build());
        }
        if (plain == null) {
            return;
        }
        HandshakeEvent ph = plain.handshake();
        if (ph == null || ph.result() == null || ph.response() == null || ph.response().status() != 101) {
            String why = plain.failure == null ? "no 101 response" : plain.failure.getMessage();
            out.check(ProbeCheck.fail("deflate", "upgrade without any extension offer", why, plain.openMs));
            out.finding(Finding.error(plain.conn, "handshake-rejected", "The server refuses a client that offers no extension.")
                    .evidence(why)
                    .cause("The server requires permessage-deflate, which RFC 7692 leaves optional for clients.")
                    .fix("Accept connections without compression on the server.")
                    .build());
            return;
        }
        String ext = ph.result().extensions();
        if (ext != null && !ext.isBlank()) {
            out.check(ProbeCheck.fail("deflate", "upgrade without any extension offer", "the server answered extensions: " + ext, null));
            out.finding(Finding.error(plain.conn, "compressed-without-extension", "The server answered Sec-WebSocket-Extensions: "
                            + ext + " to a client that offered none.")
                    .evidence("response Sec-WebSocket-Extensions: " + ext)
                    .cause("RFC 6455 9.1: a server may only accept extensions the client offered; clients fail such a connection.")
                    .fix("Answer Sec-WebSocket-Extensions only when the client offered the extension.")
                    .build());
        } else {
            out.check(ProbeCheck.ok("deflate", "upgrade without any extension offer", "101, no extension ("
                    + Millis.format(plain.openMs) + ")", plain.openMs));
        }
    }

    /**
     * What each side's compressor does, absent parameters resolved to their defaults: a response
     * without parameters still fixes the windows (15 bits) and context takeover.
     */
    static String inForce(DeflateParams d) {
        List<String> out = new ArrayList<>();
        out.add("client_max_window_bits=" + d.clientWindowBits());
        out.add("server_max_window_bits=" + d.serverWindowBits());
        out.add(d.clientNoContextTakeover() ? "client_no_context_takeover" : "client context takeover");
        out.add(d.serverNoContextTakeover() ? "server_no_context_takeover" : "server context takeover");
        return String.join(", ", out);
    }

    /** The parameters of an accepted permessage-deflate, as the server wrote them. */
    static List<String> parameters(DeflateParams d) {
        List<String> out = new ArrayList<>();
        String f = d.format();
        for (String p : f.split(";")) {
            String t = p.trim();
            if (!t.isEmpty() && !t.equals(DeflateParams.NAME)) {
                out.add(t);
            }
        }
        return out;
    }

    private static List<String> rawTokens(String header) {
        List<String> out = new ArrayList<>();
        if (header != null) {
            for (String t : header.split(",")) {
                if (!t.isBlank()) {
                    out.add(t.trim());
                }
            }
        }
        return out;
    }
}
