package dev.wsdebug.capture.decode;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.wsdebug.wire.Direction;
import dev.wsdebug.wire.Message;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * MQTT 3.1, 3.1.1 and 5.0 control packets in binary WebSocket messages (OASIS MQTT 3.1.1 section 6
 * and 5.0 section 6: a message may hold several packets, or a part of one). Each packet: the fixed
 * header (type, flags, the remaining length as a variable byte integer of at most four bytes), then
 * the variable header and payload of its type; MQTT 5 adds reason codes and properties. The
 * protocol level comes from CONNECT and holds for both directions of the connection; an unfinished
 * packet waits in the connection's state, per direction, up to {@link #MAX_PENDING} bytes.
 */
final class MqttDecoder implements PayloadDecoder {
    /** The most of an unfinished packet kept waiting for the next message. */
    static final int MAX_PENDING = 16 << 20;
    /** The packets of one message described in its value; the others are only counted. */
    private static final int MAX_LISTED = 1000;
    static final String[] TYPES = {"reserved", "CONNECT", "CONNACK", "PUBLISH", "PUBACK", "PUBREC", "PUBREL",
            "PUBCOMP", "SUBSCRIBE", "SUBACK", "UNSUBSCRIBE", "UNSUBACK", "PINGREQ", "PINGRESP", "DISCONNECT", "AUTH"};

    /** What one connection leaves between messages. */
    private static final class State {
        final Map<Direction, PendingBytes> pending = new EnumMap<>(Direction.class);
        /** The protocol level CONNECT named (3 = 3.1, 4 = 3.1.1, 5 = 5.0); 0 until seen. */
        int level;
    }

    /** A packet that does not parse: the sentence says why. */
    private static final class Malformed extends Exception {
        Malformed(String why) {
            super(why, null, false, false);
        }
    }

    @Override
    public String name() {
        return "mqtt";
    }

    @Override
    public boolean claims(String subprotocol, String url) {
        if (subprotocol == null) {
            return false;
        }
        String s = subprotocol.trim().toLowerCase(Locale.ROOT);
        return s.equals("mqtt") || s.equals("mqttv3.1");
    }

    @Override
    public boolean sniff(Message m) {
        byte[] p = m.payload();
        if (m.isText() || p.length < 2 || (p[0] & 0xff) != 0x10) {
            return false;
        }
        int i = 1;
        while (i < p.length && i < 5 && (p[i] & 0x80) != 0) {
            i++;
        }
        i++; // past the last length byte
        return startsWith(p, i, new byte[] {0, 4, 'M', 'Q', 'T', 'T'})
                || startsWith(p, i, new byte[] {0, 6, 'M', 'Q', 'I', 's', 'd', 'p'});
    }

    private static boolean startsWith(byte[] p, int at, byte[] prefix) {
        if (at + prefix.length > p.length) {
            return false;
        }
        for (int k = 0; k < prefix.length; k++) {
            if (p[at + k] != prefix[k]) {
                return false;
            }
        }
        return true;
    }

    @Override
    public Decoded decode(Message m, Direction dir, DecodeState ds) {
        State state = ds.get(State.class, State::new);
        if (m.isText()) {
            return Decoded.failed(name(), "MQTT over WebSocket travels in binary messages; this one is text.");
        }
        PendingBytes before = state.pending.remove(dir);
        if (m.truncated() || m.missing() > 0) {
            return Decoded.failed(name(), "Only the first " + m.payload().length + " of " + m.length()
                    + " bytes of this message were kept, so its MQTT packets cannot be read"
                    + (before != null ? " (and the packet begun in an earlier message is dropped)." : "."));
        }
        byte[] payload = m.payload();
        if (before != null && before.need > 0 && before.size() + (long) payload.length < before.need) {
            // still short of the packet's length: kept without reading it again
            before.append(payload);
            state.pending.put(dir, before);
            int type = (before.at(0) & 0xff) >>> 4;
            return Decoded.of(name(), partialSummary(type, before.size(), before.need), partialValue(type, before.size(), before.need));
        }
        byte[] buf = before == null ? payload : before.join(payload);
        int carried = before == null ? 0 : before.size();

        List<ObjectNode> packets = new ArrayList<>();
        List<String> summaries = new ArrayList<>();
        int counted = 0;
        int pos = 0;
        while (pos < buf.length) {
            int type = (buf[pos] & 0xff) >>> 4;
            long rem = 0;
            int i = pos + 1;
            int shift = 0;
            boolean complete = false;
            for (int k = 0; k < 4 && i < buf.length; k++, i++) {
                rem |= (long) (buf[i] & 0x7f) << shift;
                shift += 7;
                if ((buf[i] & 0x80) == 0) {
                    complete = true;
                    i++;
                    break;
                }
                if (k == 3) {
                    return Decoded.failed(name(), where(counted) + "The remaining length of the " + TYPES[type]
                            + " packet runs past four bytes, the most MQTT allows.");
                }
            }
            if (type == 0) {
                return Decoded.failed(name(), where(counted) + "Packet type 0 is reserved: this is not an MQTT control packet.");
            }
            if (!complete || i + rem > buf.length) {
                // the packet goes on in a later message
                long whole = complete ? (i - pos) + rem : -1;
                if (whole > MAX_PENDING || buf.length - pos > MAX_PENDING) {
                    return Decoded.failed(name(), where(counted) + "The " + TYPES[type] + " packet is " + whole
                            + " bytes long, more than the " + MAX_PENDING + " kept waiting for the rest of it.");
                }
                state.pending.put(dir, new PendingBytes(buf, pos, Math.max(whole, 0)));
                summaries.add(partialSummary(type, buf.length - pos, whole));
                if (packets.size() < MAX_LISTED) {
                    packets.add(partialValue(type, buf.length - pos, whole));
                }
                counted++;
                break;
            }
            int end = (int) (i + rem);
            if (packets.size() < MAX_LISTED) {
                ObjectNode o = Json.MAPPER.createObjectNode();
                String s;
                try {
                    s = packet(buf[pos] & 0x0f, type, new Reader(buf, i, end), state, o);
                } catch (Malformed e) {
                    return Decoded.failed(name(), where(counted) + TYPES[type] + ": " + e.getMessage());
                }
                packets.add(o);
                summaries.add(s);
            }
            counted++;
            pos = end;
        }
        if (counted == 0) {
            return Decoded.failed(name(), "An empty binary message holds no MQTT packet.");
        }
        ObjectNode value;
        String summary;
        if (counted == 1) {
            value = packets.get(0);
            summary = summaries.get(0);
        } else {
            value = Json.MAPPER.createObjectNode();
            ArrayNode arr = value.putArray("packets");
            packets.forEach(arr::add);
            if (counted > packets.size()) {
                value.put("notListed", counted - packets.size());
            }
            List<String> shown = summaries.subList(0, Math.min(3, summaries.size()));
            summary = counted + " packets: " + String.join("; ", shown) + (counted > shown.size() ? "; …" : "");
        }
        if (carried > 0) {
            value.put("continuedBytes", carried);
        }
        return Decoded.of(name(), summary, value).withFacets(facets(packets.get(0), counted == 1));
    }

    /**
     * What filters and pairing use, from the (first) packet: its type, its topic, and the packet id
     * under which a PUBLISH (QoS 1 or 2), SUBSCRIBE or UNSUBSCRIBE waits for its PUBACK/PUBREC, SUBACK
     * or UNSUBACK (CONNECT and PINGREQ wait for CONNACK and PINGRESP); ids only for a message of one packet.
     */
    static java.util.Map<String, String> facets(ObjectNode o, boolean single) {
        java.util.Map<String, String> f = new java.util.HashMap<>();
        String type = o.path("type").asText(null);
        f.put(Facets.OP, type);
        String topic = o.has("topic") ? o.get("topic").asText()
                : o.path("subscriptions").path(0).path("topic").asText(o.path("topics").path(0).asText(null));
        f.put(Facets.TOPIC, topic);
        f.put(Facets.NAME, type == null ? null : topic == null ? type : type + " " + topic);
        if (!single || type == null) {
            return f;
        }
        String id = o.has("packetId") ? o.get("packetId").asText() : null;
        switch (type) {
            case "PUBLISH" -> f.put(Facets.REQUEST_ID, o.path("qos").asInt() > 0 ? id : null);
            case "SUBSCRIBE", "UNSUBSCRIBE", "PUBREL" -> f.put(Facets.REQUEST_ID, id);
            case "PUBACK", "PUBREC", "SUBACK", "UNSUBACK", "PUBCOMP" -> f.put(Facets.RESPONSE_ID, id);
            case "CONNECT" -> f.put(Facets.REQUEST_ID, "connect");
            case "CONNACK" -> f.put(Facets.RESPONSE_ID, "connect");
            case "PINGREQ" -> f.put(Facets.REQUEST_ID, "ping");
            case "PINGRESP" -> f.put(Facets.RESPONSE_ID, "ping");
            default -> {
            }
        }
        return f;
    }

    private static String partialSummary(int type, long soFar, long whole) {
        return "partial " + TYPES[type] + " (" + soFar + (whole <= 0 ? "" : " of " + whole) + " B, the rest in a later message)";
    }

    private static ObjectNode partialValue(int type, long soFar, long whole) {
        ObjectNode o = Json.MAPPER.createObjectNode().put("type", TYPES[type]).put("partial", true).put("bytesSoFar", soFar);
        if (whole > 0) {
            o.put("packetLength", whole);
        }
        return o;
    }

    private static String where(int counted) {
        return counted > 0 ? "Packet " + (counted + 1) + " of the message: " : "";
    }

    /** Reads the fields of one packet's variable header and payload, never past its end. */
    private static final class Reader {
        final byte[] b;
        int p;
        final int end;

        Reader(byte[] b, int p, int end) {
            this.b = b;
            this.p = p;
            this.end = end;
        }

        int left() {
            return end - p;
        }

        void need(int n, String what) throws Malformed {
            if (left() < n) {
                throw new Malformed("the packet ends inside its " + what + ".");
            }
        }

        int u8(String what) throws Malformed {
            need(1, what);
            return b[p++] & 0xff;
        }

        int u16(String what) throws Malformed {
            need(2, what);
            int v = ((b[p] & 0xff) << 8) | (b[p + 1] & 0xff);
            p += 2;
            return v;
        }

        long u32(String what) throws Malformed {
            need(4, what);
            long v = ((long) (b[p] & 0xff) << 24) | ((b[p + 1] & 0xff) << 16) | ((b[p + 2] & 0xff) << 8) | (b[p + 3] & 0xff);
            p += 4;
            return v;
        }

        long varint(String what) throws Malformed {
            long v = 0;
            for (int k = 0; k < 4; k++) {
                int x = u8(what);
                v |= (long) (x & 0x7f) << (7 * k);
                if ((x & 0x80) == 0) {
                    return v;
                }
            }
            throw new Malformed("its " + what + " runs past four bytes.");
        }

        byte[] binary(String what) throws Malformed {
            int n = u16(what + "'s length");
            need(n, what);
            byte[] out = Arrays.copyOfRange(b, p, p + n);
            p += n;
            return out;
        }

        String string(String what) throws Malformed {
            byte[] raw = binary(what);
            String s = utf8(raw);
            if (s == null) {
                throw new Malformed("its " + what + " is not valid UTF-8.");
            }
            return s;
        }

        byte[] rest() {
            byte[] out = Arrays.copyOfRange(b, p, end);
            p = end;
            return out;
        }
    }

    static String utf8(byte[] b) {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(b)).toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }

    /** One packet into {@code o}; returns its summary. */
    private static String packet(int flags, int type, Reader r, State state, ObjectNode o) throws Malformed {
        String t = TYPES[type];
        o.put("type", t);
        boolean v5 = state.level == 5;
        StringBuilder s = new StringBuilder(t);
        switch (type) {
            case 1 -> connect(r, state, o, s);
            case 2 -> {
                int ack = r.u8("acknowledge flags");
                int code = r.u8(v5 ? "reason code" : "return code");
                boolean present = (ack & 1) != 0;
                o.put("sessionPresent", present);
                o.put(v5 ? "reasonCode" : "returnCode", code);
                String name = v5 ? reason(code, type) : connackCode(code);
                o.put("reason", name);
                if (v5 && r.left() > 0) {
                    o.set("properties", properties(r));
                }
                s.append(code == 0 ? " accepted" : " refused " + hex(code) + " " + name);
                if (present) {
                    s.append(" session-present");
                }
            }
            case 3 -> {
                int qos = (flags >> 1) & 3;
                boolean dup = (flags & 8) != 0;
                boolean retain = (flags & 1) != 0;
                if (qos == 3) {
                    throw new Malformed("QoS 3 does not exist (both QoS bits are set).");
                }
                String topic = r.string("topic name");
                o.put("topic", topic);
                o.put("qos", qos);
                o.put("retain", retain);
                o.put("dup", dup);
                s.append(" topic=").append(topic.isEmpty() ? "\"\"" : shorten(topic));
                s.append(" qos=").append(qos);
                if (qos > 0) {
                    int id = r.u16("packet identifier");
                    o.put("packetId", id);
                    s.append(" id=").append(id);
                }
                if (v5) {
                    ObjectNode props = properties(r);
                    o.set("properties", props);
                    if (props.has("topicAlias")) {
                        s.append(" alias=").append(props.path("topicAlias").asInt());
                    }
                }
                byte[] payload = r.rest();
                payload(o, payload);
                o.put("payloadLength", payload.length);
                if (retain) {
                    s.append(" retain");
                }
                if (dup) {
                    s.append(" dup");
                }
                s.append(" (").append(payload.length).append(" B)");
            }
            case 4, 5, 6, 7 -> {
                if (type == 6 && flags != 2) {
                    throw new Malformed("its fixed header flags are " + flags + ", not the 2 that PUBREL must carry.");
                }
                int id = r.u16("packet identifier");
                o.put("packetId", id);
                s.append(" id=").append(id);
                if (v5 && r.left() > 0) {
                    int code = r.u8("reason code");
                    o.put("reasonCode", code);
                    o.put("reason", reason(code, type));
                    if (code != 0) {
                        s.append(" reason=").append(hex(code)).append(' ').append(reason(code, type));
                    }
                    if (r.left() > 0) {
                        o.set("properties", properties(r));
                    }
                }
            }
            case 8 -> {
                if (flags != 2) {
                    throw new Malformed("its fixed header flags are " + flags + ", not the 2 that SUBSCRIBE must carry.");
                }
                int id = r.u16("packet identifier");
                o.put("packetId", id);
                s.append(" id=").append(id);
                if (v5) {
                    o.set("properties", properties(r));
                }
                ArrayNode subs = o.putArray("subscriptions");
                List<String> parts = new ArrayList<>();
                while (r.left() > 0) {
                    String filter = r.string("topic filter");
                    int opts = r.u8("subscription options");
                    ObjectNode sub = subs.addObject().put("topic", filter).put("qos", opts & 3);
                    if (v5) {
                        sub.put("noLocal", (opts & 4) != 0);
                        sub.put("retainAsPublished", (opts & 8) != 0);
                        sub.put("retainHandling", (opts >> 4) & 3);
                    }
                    if (parts.size() < 4) {
                        parts.add(shorten(filter) + " qos=" + (opts & 3));
                    }
                }
                if (subs.isEmpty()) {
                    throw new Malformed("it names no topic filter, and SUBSCRIBE must name at least one.");
                }
                s.append(' ').append(String.join(", ", parts)).append(subs.size() > parts.size() ? ", …" : "");
            }
            case 9, 11 -> {
                int id = r.u16("packet identifier");
                o.put("packetId", id);
                s.append(" id=").append(id);
                if (v5) {
                    o.set("properties", properties(r));
                }
                ArrayNode codes = o.putArray(type == 9 ? "granted" : "reasonCodes");
                List<String> parts = new ArrayList<>();
                while (r.left() > 0) {
                    int c = r.u8("reason codes");
                    codes.add(c);
                    if (parts.size() < 4) {
                        parts.add(type == 9 && c <= 2 ? "qos=" + c : hex(c) + " " + (v5 ? reason(c, type) : type == 9 ? "Failure" : "?"));
                    }
                }
                if (!parts.isEmpty()) {
                    s.append(' ').append(String.join(", ", parts)).append(codes.size() > parts.size() ? ", …" : "");
                }
            }
            case 10 -> {
                if (flags != 2) {
                    throw new Malformed("its fixed header flags are " + flags + ", not the 2 that UNSUBSCRIBE must carry.");
                }
                int id = r.u16("packet identifier");
                o.put("packetId", id);
                s.append(" id=").append(id);
                if (v5) {
                    o.set("properties", properties(r));
                }
                ArrayNode topics = o.putArray("topics");
                List<String> parts = new ArrayList<>();
                while (r.left() > 0) {
                    String f = r.string("topic filter");
                    topics.add(f);
                    if (parts.size() < 4) {
                        parts.add(shorten(f));
                    }
                }
                s.append(' ').append(String.join(", ", parts)).append(topics.size() > parts.size() ? ", …" : "");
            }
            case 12, 13 -> {
                // no variable header, no payload
            }
            case 14, 15 -> {
                if (type == 15 && state.level != 5) {
                    o.put("note", "AUTH exists only in MQTT 5");
                }
                if (r.left() > 0 && (v5 || type == 15)) {
                    int code = r.u8("reason code");
                    o.put("reasonCode", code);
                    o.put("reason", reason(code, type));
                    if (code != 0 || type == 15) {
                        s.append(" reason=").append(hex(code)).append(' ').append(reason(code, type));
                    }
                    if (r.left() > 0) {
                        ObjectNode props = properties(r);
                        o.set("properties", props);
                        if (props.has("authenticationMethod")) {
                            s.append(" method=").append(props.path("authenticationMethod").asText());
                        }
                        if (props.has("reasonString")) {
                            s.append(' ').append(Json.quote(props.path("reasonString").asText()));
                        }
                    }
                }
            }
            default -> throw new Malformed("packet type " + type + " is unknown.");
        }
        if (r.left() > 0) {
            throw new Malformed(r.left() + " bytes are left after its last field.");
        }
        return s.toString();
    }

    private static void connect(Reader r, State state, ObjectNode o, StringBuilder s) throws Malformed {
        String protocol = r.string("protocol name");
        int level = r.u8("protocol level");
        if (!protocol.equals("MQTT") && !protocol.equals("MQIsdp")) {
            throw new Malformed("its protocol name is " + Json.quote(protocol) + ", not MQTT or MQIsdp.");
        }
        int flags = r.u8("connect flags");
        int keepalive = r.u16("keep alive");
        state.level = level;
        boolean v5 = level == 5;
        o.put("protocolName", protocol);
        o.put("protocolLevel", level);
        o.put("version", version(level));
        boolean clean = (flags & 0x02) != 0;
        boolean will = (flags & 0x04) != 0;
        boolean user = (flags & 0x80) != 0;
        boolean password = (flags & 0x40) != 0;
        o.put(v5 ? "cleanStart" : "cleanSession", clean);
        o.put("keepalive", keepalive);
        if ((flags & 1) != 0) {
            throw new Malformed("the reserved bit of its connect flags is set.");
        }
        if (v5) {
            o.set("properties", properties(r));
        }
        String client = r.string("client identifier");
        o.put("clientId", client);
        s.append(' ').append(version(level)).append(" client=").append(client.isEmpty() ? "\"\"" : shorten(client))
                .append(" keepalive=").append(keepalive);
        if (clean) {
            s.append(" clean");
        }
        if (will) {
            ObjectNode w = o.putObject("will");
            if (v5) {
                w.set("properties", properties(r));
            }
            String topic = r.string("will topic");
            w.put("topic", topic);
            w.put("qos", (flags >> 3) & 3);
            w.put("retain", (flags & 0x20) != 0);
            byte[] payload = r.binary("will payload");
            payload(w, payload);
            s.append(" will=").append(shorten(topic));
        }
        if (user) {
            String u = r.string("user name");
            o.put("username", u);
            s.append(" user=").append(shorten(u));
        }
        if (password) {
            byte[] pw = r.binary("password");
            // never the password itself: only that there is one, and its length
            o.put("passwordLength", pw.length);
            s.append(" password: ").append(pw.length).append(" bytes");
        }
    }

    private static String version(int level) {
        return switch (level) {
            case 3 -> "v3.1";
            case 4 -> "v3.1.1";
            case 5 -> "v5";
            default -> "level " + level;
        };
    }

    private static void payload(ObjectNode o, byte[] payload) {
        String text = utf8(payload);
        if (text != null) {
            o.put("payload", text);
        } else {
            o.put("payload", Base64.getEncoder().encodeToString(payload));
            o.put("payloadEncoding", "base64");
        }
    }

    private static String shorten(String s) {
        String t = s.length() > 60 ? s.substring(0, 60) + "…" : s;
        return t.indexOf(' ') >= 0 ? Json.quote(t) : t;
    }

    private static String hex(int code) {
        return String.format("0x%02X", code);
    }

    /** MQTT 5 properties (section 2.2.2): a length, then identifier and value pairs. */
    private static ObjectNode properties(Reader r) throws Malformed {
        long len = r.varint("property length");
        if (len > r.left()) {
            throw new Malformed("its properties claim " + len + " bytes, but only " + r.left() + " are left.");
        }
        ObjectNode o = Json.MAPPER.createObjectNode();
        Reader pr = new Reader(r.b, r.p, (int) (r.p + len));
        r.p += (int) len;
        while (pr.left() > 0) {
            int id = (int) pr.varint("property identifier");
            String name;
            JsonNode v;
            switch (id) {
                case 0x01, 0x17, 0x19, 0x24, 0x25, 0x28, 0x29, 0x2A -> {
                    name = propName(id);
                    v = Json.MAPPER.getNodeFactory().numberNode(pr.u8(name));
                }
                case 0x02, 0x11, 0x18, 0x27 -> {
                    name = propName(id);
                    v = Json.MAPPER.getNodeFactory().numberNode(pr.u32(name));
                }
                case 0x03, 0x08, 0x12, 0x15, 0x1A, 0x1C, 0x1F -> {
                    name = propName(id);
                    v = Json.MAPPER.getNodeFactory().textNode(pr.string(name));
                }
                case 0x09, 0x16 -> {
                    name = propName(id);
                    v = Json.MAPPER.getNodeFactory().textNode(Base64.getEncoder().encodeToString(pr.binary(name)));
                }
                case 0x0B -> {
                    name = propName(id);
                    v = Json.MAPPER.getNodeFactory().numberNode(pr.varint(name));
                }
                case 0x13, 0x21, 0x22, 0x23 -> {
                    name = propName(id);
                    v = Json.MAPPER.getNodeFactory().numberNode(pr.u16(name));
                }
                case 0x26 -> {
                    String k = pr.string("user property name");
                    String val = pr.string("user property value");
                    (o.has("userProperties") ? (ArrayNode) o.get("userProperties") : o.putArray("userProperties"))
                            .addArray().add(k).add(val);
                    continue;
                }
                default -> throw new Malformed("property identifier " + hex(id) + " is unknown, so the rest of its"
                        + " properties cannot be read.");
            }
            JsonNode had = o.get(name);
            if (had == null) {
                o.set(name, v);
            } else if (had.isArray() && id == 0x0B) {
                ((ArrayNode) had).add(v);
            } else if (id == 0x0B) {
                o.putArray(name).add(had).add(v); // a PUBLISH may carry several subscription identifiers
            } else {
                throw new Malformed("property " + name + " appears twice.");
            }
        }
        return o;
    }

    private static String propName(int id) {
        return switch (id) {
            case 0x01 -> "payloadFormatIndicator";
            case 0x02 -> "messageExpiryInterval";
            case 0x03 -> "contentType";
            case 0x08 -> "responseTopic";
            case 0x09 -> "correlationData";
            case 0x0B -> "subscriptionIdentifier";
            case 0x11 -> "sessionExpiryInterval";
            case 0x12 -> "assignedClientIdentifier";
            case 0x13 -> "serverKeepAlive";
            case 0x15 -> "authenticationMethod";
            case 0x16 -> "authenticationData";
            case 0x17 -> "requestProblemInformation";
            case 0x18 -> "willDelayInterval";
            case 0x19 -> "requestResponseInformation";
            case 0x1A -> "responseInformation";
            case 0x1C -> "serverReference";
            case 0x1F -> "reasonString";
            case 0x21 -> "receiveMaximum";
            case 0x22 -> "topicAliasMaximum";
            case 0x23 -> "topicAlias";
            case 0x24 -> "maximumQoS";
            case 0x25 -> "retainAvailable";
            case 0x27 -> "maximumPacketSize";
            case 0x28 -> "wildcardSubscriptionAvailable";
            case 0x29 -> "subscriptionIdentifierAvailable";
            case 0x2A -> "sharedSubscriptionAvailable";
            default -> "property" + id;
        };
    }

    /** MQTT 3.1.1 CONNACK return codes (section 3.2.2.3). */
    private static String connackCode(int code) {
        return switch (code) {
            case 0 -> "Connection Accepted";
            case 1 -> "Unacceptable protocol version";
            case 2 -> "Identifier rejected";
            case 3 -> "Server unavailable";
            case 4 -> "Bad user name or password";
            case 5 -> "Not authorized";
            default -> "Unknown return code";
        };
    }

    /** MQTT 5 reason codes (section 2.4); 0x00 to 0x02 read by the packet type. */
    private static String reason(int code, int type) {
        return switch (code) {
            case 0x00 -> type == 14 ? "Normal disconnection" : type == 9 ? "Granted QoS 0" : "Success";
            case 0x01 -> "Granted QoS 1";
            case 0x02 -> "Granted QoS 2";
            case 0x04 -> "Disconnect with Will Message";
            case 0x10 -> "No matching subscribers";
            case 0x11 -> "No subscription existed";
            case 0x18 -> "Continue authentication";
            case 0x19 -> "Re-authenticate";
            case 0x80 -> "Unspecified error";
            case 0x81 -> "Malformed Packet";
            case 0x82 -> "Protocol Error";
            case 0x83 -> "Implementation specific error";
            case 0x84 -> "Unsupported Protocol Version";
            case 0x85 -> "Client Identifier not valid";
            case 0x86 -> "Bad User Name or Password";
            case 0x87 -> "Not authorized";
            case 0x88 -> "Server unavailable";
            case 0x89 -> "Server busy";
            case 0x8A -> "Banned";
            case 0x8B -> "Server shutting down";
            case 0x8C -> "Bad authentication method";
            case 0x8D -> "Keep Alive timeout";
            case 0x8E -> "Session taken over";
            case 0x8F -> "Topic Filter invalid";
            case 0x90 -> "Topic Name invalid";
            case 0x91 -> "Packet Identifier in use";
            case 0x92 -> "Packet Identifier not found";
            case 0x93 -> "Receive Maximum exceeded";
            case 0x94 -> "Topic Alias invalid";
            case 0x95 -> "Packet too large";
            case 0x96 -> "Message rate too high";
            case 0x97 -> "Quota exceeded";
            case 0x98 -> "Administrative action";
            case 0x99 -> "Payload format invalid";
            case 0x9A -> "Retain not supported";
            case 0x9B -> "QoS not supported";
            case 0x9C -> "Use another server";
            case 0x9D -> "Server moved";
            case 0x9E -> "Shared Subscriptions not supported";
            case 0x9F -> "Connection rate exceeded";
            case 0xA0 -> "Maximum connect time";
            case 0xA1 -> "Subscription Identifiers not supported";
            case 0xA2 -> "Wildcard Subscriptions not supported";
            default -> "Unknown reason code";
        };
    }
}
