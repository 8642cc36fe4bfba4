package dev.wsdebug.net.probe;

import dev.wsdebug.capture.HandshakeEvent;
import dev.wsdebug.net.client.ClientFailure;
import dev.wsdebug.net.client.HandshakeFailure;
import dev.wsdebug.wire.HandshakeResult;
import dev.wsdebug.wire.HttpHead;

import java.util.ArrayList;
import java.util.List;

/** The opening handshake of one connection: its status, the headers that decide it, the accept check. */
final class UpgradeStep {
    /** The response headers that decide whether and how the upgrade works, or point at what is in between. */
    private static final List<String> TELLING = List.of("Upgrade", "Connection", "Sec-WebSocket-Protocol",
            "Sec-WebSocket-Extensions", "Server", "Via");

    private UpgradeStep() {
    }

    /** @return whether the connection is open and the other checks can use it */
    static boolean run(ProbeConnection c, ProbeListener out) {
        HandshakeEvent h = c.handshake();
        HttpHead resp = h == null ? null : h.response();
        String what = "upgrade " + (h != null && h.url() != null ? h.url() : "");
        if (resp == null) {
            ClientFailure f = c.failure;
            String why = f == null ? "no response" : f.getMessage();
            out.check(ProbeCheck.fail("upgrade", what.trim(), why, c.openMs));
            out.finding(Finding.error(c.conn, "no-handshake-response", "The server did not answer the upgrade request.")
                    .evidence(why)
                    .cause("The connection broke before a response (a TLS or network failure), or the server (or something"
                            + " in front of it) holds the request without answering.")
                    .fix("Check that the URL points at a WebSocket endpoint and that nothing in between drops upgrades.")
                    .build());
            return false;
        }
        HandshakeResult r = h.result();
        String status = resp.status() + (resp.reason() == null || resp.reason().isEmpty() ? "" : " " + resp.reason());
        if (resp.status() != 101) {
            String body = c.failure instanceof HandshakeFailure hf ? hf.bodyExcerpt().strip() : "";
            out.check(ProbeCheck.fail("upgrade", what, status + " (" + Millis.format(c.openMs) + ")", c.openMs));
            out.finding(Finding.error(c.conn, "handshake-rejected", "The server refused the upgrade with " + status + ".")
                    .evidence("response " + resp.startLine() + (body.isEmpty() ? "" : ", body: " + firstLine(body)))
                    .cause(resp.status() == 401 || resp.status() == 403 ? "The request lacks credentials, a token or an"
                            + " Origin the server accepts." : resp.status() >= 500 ? "The server (or a gateway in front of it)"
                            + " failed to handle the request." : "The server does not take this request as a WebSocket upgrade"
                            + " at this path.")
                    .fix(resp.status() == 401 || resp.status() == 403 ? "Send what the server requires (-H 'Authorization: …',"
                            + " --origin …)." : "Check the path and the headers the server expects.")
                    .build());
            return false;
        }
        out.check(ProbeCheck.ok("upgrade", what, status + " (" + Millis.format(c.openMs) + " from TCP connect to upgrade)", c.openMs));
        out.check(ProbeCheck.ok("headers", "response headers", telling(resp), null));
        if (r != null && !r.acceptValid()) {
            out.check(ProbeCheck.fail("accept", "Sec-WebSocket-Accept matches the key", r.actualAccept() == null
                    ? "missing" : "no: \"" + r.actualAccept() + "\", expected \"" + r.expectedAccept() + "\"", null));
            out.finding(Finding.error(c.conn, "bad-accept", r.actualAccept() == null
                            ? "The 101 response has no Sec-WebSocket-Accept." : "The server's Sec-WebSocket-Accept does not match the key.")
                    .evidence("Sec-WebSocket-Accept: " + r.actualAccept() + ", expected " + r.expectedAccept())
                    .cause("The server computes the accept value wrongly (a wrong GUID, hashing the wrong bytes), or something"
                            + " in between rewrites the handshake. Every conforming client fails the connection.")
                    .fix("Compute base64(SHA-1(key + \"258EAFA5-E914-47DA-95CA-C5AB0DC85B11\")) exactly.")
                    .build());
            return false;
        }
        out.check(ProbeCheck.ok("accept", "Sec-WebSocket-Accept matches the key", r == null ? "" : r.actualAccept(), null));
        if (c.session == null) {
            // a 101 with a good accept that the client still refused: a subprotocol or an extension it did not offer
            String why = c.failure == null ? "the client refused it" : c.failure.getMessage();
            out.check(ProbeCheck.fail("upgrade", "the client accepts the 101 response", why, null));
            if (!NegotiationStep.subprotocol(c, out)) {
                out.finding(Finding.error(c.conn, "handshake-invalid", "The 101 response is not valid: " + why)
                        .evidence("response " + resp.startLine())
                        .cause("The server's response breaks RFC 6455 or RFC 7692 (see the sentence).")
                        .fix("Make the server answer only with what the client offered.")
                        .build());
            }
            return false;
        }
        return true;
    }

    private static String telling(HttpHead resp) {
        List<String> parts = new ArrayList<>();
        for (String name : TELLING) {
            String v = resp.joined(name);
            if (v != null) {
                parts.add(name + ": " + v);
            }
        }
        return parts.isEmpty() ? "none of Upgrade, Connection, Server, Via" : String.join("; ", parts);
    }

    private static String firstLine(String body) {
        int nl = body.indexOf('\n');
        String l = nl < 0 ? body : body.substring(0, nl);
        return l.length() > 120 ? l.substring(0, 120) + "…" : l;
    }
}
