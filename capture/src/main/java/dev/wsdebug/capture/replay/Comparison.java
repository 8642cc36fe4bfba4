package dev.wsdebug.capture.replay;

import com.fasterxml.jackson.databind.JsonNode;
import dev.wsdebug.wire.Opcode;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;

/**
 * What a server answered in a replay against what it answered in the recording: the data messages
 * in order, JSON compared by structure (members in any order, numbers by value) with the
 * {@code --ignore} paths left out of both sides, anything else byte for byte; and the close code.
 */
public final class Comparison {
    /**
     * The outcome: counts, one sentence per difference in order, and the first message that
     * differs as each side had it ({@code firstRecorded}/{@code firstReplayed}: "nothing" for a
     * side that lacks it; null when no message differs).
     */
    public record Result(int recorded, int replayed, int same, int different, int missing, int extra,
                         List<String> differences, String firstRecorded, String firstReplayed) {
        public boolean equal() {
            return differences.isEmpty();
        }

        /** One line: the counts. */
        public String summary() {
            return recorded + " server message" + (recorded == 1 ? "" : "s") + " recorded, " + replayed + " replayed: "
                    + same + " the same, " + different + " different, " + missing + " missing, " + extra + " extra";
        }
    }

    private final List<JsonPath> ignore;

    public Comparison(List<JsonPath> ignore) {
        this.ignore = List.copyOf(ignore);
    }

    /**
     * Compares the messages; {@code recordedClose}/{@code replayedClose} are the close codes the
     * server sent (-1 for none: the client closed first, or the connection dropped).
     */
    public Result compare(List<Step> recorded, List<Step> replayed, int recordedClose, int replayedClose) {
        List<String> diffs = new ArrayList<>();
        String firstRecorded = null;
        String firstReplayed = null;
        int same = 0;
        int different = 0;
        int n = Math.max(recorded.size(), replayed.size());
        for (int i = 0; i < n; i++) {
            String which = "server message " + (i + 1);
            Step a = i < recorded.size() ? recorded.get(i) : null;
            Step b = i < replayed.size() ? replayed.get(i) : null;
            String d;
            if (b == null) {
                d = which + " did not come: recorded " + shown(a) + ".";
            } else if (a == null) {
                d = which + " was not in the recording: replayed " + shown(b) + ".";
            } else {
                String how = difference(a, b);
                d = how == null ? null : which + " differs: " + how + ".";
                if (how == null) {
                    same++;
                } else {
                    different++;
                }
            }
            if (d != null) {
                diffs.add(d);
                if (firstRecorded == null) {
                    firstRecorded = a == null ? "nothing" : shown(a, 300);
                    firstReplayed = b == null ? "nothing" : shown(b, 300);
                }
            }
        }
        if (recordedClose != replayedClose) {
            diffs.add("the server closed with " + closeText(replayedClose) + ", in the recording with "
                    + closeText(recordedClose) + ".");
        }
        int missing = Math.max(0, recorded.size() - replayed.size());
        int extra = Math.max(0, replayed.size() - recorded.size());
        return new Result(recorded.size(), replayed.size(), same, different, missing, extra, diffs, firstRecorded,
                firstReplayed);
    }

    /** How the two messages differ in a phrase, or null when they are the same. */
    String difference(Step recorded, Step replayed) {
        if (recorded.opcode() != replayed.opcode()) {
            return "recorded " + shown(recorded) + ", replayed " + shown(replayed);
        }
        if (recorded.opcode() == Opcode.TEXT) {
            JsonNode a = JsonValues.parse(recorded.text());
            JsonNode b = a == null ? null : JsonValues.parse(replayed.text());
            if (a != null && b != null && (a.isContainerNode() || b.isContainerNode())) {
                for (JsonPath p : ignore) {
                    p.remove(a);
                    p.remove(b);
                }
                String at = JsonDiff.first(a, b);
                return at == null ? null : "at " + at;
            }
            return recorded.text().equals(replayed.text()) ? null
                    : "recorded " + shown(recorded) + ", replayed " + shown(replayed);
        }
        byte[] x = recorded.payload();
        byte[] y = replayed.payload();
        int at = Arrays.mismatch(x, y);
        return at < 0 ? null : "binary " + x.length + " B recorded, " + y.length + " B replayed, first different byte at"
                + " offset " + at;
    }

    /** A message in a sentence: its kind and a short form of its content. */
    static String shown(Step s) {
        return shown(s, 60);
    }

    private static String shown(Step s, int max) {
        if (s.opcode() == Opcode.TEXT) {
            String t = s.text();
            return "text '" + (t.length() > max ? t.substring(0, max) + "…" : t).replace("\n", "\\n") + "'";
        }
        byte[] p = s.payload();
        String hex = HexFormat.of().formatHex(p, 0, Math.min(p.length, 16));
        return "binary " + p.length + " B (" + hex + (p.length > 16 ? "…" : "") + ")";
    }

    private static String closeText(int code) {
        return code < 0 ? "no close frame of its own" : Integer.toString(code);
    }
}
