package dev.wsdebug.capture;

import dev.wsdebug.wire.Direction;
import dev.wsdebug.wire.Frame;
import dev.wsdebug.wire.Message;
import dev.wsdebug.wire.Opcode;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Which events to show: whitespace-separated {@code key=value} terms that must all match.
 *
 * <table>
 * <caption>keys</caption>
 * <tr><td>{@code conn=ID[,ID…]}</td><td>the connection id is one of these</td></tr>
 * <tr><td>{@code dir=c2s|s2c}</td><td>frames and messages sent that way</td></tr>
 * <tr><td>{@code type=T[,T…]}</td><td>frames and messages of an opcode name (text, binary, continuation,
 *     ping, pong, close, reserved-0xN) or of a group ({@code data}, {@code control}); {@code close}
 *     also matches close events; {@code handshake}, {@code error} and {@code http} (plain HTTP
 *     exchanges) match those events</td></tr>
 * <tr><td>{@code text=SUBSTRING}</td><td>text messages whose payload contains it (case-sensitive)</td></tr>
 * <tr><td>{@code match=REGEX}</td><td>text messages whose payload contains a match of the Java regex</td></tr>
 * <tr><td>{@code code=N[,N…]}</td><td>close frames and close events with one of these codes</td></tr>
 * <tr><td>{@code proto=NAME[,NAME…]}</td><td>messages decoded as one of these application protocols</td></tr>
 * <tr><td>{@code event=}, {@code destination=}, {@code method=}, {@code op=}</td><td>decoded messages with
 *     this Socket.IO event, STOMP destination, JSON-RPC method or protocol message type</td></tr>
 * <tr><td>{@code topic=GLOB}</td><td>decoded messages with an MQTT (or WAMP) topic matching it ({@code +} one level,
 *     {@code #} the rest, {@code *} within a level)</td></tr>
 * </table>
 *
 * <p>Events that concern the whole connection (handshake, close, error, http) have no direction, so a
 * {@code dir} term lets them pass; they pass {@code conn} when the id matches; they pass a
 * {@code type} term only when it names them (and {@code code} for close events); {@code text} and
 * {@code match} select message payloads, so those events never pass them. In short: such an event
 * is shown unless the filter names something it cannot match. A value may be quoted,
 * {@code text="two words"} or {@code text='two words'}; a key may repeat (both must match).
 */
public final class EventFilter implements Predicate<Event> {
    /** Lets every event through. */
    public static final EventFilter ALL = new EventFilter(List.of(), "");

    private static final String KEYS = "conn, dir, type, text, match, code, proto, event, topic, destination, method, op";
    private static final Set<String> GROUPS = Set.of("data", "control", "handshake", "error", "http", "flow");

    private final List<Predicate<Event>> terms;
    private final String source;

    private EventFilter(List<Predicate<Event>> terms, String source) {
        this.terms = terms;
        this.source = source;
    }

    /**
     * Parses a filter expression; blank means everything.
     *
     * @throws IllegalArgumentException one sentence naming the bad term
     */
    public static EventFilter parse(String expression) {
        List<Predicate<Event>> terms = new ArrayList<>();
        for (String token : tokens(expression)) {
            terms.add(term(token));
        }
        return new EventFilter(List.copyOf(terms), expression.strip());
    }

    /** All of these expressions at once (each given by its own option, say). */
    public static EventFilter parse(List<String> expressions) {
        return parse(String.join(" ", expressions));
    }

    /** True when the filter has no term and lets everything through. */
    public boolean isEmpty() {
        return terms.isEmpty();
    }

    @Override
    public boolean test(Event e) {
        for (Predicate<Event> t : terms) {
            if (!t.test(e)) {
                return false;
            }
        }
        return true;
    }

    /** A sink that passes the matching events on to {@code next} (raw chunks and the rest unchanged). */
    public EventSink sink(EventSink next) {
        if (isEmpty()) {
            return next;
        }
        return new EventSink() {
            @Override
            public void accept(Event event) {
                if (test(event)) {
                    next.accept(event);
                }
            }

            @Override
            public void chunk(String conn, Direction dir, long timeMicros, byte[] b, int off, int len) {
                next.chunk(conn, dir, timeMicros, b, off, len);
            }

            @Override
            public void ended(String conn, long timeMicros) {
                next.ended(conn, timeMicros);
            }

            @Override
            public void flush() {
                next.flush();
            }

            @Override
            public void close() {
                next.close();
            }
        };
    }

    @Override
    public String toString() {
        return source;
    }

    // ---- parsing -----------------------------------------------------------------------------

    /** Splits on whitespace outside quotes and removes the quotes. */
    private static List<String> tokens(String s) {
        List<String> out = new ArrayList<>();
        StringBuilder cur = null;
        char quote = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (quote != 0) {
                if (c == quote) {
                    quote = 0;
                } else {
                    cur.append(c);
                }
            } else if (Character.isWhitespace(c)) {
                if (cur != null) {
                    out.add(cur.toString());
                    cur = null;
                }
            } else {
                if (cur == null) {
                    cur = new StringBuilder();
                }
                if (c == '"' || c == '\'') {
                    quote = c;
                } else {
                    cur.append(c);
                }
            }
        }
        if (quote != 0) {
            throw new IllegalArgumentException("Bad filter: the quote (" + quote + ") in '" + s.strip() + "' is not closed.");
        }
        if (cur != null) {
            out.add(cur.toString());
        }
        return out;
    }

    private static Predicate<Event> term(String token) {
        int eq = token.indexOf('=');
        if (eq <= 0) {
            throw bad(token, "terms are key=value with a key among " + KEYS);
        }
        String key = token.substring(0, eq).toLowerCase(Locale.ROOT);
        String value = token.substring(eq + 1);
        if (value.isEmpty()) {
            throw bad(token, key + " needs a value");
        }
        return switch (key) {
            case "conn" -> {
                Set<String> ids = list(value);
                yield e -> e.conn() != null && ids.contains(e.conn());
            }
            case "dir" -> dir(token, value);
            case "type" -> type(token, value);
            case "text" -> e -> {
                String t = text(e);
                return t != null && t.contains(value);
            };
            case "match" -> {
                Pattern p;
                try {
                    p = Pattern.compile(value);
                } catch (PatternSyntaxException x) {
                    throw bad(token, "not a valid regular expression (" + x.getDescription() + " near index "
                            + x.getIndex() + ")");
                }
                yield e -> {
                    String t = text(e);
                    return t != null && p.matcher(t).find();
                };
            }
            case "code" -> code(token, value);
            case "proto" -> {
                Set<String> names = list(value.toLowerCase(Locale.ROOT));
                // a protocol carried inside another (STOMP in SockJS frames) counts as the message's too
                yield e -> e instanceof MessageEvent m && m.decoded() != null && (names.contains(m.decoded().protocol())
                        || names.contains(m.decoded().facets().get(dev.wsdebug.capture.decode.Facets.CARRIES)));
            }
            case "event", "destination", "method", "op" -> facet(key, value);
            case "topic" -> topic(value);
            default -> throw bad(token, "unknown key '" + key + "'; keys are " + KEYS);
        };
    }

    /** Messages whose decoded facet has one of these values (exact; several comma-separated). */
    private static Predicate<Event> facet(String key, String value) {
        Set<String> wanted = list(value);
        return e -> {
            String v = e instanceof MessageEvent m && m.decoded() != null ? m.decoded().facets().get(key) : null;
            return v != null && wanted.contains(v);
        };
    }

    /** MQTT-style topics: {@code +} one level, {@code #} the rest; also {@code *} anywhere as in a glob. */
    private static Predicate<Event> topic(String glob) {
        String[] levels = glob.split("/", -1);
        StringBuilder re = new StringBuilder();
        for (int i = 0; i < levels.length; i++) {
            String level = levels[i];
            if (level.equals("#")) {
                re.append(i == 0 ? ".*" : "(/.*)?"); // the parent level and everything under it
                break;
            }
            if (i > 0) {
                re.append('/');
            }
            if (level.equals("+")) {
                re.append("[^/]*");
            } else {
                re.append(java.util.Arrays.stream(level.split("\\*", -1)).map(Pattern::quote)
                        .collect(java.util.stream.Collectors.joining("[^/]*")));
            }
        }
        Pattern p = Pattern.compile(re.toString());
        return e -> {
            String v = e instanceof MessageEvent m && m.decoded() != null ? m.decoded().facets().get(dev.wsdebug.capture.decode.Facets.TOPIC) : null;
            return v != null && p.matcher(v).matches();
        };
    }

    private static Predicate<Event> dir(String token, String value) {
        Set<Direction> dirs = new LinkedHashSet<>();
        for (String v : list(value)) {
            Direction d = Direction.fromId(v);
            if (d == null) {
                throw bad(token, "dir is c2s or s2c");
            }
            dirs.add(d);
        }
        return e -> {
            if (e instanceof FrameEvent f) {
                return dirs.contains(f.dir());
            }
            if (e instanceof MessageEvent m) {
                return dirs.contains(m.dir());
            }
            if (e instanceof FlowEvent f) {
                return dirs.contains(f.dir());
            }
            return true; // handshake, close, error, http: the whole connection, both directions
        };
    }

    private static Predicate<Event> type(String token, String value) {
        Set<String> types = new LinkedHashSet<>();
        for (String v : list(value)) {
            String t = v.toLowerCase(Locale.ROOT);
            if (Opcode.fromName(t) < 0 && !GROUPS.contains(t)) {
                throw bad(token, "type is one of text, binary, continuation, ping, pong, close, reserved-0xN,"
                        + " data, control, handshake, error, http, flow");
            }
            types.add(Opcode.fromName(t) >= 0 ? Opcode.name(Opcode.fromName(t)) : t);
        }
        return e -> {
            if (e instanceof FrameEvent fe) {
                Frame f = fe.frame();
                return types.contains(f.type()) || types.contains(f.isControl() ? "control" : "data");
            }
            if (e instanceof MessageEvent m) {
                return types.contains(m.message().type()) || types.contains("data");
            }
            if (e instanceof CloseEvent) {
                return types.contains("close");
            }
            return types.contains(e.name()); // handshake, error, http, flow
        };
    }

    private static Predicate<Event> code(String token, String value) {
        Set<Integer> codes = new LinkedHashSet<>();
        for (String v : list(value)) {
            try {
                codes.add(Integer.parseInt(v));
            } catch (NumberFormatException x) {
                throw bad(token, "code is a close code such as 1000");
            }
        }
        return e -> {
            if (e instanceof FrameEvent f) {
                return f.frame().opcode() == Opcode.CLOSE && codes.contains(f.frame().closeCode());
            }
            return e instanceof CloseEvent c && codes.contains(c.code());
        };
    }

    /** The payload of a text message, else null. */
    private static String text(Event e) {
        if (e instanceof MessageEvent m) {
            Message msg = m.message();
            return msg.isText() ? msg.text() : null;
        }
        return null;
    }

    private static Set<String> list(String value) {
        Set<String> out = new LinkedHashSet<>();
        for (String v : value.split(",")) {
            if (!v.isEmpty()) {
                out.add(v);
            }
        }
        return out;
    }

    private static IllegalArgumentException bad(String token, String why) {
        return new IllegalArgumentException("Bad filter term '" + token + "': " + why + ".");
    }
}
