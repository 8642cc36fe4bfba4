package dev.wsdebug.analysis;

import dev.wsdebug.capture.FindingEvent;
import dev.wsdebug.wire.Direction;

/** {@code sequence-gap}: a JSON sequence field that counts up by one jumped or repeated. */
final class SequenceRule {
    private SequenceRule() {
    }

    static void check(ConnectionFacts c, Findings out) {
        for (SequenceTracker.Field s : c.sequences.broken()) {
            SequenceTracker.Break first = s.breaks.get(0);
            boolean repeat = first.seen() < first.expected();
            Findings.Builder f = out.add(c.conn, first.t(), "sequence-gap", FindingEvent.WARNING, "The \"" + s.name
                    + "\" field of " + (s.dir == Direction.C2S ? "the client's" : "the server's") + " JSON messages"
                    + " counts up by one, but " + (repeat ? "went back" : "jumped") + " from " + (first.expected() - 1)
                    + " to " + first.seen() + (s.breakCount > 1 ? " (" + s.breakCount + " breaks in " + s.steps
                    + " steps)." : "."));
            for (SequenceTracker.Break b : s.breaks) {
                f.evidence(c.conn, b.seq(), b.t(), "\"" + b.field() + "\": " + b.seen() + " where " + b.expected()
                        + " was next");
            }
            f.cause(repeat ? "Messages sent twice: a retry after a reconnect that resent what had arrived, or a"
                            + " duplicated publish upstream."
                            : "Messages lost between the producer and this connection: dropped by a buffer that"
                            + " overflowed, sent while the connection was down, or filtered on the way.")
                    .fix("Resume from the last sequence number received after a reconnect, and check the sender's"
                            + " buffers for dropped messages.")
                    .emit();
        }
    }
}
