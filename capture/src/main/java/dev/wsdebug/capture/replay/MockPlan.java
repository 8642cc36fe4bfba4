package dev.wsdebug.capture.replay;

import dev.wsdebug.wire.Direction;
import dev.wsdebug.wire.Opcode;

import java.util.ArrayList;
import java.util.List;

/**
 * One recorded connection cut the way a mock plays it: what the server sent before the client said
 * anything (offsets from the handshake), and for each client message what the server sent after it
 * until the next client message (offsets from that message). A close the server started ends the
 * group it falls in; a close the client started ends the plan (the server only echoes it, and any
 * server does that itself). Pings are left out: the server answers them, or not with --no-pong.
 */
record MockPlan(RecordedConnection source, List<Step> opening, List<Prompt> prompts) {

    /** A recorded client message and the server's steps that followed it, offsets from the message. */
    record Prompt(Step client, List<Step> replies) {
    }

    static MockPlan of(RecordedConnection c) {
        List<Step> opening = new ArrayList<>();
        List<Prompt> prompts = new ArrayList<>();
        Prompt current = null;
        for (Step s : c.steps()) {
            if (s.dir() == Direction.C2S) {
                if (s.opcode() == Opcode.CLOSE) {
                    break;
                }
                if (s.isData()) {
                    current = new Prompt(s, new ArrayList<>());
                    prompts.add(current);
                }
                continue;
            }
            if (!s.isData() && s.opcode() != Opcode.CLOSE) {
                continue;
            }
            long since = current == null ? 0 : current.client().offsetMicros();
            Step relative = new Step(s.dir(), Math.max(0, s.offsetMicros() - since), s.opcode(), s.payload(),
                    s.complete(), s.closeCode(), s.closeReason());
            (current == null ? opening : current.replies()).add(relative);
            if (s.opcode() == Opcode.CLOSE) {
                break;
            }
        }
        return new MockPlan(c, List.copyOf(opening), List.copyOf(prompts));
    }

    /** The request target (path and query) of the recorded handshake, or null. */
    String target() {
        return source.handshake() == null ? null : source.handshake().request().target();
    }
}
