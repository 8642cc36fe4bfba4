package dev.wsdebug.capture.store;

import com.fasterxml.jackson.databind.JsonNode;
import dev.wsdebug.wire.CloseCodes;

/**
 * How a connection ended, in one sentence, from its grid row: who closed it, with what code, and
 * whether the close handshake completed, with what such an ending usually means.
 */
final class CloseCard {
    private CloseCard() {
    }

    static String sentence(JsonNode row) {
        String result = row.path("result").asText();
        if ("http".equals(result) || "http".equals(row.path("kind").asText())) {
            JsonNode status = row.path("status");
            return "A plain HTTP exchange" + (status.isNumber() ? " answered " + status.asInt() : "")
                    + ", not a WebSocket.";
        }
        JsonNode handshake = row.path("handshake");
        if ("failed".equals(result)) {
            String why = handshake.path("failure").asText(null);
            return "The WebSocket never opened: " + (why != null ? lowerFirst(why) : "the upgrade failed.");
        }
        JsonNode close = row.path("close");
        if (close.isMissingNode() || close.isNull()) {
            return "open".equals(result) ? "The connection is still open (or the capture stopped before it ended)."
                    : "The connection ended without a close frame either way.";
        }
        int code = close.path("code").asInt(CloseCodes.NO_STATUS_RECEIVED);
        String name = close.path("name").asText(CloseCodes.name(code));
        String initiator = close.path("initiator").asText("none");
        String reason = close.path("reason").asText("");
        boolean clean = close.path("clean").asBoolean();
        boolean onWire = close.path("onWire").asBoolean();
        StringBuilder s = new StringBuilder();
        if (!onWire) {
            s.append(code == CloseCodes.ABNORMAL
                    ? "The connection dropped without a close frame (1006 Abnormal Closure is never sent; it names that)"
                    : "The connection closed with " + code + " " + name + " (a code never sent on the wire)");
        } else {
            s.append("none".equals(initiator) ? "The connection" : "The " + initiator).append(" closed")
                    .append("none".equals(initiator) ? "" : " the connection").append(" with ").append(code).append(' ')
                    .append(name);
            if (!reason.isEmpty()) {
                s.append(" (\"").append(reason).append("\")");
            }
        }
        s.append(clean ? ", and the close handshake completed cleanly." : ", and the close handshake did not complete.");
        String meaning = onWire ? CloseCodes.meaning(code) : null; // a code never sent was explained above
        if (meaning != null && !meaning.isEmpty()) {
            s.append(' ').append(meaning);
        }
        return s.toString();
    }

    private static String lowerFirst(String s) {
        return s.isEmpty() ? s : Character.toLowerCase(s.charAt(0)) + s.substring(1);
    }
}
