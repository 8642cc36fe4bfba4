package dev.wsdebug.net.fault;

import dev.wsdebug.wire.Direction;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;

/**
 * The fault rules of a proxy, in the order given: for each data message or control frame the
 * first rule that matches decides what happens to it; nothing matching means it passes unchanged.
 */
public final class FaultPlan {
    private final List<FaultRule> rules;

    public FaultPlan(List<FaultRule> rules) {
        this.rules = List.copyOf(rules);
    }

    /**
     * Parses rules given one per string (as on the command line).
     *
     * @throws IllegalArgumentException with the sentence of the first malformed rule
     */
    public static FaultPlan parse(List<String> rules) {
        List<FaultRule> out = new ArrayList<>();
        for (String r : rules) {
            out.add(FaultRule.parse(r));
        }
        return new FaultPlan(out);
    }

    /**
     * The rules of a file: one a line; blank lines and lines starting with # are ignored.
     *
     * @throws IllegalArgumentException naming the file and line of the first malformed rule
     */
    public static List<FaultRule> readFile(Path file) throws IOException {
        List<FaultRule> out = new ArrayList<>();
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            try {
                out.add(FaultRule.parse(line));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(file + " line " + (i + 1) + ": " + e.getMessage(), e);
            }
        }
        return out;
    }

    public List<FaultRule> rules() {
        return rules;
    }

    public boolean isEmpty() {
        return rules.isEmpty();
    }

    /** The rules that can apply on a connection to this path, or null when none can. */
    public FaultPlan forPath(String path) {
        List<FaultRule> out = new ArrayList<>();
        for (FaultRule r : rules) {
            if (r.matchesPath(path)) {
                out.add(r);
            }
        }
        return out.isEmpty() ? null : out.size() == rules.size() ? this : new FaultPlan(out);
    }

    /**
     * The first rule with this action, or null: for the actions that concern the whole connection
     * ({@code idle-timeout}, {@code strip-upgrade}), where the first such rule is the one that applies.
     */
    public FaultRule first(FaultRule.Action action) {
        for (FaultRule r : rules) {
            if (r.action() == action) {
                return r;
            }
        }
        return null;
    }

    /** The first rule matching this message or control frame, or null (see {@link FaultRule#matches}). */
    public FaultRule match(Direction d, int opcode, long earlier, double seconds, Supplier<String> payload,
                           RandomGenerator random) {
        for (FaultRule r : rules) {
            if (r.matches(d, opcode, earlier, seconds, payload, random)) {
                return r;
            }
        }
        return null;
    }
}
