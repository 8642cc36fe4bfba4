package dev.wsdebug.net.probe;

import dev.wsdebug.capture.FindingEvent;
import dev.wsdebug.capture.MicroClock;

import java.util.ArrayList;
import java.util.List;

/** Builds the probe's {@link FindingEvent}s: the evidence is what the probe measured, not frames of a capture. */
final class Finding {
    private final String conn;
    private final String rule;
    private final String severity;
    private final String summary;
    private final List<FindingEvent.Evidence> evidence = new ArrayList<>();
    private String cause = "";
    private String fix = "";

    private Finding(String conn, String rule, String severity, String summary) {
        this.conn = conn;
        this.rule = rule;
        this.severity = severity;
        this.summary = summary;
    }

    static Finding error(String conn, String rule, String summary) {
        return new Finding(conn, rule, FindingEvent.ERROR, summary);
    }

    static Finding warning(String conn, String rule, String summary) {
        return new Finding(conn, rule, FindingEvent.WARNING, summary);
    }

    static Finding info(String conn, String rule, String summary) {
        return new Finding(conn, rule, FindingEvent.INFO, summary);
    }

    /** What the probe saw; seq is -1 since a probe's evidence is a measurement, not one frame. */
    Finding evidence(String what) {
        evidence.add(new FindingEvent.Evidence(conn, -1, MicroClock.now(), what));
        return this;
    }

    Finding cause(String text) {
        cause = text;
        return this;
    }

    Finding fix(String text) {
        fix = text;
        return this;
    }

    FindingEvent build() {
        return new FindingEvent(conn, MicroClock.now(), rule, severity, summary, evidence, cause, fix);
    }
}
