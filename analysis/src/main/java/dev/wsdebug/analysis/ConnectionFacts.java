package dev.wsdebug.analysis;

import dev.wsdebug.capture.CloseEvent;
import dev.wsdebug.capture.ErrorEvent;
import dev.wsdebug.capture.FrameEvent;
import dev.wsdebug.capture.HandshakeEvent;
import dev.wsdebug.capture.MessageEvent;
import dev.wsdebug.wire.Direction;
import dev.wsdebug.wire.Opcode;
import dev.wsdebug.wire.Violation;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the rules need to know about one connection, gathered in one pass over its events and
 * bounded whatever its length: counts, the last and the longest silences, ping spacing and the
 * pongs that answered, the close frames each way, violations grouped by rule and side (a few
 * occurrences each as evidence), the largest message each way, sequence numbers in JSON.
 */
final class ConnectionFacts {
    /** Where something happened: a frame's seq (or -1) and time. */
    record Mark(long seq, long t, String what) {
    }

    /** A violation rule broken by one side: how often, and the first few places. */
    static final class Broken {
        final String rule;
        final String rfc;
        final Direction dir;
        long count;
        final List<Mark> first = new ArrayList<>(3);

        Broken(String rule, String rfc, Direction dir) {
            this.rule = rule;
            this.rfc = rfc;
            this.dir = dir;
        }
    }

    /** A close frame one side sent. */
    record CloseFrame(Direction dir, long seq, long t, int code, String reason) {
    }

    private static final int GAPS_KEPT = 8;
    private static final int PINGS_KEPT = 64;

    final String conn;
    HandshakeEvent handshake;
    long firstT = -1;
    long lastT = -1;
    /** Time and seq of the last frame either way. */
    long lastFrameT = -1;
    long lastFrameSeq = -1;
    long frames;
    final long[] messages = new long[2];
    final long[] frameCount = new long[2];
    final long[] lastFrameTByDir = {-1, -1};
    /** The longest silences between frames, longest first: the frame that ended each, and how long. */
    final List<Mark> longestGaps = new ArrayList<>(GAPS_KEPT + 1);
    /** Gaps between consecutive frames: how many, and how many lasted a second or more. */
    long gaps;
    long gapsOverSecond;
    /** Pings in order (bounded), with the pong that answered each. */
    final List<Ping> pings = new ArrayList<>();
    long pingCount;
    long pingIntervalSum;
    long pingIntervals;
    long unansweredRun;
    long maxUnansweredRun;
    Mark firstUnanswered;
    final CloseFrame[] closeFrames = new CloseFrame[2];
    CloseEvent close;
    final List<ErrorEvent> errors = new ArrayList<>();
    final Map<String, Broken> broken = new LinkedHashMap<>();
    /** Data frames with RSV1 on a connection without permessage-deflate. */
    long rsv1WithoutExtension;
    Mark firstRsv1WithoutExtension;
    final long[] largestMessage = new long[2];
    final Mark[] largestMessageAt = new Mark[2];
    /** A fragmented message in progress in each direction (its first frame), or null. */
    final Mark[] fragmentOpen = new Mark[2];
    final SequenceTracker sequences = new SequenceTracker();
    final FlowFacts flow = new FlowFacts();
    /**
     * Bytes each direction's capture lacked, and the first hole: frames after a hole may be misread
     * (decoding resumes at a plausible header), and what is missing cannot be told from what was never sent.
     */
    final long[] gapBytes = new long[2];
    final Mark[] firstGap = new Mark[2];
    /** The idle timeout that killed this connection (microseconds of silence), once a rule named it; else -1. */
    long idleTimeout = -1;
    boolean ended;

    /** A ping, and when its pong came (-1: not yet). */
    static final class Ping {
        final Direction dir;
        final long seq;
        final long t;
        final byte[] payload;
        long pongT = -1;

        Ping(Direction dir, long seq, long t, byte[] payload) {
            this.dir = dir;
            this.seq = seq;
            this.t = t;
            this.payload = payload;
        }
    }

    ConnectionFacts(String conn) {
        this.conn = conn;
    }

    static int i(Direction d) {
        return d == Direction.C2S ? 0 : 1;
    }

    void seen(long t) {
        if (firstT < 0 || t < firstT) {
            firstT = t;
        }
        lastT = Math.max(lastT, t);
    }

    void frame(FrameEvent e) {
        int d = i(e.dir());
        long t = e.timeMicros();
        if (lastFrameT >= 0) {
            long gap = t - lastFrameT;
            gaps++;
            if (gap >= 1_000_000) {
                gapsOverSecond++;
                keepGap(new Mark(e.seq(), lastFrameT, Long.toString(gap)));
            }
        }
        lastFrameT = t;
        lastFrameSeq = e.seq();
        lastFrameTByDir[d] = t;
        frames++;
        frameCount[d]++;
        int op = e.frame().opcode();
        for (Violation v : e.frame().violations()) {
            violation(v, e.dir(), e.seq(), t);
        }
        if (e.frame().rsv1() && Opcode.isData(op) && !deflateAgreed() && firstGap[d] == null) {
            rsv1WithoutExtension++;
            if (firstRsv1WithoutExtension == null) {
                firstRsv1WithoutExtension = new Mark(e.seq(), t, e.frame().type() + " frame with RSV1 set");
            }
        }
        if (Opcode.isData(op)) {
            fragmentOpen[d] = e.frame().fin() ? null : new Mark(e.seq(), t, "first frame of a fragmented message");
        } else if (op == Opcode.CONTINUATION && e.frame().fin()) {
            fragmentOpen[d] = null;
        } else if (op == Opcode.PING) {
            ping(e, t);
        } else if (op == Opcode.PONG) {
            pong(e, t);
        } else if (op == Opcode.CLOSE && closeFrames[d] == null) {
            int code = e.frame().closeCode();
            closeFrames[d] = new CloseFrame(e.dir(), e.seq(), t, code, code >= 0 ? e.frame().closeReason() : null);
        }
    }

    boolean deflateAgreed() {
        return handshake != null && handshake.result() != null && handshake.result().deflate() != null;
    }

    private void keepGap(Mark gap) {
        longestGaps.add(gap);
        longestGaps.sort((a, b) -> Long.compare(Long.parseLong(b.what()), Long.parseLong(a.what())));
        if (longestGaps.size() > GAPS_KEPT) {
            longestGaps.remove(longestGaps.size() - 1);
        }
    }

    private void ping(FrameEvent e, long t) {
        if (pingCount > 0 && !pings.isEmpty()) {
            Ping prev = pings.get(pings.size() - 1);
            if (prev.dir == e.dir()) {
                pingIntervalSum += t - prev.t;
                pingIntervals++;
            }
        }
        pingCount++;
        Ping p = new Ping(e.dir(), e.seq(), t, e.frame().controlPayload());
        pings.add(p);
        if (pings.size() > PINGS_KEPT) {
            pings.remove(0);
        }
        // the previous ping of this side still without its pong: one more unanswered in a row
        int waiting = 0;
        for (Ping q : pings) {
            if (q.dir == e.dir() && q.pongT < 0 && q != p) {
                waiting++;
            }
        }
        unansweredRun = waiting;
        if (waiting > maxUnansweredRun) {
            maxUnansweredRun = waiting;
            if (firstUnanswered == null && waiting >= 1) {
                for (Ping q : pings) {
                    if (q.dir == e.dir() && q.pongT < 0 && q != p) {
                        firstUnanswered = new Mark(q.seq, q.t, "ping with no pong");
                        break;
                    }
                }
            }
        }
    }

    private void pong(FrameEvent e, long t) {
        byte[] payload = e.frame().controlPayload();
        for (Ping p : pings) {
            if (p.dir != e.dir() && p.pongT < 0 && java.util.Arrays.equals(p.payload, payload)) {
                p.pongT = t;
                unansweredRun = 0;
                return;
            }
        }
    }

    void gap(Direction dir, long t, long missing) {
        int d = i(dir);
        gapBytes[d] += missing;
        if (firstGap[d] == null) {
            firstGap[d] = new Mark(lastFrameSeq, t, missing + " bytes not captured after this frame");
        }
    }

    /** Whether the capture missed bytes of this connection. */
    boolean incomplete() {
        return firstGap[0] != null || firstGap[1] != null;
    }

    void message(MessageEvent e) {
        int d = i(e.dir());
        messages[d]++;
        long size = e.message().length();
        if (size > largestMessage[d]) {
            largestMessage[d] = size;
            largestMessageAt[d] = new Mark(e.seq(), e.timeMicros(), e.message().type() + " message of " + size + " bytes");
        }
        for (Violation v : e.message().violations()) {
            violation(v, e.dir(), e.seq(), e.timeMicros());
        }
        if (e.message().isText() && !e.message().truncated() && !incomplete()) {
            sequences.message(e);
        }
    }

    private void violation(Violation v, Direction dir, long seq, long t) {
        if (firstGap[i(dir)] != null) {
            return; // after a hole in the capture, frames may be misread: not the sender's fault
        }
        String key = v.rule() + "/" + dir.id();
        Broken b = broken.computeIfAbsent(key, k -> new Broken(v.rule(), v.rfc(), dir));
        // the assembler attaches a message's violation to its frame too: counted once, at its offset
        for (Mark m : b.first) {
            if (m.what().equals(v.detail()) && m.seq() == seq) {
                return;
            }
        }
        b.count++;
        if (b.first.size() < 3) {
            b.first.add(new Mark(seq, t, v.detail()));
        }
    }

    /** Mean interval between consecutive pings of one side (microseconds), or -1. */
    long pingInterval() {
        return pingIntervals == 0 ? -1 : pingIntervalSum / pingIntervals;
    }

    /** The silence between the last frame and the end of the connection (microseconds), or -1. */
    long finalSilence() {
        long end = close != null ? close.timeMicros() : lastT;
        return lastFrameT < 0 || end < 0 ? -1 : end - lastFrameT;
    }
}
