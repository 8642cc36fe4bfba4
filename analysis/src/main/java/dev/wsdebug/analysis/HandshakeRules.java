package dev.wsdebug.analysis;

import dev.wsdebug.capture.FindingEvent;
import dev.wsdebug.capture.HandshakeEvent;
import dev.wsdebug.wire.HandshakeResult;
import dev.wsdebug.wire.HttpHead;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The opening handshake: refused (with what the status usually means for a WebSocket), an upgrade
 * an intermediary stripped, a wrong accept key, subprotocols that do not match, compression
 * declined, or no answer at all.
 */
final class HandshakeRules {
    private HandshakeRules() {
    }

    static void check(ConnectionFacts c, Findings out) {
        HandshakeEvent h = c.handshake;
        if (h == null) {
            return;
        }
        HttpHead resp = h.response();
        String conn = c.conn;
        if (resp == null) {
            out.add(conn, h.timeMicros(), "no-handshake-response", FindingEvent.ERROR,
                            "The connection closed before the server answered the upgrade request.")
                    .evidence(conn, -1, h.timeMicros(), "upgrade request " + target(h))
                    .cause("The server (or something in front of it) accepted the TCP connection and closed it: a"
                            + " crash or a refusal without an answer, a TLS port spoken to in clear text, or an idle"
                            + " timeout shorter than the handshake.")
                    .fix("Check the server's log at that time and that the URL's scheme and port match what the server"
                            + " speaks (ws:// vs wss://).")
                    .emit();
            return;
        }
        HandshakeResult r = h.result();
        if (h.stream() >= 0) {
            if (h2(c, h, resp, r, out)) {
                subprotocols(c, h, resp, out);
                deflate(c, h, resp, out);
            }
            return;
        }
        int status = r != null ? r.status() : resp.status();
        String upgradeAsked = h.request() == null ? null : h.request().header("Upgrade");
        boolean askedWebSocket = upgradeAsked != null && upgradeAsked.toLowerCase(Locale.ROOT).contains("websocket");
        if (status != 101) {
            // what reached the server: WebSocket headers without the hop-by-hop Upgrade (a recording made past
            // the intermediary), or an upgrade answered 426 Upgrade Required (a recording made before it)
            boolean keyWithoutUpgrade = h.request() != null && h.request().header("Sec-WebSocket-Key") != null
                    && upgradeAsked == null;
            boolean stripped = (status == 400 || status == 426 || status == 200) && keyWithoutUpgrade
                    || askedWebSocket && (status == 426 || status == 400 && reasonMentionsUpgrade(resp));
            if (stripped) {
                Findings.Builder f = out.add(conn, h.timeMicros(), "upgrade-stripped", FindingEvent.ERROR, "The request"
                        + " was a WebSocket upgrade but the server answered " + statusLine(resp) + " as if it had never"
                        + " seen one: the Upgrade header did not reach it.");
                if (keyWithoutUpgrade) {
                    f.evidence(conn, -1, h.timeMicros(), "request with Sec-WebSocket-Key but no Upgrade header");
                }
                f.evidence(conn, -1, h.timeMicros(), "response " + statusLine(resp))
                        .cause("An intermediary (reverse proxy, load balancer, CDN) dropped the hop-by-hop Upgrade and"
                                + " Connection headers before the request reached the server, so it arrived as plain HTTP.")
                        .fix("Make the proxy pass the upgrade on: nginx needs proxy_http_version 1.1 and proxy_set_header"
                                + " Upgrade $http_upgrade; proxy_set_header Connection \"upgrade\"; others have a WebSocket"
                                + " switch.")
                        .emit();
                return;
            }
            String[] meaning = StatusMeanings.of(status);
            out.add(conn, h.timeMicros(), "handshake-rejected", FindingEvent.ERROR, "The server answered the upgrade with "
                            + statusLine(resp) + " instead of 101 Switching Protocols" + (meaning[0].isEmpty() ? "."
                            : ": " + meaning[0]))
                    .evidence(conn, -1, h.timeMicros(), "response " + statusLine(resp)
                            + (resp.header("Location") != null ? ", Location: " + resp.header("Location") : ""))
                    .cause(meaning[1])
                    .fix(meaning[2])
                    .emit();
            return;
        }
        if (r != null && !r.acceptValid()) {
            out.add(conn, h.timeMicros(), "bad-accept", FindingEvent.ERROR, "The server's Sec-WebSocket-Accept is wrong,"
                            + " so a conforming client fails the connection.")
                    .evidence(conn, -1, h.timeMicros(), "expected " + r.expectedAccept() + ", got " + r.actualAccept())
                    .cause("The server computes the accept value wrongly (it must be base64 of SHA-1 of the key followed by"
                            + " 258EAFA5-E914-47DA-95CA-C5AB0DC85B11), or something in between rewrote the key or the answer.")
                    .fix("Use the server library's handshake instead of a hand-written one, and make proxies pass"
                            + " Sec-WebSocket-Key and Sec-WebSocket-Accept unchanged.")
                    .emit();
        }
        subprotocols(c, h, resp, out);
        deflate(c, h, resp, out);
    }

    /**
     * An RFC 8441 handshake on an HTTP/2 stream: 2xx is success and there is no accept to check; a
     * refusal names the usual cause, a server that did not enable extended CONNECT
     * ({@code h2-connect-disabled}). True when the WebSocket opened.
     */
    private static boolean h2(ConnectionFacts c, HandshakeEvent h, HttpHead resp, HandshakeResult r, Findings out) {
        int status = r != null ? r.status() : resp.status();
        boolean settingOff = r != null && r.problems().stream().anyMatch(p -> p.contains("SETTINGS_ENABLE_CONNECT_PROTOCOL")
                || p.contains("did not enable extended CONNECT"));
        boolean upgraded = r != null ? r.upgraded() : status >= 200 && status < 300;
        if (upgraded && !settingOff) {
            return true;
        }
        if (h.request() != null && !dev.wsdebug.wire.H2Handshake.isExtendedConnect(h.request())) {
            return false; // a plain request on a stream (a browser's fetch): no WebSocket was asked for
        }
        if (settingOff || status == 400 || status == 405 || status == 501) {
            out.add(c.conn, h.timeMicros(), "h2-connect-disabled", upgraded ? FindingEvent.WARNING : FindingEvent.ERROR,
                            upgraded ? "The client opened a WebSocket over HTTP/2 although the server's SETTINGS did not"
                                    + " enable extended CONNECT; this server let it through, others refuse it."
                                    : "The server refused the WebSocket over HTTP/2 with " + statusLine(resp) + (settingOff
                                    ? ": its SETTINGS did not enable extended CONNECT." : ": it does not take extended"
                                    + " CONNECT (RFC 8441) here."))
                    .evidence(c.conn, -1, h.timeMicros(), "stream " + h.stream() + ": CONNECT " + target(h)
                            + " :protocol " + (h.request() == null ? "?" : h.request().header(":protocol")) + ", answered "
                            + statusLine(resp))
                    .cause("RFC 8441 lets a client send :protocol only after the server's SETTINGS carried"
                            + " SETTINGS_ENABLE_CONNECT_PROTOCOL = 1; a server (or a proxy in front of it) without WebSocket"
                            + " over HTTP/2 answers 400, 405 or 501, or resets the stream.")
                    .fix("Enable WebSockets over HTTP/2 on the server, or have the client use HTTP/1.1 for WebSockets to"
                            + " it (browsers fall back by themselves; wsdebug connect --http1).")
                    .emit();
            return upgraded;
        }
        String[] meaning = StatusMeanings.of(status);
        out.add(c.conn, h.timeMicros(), "handshake-rejected", FindingEvent.ERROR, "The server answered the extended"
                        + " CONNECT with " + statusLine(resp) + " instead of 200" + (meaning[0].isEmpty() ? "."
                        : ": " + meaning[0]))
                .evidence(c.conn, -1, h.timeMicros(), "stream " + h.stream() + ": response " + statusLine(resp))
                .cause(meaning[1])
                .fix(meaning[2])
                .emit();
        return false;
    }

    private static void subprotocols(ConnectionFacts c, HandshakeEvent h, HttpHead resp, Findings out) {
        List<String> offered = tokens(h.request() == null ? null : h.request().joined("Sec-WebSocket-Protocol"));
        String selected = resp.header("Sec-WebSocket-Protocol");
        if (selected != null) {
            selected = selected.trim();
        }
        if (!offered.isEmpty() && selected == null) {
            out.add(c.conn, h.timeMicros(), "subprotocol-mismatch", FindingEvent.WARNING, "The client asked for "
                            + String.join(", ", offered) + " and the server selected no subprotocol.")
                    .evidence(c.conn, -1, h.timeMicros(), "request Sec-WebSocket-Protocol: " + String.join(", ", offered))
                    .cause("The server speaks none of them (or ignores the header). Many clients (browsers among them)"
                            + " then fail the connection; others go on talking a protocol the server does not expect.")
                    .fix("Offer a subprotocol the server lists, or configure the server to select one.")
                    .emit();
        } else if (selected != null && offered.isEmpty()) {
            out.add(c.conn, h.timeMicros(), "subprotocol-mismatch", FindingEvent.ERROR, "The server selected "
                            + selected + " although the client asked for no subprotocol.")
                    .evidence(c.conn, -1, h.timeMicros(), "response Sec-WebSocket-Protocol: " + selected)
                    .cause("RFC 6455 4.1: a client must fail the connection when the server selects a subprotocol it did"
                            + " not offer.")
                    .fix("Make the server answer Sec-WebSocket-Protocol only with one of the client's offers.")
                    .emit();
        } else if (selected != null && !offered.contains(selected)) {
            out.add(c.conn, h.timeMicros(), "subprotocol-mismatch", FindingEvent.ERROR, "The server selected "
                            + selected + ", which is not among the client's offers (" + String.join(", ", offered) + ").")
                    .evidence(c.conn, -1, h.timeMicros(), "response Sec-WebSocket-Protocol: " + selected)
                    .cause("RFC 6455 4.1: the selected subprotocol must be one the client offered; clients fail the"
                            + " connection otherwise.")
                    .fix("Make the server pick from the offered list.")
                    .emit();
        }
    }

    private static void deflate(ConnectionFacts c, HandshakeEvent h, HttpHead resp, Findings out) {
        String offer = h.request() == null ? null : h.request().joined("Sec-WebSocket-Extensions");
        if (offer == null || !offer.toLowerCase(Locale.ROOT).contains("permessage-deflate")) {
            return;
        }
        String answer = resp.joined("Sec-WebSocket-Extensions");
        if (answer == null || !answer.toLowerCase(Locale.ROOT).contains("permessage-deflate")) {
            out.add(c.conn, h.timeMicros(), "deflate-declined", FindingEvent.INFO, "The client offered permessage-deflate"
                            + " and the server declined it: messages go uncompressed.")
                    .evidence(c.conn, -1, h.timeMicros(), "request Sec-WebSocket-Extensions: " + offer)
                    .cause("The server does not support compression or has it switched off (often on purpose, to save"
                            + " memory per connection).")
                    .fix("Nothing to fix unless bandwidth matters: then enable permessage-deflate on the server.")
                    .emit();
        }
    }

    private static boolean reasonMentionsUpgrade(HttpHead resp) {
        String line = resp.startLine() == null ? "" : resp.startLine().toLowerCase(Locale.ROOT);
        return line.contains("upgrade") || line.contains("websocket");
    }

    static String statusLine(HttpHead resp) {
        String line = resp.startLine() == null ? "" : resp.startLine();
        int sp = line.indexOf(' ');
        return sp > 0 ? line.substring(sp + 1).trim() : Integer.toString(resp.status());
    }

    private static String target(HandshakeEvent h) {
        return h.url() != null ? h.url() : h.request() != null ? h.request().startLine() : "";
    }

    private static List<String> tokens(String header) {
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
