package dev.wsdebug.capture;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.wsdebug.wire.DeflateParams;
import dev.wsdebug.wire.Direction;
import dev.wsdebug.wire.Frame;
import dev.wsdebug.wire.HandshakeResult;
import dev.wsdebug.wire.HttpHead;
import dev.wsdebug.wire.Masking;
import dev.wsdebug.wire.Message;
import dev.wsdebug.wire.Rule;
import dev.wsdebug.wire.Violation;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;

/**
 * Writes events as JSON Lines, schema v1: one object per line, fields in the documented order.
 * Optional fields are omitted when they do not apply (closeCode on non-close frames, payloadHex on
 * data frames, violations when there are none).
 */
public final class JsonLinesSink implements EventSink {
    private static final JsonFactory FACTORY = JsonFactory.builder()
            .enable(com.fasterxml.jackson.core.StreamWriteFeature.USE_FAST_DOUBLE_WRITER).build();
    /** Writes decoded values (JSON trees) into the line being written. */
    private static final com.fasterxml.jackson.databind.ObjectMapper TREES = com.fasterxml.jackson.databind.json.JsonMapper.builder()
            .enable(com.fasterxml.jackson.core.StreamWriteFeature.USE_FAST_DOUBLE_WRITER).build();
    private static final HexFormat HEX = HexFormat.of();

    private final OutputStream out;
    private final JsonGenerator gen;
    private final boolean flushEachEvent;

    /**
     * @param flushEachEvent flush after every line, for live output read by another program
     */
    public JsonLinesSink(OutputStream out, boolean flushEachEvent) {
        this.out = out;
        this.flushEachEvent = flushEachEvent;
        try {
            this.gen = FACTORY.createGenerator(out, JsonEncoding.UTF8);
            gen.configure(JsonGenerator.Feature.AUTO_CLOSE_TARGET, false);
            gen.setRootValueSeparator(null); // lines end with our own newline, not a space
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void accept(Event event) {
        try {
            gen.writeStartObject();
            gen.writeStringField("event", event.name());
            gen.writeStringField("conn", event.conn());
            gen.writeFieldName("t");
            gen.writeNumber(seconds(event.timeMicros()));
            if (event instanceof FrameEvent f) {
                frame(f);
            } else if (event instanceof MessageEvent m) {
                message(m);
            } else if (event instanceof HandshakeEvent h) {
                handshake(h);
            } else if (event instanceof CloseEvent c) {
                close(c);
            } else if (event instanceof ErrorEvent e) {
                gen.writeStringField("kind", e.kind());
                gen.writeStringField("message", e.message());
            } else if (event instanceof HttpEvent x) {
                http(x);
            } else if (event instanceof FindingEvent f) {
                finding(f);
            } else if (event instanceof FlowEvent f) {
                flow(f);
            }
            gen.writeEndObject();
            gen.writeRaw('\n');
            if (flushEachEvent) {
                gen.flush();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void handshake(HandshakeEvent h) throws IOException {
        gen.writeStringField("transport", h.transport());
        if (h.stream() >= 0) {
            gen.writeNumberField("stream", h.stream()); // added to v1: the HTTP/2 stream of an RFC 8441 handshake
        }
        gen.writeStringField("url", h.url());
        HttpHead req = h.request();
        gen.writeFieldName("request");
        if (req == null) {
            gen.writeNull();
        } else {
            gen.writeStartObject();
            gen.writeStringField("method", req.method());
            gen.writeStringField("target", req.target());
            headers(req.headers());
            gen.writeEndObject();
        }
        HttpHead resp = h.response();
        gen.writeFieldName("response");
        if (resp == null) {
            gen.writeNull();
        } else {
            gen.writeStartObject();
            gen.writeNumberField("status", resp.status());
            gen.writeStringField("reason", resp.reason());
            headers(resp.headers());
            gen.writeEndObject();
        }
        HandshakeResult r = h.result();
        gen.writeBooleanField("upgraded", r != null && r.upgraded());
        gen.writeFieldName("accept");
        if (r == null || "h2".equals(h.transport())) { // RFC 8441: no key, no accept, nothing to check
            gen.writeNull();
        } else {
            gen.writeStartObject();
            gen.writeStringField("expected", r.expectedAccept());
            gen.writeStringField("actual", r.actualAccept());
            gen.writeBooleanField("valid", r.acceptValid());
            gen.writeEndObject();
        }
        gen.writeStringField("subprotocol", r == null ? null : r.subprotocol());
        gen.writeStringField("extensions", r == null ? null : r.extensions());
        gen.writeFieldName("deflate");
        DeflateParams d = r == null ? null : r.deflate();
        if (d == null) {
            gen.writeNull();
        } else {
            gen.writeStartObject();
            gen.writeBooleanField("clientNoContextTakeover", d.clientNoContextTakeover());
            gen.writeBooleanField("serverNoContextTakeover", d.serverNoContextTakeover());
            gen.writeNumberField("clientMaxWindowBits", d.clientWindowBits());
            gen.writeNumberField("serverMaxWindowBits", d.serverWindowBits());
            gen.writeEndObject();
        }
        if (h.client() != null) {
            gen.writeStringField("client", h.client());
        }
        if (h.server() != null) {
            gen.writeStringField("server", h.server());
        }
        tls(h.tls());
        List<String> problems = r == null ? List.of() : r.problems();
        if (!problems.isEmpty()) {
            gen.writeArrayFieldStart("problems");
            for (String p : problems) {
                gen.writeString(p);
            }
            gen.writeEndArray();
        }
    }

    /**
     * Added to schema v1: a plain HTTP exchange. {@code status} -1 and {@code response} null when no
     * response came; {@code durationMs} in milliseconds with microseconds.
     */
    private void finding(FindingEvent f) throws IOException {
        gen.writeStringField("rule", f.rule());
        gen.writeStringField("severity", f.severity());
        gen.writeStringField("summary", f.summary());
        gen.writeArrayFieldStart("evidence");
        for (FindingEvent.Evidence e : f.evidence()) {
            gen.writeStartObject();
            gen.writeStringField("conn", e.conn());
            if (e.seq() >= 0) {
                gen.writeNumberField("seq", e.seq());
            } else {
                gen.writeNullField("seq");
            }
            gen.writeFieldName("t");
            gen.writeNumber(seconds(e.timeMicros()));
            gen.writeStringField("what", e.what());
            gen.writeEndObject();
        }
        gen.writeEndArray();
        gen.writeStringField("cause", f.cause());
        gen.writeStringField("fix", f.fix());
    }

    /** Added to schema v1: a TCP window or proxy buffer fact; {@code bytes} null when unknown. */
    private void flow(FlowEvent f) throws IOException {
        gen.writeStringField("dir", f.dir() == Direction.C2S ? "c2s" : "s2c");
        gen.writeStringField("kind", f.kind());
        if (f.bytes() >= 0) {
            gen.writeNumberField("bytes", f.bytes());
        } else {
            gen.writeNullField("bytes");
        }
        gen.writeFieldName("durationMs");
        gen.writeNumber(BigDecimal.valueOf(f.micros(), 3));
    }

    private void http(HttpEvent x) throws IOException {
        gen.writeStringField("method", x.method());
        gen.writeStringField("url", x.url());
        gen.writeNumberField("status", x.status());
        gen.writeStringField("reason", x.reason());
        httpPart("request", x.request(), x.requestBodyLength());
        httpPart("response", x.response(), x.responseBodyLength());
        gen.writeFieldName("durationMs");
        gen.writeNumber(BigDecimal.valueOf(x.durationMicros(), 3));
        tls(x.tls());
    }

    /** Added to schema v1: the TLS handshake of a connection decrypted from a packet capture. */
    private void tls(TlsSummary t) throws IOException {
        if (t != null) {
            gen.writeObjectFieldStart("tls");
            gen.writeStringField("sni", t.sni());
            gen.writeStringField("version", t.version());
            gen.writeStringField("cipherSuite", t.cipherSuite());
            gen.writeStringField("alpn", t.alpn());
            gen.writeEndObject();
        }
    }

    private void httpPart(String name, HttpHead head, long bodyLength) throws IOException {
        gen.writeFieldName(name);
        if (head == null) {
            gen.writeNull();
            return;
        }
        gen.writeStartObject();
        headers(head.headers());
        gen.writeNumberField("bodyLength", bodyLength);
        gen.writeEndObject();
    }

    private void headers(List<HttpHead.Header> headers) throws IOException {
        gen.writeArrayFieldStart("headers");
        for (HttpHead.Header h : headers) {
            gen.writeStartArray();
            gen.writeString(h.name());
            gen.writeString(h.value());
            gen.writeEndArray();
        }
        gen.writeEndArray();
    }

    /**
     * Epoch seconds with six decimals, as {@code BigDecimal.valueOf(micros, 6)} prints them, written
     * by hand: this runs for every event, and the BigDecimal round trip was a tenth of the output's cost.
     */
    static String seconds(long micros) {
        boolean negative = micros < 0;
        long abs = negative ? -micros : micros;
        long whole = abs / 1_000_000;
        long frac = abs % 1_000_000;
        char[] digits = new char[6];
        for (int i = 5; i >= 0; i--) {
            digits[i] = (char) ('0' + frac % 10);
            frac /= 10;
        }
        return (negative ? "-" : "") + whole + "." + new String(digits);
    }

    private void frame(FrameEvent e) throws IOException {
        Frame f = e.frame();
        gen.writeStringField("dir", e.dir().id());
        gen.writeNumberField("seq", e.seq());
        gen.writeBooleanField("fin", f.fin());
        gen.writeBooleanField("rsv1", f.rsv1());
        gen.writeBooleanField("rsv2", f.rsv2());
        gen.writeBooleanField("rsv3", f.rsv3());
        gen.writeNumberField("opcode", f.opcode());
        gen.writeStringField("type", f.type());
        gen.writeBooleanField("masked", f.masked());
        gen.writeStringField("maskKey", f.masked() ? Masking.keyHex(f.maskKey()) : null);
        gen.writeNumberField("headerLength", f.headerLength());
        gen.writeNumberField("lengthEncoding", f.lengthEncoding());
        gen.writeNumberField("payloadLength", f.payloadLength());
        if (f.closeCode() >= 0) {
            gen.writeNumberField("closeCode", f.closeCode());
            gen.writeStringField("closeReason", f.closeReason());
        }
        if (f.controlPayload() != null) {
            gen.writeStringField("payloadHex", HEX.formatHex(f.controlPayload()));
        }
        violations(f.violations());
        if (e.packets() != null) {
            // added to schema v1: the capture's packet numbers (frames read from pcap/pcapng)
            gen.writeArrayFieldStart("packets");
            for (long p : e.packets()) {
                gen.writeNumber(p);
            }
            gen.writeEndArray();
        }
    }

    private void message(MessageEvent e) throws IOException {
        Message m = e.message();
        gen.writeStringField("dir", e.dir().id());
        gen.writeNumberField("seq", e.seq());
        gen.writeStringField("type", m.type());
        gen.writeNumberField("frames", m.frames());
        gen.writeBooleanField("compressed", m.compressed());
        gen.writeNumberField("wireLength", m.wireLength());
        gen.writeNumberField("length", m.length());
        if (m.isText()) {
            // only what was decoded is checked: bytes not captured, not inflated or not inflatable leave it unknown
            boolean notInflated = m.violations().stream().anyMatch(v -> v.rule().equals(Rule.DEFLATE_STREAM_INVALID.id()));
            gen.writeStringField("utf8", m.utf8InvalidAt() >= 0 ? "invalid at byte " + m.utf8InvalidAt()
                    : m.missing() > 0 || m.inflateStopped() || notInflated ? "unknown" : "valid");
            gen.writeStringField("text", m.text());
        } else {
            gen.writeNullField("utf8");
            gen.writeStringField("base64", Base64.getEncoder().encodeToString(m.payload()));
        }
        gen.writeBooleanField("truncated", m.truncated());
        if (m.sha256() != null) {
            gen.writeStringField("sha256", m.sha256());
        }
        if (m.inflateStopped()) {
            // added to schema v1: inflation stopped at a limit, so length counts only what was inflated
            gen.writeBooleanField("inflateStopped", true);
        }
        if (m.missing() > 0) {
            // added to schema v1: payload bytes a packet capture did not hold
            gen.writeNumberField("missing", m.missing());
        }
        violations(m.violations());
        decoded(e.decoded());
    }

    /** Schema v1 addition: what the message's application protocol says. */
    private void decoded(dev.wsdebug.capture.decode.Decoded d) throws IOException {
        if (d == null) {
            return;
        }
        gen.writeObjectFieldStart("decoded");
        gen.writeStringField("protocol", d.protocol());
        if (d.summary() != null) {
            gen.writeStringField("summary", d.summary());
        }
        if (d.rawValue() != null) {
            gen.writeFieldName("value");
            gen.writeRawValue(d.rawValue()); // the decoder kept the text Jackson would write for the tree
        } else if (d.value() != null) {
            gen.writeFieldName("value");
            TREES.writeTree(gen, d.value());
        }
        if (d.problem() != null) {
            gen.writeStringField("problem", d.problem());
        }
        if (d.reply() != null) {
            gen.writeObjectFieldStart("reply");
            gen.writeNumberField("seq", d.reply().seq());
            if (d.reply().name() != null) {
                gen.writeStringField("name", d.reply().name());
            }
            gen.writeNumberField("latencyMs", d.reply().latencyMicros() / 1000.0);
            gen.writeEndObject();
        }
        gen.writeEndObject();
    }

    private void close(CloseEvent c) throws IOException {
        gen.writeNumberField("code", c.code());
        gen.writeStringField("name", c.codeName());
        gen.writeStringField("reason", c.reason());
        gen.writeBooleanField("onWire", c.onWire());
        gen.writeStringField("initiator", c.initiator());
        gen.writeBooleanField("clean", c.clean());
    }

    private void violations(List<Violation> vs) throws IOException {
        if (vs.isEmpty()) {
            return;
        }
        gen.writeArrayFieldStart("violations");
        for (Violation v : vs) {
            gen.writeStartObject();
            gen.writeStringField("rule", v.rule());
            gen.writeStringField("rfc", v.rfc());
            gen.writeNumberField("offset", v.offset());
            gen.writeStringField("detail", v.detail());
            gen.writeEndObject();
        }
        gen.writeEndArray();
    }

    @Override
    public void flush() {
        try {
            gen.flush();
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
