package dev.wsdebug.analysis;

import dev.wsdebug.capture.FlowEvent;

/**
 * What the transport showed about one connection's flow, per direction of the bytes and bounded:
 * stalls (a receiver's TCP window at zero, or bytes the proxy held for a peer that stopped
 * reading) and small segments that waited for an acknowledgment (Nagle's algorithm meeting a
 * delayed ACK), with the delays bucketed around the two usual delayed-ACK timers.
 */
final class FlowFacts {
    /** The stalls of one direction's receiver. */
    static final class Stalls {
        long count;
        long longestMicros;
        long mostBytes = -1;
        /** When the current stall began, or -1 when the receiver is reading. */
        long openSince = -1;
        ConnectionFacts.Mark first;
        /** Seen by the proxy's buffers rather than by TCP windows. */
        boolean proxy;
    }

    /** The ACK waits of one direction's sender. */
    static final class AckWaits {
        long count;
        /** Waits near Linux's 40 ms delayed-ACK minimum, and near the 200 ms of Windows and older stacks. */
        long near40;
        long near200;
        long sumMicros;
        ConnectionFacts.Mark first;
    }

    final Stalls[] stalls = {new Stalls(), new Stalls()};
    final AckWaits[] ackWaits = {new AckWaits(), new AckWaits()};

    void event(FlowEvent e, long lastFrameSeq) {
        int d = ConnectionFacts.i(e.dir());
        long t = e.timeMicros();
        switch (e.kind()) {
            case FlowEvent.ZERO_WINDOW, FlowEvent.HELD -> stalled(stalls[d], e, lastFrameSeq);
            case FlowEvent.WINDOW_OPEN, FlowEvent.DRAINED -> resumed(stalls[d], e.micros());
            case FlowEvent.ACK_WAIT -> ackWait(ackWaits[d], e, lastFrameSeq);
            default -> { } // a kind this build does not know: nothing to conclude from it
        }
    }

    /** A stall the proxy reported as a sentence only (captures written before flow events). */
    void heldSentence(int d, long t, long lastFrameSeq, String sentence) {
        Stalls s = stalls[d];
        s.count++;
        s.proxy = true;
        // "... has not read for 10 s: ...": the stall had lasted that long when the proxy said so
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("has not read for (\\d+) s").matcher(sentence);
        s.longestMicros = Math.max(s.longestMicros, m.find() ? Long.parseLong(m.group(1)) * 1_000_000 : 1_000_000);
        if (s.first == null) {
            s.first = new ConnectionFacts.Mark(lastFrameSeq, t, sentence);
        }
    }

    private static void stalled(Stalls s, FlowEvent e, long lastFrameSeq) {
        boolean proxy = FlowEvent.HELD.equals(e.kind());
        s.proxy |= proxy;
        s.count++;
        s.mostBytes = Math.max(s.mostBytes, e.bytes());
        // the proxy reports a stall once it has lasted a while: it began that long before
        s.openSince = e.timeMicros() - e.micros();
        s.longestMicros = Math.max(s.longestMicros, e.micros());
        if (s.first == null) {
            String bytes = e.bytes() >= 0 ? e.bytes() + " bytes" : "bytes";
            s.first = new ConnectionFacts.Mark(lastFrameSeq, e.timeMicros(), proxy
                    ? String.format(java.util.Locale.ROOT, "the proxy held %s for it for %.1f s", bytes, e.micros() / 1e6)
                    : "zero window advertised with " + bytes + " in flight toward it");
        }
    }

    private static void resumed(Stalls s, long micros) {
        s.longestMicros = Math.max(s.longestMicros, micros);
        s.openSince = -1;
    }

    private static void ackWait(AckWaits w, FlowEvent e, long lastFrameSeq) {
        w.count++;
        long ms = e.micros() / 1000;
        if (ms >= 30 && ms <= 60) {
            w.near40++;
        } else if (ms >= 150 && ms <= 250) {
            w.near200++;
        }
        w.sumMicros += e.micros();
        if (w.first == null) {
            w.first = new ConnectionFacts.Mark(lastFrameSeq, e.timeMicros(), String.format(java.util.Locale.ROOT,
                    "a %d-byte segment left %.1f ms late, right after the ACK of the previous one", e.bytes(), e.micros() / 1e3));
        }
    }
}
