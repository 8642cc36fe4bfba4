package dev.wsdebug.analysis;

import dev.wsdebug.capture.EventSink;
import dev.wsdebug.capture.FindingEvent;

import java.util.ArrayList;
import java.util.List;

/** Where rules put what they found: one call per finding, the evidence as it comes. */
final class Findings {
    private final EventSink out;
    private int errors;
    private int count;

    Findings(EventSink out) {
        this.out = out;
    }

    /** Starts a finding; {@link Builder#emit} sends it. */
    Builder add(String conn, long t, String rule, String severity, String summary) {
        return new Builder(conn, t, rule, severity, summary);
    }

    int errors() {
        return errors;
    }

    int count() {
        return count;
    }

    final class Builder {
        private final String conn;
        private final long t;
        private final String rule;
        private final String severity;
        private final String summary;
        private final List<FindingEvent.Evidence> evidence = new ArrayList<>();
        private String cause = "";
        private String fix = "";

        private Builder(String conn, long t, String rule, String severity, String summary) {
            this.conn = conn;
            this.t = t;
            this.rule = rule;
            this.severity = severity;
            this.summary = summary;
        }

        Builder evidence(String evidenceConn, long seq, long time, String what) {
            evidence.add(new FindingEvent.Evidence(evidenceConn, seq, time, what));
            return this;
        }

        Builder evidence(String evidenceConn, ConnectionFacts.Mark m) {
            return evidence(evidenceConn, m.seq(), m.t(), m.what());
        }

        Builder cause(String c) {
            cause = c;
            return this;
        }

        Builder fix(String f) {
            fix = f;
            return this;
        }

        void emit() {
            FindingEvent f = new FindingEvent(conn, t, rule, severity, summary, evidence, cause, fix);
            count++;
            if (f.isError()) {
                errors++;
            }
            out.accept(f);
        }
    }
}
