package dev.wsdebug.capture.jsonl;

import com.fasterxml.jackson.databind.JsonNode;
import dev.wsdebug.capture.CloseEvent;
import dev.wsdebug.capture.ErrorEvent;
import dev.wsdebug.capture.Event;
import dev.wsdebug.capture.FindingEvent;
import dev.wsdebug.capture.FlowEvent;
import dev.wsdebug.capture.FrameEvent;
import dev.wsdebug.capture.HandshakeEvent;
import dev.wsdebug.capture.HttpEvent;
import dev.wsdebug.capture.MessageEvent;
import dev.wsdebug.capture.TlsSummary;
import dev.wsdebug.wire.Direction;
import dev.wsdebug.wire.Frame;
import dev.wsdebug.wire.HttpHead;
import dev.wsdebug.wire.Message;
import dev.wsdebug.wire.Opcode;
import dev.wsdebug.wire.Violation;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;

/**
 * One JSON Lines object (schema v1) back into the event {@code JsonLinesSink} wrote it from: the
 * inverse of the sink, field by field. Fields it does not know are ignored (the schema grows by
 * addition), and so is {@code decoded}: the payload decoders run again downstream. Fields that are
 * derived from others ({@code type}, {@code name}, {@code closeCode}, {@code utf8} "unknown", the
 * handshake's {@code accept}/{@code deflate}/{@code problems}) are derived again, not read.
 */
final class LineDecoder {
    /** A field that is missing where it is required, or has a value the schema does not allow: one phrase. */
    static final class BadField extends Exception {
        BadField(String phrase) {
            super(phrase);
        }
    }

    private static final HexFormat HEX = HexFormat.of();
    private static final String INVALID_AT = "invalid at byte ";

    private LineDecoder() {
    }

    /** The event of this line, or null for an event kind this reader does not know. */
    static Event decode(JsonNode n) throws BadField {
        String event = required(n, "event").asText();
        JsonNode connNode = required(n, "conn");
        String conn = connNode.isNull() ? null : connNode.asText();
        JsonNode time = required(n, "t");
        if (!time.isNumber()) {
            throw new BadField("its \"t\" is not a number of seconds");
        }
        long t = micros(time, "t", 6);
        return switch (event) {
            case "handshake" -> handshake(n, conn, t);
            case "frame" -> frame(n, conn, t);
            case "message" -> message(n, conn, t);
            case "close" -> new CloseEvent(conn, t, n.path("code").asInt(1005), str(n, "reason"),
                    n.path("onWire").asBoolean(), str(n, "initiator"), n.path("clean").asBoolean());
            case "error" -> new ErrorEvent(conn, t, str(n, "kind"), str(n, "message"));
            case "http" -> http(n, conn, t);
            case "flow" -> new FlowEvent(conn, t, dir(n), str(n, "kind"), n.path("bytes").asLong(-1),
                    micros(n.get("durationMs"), "durationMs", 3));
            case "finding" -> finding(n, conn, t);
            default -> null;
        };
    }

    private static HandshakeEvent handshake(JsonNode n, String conn, long t) {
        String transport = n.hasNonNull("transport") ? n.get("transport").asText() : HandshakeEvent.HTTP1;
        boolean h2 = HandshakeEvent.H2.equals(transport);
        HttpHead request = Heads.request(n.get("request"), h2);
        JsonNode r = n.get("response");
        HttpHead response = Heads.response(r, r == null ? -1 : r.path("status").asInt(-1), r == null ? null
                : str(r, "reason"), h2);
        return new HandshakeEvent(conn, t, transport, str(n, "url"), request, response,
                Heads.result(transport, request, response), str(n, "client"), str(n, "server"), tls(n.get("tls")),
                n.path("stream").asInt(-1));
    }

    private static FrameEvent frame(JsonNode n, String conn, long t) throws BadField {
        boolean masked = n.path("masked").asBoolean();
        int maskKey = 0;
        String key = str(n, "maskKey");
        if (masked && key != null) {
            try {
                maskKey = Integer.parseUnsignedInt(key, 16);
            } catch (NumberFormatException e) {
                throw new BadField("its maskKey \"" + key + "\" is not 8 hex digits");
            }
        }
        byte[] control = null;
        String hex = str(n, "payloadHex");
        if (hex != null) {
            try {
                control = HEX.parseHex(hex);
            } catch (IllegalArgumentException e) {
                throw new BadField("its payloadHex is not hex");
            }
        }
        // the offset in the byte stream is not in the file; the violations keep their own
        Frame f = Frame.restore(-1, n.path("fin").asBoolean(), n.path("rsv1").asBoolean(), n.path("rsv2").asBoolean(),
                n.path("rsv3").asBoolean(), n.path("opcode").asInt(), masked, maskKey, n.path("headerLength").asInt(),
                n.path("lengthEncoding").asInt(), n.path("payloadLength").asLong(), control, violations(n));
        JsonNode packets = n.get("packets");
        long[] numbers = null;
        if (packets != null && packets.isArray()) {
            numbers = new long[packets.size()];
            for (int i = 0; i < numbers.length; i++) {
                numbers[i] = packets.get(i).asLong();
            }
        }
        return new FrameEvent(conn, t, dir(n), n.path("seq").asLong(), f, numbers);
    }

    private static MessageEvent message(JsonNode n, String conn, long t) throws BadField {
        int opcode = Opcode.fromName(n.path("type").asText(""));
        if (!Opcode.isData(opcode)) {
            throw new BadField("a message's type is text or binary, not \"" + n.path("type").asText("") + "\"");
        }
        byte[] payload;
        if (opcode == Opcode.TEXT) {
            payload = n.path("text").asText("").getBytes(StandardCharsets.UTF_8);
        } else {
            try {
                payload = Base64.getDecoder().decode(n.path("base64").asText(""));
            } catch (IllegalArgumentException e) {
                throw new BadField("its base64 payload is not base64");
            }
        }
        String utf8 = n.path("utf8").asText("");
        long invalidAt = -1;
        if (utf8.startsWith(INVALID_AT)) {
            try {
                invalidAt = Long.parseLong(utf8.substring(INVALID_AT.length()));
            } catch (NumberFormatException e) {
                throw new BadField("its utf8 \"" + utf8 + "\" does not say at which byte");
            }
        }
        Message m = new Message(opcode, n.path("frames").asInt(), n.path("compressed").asBoolean(),
                n.path("wireLength").asLong(), n.path("length").asLong(payload.length), payload,
                n.path("truncated").asBoolean(), str(n, "sha256"), invalidAt, -1, violations(n),
                n.path("inflateStopped").asBoolean(), n.path("missing").asLong(0));
        return new MessageEvent(conn, t, dir(n), n.path("seq").asLong(), m);
    }

    private static HttpEvent http(JsonNode n, String conn, long t) throws BadField {
        String method = str(n, "method");
        String url = str(n, "url");
        int status = n.path("status").asInt(-1);
        String reason = n.hasNonNull("reason") ? n.get("reason").asText() : "";
        JsonNode req = n.get("request");
        JsonNode resp = n.get("response");
        HttpHead request = Heads.exchangeRequest(req, method, url);
        HttpHead response = Heads.response(resp, status, reason, request != null && Heads.isHttp2(request.headers()));
        return new HttpEvent(conn, t, method, url, status, reason, request, response, bodyLength(req),
                bodyLength(resp), micros(n.get("durationMs"), "durationMs", 3), tls(n.get("tls")));
    }

    private static FindingEvent finding(JsonNode n, String conn, long t) throws BadField {
        List<FindingEvent.Evidence> evidence = new ArrayList<>();
        for (JsonNode e : n.path("evidence")) {
            evidence.add(new FindingEvent.Evidence(str(e, "conn"), e.path("seq").asLong(-1),
                    micros(e.get("t"), "evidence t", 6), str(e, "what")));
        }
        return new FindingEvent(conn, t, str(n, "rule"), str(n, "severity"), str(n, "summary"), evidence,
                str(n, "cause"), str(n, "fix"));
    }

    private static List<Violation> violations(JsonNode n) {
        JsonNode vs = n.get("violations");
        if (vs == null || !vs.isArray() || vs.isEmpty()) {
            return List.of();
        }
        List<Violation> out = new ArrayList<>(vs.size());
        for (JsonNode v : vs) {
            out.add(new Violation(str(v, "rule"), str(v, "rfc"), v.path("offset").asLong(), str(v, "detail")));
        }
        return out;
    }

    private static TlsSummary tls(JsonNode t) {
        if (t == null || !t.isObject()) {
            return null;
        }
        return new TlsSummary(str(t, "sni"), str(t, "version"), str(t, "cipherSuite"), str(t, "alpn"));
    }

    private static long bodyLength(JsonNode part) {
        return part == null || part.isNull() ? 0 : part.path("bodyLength").asLong(-1);
    }

    private static Direction dir(JsonNode n) throws BadField {
        Direction d = Direction.fromId(n.path("dir").asText(""));
        if (d == null) {
            throw new BadField("its dir is \"" + n.path("dir").asText("") + "\", not c2s or s2c");
        }
        return d;
    }

    /** A decimal number of seconds (scale 6) or milliseconds (scale 3) as microseconds; 0 when absent. */
    private static long micros(JsonNode v, String field, int scale) throws BadField {
        if (v == null || v.isNull()) {
            return 0;
        }
        if (!v.isNumber()) {
            throw new BadField("its " + field + " is not a number");
        }
        // read as BigDecimal (see JsonLinesReader): a double would lose the microseconds of today's epoch seconds
        BigDecimal d = v.decimalValue().movePointRight(scale);
        return d.setScale(0, RoundingMode.HALF_EVEN).longValue();
    }

    private static JsonNode required(JsonNode n, String field) throws BadField {
        JsonNode v = n.get(field);
        if (v == null) {
            throw new BadField("it has no \"" + field + "\" field");
        }
        return v;
    }

    /** A string field: null when absent or null. */
    private static String str(JsonNode n, String field) {
        JsonNode v = n.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }
}
