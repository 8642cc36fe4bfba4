package dev.wsdebug.cli.connect;

import com.fasterxml.jackson.databind.JsonNode;
import dev.wsdebug.capture.CloseEvent;
import dev.wsdebug.capture.Event;
import dev.wsdebug.capture.EventSink;
import dev.wsdebug.capture.MessageEvent;
import dev.wsdebug.capture.replay.JsonPath;
import dev.wsdebug.capture.replay.JsonValues;
import dev.wsdebug.wire.CloseCodes;
import dev.wsdebug.wire.Direction;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * What {@code connect --expect…} asserts about a session: text messages from the server that must
 * arrive in the order given (a regular expression found in the text, or a value at a JSON path),
 * then, if asked, the close code. Fed the session's events; {@link #met()} completes when every
 * expectation is met, and {@link #firstUnmet} says which one was not.
 */
public final class Expectations implements EventSink {
    /** One expectation on a received text message. */
    private interface OnMessage {
        boolean matches(String text);

        String option();
    }

    private record Regex(String given, Pattern pattern) implements OnMessage {
        @Override
        public boolean matches(String text) {
            Matcher m = pattern.matcher(text);
            return m.find();
        }

        @Override
        public String option() {
            return "--expect '" + given + "'";
        }
    }

    private record AtPath(String given, JsonPath path, JsonNode value) implements OnMessage {
        @Override
        public boolean matches(String text) {
            JsonNode doc = JsonValues.parse(text);
            if (doc == null) {
                return false;
            }
            for (JsonNode n : path.select(doc)) {
                if (JsonValues.same(n, value)) {
                    return true;
                }
            }
            return false;
        }

        @Override
        public String option() {
            return "--expect-json '" + given + "'";
        }
    }

    private final List<OnMessage> messages = new ArrayList<>();
    private final Integer closeCode;
    private final CompletableFuture<Void> met = new CompletableFuture<>();
    private Consumer<String> progress = s -> { };
    /** How many message expectations are met (they are met in order). */
    private int next;
    private long received;
    private String lastText;
    /** Which received text message (counted from 1) met the latest expectation. */
    private long lastMatched;
    private CloseEvent close;

    private Expectations(List<OnMessage> messages, Integer closeCode) {
        this.messages.addAll(messages);
        this.closeCode = closeCode;
        if (messages.isEmpty() && closeCode == null) {
            met.complete(null);
        }
    }

    /**
     * The expectations in the order given: {@code kinds} says for each whether it is a regex
     * ("expect") or a path ("expect-json"), {@code values} the matching text. Throws an
     * IllegalArgumentException with one sentence when one cannot be used.
     */
    public static Expectations of(List<String> kinds, List<String> values, Integer closeCode) {
        List<OnMessage> out = new ArrayList<>();
        for (int i = 0; i < kinds.size(); i++) {
            String v = values.get(i);
            if (kinds.get(i).equals("expect")) {
                try {
                    out.add(new Regex(v, Pattern.compile(v)));
                } catch (PatternSyntaxException e) {
                    throw new IllegalArgumentException("--expect '" + v + "' is not a regular expression: "
                            + e.getDescription() + ".");
                }
            } else {
                int eq = v.indexOf('=');
                if (eq <= 0) {
                    throw new IllegalArgumentException("--expect-json needs PATH=VALUE, e.g. '$.op=pong', not '" + v + "'.");
                }
                try {
                    out.add(new AtPath(v, JsonPath.parse(v.substring(0, eq).trim()), JsonValues.loose(v.substring(eq + 1))));
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("--expect-json: " + e.getMessage());
                }
            }
        }
        if (closeCode != null && (closeCode < 1000 || closeCode > 4999)) {
            throw new IllegalArgumentException("--expect-close " + closeCode + " is not a close code (1000 to 4999).");
        }
        return new Expectations(out, closeCode);
    }

    public boolean any() {
        return !messages.isEmpty() || closeCode != null;
    }

    /** Whether the session should wait for the server to close (an expected close code). */
    public boolean waitsForClose() {
        return closeCode != null;
    }

    /** Where each expectation met is told, as it happens (one line). */
    public Expectations onProgress(Consumer<String> p) {
        this.progress = p;
        return this;
    }

    /** Completes when every expectation is met. */
    public CompletableFuture<Void> met() {
        return met;
    }

    @Override
    public synchronized void accept(Event e) {
        if (e instanceof MessageEvent m && m.dir() == Direction.S2C && m.message().isText()) {
            received++;
            String text = m.message().text();
            lastText = text;
            // one message may meet several expectations in a row (two fields of one reply)
            while (next < messages.size() && messages.get(next).matches(text)) {
                lastMatched = received;
                progress.accept("expect " + (next + 1) + "/" + total() + " met: " + messages.get(next).option()
                        + " by received message " + received);
                next++;
            }
            checkAll();
        } else if (e instanceof CloseEvent c && close == null) {
            close = c;
            if (closeCode != null && next == messages.size() && closeMet()) {
                progress.accept("expect " + total() + "/" + total() + " met: --expect-close " + closeCode);
            }
            checkAll();
        }
    }

    private int total() {
        return messages.size() + (closeCode == null ? 0 : 1);
    }

    private void checkAll() {
        boolean messagesMet = next == messages.size();
        if (messagesMet && (closeCode == null || closeMet())) {
            met.complete(null);
        }
    }

    /**
     * Whether the connection ended with the expected code, the server's doing: a close the client
     * started (when the time was up) carries the client's own code and proves nothing.
     */
    private boolean closeMet() {
        return close != null && !close.initiator().equals("client") && close.code() == closeCode;
    }

    /** The first expectation not met, in one sentence, or null when all are. */
    public synchronized String firstUnmet(double waitedSeconds) {
        String within = String.format(java.util.Locale.ROOT, "within %s s", trim(waitedSeconds));
        if (next < messages.size()) {
            OnMessage o = messages.get(next);
            String after = next == 0 ? "" :  " from received message " + lastMatched + " (which met the one before) on";
            String seen = received == 0 ? "no text message was received"
                    : received + " text message" + (received == 1 ? " was" : "s were") + " received (the last: "
                    + quote(lastText) + ")";
            // a close the client sent is ours, when the time was up: say so rather than blame the close
            String how = close != null && !close.initiator().equals("client")
                    ? "before the connection closed with " + close.code() + " " + close.codeName() : within;
            return "expectation " + (next + 1) + " of " + total() + " not met: no text message" + after + " matched "
                    + o.option() + " " + how + "; " + seen + ".";
        }
        if (closeCode != null && !closeMet()) {
            String got = close == null || close.initiator().equals("client")
                    ? "the server had not closed the connection " + within
                    : "the connection closed with " + close.code() + " " + close.codeName()
                    + (close.onWire() ? "" : " (no close frame)");
            return "expectation " + total() + " of " + total() + " not met: --expect-close " + closeCode + " ("
                    + CloseCodes.name(closeCode) + "), but " + got + ".";
        }
        return null;
    }

    private static String trim(double s) {
        return s == Math.rint(s) ? Long.toString((long) s) : Double.toString(s);
    }

    /** A received text in a sentence: quoted, on one line, at most 80 characters. */
    private static String quote(String s) {
        String t = s.length() > 80 ? s.substring(0, 80) + "…" : s;
        return "'" + t.replace("\n", "\\n") + "'";
    }
}
