package dev.wsdebug.capture.replay;

import com.fasterxml.jackson.databind.JsonNode;
import dev.wsdebug.wire.Direction;
import dev.wsdebug.wire.Opcode;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.IntPredicate;

/**
 * One client's conversation with a mock: which recorded client messages have been answered, and for
 * each new client message the recorded reply of the best match. Not thread-safe: one per connection,
 * used from that connection's thread.
 */
public final class MockSession {
    private final MockPlan plan;
    private final List<JsonPath> ignore;
    /** The recorded client messages as JSON with the ignored paths left out, null where not a JSON object or array. */
    private final JsonNode[] json;
    /** What the order fallback compares: binary, text, or a JSON object's member names. */
    private final String[] kinds;
    private final boolean[] answered;
    private int received;

    MockSession(MockPlan plan, List<JsonPath> ignore) {
        this.plan = plan;
        this.ignore = ignore;
        int n = plan.prompts().size();
        json = new JsonNode[n];
        kinds = new String[n];
        answered = new boolean[n];
        for (int i = 0; i < n; i++) {
            Step s = plan.prompts().get(i).client();
            json[i] = s.opcode() == Opcode.TEXT ? normalized(s.text()) : null;
            kinds[i] = kind(s.opcode(), json[i]);
        }
    }

    /** The recorded connection this client gets. */
    public String conn() {
        return plan.source().conn();
    }

    /** What the server sent before the client's first message, offsets from the handshake. */
    public List<Step> opening() {
        return plan.opening();
    }

    /**
     * The answer to the client's next message: the exact same bytes not answered yet, else the same
     * JSON (ignored paths left out) not answered yet, else the same as one answered before (its reply
     * again, as a server answers a repeated request), else the next unanswered recorded message of the
     * same kind, else nothing.
     */
    public MockAnswer answer(int opcode, byte[] payload) {
        received++;
        JsonNode value = opcode == Opcode.TEXT ? normalized(new String(payload, StandardCharsets.UTF_8)) : null;
        IntPredicate exact = k -> sameBytes(k, opcode, payload);
        IntPredicate sameJson = k -> value != null && json[k] != null && JsonValues.same(value, json[k]);
        int k = first(k2 -> !answered[k2] && exact.test(k2));
        if (k >= 0) {
            return use(k, MockAnswer.Match.EXACT, null);
        }
        k = first(k2 -> !answered[k2] && sameJson.test(k2));
        if (k >= 0) {
            return use(k, MockAnswer.Match.JSON, null);
        }
        k = first(k2 -> answered[k2] && (exact.test(k2) || sameJson.test(k2)));
        if (k >= 0) {
            return use(k, MockAnswer.Match.REPEAT, null);
        }
        String kind = kind(opcode, value);
        Step got = new Step(Direction.C2S, 0, opcode, payload, true, -1, null);
        k = first(k2 -> !answered[k2] && kinds[k2].equals(kind));
        if (k >= 0) {
            return use(k, MockAnswer.Match.ORDER, "Client message " + received + " (" + Comparison.shown(got)
                    + ") is not in the recording; it got the reply to recorded client message " + (k + 1) + " ("
                    + Comparison.shown(plan.prompts().get(k).client()) + "), the next of its kind.");
        }
        return new MockAnswer(MockAnswer.Match.NONE, 0, List.of(), "Client message " + received + " ("
                + Comparison.shown(got) + ") matches nothing left in recorded connection " + conn() + "; no reply.");
    }

    private MockAnswer use(int k, MockAnswer.Match how, String notice) {
        answered[k] = true;
        return new MockAnswer(how, k + 1, plan.prompts().get(k).replies(), notice);
    }

    private int first(IntPredicate p) {
        for (int k = 0; k < answered.length; k++) {
            if (p.test(k)) {
                return k;
            }
        }
        return -1;
    }

    private boolean sameBytes(int k, int opcode, byte[] payload) {
        Step s = plan.prompts().get(k).client();
        return s.opcode() == opcode && Arrays.equals(s.payload(), payload);
    }

    /** The text as a JSON object or array without the ignored paths, or null. */
    private JsonNode normalized(String text) {
        JsonNode n = JsonValues.parse(text);
        if (n == null || !n.isContainerNode()) {
            return null;
        }
        for (JsonPath p : ignore) {
            p.remove(n);
        }
        return n;
    }

    /**
     * A message's kind for the order fallback: a guess may pair messages whose values differ, never a
     * JSON request with one of another shape (other member names), text with binary, or JSON with plain text.
     */
    private static String kind(int opcode, JsonNode value) {
        if (opcode != Opcode.TEXT) {
            return "binary";
        }
        if (value == null) {
            return "text";
        }
        if (!value.isObject()) {
            return "array";
        }
        List<String> names = new ArrayList<>();
        value.fieldNames().forEachRemaining(names::add);
        names.sort(null);
        return "object " + names;
    }
}
