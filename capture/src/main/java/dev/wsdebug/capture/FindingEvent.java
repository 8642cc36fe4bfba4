package dev.wsdebug.capture;

import java.util.List;

/**
 * What the analysis concluded about a connection (or, with a null {@code conn}, about several):
 * a rule that matched, one sentence saying what happened, the events that show it, why it
 * usually happens and what to change. Derived from the other events, never from the wire itself.
 *
 * @param severity error, warning or info
 */
public record FindingEvent(String conn, long timeMicros, String rule, String severity, String summary,
                           List<Evidence> evidence, String cause, String fix) implements Event {
    public static final String ERROR = "error";
    public static final String WARNING = "warning";
    public static final String INFO = "info";

    /** One event that shows the finding: where it is ({@code seq} -1 when it is not a frame) and what it shows. */
    public record Evidence(String conn, long seq, long timeMicros, String what) {
    }

    public FindingEvent {
        evidence = List.copyOf(evidence);
    }

    @Override
    public String name() {
        return "finding";
    }

    public boolean isError() {
        return ERROR.equals(severity);
    }
}
