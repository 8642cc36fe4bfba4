package dev.wsdebug.net.probe;

import dev.wsdebug.capture.FindingEvent;

/**
 * Receives the probe's results as they are measured: a probe with --idle runs for seconds, and the
 * checks before the idle wait are worth seeing meanwhile. Called from the probing thread only.
 */
public interface ProbeListener {
    void check(ProbeCheck check);

    /** A failure (or a notable fact) as an analysis finding, with the rule id the analysis uses where one fits. */
    void finding(FindingEvent finding);
}
