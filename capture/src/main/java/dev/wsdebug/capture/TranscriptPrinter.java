package dev.wsdebug.capture;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.wsdebug.wire.CloseCodes;
import dev.wsdebug.wire.DeflateParams;
import dev.wsdebug.wire.Direction;
import dev.wsdebug.wire.Frame;
import dev.wsdebug.wire.HandshakeResult;
import dev.wsdebug.wire.HttpHead;
import dev.wsdebug.wire.Masking;
import dev.wsdebug.wire.Message;
import dev.wsdebug.wire.Opcode;
import dev.wsdebug.wire.Violation;

import java.io.PrintStream;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.List;

/**
 * The human view of a conversation: one line per message or control frame (or per frame when
 * asked), direction arrows, sizes with compressed and inflated lengths, close codes with their
 * names, and every violation on its own highlighted line.
 */
public final class TranscriptPrinter implements EventSink {
    private static final DateTimeFormatter CLOCK =
            DateTimeFormatter.ofPattern("HH:mm:ss.SSSSSS").withZone(ZoneId.systemDefault());
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private static final String RESET = "\u001b[0m";
    private static final String BOLD = "\u001b[1m";
    private static final String DIM = "\u001b[2m";
    private static final String RED = "\u001b[31m";
    private static final String GREEN = "\u001b[32m";
    private static final String YELLOW = "\u001b[33m";
    private static final String BLUE = "\u001b[34m";
    private static final String MAGENTA = "\u001b[35m";
    private static final String CYAN = "\u001b[36m";

    private final PrintStream out;
    private final TranscriptStyle style;

    public TranscriptPrinter(PrintStream out, TranscriptStyle style) {
        this.out = out;
        this.style = style;
    }

    @Override
    public void accept(Event event) {
        if (event instanceof FrameEvent f) {
            frame(f);
        } else if (event instanceof MessageEvent m) {
            message(m);
        } else if (event instanceof HandshakeEvent h) {
            handshake(h);
        } else if (event instanceof CloseEvent c) {
            close(c);
        } else if (event instanceof ErrorEvent e) {
            out.println(prefix(e.conn(), e.timeMicros()) + paint(RED + BOLD, "error") + " " + paint(DIM, "(" + e.kind() + ")")
                    + " " + e.message());
        } else if (event instanceof HttpEvent x) {
            http(x);
        } else if (event instanceof FindingEvent f) {
            finding(f);
        } else if (event instanceof FlowEvent f) {
            flow(f);
        }
    }

    /** A transport fact on one line: whose window or which buffer, how many bytes, how long. */
    private void flow(FlowEvent f) {
        boolean toClient = f.dir() == Direction.S2C;
        String receiver = toClient ? "client" : "server";
        String sender = toClient ? "server" : "client";
        String bytes = f.bytes() >= 0 ? f.bytes() + " B" : "unknown bytes";
        String ms = String.format(java.util.Locale.ROOT, "%.1f ms", f.micros() / 1e3);
        String text = switch (f.kind()) {
            case FlowEvent.ZERO_WINDOW -> "the " + receiver + " advertised a zero TCP window (" + bytes + " in flight to it)";
            case FlowEvent.WINDOW_OPEN -> "the " + receiver + " opened its TCP window again after " + ms;
            case FlowEvent.ACK_WAIT -> "a " + bytes + " segment from the " + sender + " waited " + ms
                    + " for the previous one's ACK";
            case FlowEvent.HELD -> String.format(java.util.Locale.ROOT, "the %s has not read for %.1f s: the proxy"
                    + " holds %s for it and stops reading from the %s until it does", receiver, f.micros() / 1e6, bytes,
                    sender);
            case FlowEvent.DRAINED -> String.format(java.util.Locale.ROOT, "the %s reads again, after %.1f s",
                    receiver, f.micros() / 1e6);
            default -> f.kind() + " " + bytes + " " + ms;
        };
        out.println(prefix(f.conn(), f.timeMicros()) + paint(YELLOW, "flow") + " " + text);
    }

    /** A finding as a short block: the rule and its sentence, the evidence, then cause and fix. */
    private void finding(FindingEvent f) {
        String color = f.isError() ? RED + BOLD : FindingEvent.WARNING.equals(f.severity()) ? YELLOW + BOLD : CYAN;
        out.println(prefix(f.conn(), f.timeMicros()) + paint(color, f.severity()) + " " + paint(BOLD, f.rule()) + " "
                + f.summary());
        for (FindingEvent.Evidence e : f.evidence()) {
            out.println(indent() + paint(DIM, "evidence") + " " + (e.conn() != null && !e.conn().equals(f.conn())
                    ? "conn " + e.conn() + " " : "") + (e.seq() >= 0 ? "#" + e.seq() + " " : "") + e.what());
        }
        if (f.cause() != null && !f.cause().isEmpty()) {
            out.println(indent() + paint(DIM, "cause") + "    " + f.cause());
        }
        if (f.fix() != null && !f.fix().isEmpty()) {
            out.println(indent() + paint(DIM, "fix") + "      " + f.fix());
        }
    }

    @Override
    public void flush() {
        out.flush();
    }

    // ---- handshake ------------------------------------------------------------------------

    private void handshake(HandshakeEvent h) {
        HttpHead req = h.request();
        HttpHead resp = h.response();
        HandshakeResult r = h.result();
        String rule = style.unicode() ? "──" : "==";
        StringBuilder line = new StringBuilder(prefix(h.conn(), h.timeMicros()));
        line.append(paint(BOLD, rule + " handshake ")).append(h.url() == null ? "(request not captured)" : h.url());
        if (h.stream() >= 0) {
            line.append(paint(DIM, "  over HTTP/2, stream " + h.stream()));
        }
        out.println(line);
        if (h.client() != null && h.server() != null && h.tls() != null) {
            out.println(indent() + h.client() + (style.unicode() ? " → " : " -> ") + h.server() + "  " + h.tls());
        } else if (h.tls() != null) {
            out.println(indent() + h.tls());
        }
        if (style.headers() && req != null) {
            out.println(indent() + paint(CYAN, "> " + req.startLine()));
            for (HttpHead.Header hd : req.headers()) {
                out.println(indent() + paint(CYAN, "> ") + hd.name() + ": " + hd.value());
            }
        }
        if (resp == null) {
            out.println(indent() + paint(YELLOW, "no response"));
            return;
        }
        if (style.headers()) {
            out.println(indent() + paint(MAGENTA, "< " + resp.startLine()));
            for (HttpHead.Header hd : resp.headers()) {
                out.println(indent() + paint(MAGENTA, "< ") + hd.name() + ": " + hd.value());
            }
        }
        StringBuilder s = new StringBuilder(indent());
        String asked = req == null ? "?" : h.stream() >= 0 ? req.method() + " " + req.target() + " :protocol "
                + req.header(":protocol") : req.method() + " " + req.target();
        s.append(asked).append(arrowText(Direction.C2S))
                .append(paint(r != null && r.valid() ? GREEN : RED, (resp.status() + " " + resp.reason()).trim()));
        if (r != null && r.actualAccept() != null) {
            s.append("  accept ").append(r.acceptValid() ? paint(GREEN, "ok") : paint(RED, "WRONG"));
        }
        out.println(s);
        if (r == null) {
            return;
        }
        if (r.upgraded()) {
            out.println(indent() + "subprotocol: " + (r.subprotocol() == null ? paint(DIM, "none") : r.subprotocol()));
            out.println(indent() + "extensions:  " + (r.extensions() == null ? paint(DIM, "none") : r.extensions()));
            DeflateParams d = r.deflate();
            if (d != null) {
                out.println(indent() + "             " + paint(DIM, deflateSummary(d)));
            }
        }
        for (String p : r.problems()) {
            out.println(indent() + paint(RED + BOLD, "! ") + paint(RED, p));
        }
    }

    // ---- plain HTTP ---------------------------------------------------------------------------

    /**
     * One line per exchange: {@code http GET URL → 200 OK, 512 B, 12.5 ms} (the request body's size
     * after the URL when there is one; the response body's after the status), the heads under it
     * when headers are shown.
     */
    private void http(HttpEvent x) {
        StringBuilder s = new StringBuilder(prefix(x.conn(), x.timeMicros()));
        s.append(paint(BOLD, "http")).append(' ').append(x.method() == null ? "?" : x.method()).append(' ')
                .append(x.url() == null ? "(no URL)" : x.url());
        if (x.requestBodyLength() > 0) {
            s.append(' ').append(paint(DIM, size(x.requestBodyLength())));
        }
        s.append(arrowText(Direction.C2S));
        if (x.status() < 0) {
            s.append(paint(YELLOW, "no response"));
        } else {
            int st = x.status();
            s.append(paint(st < 400 ? GREEN : st < 500 ? YELLOW : RED, (st + " " + x.reason()).strip()));
            s.append(", ").append(x.responseBodyLength() < 0 ? "size unknown" : size(x.responseBodyLength()));
        }
        s.append(", ").append(String.format(java.util.Locale.ROOT, "%.1f ms", x.durationMicros() / 1000.0));
        out.println(s);
        if (style.headers() && x.tls() != null) {
            out.println(indent() + paint(DIM, x.tls().toString()));
        }
        if (style.headers()) {
            HttpHead req = x.request();
            if (req != null) {
                out.println(indent() + paint(CYAN, "> " + req.startLine()));
                for (HttpHead.Header hd : req.headers()) {
                    out.println(indent() + paint(CYAN, "> ") + hd.name() + ": " + hd.value());
                }
            }
            HttpHead resp = x.response();
            if (resp != null) {
                out.println(indent() + paint(MAGENTA, "< " + resp.startLine()));
                for (HttpHead.Header hd : resp.headers()) {
                    out.println(indent() + paint(MAGENTA, "< ") + hd.name() + ": " + hd.value());
                }
            }
        }
    }

    private String deflateSummary(DeflateParams d) {
        return "client" + arrowText(Direction.C2S).trim() + "server: " + (d.clientNoContextTakeover() ? "no context takeover" : "context takeover")
                + ", " + d.clientWindowBits() + "-bit window; server" + arrowText(Direction.C2S).trim() + "client: "
                + (d.serverNoContextTakeover() ? "no context takeover" : "context takeover") + ", "
                + d.serverWindowBits() + "-bit window";
    }

    // ---- frames and messages ------------------------------------------------------------------

    private void frame(FrameEvent e) {
        Frame f = e.frame();
        if (style.frames()) {
            out.println(prefix(e.conn(), e.timeMicros()) + arrow(e.dir()) + " " + seq(e.seq()) + " " + frameHeader(f));
            if (f.isControl()) {
                String body = controlBody(f);
                if (!body.isEmpty()) {
                    out.println(indent() + "  " + body);
                }
            }
        } else if (f.isControl() || Opcode.isReserved(f.opcode())) {
            StringBuilder s = new StringBuilder(prefix(e.conn(), e.timeMicros()));
            s.append(arrow(e.dir())).append(' ').append(paint(typeColor(f.opcode()), f.type()));
            String body = controlBody(f);
            if (f.opcode() != Opcode.CLOSE) {
                s.append(' ').append(size(f.payloadLength()));
            }
            if (!body.isEmpty()) {
                s.append(f.opcode() == Opcode.CLOSE ? " " : ": ").append(body);
            }
            out.println(s);
        }
        violations(f.violations());
    }

    private String frameHeader(Frame f) {
        StringBuilder s = new StringBuilder();
        s.append(paint(typeColor(f.opcode()), pad(f.type(), 12)));
        s.append(f.fin() ? "FIN " : paint(YELLOW, "fin=0 "));
        if (f.rsv1()) {
            s.append(paint(YELLOW, "RSV1 "));
        }
        if (f.rsv2()) {
            s.append(paint(YELLOW, "RSV2 "));
        }
        if (f.rsv3()) {
            s.append(paint(YELLOW, "RSV3 "));
        }
        s.append(f.masked() ? "mask " + Masking.keyHex(f.maskKey()) + " " : paint(DIM, "unmasked "));
        s.append("len ").append(f.payloadLength()).append(paint(DIM, " (" + f.lengthEncoding() + "-bit, header "
                + f.headerLength() + " B)"));
        return s.toString();
    }

    private String controlBody(Frame f) {
        byte[] p = f.controlPayload();
        if (f.opcode() == Opcode.CLOSE) {
            int code = f.closeCode();
            if (code < 0) {
                return paint(DIM, "(no status code: the receiver reports 1005)");
            }
            String reason = f.closeReason();
            return paint(BOLD, code + " " + CloseCodes.name(code)) + (reason.isEmpty() ? "" : " " + quote(reason));
        }
        if (p == null || p.length == 0) {
            return "";
        }
        String hex = hexExcerpt(p, p.length, 32);
        return printableText(p) ? hex + "  " + paint(DIM, quote(new String(p, java.nio.charset.StandardCharsets.UTF_8))) : hex;
    }

    /**
     * The application protocol's reading of a message: one line ({@code socket.io EVENT "chat"}),
     * or the sentence saying why it does not parse; with --pretty also the decoded structure when
     * the payload itself is not what was printed (a text message that is JSON shows already).
     */
    private void decoded(dev.wsdebug.capture.decode.Decoded d) {
        if (d == null) {
            return;
        }
        if (!d.ok()) {
            out.println(indent() + "  " + paint(DIM, d.protocol() + ": " + d.problem()));
            return;
        }
        if (d.protocol().equals("json") && !style.prettyJson()) {
            return; // plain JSON: the text line says it all
        }
        if (!d.protocol().equals("json")) {
            String reply = d.reply() == null ? "" : paint(DIM, "  (answers #" + d.reply().seq()
                    + (d.reply().name() == null ? "" : " " + d.reply().name()) + " after "
                    + String.format(java.util.Locale.ROOT, "%.1f ms", d.reply().latencyMicros() / 1000.0) + ")");
            out.println(indent() + "  " + paint(CYAN, d.protocol()) + " " + d.summary() + reply);
        }
        if (style.prettyJson() && d.value() != null && !d.protocol().equals("json")) {
            String[] lines = d.value().toPrettyString().split("\n");
            int max = Math.max(5, style.maxChars() / 10);
            for (int i = 0; i < Math.min(lines.length, max); i++) {
                out.println(indent() + "    " + lines[i]);
            }
            if (lines.length > max) {
                out.println(indent() + "    " + paint(DIM, (style.unicode() ? "…" : "...") + " +" + (lines.length - max) + " lines"));
            }
        }
    }

    private void message(MessageEvent e) {
        Message m = e.message();
        StringBuilder s = new StringBuilder(prefix(e.conn(), e.timeMicros()));
        s.append(arrow(e.dir())).append(' ');
        if (style.frames()) {
            // under the frame lines, the message line lines up with the frame types
            s.append("      ").append(paint(typeColor(m.opcode()), m.type() + " message"));
        } else {
            s.append(paint(typeColor(m.opcode()), m.type()));
        }
        s.append(' ').append(size(m.length()));
        StringBuilder notes = new StringBuilder();
        if (m.compressed()) {
            notes.append("deflated ").append(size(m.wireLength()));
        }
        if (m.frames() > 1) {
            notes.append(notes.length() > 0 ? ", " : "").append(m.frames()).append(" frames");
        }
        if (notes.length() > 0) {
            s.append(' ').append(paint(DIM, "(" + notes + ")"));
        }
        String pretty = null;
        if (m.isText()) {
            String text = m.text();
            pretty = style.prettyJson() ? prettyJson(text) : null;
            if (pretty == null) {
                s.append(": ").append(quote(text));
            }
        } else {
            s.append(": ").append(hexExcerpt(m.payload(), m.length(), 32));
        }
        out.println(s);
        if (pretty != null) {
            String[] lines = pretty.split("\n");
            // as many lines as the excerpt limit allows characters, at ten characters a line
            int max = Math.max(5, style.maxChars() / 10);
            for (int i = 0; i < Math.min(lines.length, max); i++) {
                out.println(indent() + "  " + lines[i]);
            }
            if (lines.length > max) {
                out.println(indent() + "  " + paint(DIM, (style.unicode() ? "…" : "...") + " +" + (lines.length - max) + " lines"));
            }
        }
        if (m.missing() > 0) {
            out.println(indent() + paint(DIM, "  (" + m.missing() + " bytes of it were not captured; first "
                    + m.payload().length + " kept)"));
        } else if (m.inflateStopped()) {
            out.println(indent() + paint(DIM, "  (inflation stopped at " + m.length() + " bytes, a limit; first "
                    + m.payload().length + " kept)"));
        } else if (m.truncated()) {
            out.println(indent() + paint(DIM, "  (first " + m.payload().length + " of " + m.length()
                    + " bytes kept; sha256 " + m.sha256() + ")"));
        }
        decoded(e.decoded());
        // The message's violations were printed with the frames that carried them.
    }

    private void close(CloseEvent c) {
        String rule = style.unicode() ? "──" : "==";
        StringBuilder s = new StringBuilder(prefix(c.conn(), c.timeMicros()));
        s.append(paint(BOLD, rule + " closed ")).append(paint(c.code() == 1000 ? GREEN : YELLOW + BOLD,
                c.code() + " " + c.codeName()));
        if (!c.reason().isEmpty()) {
            s.append(' ').append(quote(c.reason()));
        }
        if (c.onWire()) {
            s.append(" by ").append(c.initiator()).append(c.clean() ? paint(DIM, " (close handshake complete)")
                    : paint(DIM, " (no close frame from the " + (c.initiator().equals("client") ? "server" : "client") + " seen)"));
        } else if (c.code() == CloseCodes.NO_STATUS_RECEIVED) {
            s.append(" by ").append(c.initiator()).append(paint(DIM, ": the close frame had no status code (1005 is set locally, never sent)"));
        } else if (c.code() == CloseCodes.ABNORMAL) {
            s.append(paint(DIM, ": the connection ended without a close frame (1006 is set locally, never sent)"));
        }
        out.println(s);
    }

    private void violations(List<Violation> vs) {
        for (Violation v : vs) {
            out.println(indent() + paint(RED + BOLD, "! " + v.rule()) + paint(DIM, " (" + v.rfc() + ", byte " + v.offset() + ")")
                    + " " + paint(RED, v.detail()));
        }
    }

    // ---- formatting ---------------------------------------------------------------------------

    private String prefix(String conn, long micros) {
        String p = "";
        if (style.time()) {
            Instant t = Instant.ofEpochSecond(micros / 1_000_000, (micros % 1_000_000) * 1000);
            p = paint(DIM, CLOCK.format(t)) + " ";
        }
        if (style.conn() && conn != null) {
            p += paint(DIM, "[" + conn + "]") + " ";
        }
        return p;
    }

    private String indent() {
        return style.time() ? " ".repeat(16) : "";
    }

    private String arrow(Direction d) {
        String a = d == Direction.C2S ? (style.unicode() ? "→" : "->") : (style.unicode() ? "←" : "<-");
        return paint(d == Direction.C2S ? CYAN : MAGENTA, a);
    }

    private String arrowText(Direction d) {
        return d == Direction.C2S ? (style.unicode() ? " → " : " -> ") : (style.unicode() ? " ← " : " <- ");
    }

    private static String seq(long seq) {
        return pad("#" + seq, 5);
    }

    private static String pad(String s, int width) {
        return s.length() >= width ? s + " " : s + " ".repeat(width - s.length());
    }

    private static String typeColor(int opcode) {
        if (Opcode.isReserved(opcode)) {
            return RED;
        }
        return Opcode.isControl(opcode) ? YELLOW : BLUE;
    }

    static String size(long bytes) {
        if (bytes < 10 * 1024) {
            return bytes + " B";
        }
        if (bytes < 10L * 1024 * 1024) {
            return String.format("%.1f KiB", bytes / 1024.0);
        }
        return String.format("%.1f MiB", bytes / (1024.0 * 1024));
    }

    /** Text in double quotes with control characters escaped, cut at the style's limit. */
    private String quote(String text) {
        StringBuilder sb = new StringBuilder("\"");
        int limit = Math.min(text.length(), style.maxChars());
        for (int i = 0; i < limit; i++) {
            char c = text.charAt(i);
            switch (c) {
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                default -> {
                    if (c < 0x20 || c == 0x7F || (c >= 0x80 && c < 0xA0)) {
                        sb.append(String.format("\\x%02x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        sb.append('"');
        if (text.length() > limit) {
            sb.append(paint(DIM, " … +" + (text.length() - limit) + " chars").replace("…", style.unicode() ? "…" : "..."));
        }
        return sb.toString();
    }

    private String hexExcerpt(byte[] b, long fullLength, int max) {
        if (fullLength == 0) {
            return paint(DIM, "(empty)");
        }
        StringBuilder sb = new StringBuilder();
        int n = Math.min(b.length, max);
        for (int i = 0; i < n; i++) {
            if (i > 0) {
                sb.append(' ');
            }
            sb.append(Character.forDigit((b[i] >> 4) & 0xF, 16)).append(Character.forDigit(b[i] & 0xF, 16));
        }
        if (fullLength > n) {
            sb.append(paint(DIM, " … +" + (fullLength - n) + " bytes").replace("…", style.unicode() ? "…" : "..."));
        }
        return sb.toString();
    }

    /** Valid UTF-8 without control characters other than whitespace: worth showing as text too. */
    private static boolean printableText(byte[] p) {
        if (!dev.wsdebug.wire.Utf8Validator.isValid(p)) {
            return false;
        }
        for (byte b : p) {
            if ((b >= 0 && b < 0x20 && b != '\n' && b != '\r' && b != '\t') || b == 0x7F) {
                return false;
            }
        }
        return true;
    }

    private static String prettyJson(String text) {
        String t = text.trim();
        if (!(t.startsWith("{") || t.startsWith("["))) {
            return null;
        }
        try {
            JsonNode node = JSON.readTree(t);
            return JSON.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            return null;
        }
    }

    private String paint(String ansi, String s) {
        return style.color() ? ansi + s + RESET : s;
    }
}
