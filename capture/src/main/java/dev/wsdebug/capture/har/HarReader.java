package dev.wsdebug.capture.har;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.wsdebug.capture.CloseEvent;
import dev.wsdebug.capture.ErrorEvent;
import dev.wsdebug.capture.EventSink;
import dev.wsdebug.capture.HandshakeEvent;
import dev.wsdebug.capture.HttpEvent;
import dev.wsdebug.capture.MessageEvent;
import dev.wsdebug.wire.Direction;
import dev.wsdebug.wire.Handshake;
import dev.wsdebug.wire.HttpHead;
import dev.wsdebug.wire.Message;
import dev.wsdebug.wire.Opcode;
import dev.wsdebug.wire.Utf8Validator;

import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;

/**
 * Reads a HAR 1.2 file (an HTTP Archive, as browsers and tools write it) into events, streaming:
 * the document is parsed with Jackson's streaming parser and its entries are handled one at a
 * time, so a large file costs about one entry's worth of memory.
 *
 * <p>Each entry gets a connection id of its own: its position among the entries, from 1.
 *
 * <ul>
 *   <li>A WebSocket entry (response status 101, a {@code _webSocketMessages} array, a
 *       {@code ws://}/{@code wss://} URL or {@code _resourceType: "websocket"}) becomes a
 *       {@link HandshakeEvent} (transport {@code http/1.1}, heads rebuilt from the entry's method,
 *       URL, version, status and header lists, checked by {@link Handshake#check}; its time is
 *       {@code startedDateTime} plus {@code timings.wait}), then one {@link MessageEvent} per
 *       message of Chrome's {@code _webSocketMessages} extension in file order ({@code send}: client to
 *       server, {@code receive}: server to client; text as text, binary base64-decoded; our
 *       export's {@code _truncated}/{@code _length}/{@code _sha256} honoured). A HAR holds
 *       messages, not frames, so no frames are invented: each message has {@code frames} 0 and
 *       {@code wireLength} -1 (unknown), and an {@code error} of kind {@code input} right after the
 *       handshake says that the connection comes from a HAR file without frame detail. A message of
 *       opcode 8 becomes the connection's close event (code and reason from its payload); HARs
 *       usually have none, and then there is no close event. Message times are epoch seconds
 *       (Chrome, our export); values above 10<sup>11</sup> are taken as epoch milliseconds
 *       (Playwright writes those).</li>
 *   <li>A WebSocket entry without {@code _webSocketMessages} (Firefox does not save messages) is its
 *       handshake and an {@code input} error saying that the file holds no messages for it.</li>
 *   <li>Any other entry is a plain HTTP exchange: an {@link HttpEvent} at {@code startedDateTime}
 *       lasting {@code time}, with both heads, the request's {@code bodySize} and the response's
 *       ({@code content.size} when {@code bodySize} is unknown; -1 when both are), status -1 and no
 *       response head when the HAR says status 0 (no response).</li>
 * </ul>
 *
 * <p>Input that is not JSON, or JSON without {@code log.entries}, is refused with one sentence; a
 * document that breaks off or turns malformed part way is refused likewise, after the entries
 * before the problem have been passed on.
 */
public final class HarReader {
    /** Message times above this are epoch milliseconds, not seconds (10^11 s is in the year 5138). */
    private static final BigDecimal MILLIS_THRESHOLD = BigDecimal.valueOf(100_000_000_000L);
    private static final JsonFactory FACTORY = JsonFactory.builder()
            // one message may be large (a base64 binary message of hundreds of MB)
            .streamReadConstraints(StreamReadConstraints.builder().maxStringLength(1 << 30).build())
            .build();
    private static final ObjectMapper MAPPER = new ObjectMapper(FACTORY);

    /** What a read found. */
    public record Result(int entries, int webSockets, int httpExchanges, long messages) {
    }

    private final String source;
    private final EventSink sink;
    /** Entries begun (each one's connection id) and entries read to their end. */
    private int entries;
    private int done;
    private int webSockets;
    private int httpExchanges;
    private long messages;

    private HarReader(String source, EventSink sink) {
        this.source = source;
        this.sink = sink;
    }

    /**
     * Reads the HAR document from {@code in} into {@code sink}, entry by entry.
     *
     * @param sourceName how sentences name the input (a file name)
     * @throws IllegalArgumentException one sentence: not JSON, not a HAR (no {@code log.entries}),
     *                                  or malformed part way (the entries before were passed on)
     * @throws IOException              when reading {@code in} fails
     */
    public static Result read(InputStream in, String sourceName, EventSink sink) throws IOException {
        HarReader r = new HarReader(sourceName, sink);
        try (JsonParser p = MAPPER.createParser(in)) {
            r.document(p);
        }
        return new Result(r.done, r.webSockets, r.httpExchanges, r.messages);
    }

    /** {@link #read(InputStream, String, EventSink)} of a file, named by its path. */
    public static Result read(Path file, EventSink sink) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return read(in, file.toString(), sink);
        }
    }

    /**
     * Whether the file looks like JSON: its first byte after an optional UTF-8 byte order mark and
     * whitespace is '{'. Cheap; a HAR file always does, a capture or a pcap never.
     */
    public static boolean looksLikeJson(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            byte[] head = in.readNBytes(4096);
            int i = head.length >= 3 && (head[0] & 0xFF) == 0xEF && (head[1] & 0xFF) == 0xBB && (head[2] & 0xFF) == 0xBF ? 3 : 0;
            while (i < head.length && (head[i] == ' ' || head[i] == '\t' || head[i] == '\r' || head[i] == '\n')) {
                i++;
            }
            return i < head.length && head[i] == '{';
        }
    }

    // ---- the document --------------------------------------------------------------------------

    private void document(JsonParser p) throws IOException {
        boolean sawEntries = false;
        try {
            JsonToken t = p.nextToken();
            if (t != JsonToken.START_OBJECT) {
                throw new IllegalArgumentException(t == null ? source + " is empty, not a HAR file."
                        : source + " is JSON but not a HAR file: it is not an object with log.entries.");
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken v = p.nextToken();
                if ("log".equals(name) && v == JsonToken.START_OBJECT) {
                    while (p.nextToken() == JsonToken.FIELD_NAME) {
                        String field = p.currentName();
                        JsonToken fv = p.nextToken();
                        if ("entries".equals(field) && fv == JsonToken.START_ARRAY) {
                            sawEntries = true;
                            while (p.nextToken() == JsonToken.START_OBJECT) {
                                entry(p);
                            }
                        } else {
                            p.skipChildren();
                        }
                    }
                } else {
                    p.skipChildren();
                }
            }
        } catch (JsonProcessingException e) {
            JsonLocation at = e.getLocation();
            String where = at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr();
            if (entries == 0 && !sawEntries && done == 0) {
                throw new IllegalArgumentException(source + " is not a HAR file: it is not valid JSON" + where + " ("
                        + e.getOriginalMessage().lines().findFirst().orElse("") + ").", e);
            }
            throw new IllegalArgumentException(source + " breaks off or is malformed" + where + " ("
                    + e.getOriginalMessage().lines().findFirst().orElse("") + "); what came before it (" + done
                    + (done == 1 ? " entry" : " entries") + ") was read.", e);
        }
        if (!sawEntries) {
            throw new IllegalArgumentException(source + " is JSON but not a HAR file: it has no log.entries.");
        }
    }

    /** One entry: its fields in any order; WebSocket messages streamed once the handshake is known. */
    private void entry(JsonParser p) throws IOException {
        String conn = Integer.toString(++entries);
        Entry e = new Entry(conn);
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            JsonToken v = p.nextToken();
            switch (name) {
                case "startedDateTime" -> e.started = p.getValueAsString();
                case "time" -> e.timeMillis = v.isNumeric() ? p.getDecimalValue() : null;
                case "request" -> e.request = MAPPER.readTree(p);
                case "response" -> e.response = MAPPER.readTree(p);
                case "timings" -> e.timings = MAPPER.readTree(p);
                case "serverIPAddress" -> e.serverIp = p.getValueAsString();
                case "_serverPort" -> e.serverPort = p.getValueAsInt(-1);
                case "_resourceType" -> e.resourceType = p.getValueAsString();
                case "_webSocketMessages" -> {
                    if (v == JsonToken.START_ARRAY) {
                        e.hasMessages = true;
                        messages(p, e);
                    } else {
                        p.skipChildren();
                    }
                }
                default -> p.skipChildren();
            }
        }
        finish(e);
        done++;
    }

    /** Streams the messages when the handshake can be emitted first; else keeps them for the entry's end. */
    private void messages(JsonParser p, Entry e) throws IOException {
        while (p.nextToken() == JsonToken.START_OBJECT) {
            JsonNode m = MAPPER.readTree(p);
            if (e.request != null && e.response != null) {
                startWebSocket(e);
                message(e, m);
            } else {
                e.held.add(m); // the request or response comes after the messages in this file
            }
        }
    }

    private void finish(Entry e) {
        if (!e.isWebSocket()) {
            http(e);
            return;
        }
        startWebSocket(e);
        for (JsonNode m : e.held) {
            message(e, m);
        }
        e.held.clear();
        if (!e.hasMessages) {
            sink.accept(new ErrorEvent(e.conn, e.handshakeMicros, "input", source + " holds no WebSocket messages for"
                    + " connection " + e.conn + " (" + e.url() + "), only its upgrade: the tool that wrote it does not"
                    + " save them (Firefox does not; Chrome's and Playwright's HAR do)."));
        }
        if (e.skipped > 0) {
            sink.accept(new ErrorEvent(e.conn, e.lastMicros, "input", e.skipped + " WebSocket "
                    + (e.skipped == 1 ? "message" : "messages") + " of connection " + e.conn + " in " + source
                    + " could not be read (no type send/receive, or an opcode that is not text, binary or close)"
                    + " and " + (e.skipped == 1 ? "is" : "are") + " left out."));
        }
    }

    // ---- WebSocket entries -------------------------------------------------------------------

    private void startWebSocket(Entry e) {
        if (e.started()) {
            return;
        }
        e.webSocketStarted = true;
        webSockets++;
        HttpHead req = requestHead(e);
        HttpHead resp = responseHead(e.response);
        long t = startMicros(e);
        JsonNode wait = e.timings == null ? null : e.timings.get("wait");
        if (wait != null && wait.isNumber() && wait.asDouble() > 0) {
            t += Math.round(wait.asDouble() * 1000);
        }
        e.handshakeMicros = t;
        e.lastMicros = t;
        sink.accept(new HandshakeEvent(e.conn, t, "http/1.1", e.url(), req, resp,
                req == null || resp == null ? null : Handshake.check(req, resp), null, server(e)));
        if (e.hasMessages) {
            sink.accept(new ErrorEvent(e.conn, t, "input", "Connection " + e.conn + " comes from the HAR file " + source
                    + ", which holds its messages but no frames: no frame detail (frames, masks, compression, wire"
                    + " sizes) is shown."));
        }
    }

    private void message(Entry e, JsonNode m) {
        String type = m.path("type").asText("");
        Direction dir = type.equals("send") ? Direction.C2S : type.equals("receive") ? Direction.S2C : null;
        int opcode = m.path("opcode").asInt(-1);
        if (dir == null || (opcode != Opcode.TEXT && opcode != Opcode.BINARY && opcode != Opcode.CLOSE)) {
            e.skipped++;
            return;
        }
        long t = messageMicros(m.get("time"), e.lastMicros);
        e.lastMicros = Math.max(e.lastMicros, t);
        String data = m.path("data").asText("");
        byte[] payload;
        if (opcode == Opcode.TEXT) {
            payload = data.getBytes(StandardCharsets.UTF_8);
        } else {
            try {
                payload = Base64.getMimeDecoder().decode(data);
            } catch (IllegalArgumentException x) {
                e.skipped++;
                return;
            }
        }
        if (opcode == Opcode.CLOSE) {
            int code = payload.length >= 2 ? ((payload[0] & 0xFF) << 8) | (payload[1] & 0xFF) : 1005;
            String reason = payload.length > 2 ? new String(payload, 2, payload.length - 2, StandardCharsets.UTF_8) : "";
            if (!e.closed) {
                e.closed = true;
                sink.accept(new CloseEvent(e.conn, t, code, reason, payload.length >= 2,
                        dir == Direction.C2S ? "client" : "server", false));
            }
            return;
        }
        boolean truncated = m.path("_truncated").asBoolean(false);
        long length = truncated && m.path("_length").canConvertToLong() ? m.path("_length").asLong() : payload.length;
        String sha = truncated && m.hasNonNull("_sha256") ? m.get("_sha256").asText() : null;
        long invalid = opcode == Opcode.TEXT ? Utf8Validator.firstInvalid(payload, 0, payload.length) : -1;
        Message msg = new Message(opcode, 0, false, -1, length, payload, truncated, sha, invalid < 0 ? -1 : invalid,
                -1, List.of());
        messages++;
        sink.accept(new MessageEvent(e.conn, t, dir, ++e.seq, msg));
    }

    /** Epoch seconds (fractional), or epoch milliseconds when the value is that large. */
    private static long messageMicros(JsonNode time, long fallback) {
        if (time == null || !time.isNumber()) {
            return fallback;
        }
        BigDecimal v = time.decimalValue();
        if (v.signum() < 0) {
            return fallback; // Playwright writes -1 when asked to omit times
        }
        return (v.compareTo(MILLIS_THRESHOLD) > 0 ? v.movePointRight(3) : v.movePointRight(6)).longValue();
    }

    // ---- plain HTTP entries ------------------------------------------------------------------

    private void http(Entry e) {
        httpExchanges++;
        HttpHead req = requestHead(e);
        HttpHead resp = responseHead(e.response);
        long requestBody = e.request == null ? -1 : e.request.path("bodySize").asLong(-1);
        long responseBody = -1;
        if (resp != null) {
            responseBody = e.response.path("bodySize").asLong(-1);
            if (responseBody < 0) {
                responseBody = e.response.path("content").path("size").asLong(-1);
            }
        }
        long duration = e.timeMillis == null || e.timeMillis.signum() < 0 ? 0 : e.timeMillis.movePointRight(3).longValue();
        sink.accept(new HttpEvent(e.conn, startMicros(e), req == null ? null : req.method(), e.url(),
                resp == null ? -1 : resp.status(), resp == null || resp.reason() == null ? "" : resp.reason(), req, resp,
                requestBody, responseBody, duration));
    }

    // ---- heads -------------------------------------------------------------------------------

    /** The request head: METHOD target VERSION from the URL, and the header list as given. */
    private static HttpHead requestHead(Entry e) {
        if (e.request == null) {
            return null;
        }
        JsonNode r = e.request;
        String method = r.path("method").asText("GET");
        String url = e.url();
        String target = "/";
        if ("CONNECT".equalsIgnoreCase(method)) {
            target = url;
        } else {
            try {
                URI u = URI.create(url);
                String path = u.getRawPath() == null || u.getRawPath().isEmpty() ? "/" : u.getRawPath();
                target = u.getRawQuery() == null ? path : path + "?" + u.getRawQuery();
            } catch (IllegalArgumentException x) {
                target = url;
            }
        }
        return head(method + " " + target + " " + version(r), r);
    }

    /** The response head, or null when the HAR says no response came (status 0 or none). */
    private static HttpHead responseHead(JsonNode r) {
        if (r == null || r.path("status").asInt(0) <= 0) {
            return null;
        }
        String reason = r.path("statusText").asText("");
        return head(version(r) + " " + r.path("status").asInt() + (reason.isEmpty() ? "" : " " + reason), r);
    }

    private static HttpHead head(String startLine, JsonNode r) {
        List<HttpHead.Header> headers = new ArrayList<>();
        int computed = startLine.length() + 2;
        for (JsonNode h : r.path("headers")) {
            String name = h.path("name").asText("");
            String value = h.path("value").asText("");
            headers.add(new HttpHead.Header(name, value));
            computed += name.length() + 2 + value.length() + 2;
        }
        computed += 2;
        int size = r.path("headersSize").asInt(-1);
        return new HttpHead(startLine, List.copyOf(headers), size > 0 ? size : computed);
    }

    /** The HTTP version as a start line has it: HTTP/1.1 when the HAR has none (or an h2/h3 name). */
    private static String version(JsonNode r) {
        String v = r.path("httpVersion").asText("").trim();
        if (v.isEmpty() || v.toLowerCase(Locale.ROOT).startsWith("h2") || v.toLowerCase(Locale.ROOT).startsWith("h3")) {
            return v.isEmpty() ? "HTTP/1.1" : v.toLowerCase(Locale.ROOT).startsWith("h2") ? "HTTP/2" : "HTTP/3";
        }
        return v.toUpperCase(Locale.ROOT).startsWith("HTTP/") ? "HTTP/" + v.substring(5) : v;
    }

    private long startMicros(Entry e) {
        if (e.started == null) {
            return 0;
        }
        try {
            return ChronoUnit.MICROS.between(java.time.Instant.EPOCH, OffsetDateTime.parse(e.started).toInstant());
        } catch (DateTimeParseException x) {
            return 0;
        }
    }

    /** host:port of the server, from serverIPAddress and the port (Playwright's _serverPort, else the URL's). */
    private static String server(Entry e) {
        if (e.serverIp == null || e.serverIp.isEmpty()) {
            return null;
        }
        int port = e.serverPort;
        if (port <= 0) {
            try {
                URI u = URI.create(e.url());
                port = u.getPort() > 0 ? u.getPort()
                        : u.getScheme() != null && (u.getScheme().equalsIgnoreCase("wss") || u.getScheme().equalsIgnoreCase("https"))
                        ? 443 : 80;
            } catch (IllegalArgumentException x) {
                return e.serverIp;
            }
        }
        String ip = e.serverIp.startsWith("[") ? e.serverIp.substring(1, e.serverIp.length() - 1) : e.serverIp;
        return (ip.contains(":") ? "[" + ip + "]" : ip) + ":" + port;
    }

    /** One entry while it is read. */
    private static final class Entry {
        final String conn;
        String started;
        BigDecimal timeMillis;
        JsonNode request;
        JsonNode response;
        JsonNode timings;
        String serverIp;
        int serverPort = -1;
        String resourceType;
        boolean hasMessages;
        final List<JsonNode> held = new ArrayList<>();
        boolean webSocketStarted;
        long handshakeMicros;
        long lastMicros;
        long seq;
        int skipped;
        boolean closed;

        Entry(String conn) {
            this.conn = conn;
        }

        boolean started() {
            return webSocketStarted;
        }

        String url() {
            return request == null ? null : request.path("url").asText(null);
        }

        boolean isWebSocket() {
            if (hasMessages || "websocket".equalsIgnoreCase(resourceType)) {
                return true;
            }
            if (response != null && response.path("status").asInt(0) == 101) {
                return true;
            }
            String url = url();
            String lower = url == null ? "" : url.toLowerCase(Locale.ROOT);
            return lower.startsWith("ws://") || lower.startsWith("wss://");
        }
    }
}
