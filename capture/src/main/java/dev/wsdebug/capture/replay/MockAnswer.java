package dev.wsdebug.capture.replay;

import java.util.List;

/**
 * What a mock answers to one client message: the recorded server steps to send (offsets from the
 * moment the message arrived), how the message was matched, and a sentence for the user when the
 * match is doubtful or there is none.
 *
 * @param recorded the matched recorded client message (1-based, in the recorded connection's order), or 0
 * @param notice   one sentence when matched by order only or not at all, else null
 */
public record MockAnswer(Match how, int recorded, List<Step> steps, String notice) {

    /** How a client message found its recorded counterpart, best first. */
    public enum Match {
        /** the same bytes, not answered before */
        EXACT,
        /** the same JSON value once the --ignore paths are left out, not answered before */
        JSON,
        /** the same bytes or JSON as one answered before: its reply again */
        REPEAT,
        /** the next recorded message of the same kind not answered yet, whatever its content */
        ORDER,
        /** nothing in the recording: no reply */
        NONE
    }
}
