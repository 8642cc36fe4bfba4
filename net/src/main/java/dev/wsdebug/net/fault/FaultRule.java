package dev.wsdebug.net.fault;

import dev.wsdebug.wire.CloseCodes;
import dev.wsdebug.wire.Direction;
import dev.wsdebug.wire.Opcode;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * One fault rule of {@code wsdebug proxy --fault}: whitespace-separated tokens, any matchers plus
 * exactly one action, for example {@code dir=s2c after=3 close=4002:bye}.
 *
 * <p>Matchers (all must hold): {@code dir=c2s|s2c}, {@code type=text|binary|ping|pong|close}
 * (comma-separated for several), {@code match=REGEX} (found in the payload as text),
 * {@code path=GLOB} (path of the upgrade request; {@code *} stays within a segment, {@code **}
 * crosses them, {@code ?} is one character), {@code after=N} (at least N earlier data messages in
 * the same direction), {@code after-s=T} (at least T seconds since the upgrade) and {@code p=P}
 * (probability, checked last). Without {@code type=} a rule matches data messages only; control
 * frames are matched when {@code type=} names them ({@code no-pong} implies {@code type=pong}).
 *
 * <p>Actions: {@code delay=MS}, {@code drop}, {@code duplicate}, {@code close=CODE[:REASON]}
 * (with {@code to=client|server|both}, default both), {@code reset}, {@code blackhole},
 * {@code no-pong}, {@code throttle=BYTES/S}, {@code fragment=BYTES}, {@code replace=REGEX=>TEXT}
 * (TEXT is literal), and two that act on the whole connection rather than on a message:
 * {@code idle-timeout=SECONDS} and {@code strip-upgrade} (only {@code path=} and {@code p=} go with
 * them; {@code p=} is drawn once per connection). A value may be quoted with ' or " to hold spaces.
 *
 * <p>{@link #parse} rejects a malformed rule with one sentence naming the bad token.
 */
public final class FaultRule {
    /** What a matching rule does to the message or control frame. */
    public enum Action {
        DELAY("delay"), DROP("drop"), DUPLICATE("duplicate"), CLOSE("close"), RESET("reset"),
        BLACKHOLE("blackhole"), NO_PONG("no-pong"), THROTTLE("throttle"), FRAGMENT("fragment"),
        REPLACE("replace"), IDLE_TIMEOUT("idle-timeout"), STRIP_UPGRADE("strip-upgrade");

        private final String token;

        Action(String token) {
            this.token = token;
        }

        public String token() {
            return token;
        }

        /**
         * Whether the action concerns the whole connection (its upgrade request, its silences)
         * rather than a message: such a rule never matches a message or control frame.
         */
        public boolean perConnection() {
            return this == IDLE_TIMEOUT || this == STRIP_UPGRADE;
        }

        /** Whether the action ends the connection (so it may also fire on a timer). */
        public boolean endsConnection() {
            return this == CLOSE || this == RESET || this == BLACKHOLE;
        }

        static Action of(String key) {
            for (Action a : values()) {
                if (a.token.equals(key)) {
                    return a;
                }
            }
            return null;
        }
    }

    /** Which side(s) a {@code close=} action sends its close frame to. */
    public enum Target { CLIENT, SERVER, BOTH }

    private static final String HELP = "matchers dir=, type=, match=, path=, after=, after-s=, p= and one action:"
            + " delay=MS, drop, duplicate, close=CODE[:REASON], reset, blackhole, no-pong, throttle=BYTES/S,"
            + " fragment=BYTES, replace=REGEX=>TEXT, idle-timeout=SECONDS, strip-upgrade";
    private static final Set<String> MATCHERS = Set.of("dir", "type", "match", "path", "after", "after-s", "p", "to");
    private static final Set<Action> VALUELESS = Set.of(Action.DROP, Action.DUPLICATE, Action.RESET,
            Action.BLACKHOLE, Action.NO_PONG, Action.STRIP_UPGRADE);

    private final String text;
    private Direction dir;
    private Set<Integer> types;
    private Pattern match;
    private String pathGlob;
    private Pattern path;
    private long after = -1;
    private double afterSeconds = -1;
    private double probability = 1;
    private boolean hasProbability;
    private Action action;
    private long delayMillis;
    private int closeCode;
    private String closeReason = "";
    private Target to = Target.BOTH;
    private boolean hasTo;
    private long bytesPerSecond;
    private int fragmentSize;
    private Pattern replaceFrom;
    private String replaceTo;
    private double idleSeconds;

    private FaultRule(String text) {
        this.text = text;
    }

    /**
     * Parses one rule.
     *
     * @throws IllegalArgumentException with one sentence naming the bad token
     */
    public static FaultRule parse(String rule) {
        String text = rule == null ? "" : rule.trim();
        FaultRule r = new FaultRule(text);
        List<String> tokens = tokenize(text);
        if (tokens.isEmpty()) {
            throw new IllegalArgumentException("The fault rule is empty; it needs one action, such as drop or delay=300.");
        }
        Set<String> seen = new LinkedHashSet<>();
        for (String token : tokens) {
            r.token(token, seen);
        }
        if (r.action == null) {
            throw new IllegalArgumentException("The fault rule '" + text + "' has no action; it needs exactly one of "
                    + "delay=MS, drop, duplicate, close=CODE[:REASON], reset, blackhole, no-pong, throttle=BYTES/S,"
                    + " fragment=BYTES, replace=REGEX=>TEXT, idle-timeout=SECONDS, strip-upgrade.");
        }
        r.checkCombination(tokens);
        return r;
    }

    private void token(String token, Set<String> seen) {
        int eq = token.indexOf('=');
        String key = (eq < 0 ? token : token.substring(0, eq)).toLowerCase(Locale.ROOT);
        String value = eq < 0 ? null : unquote(token.substring(eq + 1));
        Action a = Action.of(key);
        if (a == null && !MATCHERS.contains(key)) {
            throw bad(token, "is not a matcher or an action; a rule takes " + HELP + ".");
        }
        if (a != null && action != null) {
            throw bad(token, "is a second action (the rule already has " + action.token() + "); a rule has exactly one.");
        }
        if (a == null && !seen.add(key)) {
            throw bad(token, "repeats " + key + "=; give each matcher once.");
        }
        if (a != null && VALUELESS.contains(a)) {
            if (value != null) {
                throw bad(token, a.token() + " takes no value.");
            }
        } else if (value == null || value.isEmpty()) {
            throw bad(token, "needs a value: " + key + "=" + placeholder(key) + ".");
        }
        if (a != null) {
            action = a;
            action(token, a, value);
            return;
        }
        switch (key) {
            case "dir" -> {
                dir = Direction.fromId(value);
                if (dir == null) {
                    throw bad(token, "names no direction; dir is c2s (client to server) or s2c (server to client).");
                }
            }
            case "type" -> {
                types = new LinkedHashSet<>();
                for (String t : value.split(",", -1)) {
                    int op = Opcode.fromName(t.trim());
                    if (!(Opcode.isData(op) || op == Opcode.PING || op == Opcode.PONG || op == Opcode.CLOSE)) {
                        throw bad(token, "names no message type; type is text, binary, ping, pong or close"
                                + " (comma-separated for several).");
                    }
                    types.add(op);
                }
            }
            case "match" -> match = regex(token, value);
            case "path" -> {
                if (!value.startsWith("/") && !value.startsWith("*")) {
                    throw bad(token, "is not a path glob; it starts with / (or *), like path=/chat/*.");
                }
                pathGlob = value;
                path = glob(value);
            }
            case "after" -> after = longValue(token, value, 0, "a count of messages (0 or more)");
            case "after-s" -> afterSeconds = doubleValue(token, value, 0, Double.MAX_VALUE, "a number of seconds (0 or more)");
            case "p" -> {
                probability = doubleValue(token, value, 0, 1, "a probability from 0 to 1");
                hasProbability = true;
            }
            case "to" -> {
                try {
                    to = Target.valueOf(value.toUpperCase(Locale.ROOT));
                } catch (IllegalArgumentException e) {
                    throw bad(token, "names no side; to is client, server or both.");
                }
                hasTo = true;
            }
            default -> throw new IllegalStateException(key);
        }
    }

    private void action(String token, Action a, String value) {
        switch (a) {
            case DELAY -> delayMillis = longValue(token, value, 0, "a number of milliseconds (0 or more)");
            case THROTTLE -> {
                String v = value.toLowerCase(Locale.ROOT);
                if (v.endsWith("/s")) {
                    v = v.substring(0, v.length() - 2);
                }
                long unit = 1;
                if (v.endsWith("k")) {
                    unit = 1024;
                    v = v.substring(0, v.length() - 1);
                } else if (v.endsWith("m")) {
                    unit = 1024 * 1024;
                    v = v.substring(0, v.length() - 1);
                }
                bytesPerSecond = longValue(token, v, 1, "a rate in bytes per second, such as 1000, 64k or 1m/s") * unit;
            }
            case FRAGMENT -> fragmentSize = (int) longValue(token, value, 1, "a frame size in bytes (1 or more)");
            case IDLE_TIMEOUT -> {
                idleSeconds = doubleValue(token, value, 0, 1e6, "a number of seconds above 0, such as 60 or 1.5");
                if (idleSeconds == 0) {
                    throw bad(token, "needs a number of seconds above 0, such as 60 or 1.5, not '" + value + "'.");
                }
            }
            case CLOSE -> {
                int colon = value.indexOf(':');
                String code = colon < 0 ? value : value.substring(0, colon);
                closeCode = (int) longValue(token, code, 0, "a close code such as 1000 or 4002, optionally :REASON");
                if (!CloseCodes.isValidOnWire(closeCode)) {
                    throw bad(token, "has close code " + closeCode + ", which a close frame must not carry;"
                            + " use 1000-1003, 1007-1014 or 3000-4999.");
                }
                closeReason = colon < 0 ? "" : value.substring(colon + 1);
                if (closeReason.getBytes(StandardCharsets.UTF_8).length > 123) {
                    throw bad(token, "has a close reason longer than the 123 bytes a close frame can carry.");
                }
            }
            case REPLACE -> {
                int arrow = value.indexOf("=>");
                if (arrow <= 0) {
                    throw bad(token, "needs REGEX=>TEXT, such as replace=secret=>***.");
                }
                replaceFrom = regex(token, value.substring(0, arrow));
                replaceTo = value.substring(arrow + 2);
            }
            default -> {
                // valueless actions have nothing more to read
            }
        }
    }

    /** Checks that the matchers fit the action; the tokens are only for the sentence. */
    private void checkCombination(List<String> tokens) {
        if (action.perConnection()) {
            // these act once per connection, before or between messages: a message matcher has nothing to select
            for (String key : List.of("dir=", "type=", "match=", "after=", "after-s=")) {
                String t = find(tokens, key);
                if (!t.equals(key)) {
                    throw bad(t, "cannot go with " + action.token() + ", which acts on the whole connection;"
                            + " only path= and p= select where it applies.");
                }
            }
        }
        if (hasTo && action != Action.CLOSE) {
            throw bad(find(tokens, "to="), "only goes with close=; other actions have no target side.");
        }
        if (types != null) {
            boolean control = types.stream().anyMatch(Opcode::isControl);
            boolean data = types.stream().anyMatch(Opcode::isData);
            if (action == Action.NO_PONG && (data || !types.equals(Set.of(Opcode.PONG)))) {
                throw bad(find(tokens, "type="), "cannot go with no-pong, which only swallows pongs.");
            }
            if (action == Action.REPLACE && (control || types.contains(Opcode.BINARY))) {
                throw bad(find(tokens, "type="), "cannot go with replace, which only rewrites text messages.");
            }
            if (action == Action.FRAGMENT && control) {
                throw bad(find(tokens, "type="), "cannot go with fragment: control frames must not be fragmented.");
            }
        }
    }

    private static String find(List<String> tokens, String prefix) {
        for (String t : tokens) {
            if (t.toLowerCase(Locale.ROOT).startsWith(prefix)) {
                return t;
            }
        }
        return prefix;
    }

    private IllegalArgumentException bad(String token, String why) {
        return new IllegalArgumentException("Token '" + token + "' in fault rule '" + text + "' " + why);
    }

    private static String placeholder(String key) {
        return switch (key) {
            case "dir" -> "c2s|s2c";
            case "type" -> "text|binary|ping|pong|close";
            case "match" -> "REGEX";
            case "path" -> "GLOB";
            case "after" -> "N";
            case "after-s" -> "SECONDS";
            case "p" -> "PROBABILITY";
            case "to" -> "client|server|both";
            case "delay" -> "MS";
            case "close" -> "CODE[:REASON]";
            case "throttle" -> "BYTES/S";
            case "fragment" -> "BYTES";
            case "replace" -> "REGEX=>TEXT";
            case "idle-timeout" -> "SECONDS";
            default -> "VALUE";
        };
    }

    private Pattern regex(String token, String value) {
        try {
            return Pattern.compile(value);
        } catch (PatternSyntaxException e) {
            throw bad(token, "has a regular expression that does not compile: " + e.getDescription()
                    + (e.getIndex() >= 0 ? " near index " + e.getIndex() : "") + ".");
        }
    }

    private long longValue(String token, String value, long min, String what) {
        try {
            long v = Long.parseLong(value);
            if (v >= min && value.matches("\\d+")) {
                return v;
            }
        } catch (NumberFormatException e) {
            // the sentence below
        }
        throw bad(token, "needs " + what + ", not '" + value + "'.");
    }

    private double doubleValue(String token, String value, double min, double max, String what) {
        try {
            double v = Double.parseDouble(value);
            if (v >= min && v <= max && value.matches("[0-9.]+([eE][-+]?\\d+)?")) {
                return v;
            }
        } catch (NumberFormatException e) {
            // the sentence below
        }
        throw bad(token, "needs " + what + ", not '" + value + "'.");
    }

    /** Splits on whitespace outside quotes; quotes stay in the token (unquote removes them). */
    static List<String> tokenize(String text) {
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        char quote = 0;
        boolean inToken = false;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (quote != 0) {
                cur.append(c);
                if (c == quote) {
                    quote = 0;
                }
            } else if (Character.isWhitespace(c)) {
                if (inToken) {
                    out.add(cur.toString());
                    cur.setLength(0);
                    inToken = false;
                }
            } else {
                if (c == '\'' || c == '"') {
                    quote = c;
                }
                cur.append(c);
                inToken = true;
            }
        }
        if (quote != 0) {
            throw new IllegalArgumentException("Token '" + cur + "' in fault rule '" + text + "' opens a " + quote
                    + " quote that never closes.");
        }
        if (inToken) {
            out.add(cur.toString());
        }
        return out;
    }

    /** Removes quotes around the whole value or parts of it: 'a b' and a' 'b both read a b. */
    private static String unquote(String v) {
        if (v.indexOf('\'') < 0 && v.indexOf('"') < 0) {
            return v;
        }
        StringBuilder out = new StringBuilder();
        char quote = 0;
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            if (quote == 0 && (c == '\'' || c == '"')) {
                quote = c;
            } else if (c == quote) {
                quote = 0;
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    /** A path glob as a regex: ** any characters, * any but '/', ? one but '/'. */
    static Pattern glob(String glob) {
        StringBuilder re = new StringBuilder();
        for (int i = 0; i < glob.length(); i++) {
            char c = glob.charAt(i);
            if (c == '*' && i + 1 < glob.length() && glob.charAt(i + 1) == '*') {
                re.append(".*");
                i++;
            } else if (c == '*') {
                re.append("[^/]*");
            } else if (c == '?') {
                re.append("[^/]");
            } else {
                re.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return Pattern.compile(re.toString());
    }

    // ---- matching ---------------------------------------------------------------------------

    /** Whether the rule can apply on a connection whose upgrade request had this path (query excluded). */
    public boolean matchesPath(String requestPath) {
        return path == null || path.matcher(requestPath == null ? "/" : requestPath).matches();
    }

    /**
     * Whether the rule fires for one data message or control frame. The probability is drawn last,
     * only when everything else matched.
     *
     * @param opcode  the message's opcode (text or binary) or the control frame's
     * @param earlier data messages seen in this direction before this one
     * @param seconds since the upgrade
     * @param payload the payload as text (malformed UTF-8 replaced), computed only when needed
     */
    public boolean matches(Direction d, int opcode, long earlier, double seconds, Supplier<String> payload,
                           RandomGenerator random) {
        if (action.perConnection() || dir != null && d != dir) {
            return false;
        }
        if (action == Action.NO_PONG) {
            if (opcode != Opcode.PONG) {
                return false;
            }
        } else if (types == null ? !Opcode.isData(opcode) : !types.contains(opcode)) {
            return false;
        }
        if ((action == Action.REPLACE && opcode != Opcode.TEXT) || (action == Action.FRAGMENT && !Opcode.isData(opcode))) {
            return false;
        }
        if (earlier < after || seconds < afterSeconds) {
            return false;
        }
        if (match != null || action == Action.REPLACE) {
            String s = payload.get();
            if (match != null && !match.matcher(s).find()) {
                return false;
            }
            if (action == Action.REPLACE && !replaceFrom.matcher(s).find()) {
                return false;
            }
        }
        return fires(random);
    }

    /** The probability draw alone: true with probability p (never for 0, always for 1). */
    public boolean fires(RandomGenerator random) {
        return !hasProbability || probability >= 1 || (probability > 0 && random.nextDouble() < probability);
    }

    /**
     * A rule that ends the connection at a point in time rather than on a message: {@code after-s}
     * with close, reset or blackhole, and no matcher that needs a message (type, match, after, dir).
     */
    public boolean isTimer() {
        return action.endsConnection() && afterSeconds >= 0 && types == null && match == null && after < 0 && dir == null;
    }

    /** The text with every match of the replace regex replaced (literally) by the replacement. */
    public String rewrite(String s) {
        return replaceFrom.matcher(s).replaceAll(Matcher.quoteReplacement(replaceTo));
    }

    public Action action() {
        return action;
    }

    public Direction dir() {
        return dir;
    }

    public long delayMillis() {
        return delayMillis;
    }

    public int closeCode() {
        return closeCode;
    }

    public String closeReason() {
        return closeReason;
    }

    public Target to() {
        return to;
    }

    public long bytesPerSecond() {
        return bytesPerSecond;
    }

    public int fragmentSize() {
        return fragmentSize;
    }

    /** The silence, in seconds, after which {@code idle-timeout} drops the connection. */
    public double idleSeconds() {
        return idleSeconds;
    }

    public double afterSeconds() {
        return afterSeconds;
    }

    public String pathGlob() {
        return pathGlob;
    }

    /** The rule as written. */
    @Override
    public String toString() {
        return text;
    }
}
