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
 * server does that itself). The server's own pings are played (a client's keepalive logic sees
 * them as it did); the client's are not: the server answers them, or not with --no-pong. A
 * connection that ended without a close frame either way (1006) ends with a {@link Step#DROP} at
 * the time it ended, so the mock closes TCP there as the recorded server (or something on its path)
 * did.
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
            if (!s.isData() && s.opcode() != Opcode.CLOSE && s.opcode() != Opcode.PING) {
                continue;
            }
            (current == null ? opening : current.replies()).add(relative(s, current));
            if (s.opcode() == Opcode.CLOSE) {
                return new MockPlan(c, List.copyOf(opening), paired(prompts));
            }
        }
        if (droppedWithoutClose(c)) {
            Step drop = Step.drop(Direction.S2C, c.close().timeMicros() - c.base());
            (current == null ? opening : current.replies()).add(relative(drop, current));
        }
        return new MockPlan(c, List.copyOf(opening), paired(prompts));
    }

    /**
     * A client that sent several messages before the first answer (a pipelining client, or
     * {@code connect -x a -x b}) leaves every answer after the last of them, so a client that waits
     * for each answer before its next request would wait forever. When such a burst got exactly one
     * data message back per request, the n-th answer goes with the n-th request, as an echo or a
     * request/response server gives them; other steps (pings, a close, a drop) stay after the last.
     */
    private static List<Prompt> paired(List<Prompt> prompts) {
        List<Prompt> out = new ArrayList<>(prompts);
        int i = 0;
        while (i < out.size()) {
            int j = i;
            while (j + 1 < out.size() && out.get(j).replies().isEmpty()) {
                j++;
            }
            int k = j - i + 1;
            Prompt last = out.get(j);
            List<Step> data = last.replies().stream().filter(Step::isData).toList();
            if (k > 1 && data.size() == k) {
                long lastAt = last.client().offsetMicros();
                for (int n = 0; n < k; n++) {
                    Prompt p = out.get(i + n);
                    Step answer = data.get(n);
                    // back to the recorded time, then from this request's
                    Step absolute = new Step(answer.dir(), answer.offsetMicros() + lastAt, answer.opcode(), answer.payload(),
                            answer.complete(), answer.closeCode(), answer.closeReason());
                    List<Step> replies = new ArrayList<>(List.of(relative(absolute, p)));
                    if (n == k - 1) {
                        last.replies().stream().filter(st -> !st.isData()).forEach(replies::add);
                    }
                    out.set(i + n, new Prompt(p.client(), List.copyOf(replies)));
                }
            }
            i = j + 1;
        }
        return List.copyOf(out);
    }

    /** The step with its offset from the client message it follows (or from the handshake). */
    private static Step relative(Step s, Prompt current) {
        long since = current == null ? 0 : current.client().offsetMicros();
        return new Step(s.dir(), Math.max(0, s.offsetMicros() - since), s.opcode(), s.payload(), s.complete(),
                s.closeCode(), s.closeReason());
    }

    /**
     * Whether the recorded connection ended without a close frame either way: known only when the
     * capture had its frames (a HAR file has none) and saw it end.
     */
    private static boolean droppedWithoutClose(RecordedConnection c) {
        return c.hasFrames() && c.close() != null && !c.close().onWire()
                && c.steps().stream().noneMatch(s -> s.opcode() == Opcode.CLOSE);
    }

    /** The request target (path and query) of the recorded handshake, or null. */
    String target() {
        return source.handshake() == null ? null : source.handshake().request().target();
    }
}
