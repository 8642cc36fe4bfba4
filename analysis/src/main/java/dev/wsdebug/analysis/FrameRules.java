package dev.wsdebug.analysis;

import dev.wsdebug.capture.FindingEvent;
import dev.wsdebug.wire.CloseCodes;
import dev.wsdebug.wire.Direction;

/**
 * What the frames show: rules of RFC 6455/7692 broken (grouped by rule and by the side that broke
 * them), text that is not UTF-8, compressed frames without the extension, close codes that must
 * never be sent, and a 1009 with the size that set it off.
 */
final class FrameRules {
    private FrameRules() {
    }

    /**
     * The capture missed bytes of the connection ({@code capture-incomplete}): the close, keepalive
     * and frame rules would blame a peer for what the capture lost, so they are left out after the hole.
     */
    static void incomplete(ConnectionFacts c, Findings out) {
        int d = c.firstGap[0] != null ? 0 : 1;
        ConnectionFacts.Mark first = c.firstGap[d];
        String sides = c.firstGap[0] != null && c.firstGap[1] != null ? "in both directions"
                : d == 0 ? "of the client's stream" : "of the server's stream";
        out.add(c.conn, first.t(), "capture-incomplete", FindingEvent.WARNING, "The capture missed "
                        + (c.gapBytes[0] + c.gapBytes[1]) + " bytes " + sides + ", so how the connection ended and"
                        + " the frames after the first hole are not judged.")
                .evidence(c.conn, first)
                .cause("Packets the capture never saw: the capture tool dropped them (its buffer filled during a burst),"
                        + " the capture started or stopped mid-connection, or the snap length cut them.")
                .fix("Capture with a larger buffer (dumpcap -B 64, tcpdump -B 65536) and a filter for this connection"
                        + " only, or record through wsdebug proxy, which sees every byte.")
                .emit();
    }

    static void check(ConnectionFacts c, Findings out) {
        for (ConnectionFacts.Broken b : c.broken.values()) {
            if (b.rule.equals("text-invalid-utf8") || b.rule.equals("close-reason-invalid-utf8")) {
                Findings.Builder f = out.add(c.conn, b.first.get(0).t(), "invalid-utf8", FindingEvent.ERROR,
                        side(b.dir) + " sent " + (b.rule.startsWith("close") ? "a close reason" : b.count == 1
                                ? "a text message" : b.count + " text messages") + " that " + (b.count == 1 ? "is" : "are")
                                + " not valid UTF-8 (" + b.rfc + ").")
                        .cause("Binary data sent as text, a string cut in the middle of a multi-byte character, or a"
                                + " wrong encoding (Latin-1) on the sender. A conforming receiver closes with 1007.")
                        .fix("Send such data as binary messages, or encode text as UTF-8 and split it only between"
                                + " characters.");
                b.first.forEach(m -> f.evidence(c.conn, m));
                f.emit();
            } else if (b.rule.equals("reserved-bit-set") && c.rsv1WithoutExtension > 0) {
                continue; // said below, with what it usually means
            } else if (!b.rule.equals("invalid-close-code") || !reservedCodeFrame(c)) {
                Findings.Builder f = out.add(c.conn, b.first.get(0).t(), "protocol-violation", FindingEvent.ERROR,
                        side(b.dir) + " broke " + b.rule + " (" + b.rfc + ")" + (b.count > 1 ? " " + b.count + " times."
                                : "."))
                        .cause("The sender's WebSocket implementation (or something rewriting frames on the way) does"
                                + " not follow the protocol; a conforming peer closes with 1002.")
                        .fix("Fix or update the " + (b.dir == Direction.C2S ? "client" : "server") + " library; if a"
                                + " proxy rewrites frames, let it pass them unchanged.");
                b.first.forEach(m -> f.evidence(c.conn, m));
                f.emit();
            }
        }
        if (c.rsv1WithoutExtension > 0) {
            out.add(c.conn, c.firstRsv1WithoutExtension.t(), "compressed-without-extension", FindingEvent.ERROR,
                            c.rsv1WithoutExtension + " data frame" + (c.rsv1WithoutExtension > 1 ? "s have" : " has")
                            + " RSV1 set although no permessage-deflate was agreed: the payload looks like binary garbage.")
                    .evidence(c.conn, c.firstRsv1WithoutExtension)
                    .cause("The sender compresses as if permessage-deflate were agreed: the extension was negotiated on"
                            + " another hop (a proxy that answered the handshake itself), or the sender ignores the"
                            + " answer.")
                    .fix("Let the handshake pass end to end, or disable compression on the sender.")
                    .emit();
        }
        ConnectionFacts.CloseFrame a = c.closeFrames[0];
        ConnectionFacts.CloseFrame b = c.closeFrames[1];
        ConnectionFacts.CloseFrame first = a == null ? b : b == null ? a : a.t() <= b.t() ? a : b;
        for (ConnectionFacts.CloseFrame cf : c.closeFrames) {
            if (cf == null) {
                continue;
            }
            if (cf.code() == CloseCodes.MESSAGE_TOO_BIG && cf != first) {
                continue; // the answer echoing the 1009: the first close is the one that says it
            }
            if (cf.code() == CloseCodes.NO_STATUS_RECEIVED || cf.code() == CloseCodes.ABNORMAL
                    || cf.code() == CloseCodes.TLS_HANDSHAKE) {
                out.add(c.conn, cf.t(), "reserved-close-code-on-wire", FindingEvent.ERROR, side(cf.dir()) + " sent close"
                                + " code " + cf.code() + " (" + CloseCodes.name(cf.code()) + ") in a close frame; that code"
                                + " only names what an endpoint saw and must never be sent.")
                        .evidence(c.conn, cf.seq(), cf.t(), "close frame " + cf.code())
                        .cause("Usually a proxy or gateway forwarding the code its own runtime reported locally (1006"
                                + " after a drop) as if the peer had sent it.")
                        .fix("Send 1001 (going away) or 1011 (server error) instead, or close without a code.")
                        .emit();
            }
            if (cf.code() == CloseCodes.MESSAGE_TOO_BIG) {
                Direction other = cf.dir().opposite();
                ConnectionFacts.Mark big = c.largestMessageAt[ConnectionFacts.i(other)];
                Findings.Builder f = out.add(c.conn, cf.t(), "message-too-big", FindingEvent.ERROR, side(cf.dir())
                        + " closed with 1009 Message Too Big" + (big != null ? " after " + side(other).toLowerCase(
                        java.util.Locale.ROOT) + " sent a message of " + c.largestMessage[ConnectionFacts.i(other)]
                        + " bytes." : "."));
                if (big != null) {
                    f.evidence(c.conn, big);
                }
                f.evidence(c.conn, cf.seq(), cf.t(), "close frame 1009" + (cf.reason() != null && !cf.reason().isEmpty()
                                ? " \"" + cf.reason() + "\"" : ""))
                        .cause("The receiver's message or frame limit is smaller than the message. Common limits: 8 KiB"
                                + " text buffer (Tomcat), 64 KiB (Jetty's default), 32 KB frames and 128 KB messages"
                                + " (AWS API Gateway), 1 MiB (many libraries).")
                        .fix("Raise the receiver's limit, or split the data into smaller messages.")
                        .emit();
            }
        }
    }

    private static boolean reservedCodeFrame(ConnectionFacts c) {
        for (ConnectionFacts.CloseFrame cf : c.closeFrames) {
            if (cf != null && (cf.code() == 1005 || cf.code() == 1006 || cf.code() == 1015)) {
                return true;
            }
        }
        return false;
    }

    static String side(Direction d) {
        return d == Direction.C2S ? "The client" : "The server";
    }
}
