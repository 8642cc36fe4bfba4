package dev.wsdebug.capture.export;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.wsdebug.capture.CloseEvent;
import dev.wsdebug.capture.ErrorEvent;
import dev.wsdebug.capture.Event;
import dev.wsdebug.capture.EventSink;
import dev.wsdebug.capture.FlowEvent;
import dev.wsdebug.capture.HandshakeEvent;
import dev.wsdebug.capture.HttpEvent;
import dev.wsdebug.capture.MessageEvent;
import dev.wsdebug.wire.Direction;
import dev.wsdebug.wire.HttpHead;
import dev.wsdebug.wire.Message;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Writes the connections as a HAR 1.2 file, one entry per connection, with the WebSocket
 * messages in Chrome's {@code _webSocketMessages} extension ({@code type} "send" for client to
 * server and "receive" for server to client, {@code time} in epoch seconds, the message's
 * {@code opcode}, {@code data} as text or base64 for binary, inflated when compressed) and
 * {@code _resourceType: "websocket"}; {@code serverIPAddress} and Playwright's {@code _serverPort}
 * when the server's address is an IP literal.
 *
 * <p>Entries are streamed: an entry is written as soon as its connection closes (its close
 * event), and the rest at {@link #close}, so memory holds only open connections and their
 * retained message payloads. Entries are therefore in the order connections ended; HAR 1.2
 * prefers but does not require order by {@code startedDateTime}, and readers sort. Events of a
 * connection after its entry was written (data after the close handshake) are not exported.
 *
 * <p>Timings: {@code wait} is from the first byte of the connection to the complete handshake
 * response, {@code receive} from there to the close; {@code time} is their sum. A connection
 * without a response has status 0 and {@code headersSize}/{@code bodySize} -1. Errors and how
 * the connection closed go in the entry's {@code comment}; flow facts ({@link FlowEvent}) are not
 * exported.
 *
 * <p>A plain HTTP exchange ({@link HttpEvent}) is an ordinary entry of its own, written as it
 * arrives: its heads, the body sizes it counted ({@code bodySize}, {@code content.size}; no body
 * text, which the event does not hold), {@code time} and {@code wait} its duration, status 0 when
 * no response came. Not thread-safe.
 */
public final class HarWriter implements EventSink {
    private static final JsonFactory FACTORY = JsonFactory.builder().build();
    private static final DateTimeFormatter ISO = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'")
            .withZone(ZoneOffset.UTC);

    private final OutputStream out;
    private final boolean ownsOut;
    private final JsonGenerator gen;
    private final Map<String, Entry> open = new LinkedHashMap<>();
    private final Set<String> written = new HashSet<>();
    /** Connections that carried plain HTTP exchanges: without WebSocket events they get no entry of their own. */
    private final Set<String> httpConns = new HashSet<>();
    private boolean closed;

    /** Writes to {@code out}; {@link #close} completes the document and flushes, but does not close it. */
    public HarWriter(OutputStream out) {
        this(out, false);
    }

    private HarWriter(OutputStream out, boolean ownsOut) {
        this.out = out;
        this.ownsOut = ownsOut;
        try {
            gen = FACTORY.createGenerator(out, JsonEncoding.UTF8);
            gen.configure(JsonGenerator.Feature.AUTO_CLOSE_TARGET, false);
            gen.useDefaultPrettyPrinter();
            gen.writeStartObject();
            gen.writeObjectFieldStart("log");
            gen.writeStringField("version", "1.2");
            gen.writeObjectFieldStart("creator");
            gen.writeStringField("name", "wsdebug");
            String v = HarWriter.class.getPackage().getImplementationVersion();
            gen.writeStringField("version", v == null ? "dev" : v);
            gen.writeEndObject();
            gen.writeArrayFieldStart("entries");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Creates (or replaces) {@code file}; {@link #close} closes it. */
    public static HarWriter create(Path file) throws IOException {
        return new HarWriter(new BufferedOutputStream(Files.newOutputStream(file), 1 << 16), true);
    }

    @Override
    public void chunk(String conn, Direction dir, long timeMicros, byte[] b, int off, int len) {
        Entry e = entry(conn);
        if (e != null) {
            e.seen(timeMicros);
        }
    }

    @Override
    public void accept(Event event) {
        if (event instanceof FlowEvent) {
            return; // a transport fact: HAR has no field for it, and it must not create or stretch an entry
        }
        if (event instanceof HttpEvent x) {
            if (!closed) {
                if (x.conn() != null) {
                    httpConns.add(x.conn());
                }
                try {
                    writeHttp(x);
                } catch (IOException ex) {
                    throw new UncheckedIOException(ex);
                }
            }
            return;
        }
        Entry e = entry(event.conn());
        if (e == null) {
            return;
        }
        e.seen(event.timeMicros());
        if (event instanceof HandshakeEvent h) {
            e.handshake = h;
        } else if (event instanceof MessageEvent m) {
            e.messages.add(m);
        } else if (event instanceof ErrorEvent err) {
            e.notes.add(err.kind() + ": " + err.message());
        } else if (event instanceof CloseEvent c) {
            e.close = c;
            open.remove(e.conn);
            written.add(e.conn);
            write(e);
        }
    }

    private Entry entry(String conn) {
        if (closed || conn == null || written.contains(conn)) {
            return null;
        }
        return open.computeIfAbsent(conn, Entry::new);
    }

    @Override
    public void flush() {
        try {
            gen.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Writes the connections still open and ends the document. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        for (Entry e : open.values()) {
            if (e.handshake == null && e.messages.isEmpty() && httpConns.contains(e.conn)) {
                continue; // only plain HTTP, written as such
            }
            write(e);
        }
        open.clear();
        closed = true;
        try {
            gen.writeEndArray();
            gen.writeEndObject();
            gen.writeEndObject();
            gen.writeRaw('\n');
            gen.flush();
            if (ownsOut) {
                out.close();
            } else {
                out.flush();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** What is kept of one connection until its entry is written. */
    private static final class Entry {
        final String conn;
        final List<MessageEvent> messages = new ArrayList<>();
        final List<String> notes = new ArrayList<>();
        long first = Long.MIN_VALUE;
        long last = Long.MIN_VALUE;
        HandshakeEvent handshake;
        CloseEvent close;

        Entry(String conn) {
            this.conn = conn;
        }

        void seen(long t) {
            if (first == Long.MIN_VALUE || t < first) {
                first = t;
            }
            last = Math.max(last, t);
        }
    }

    private void write(Entry e) {
        try {
            writeEntry(e);
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    private void writeEntry(Entry e) throws IOException {
        HandshakeEvent h = e.handshake;
        HttpHead req = h == null ? null : h.request();
        HttpHead resp = h == null ? null : h.response();
        long start = e.first;
        long end = e.close != null ? Math.max(e.close.timeMicros(), start) : e.last;
        long answered = resp != null ? Math.min(Math.max(h.timeMicros(), start), end) : end;

        gen.writeStartObject();
        gen.writeStringField("startedDateTime", ISO.format(Instant.ofEpochSecond(0, start * 1000)));
        gen.writeFieldName("time");
        gen.writeNumber(millis(end - start));
        request(h != null && h.url() != null ? h.url() : "ws://unknown-host/", req, 0);
        response(resp, bodySize(resp));
        gen.writeObjectFieldStart("cache");
        gen.writeEndObject();
        gen.writeObjectFieldStart("timings");
        gen.writeNumberField("blocked", -1);
        gen.writeNumberField("dns", -1);
        gen.writeNumberField("connect", -1);
        gen.writeNumberField("send", 0);
        gen.writeFieldName("wait");
        gen.writeNumber(millis(answered - start));
        gen.writeFieldName("receive");
        gen.writeNumber(millis(end - answered));
        gen.writeNumberField("ssl", -1);
        gen.writeEndObject();
        String serverIp = h == null ? null : hostOf(h.server());
        PcapngWriter.HostPort server = serverIp == null ? null : PcapngWriter.HostPort.parse(h.server());
        if (server != null && server.ip() != null) { // an IP, not a name
            gen.writeStringField("serverIPAddress", serverIp);
            if (server.port() > 0) {
                gen.writeNumberField("_serverPort", server.port()); // as Playwright writes it
            }
        }
        gen.writeStringField("connection", e.conn);
        String comment = comment(e, req, resp);
        if (!comment.isEmpty()) {
            gen.writeStringField("comment", comment);
        }
        gen.writeStringField("_resourceType", "websocket");
        gen.writeArrayFieldStart("_webSocketMessages");
        for (MessageEvent m : e.messages) {
            message(m);
        }
        gen.writeEndArray();
        gen.writeEndObject();
    }

    /** A plain HTTP exchange as an entry of its own. */
    private void writeHttp(HttpEvent x) throws IOException {
        HttpHead req = x.request();
        HttpHead resp = x.response();
        gen.writeStartObject();
        gen.writeStringField("startedDateTime", ISO.format(Instant.ofEpochSecond(0, x.timeMicros() * 1000)));
        gen.writeFieldName("time");
        gen.writeNumber(millis(x.durationMicros()));
        request(x.url() != null ? x.url() : "http://unknown-host/", req, x.requestBodyLength(),
                x.method() != null ? x.method() : "GET");
        response(resp, resp == null ? -1 : x.responseBodyLength(), resp == null ? 0 : x.responseBodyLength());
        gen.writeObjectFieldStart("cache");
        gen.writeEndObject();
        gen.writeObjectFieldStart("timings");
        gen.writeNumberField("blocked", -1);
        gen.writeNumberField("dns", -1);
        gen.writeNumberField("connect", -1);
        gen.writeNumberField("send", 0);
        gen.writeFieldName("wait");
        gen.writeNumber(millis(x.durationMicros()));
        gen.writeNumberField("receive", 0);
        gen.writeNumberField("ssl", -1);
        gen.writeEndObject();
        if (x.conn() != null) {
            gen.writeStringField("connection", x.conn());
        }
        if (resp == null) {
            gen.writeStringField("comment", "No response was seen.");
        }
        gen.writeEndObject();
    }

    private void request(String url, HttpHead req, long bodySize) throws IOException {
        request(url, req, bodySize, req != null && req.method() != null ? req.method() : "GET");
    }

    private void request(String url, HttpHead req, long bodySize, String method) throws IOException {
        gen.writeObjectFieldStart("request");
        gen.writeStringField("method", method);
        gen.writeStringField("url", url);
        gen.writeStringField("httpVersion", req != null && req.version() != null ? req.version() : "");
        gen.writeArrayFieldStart("cookies");
        gen.writeEndArray();
        headers(req);
        gen.writeArrayFieldStart("queryString");
        for (String[] q : queryString(req != null && req.target() != null ? req.target() : url)) {
            gen.writeStartObject();
            gen.writeStringField("name", q[0]);
            gen.writeStringField("value", q[1]);
            gen.writeEndObject();
        }
        gen.writeEndArray();
        gen.writeNumberField("headersSize", req != null ? req.length() : -1);
        gen.writeNumberField("bodySize", bodySize);
        gen.writeEndObject();
    }

    private void response(HttpHead resp, long bodySize) throws IOException {
        response(resp, bodySize, 0);
    }

    /** @param contentSize {@code content.size}: the body's length as received (0 when unknown) */
    private void response(HttpHead resp, long bodySize, long contentSize) throws IOException {
        gen.writeObjectFieldStart("response");
        gen.writeNumberField("status", resp != null ? Math.max(resp.status(), 0) : 0);
        gen.writeStringField("statusText", resp != null && resp.reason() != null ? resp.reason() : "");
        gen.writeStringField("httpVersion", resp != null && resp.version() != null ? resp.version() : "");
        gen.writeArrayFieldStart("cookies");
        gen.writeEndArray();
        headers(resp);
        gen.writeObjectFieldStart("content");
        gen.writeNumberField("size", contentSize);
        String type = resp == null ? null : resp.header("Content-Type");
        gen.writeStringField("mimeType", type == null ? "" : type);
        gen.writeEndObject();
        String location = resp == null ? null : resp.header("Location");
        gen.writeStringField("redirectURL", location == null ? "" : location);
        gen.writeNumberField("headersSize", resp != null ? resp.length() : -1);
        gen.writeNumberField("bodySize", bodySize);
        gen.writeEndObject();
    }

    /** 0 for 101 (no body), the Content-Length when given, else -1 (unknown: the body is not decoded). */
    private static long bodySize(HttpHead resp) {
        if (resp == null) {
            return -1;
        }
        if (resp.status() == 101) {
            return 0;
        }
        String cl = resp.header("Content-Length");
        try {
            return cl == null ? -1 : Long.parseLong(cl.trim());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private void headers(HttpHead head) throws IOException {
        gen.writeArrayFieldStart("headers");
        if (head != null) {
            for (HttpHead.Header hd : head.headers()) {
                gen.writeStartObject();
                gen.writeStringField("name", hd.name());
                gen.writeStringField("value", hd.value());
                gen.writeEndObject();
            }
        }
        gen.writeEndArray();
    }

    private void message(MessageEvent e) throws IOException {
        Message m = e.message();
        gen.writeStartObject();
        gen.writeStringField("type", e.dir() == Direction.C2S ? "send" : "receive");
        gen.writeFieldName("time");
        gen.writeNumber(BigDecimal.valueOf(e.timeMicros(), 6));
        gen.writeNumberField("opcode", m.opcode());
        gen.writeStringField("data", m.isText() ? m.text() : Base64.getEncoder().encodeToString(m.payload()));
        if (m.truncated()) {
            gen.writeBooleanField("_truncated", true);
            gen.writeNumberField("_length", m.length());
            gen.writeStringField("_sha256", m.sha256());
        }
        gen.writeEndObject();
    }

    private static String comment(Entry e, HttpHead req, HttpHead resp) {
        List<String> parts = new ArrayList<>();
        if (req == null) {
            parts.add("No upgrade request was seen.");
        } else if (resp == null) {
            parts.add("No response to the upgrade request was seen.");
        }
        CloseEvent c = e.close;
        if (c != null) {
            parts.add("Closed " + c.code() + " (" + c.codeName() + ")"
                    + (c.onWire() ? " by the " + c.initiator() : "")
                    + (c.reason() == null || c.reason().isEmpty() ? "" : ", reason \"" + c.reason() + "\"")
                    + (c.clean() ? ", clean." : ", not clean."));
        }
        parts.addAll(e.notes);
        return String.join(" ", parts);
    }

    /** Milliseconds with microsecond precision. */
    private static BigDecimal millis(long micros) {
        return BigDecimal.valueOf(Math.max(0, micros), 3);
    }

    /** The host of host:port or [v6]:port, or null. */
    static String hostOf(String hostPort) {
        if (hostPort == null || hostPort.isEmpty()) {
            return null;
        }
        if (hostPort.startsWith("[")) {
            int close = hostPort.indexOf(']');
            return close > 1 ? hostPort.substring(1, close) : null;
        }
        int colon = hostPort.lastIndexOf(':');
        return colon > 0 && hostPort.indexOf(':') == colon ? hostPort.substring(0, colon) : hostPort;
    }

    /** Name/value pairs of the query of a request target or URL, percent-decoded where well-formed. */
    static List<String[]> queryString(String target) {
        List<String[]> out = new ArrayList<>();
        int q = target == null ? -1 : target.indexOf('?');
        if (q < 0) {
            return out;
        }
        int hash = target.indexOf('#', q);
        String query = target.substring(q + 1, hash < 0 ? target.length() : hash);
        for (String pair : query.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String name = eq < 0 ? pair : pair.substring(0, eq);
            String value = eq < 0 ? "" : pair.substring(eq + 1);
            out.add(new String[] {decode(name), decode(value)});
        }
        return out;
    }

    private static String decode(String s) {
        try {
            return URLDecoder.decode(s, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return s;
        }
    }
}
