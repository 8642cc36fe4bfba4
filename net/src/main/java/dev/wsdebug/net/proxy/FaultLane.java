package dev.wsdebug.net.proxy;

import dev.wsdebug.capture.ErrorEvent;
import dev.wsdebug.net.fault.FaultRule;
import dev.wsdebug.wire.CloseCodes;
import dev.wsdebug.wire.DeflateParams;
import dev.wsdebug.wire.Direction;
import dev.wsdebug.wire.Frame;
import dev.wsdebug.wire.Message;
import dev.wsdebug.wire.Opcode;
import dev.wsdebug.wire.Rule;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.function.Supplier;

/**
 * One direction of a fault-injected connection: its sender's bytes in, what its receiver gets out.
 *
 * <p>The lane keeps what the sender sent ({@link HeldInput}) until the relay's input pipeline has
 * said what those bytes are: the frame events cut them into frames by their offsets, the frames of
 * a data message are held ({@link HeldMessage}) until its message event, and then the first
 * matching rule decides what the receiver gets. Nothing here decodes frames or payloads; the
 * decoded payload (for {@code match=}, {@code replace=} and re-encoding) comes with the message
 * event.
 *
 * <p>Input the pipeline flags as broken is cut and forwarded like any other: a proxy that repaired
 * or swallowed it would hide the fault from the receiver, and the capture reports the violation on
 * what was written. For the same reason a compressed message that cannot be inflated passes as it
 * was without a rule seeing it (its payload is unknown), and {@code replace=} leaves text that is
 * not valid UTF-8 as it was.
 */
final class FaultLane {
    private static final int PREVIEW = 40;

    /** WAIT: client bytes before the server answered; HEAD: the response head; PASS: not a WebSocket. */
    private enum Mode { WAIT, HEAD, FRAMES, PASS }

    private final Direction dir;
    final FaultOutbox outbox;
    private final FaultRelay relay;
    private final HeldInput input;
    private Mode mode;
    /** Bytes held in WAIT that the input pipeline has not seen yet. */
    private boolean early;
    /** Where the sender's frames begin in the input: frame offsets count from here. */
    private long webSocketStart;
    /** Stream offset up to which input has been handled (forwarded, held or dropped). */
    private long done;
    private HeldMessage held = new HeldMessage();
    /** The sender is between the first and the last frame of a data message. */
    private boolean midMessage;
    /** Whether the sender's deflate context carries over between messages. */
    private boolean contextTakeover;
    /** Whether a data message is passing in pieces now (over the hold cap): no other may start before it ends. */
    boolean streamingMessage() {
        return streaming && midMessage;
    }

    /** Compressed messages are re-encoded uncompressed from now on. */
    private boolean reencode;
    /** The current message is larger than the hold cap: its bytes pass as they arrive. */
    private boolean streaming;
    private boolean oversizeNoted;
    /** Data messages seen in this direction so far. */
    private long messages;

    /**
     * @param start where this direction's input begins in the pipeline's offsets (after the
     *              request head, which the proxy wrote itself, for c2s)
     * @param waits whether the bytes wait for the server's answer to the upgrade (c2s) rather than
     *              being the response head (s2c)
     */
    FaultLane(FaultRelay relay, Direction dir, FaultOutbox outbox, long start, boolean waits) {
        this.relay = relay;
        this.dir = dir;
        this.outbox = outbox;
        this.input = new HeldInput(start);
        this.done = start;
        this.mode = waits ? Mode.WAIT : Mode.HEAD;
    }

    // ---- input ----------------------------------------------------------------------------------

    void read(byte[] b, int off, int len) {
        switch (mode) {
            case PASS -> outbox.add(Arrays.copyOfRange(b, off, off + len), 0, null);
            case WAIT -> input.append(b, off, len);
            case HEAD, FRAMES -> {
                if (relay.state() == FaultRelay.State.DONE) {
                    return; // closed or a zombie: nothing is even looked at
                }
                input.append(b, off, len);
                relay.decode(dir, b, off, len); // the events land in frame() and message()
                afterDecode();
            }
        }
    }

    /** The upgrade succeeded: from {@code webSocketStart} on the sender's bytes are frames. */
    void startFrames(long webSocketStart, DeflateParams deflate) {
        this.webSocketStart = webSocketStart;
        contextTakeover = deflate != null && !deflate.noContextTakeover(dir);
        early = mode == Mode.WAIT;
        mode = Mode.FRAMES;
        forwardRaw(webSocketStart); // the rest of the response head
    }

    /** Not a WebSocket after all: bytes pass as they come. */
    void startPassing() {
        early = mode == Mode.WAIT;
        mode = Mode.PASS;
    }

    /**
     * Hands the client bytes that waited for the server's answer on, once it came. Called by the
     * relay after the answer's chunk has been decoded: the pipeline is not fed from inside its own
     * callbacks.
     */
    void flushEarly() {
        if (!early) {
            return;
        }
        early = false;
        if (mode == Mode.FRAMES && relay.state() != FaultRelay.State.DONE && input.end() > done) {
            byte[] b = input.slice(done, input.end());
            relay.decode(dir, b, 0, b.length);
        }
        afterDecode();
    }

    /** After the pipeline has seen new input: forwards or holds what no event has claimed. */
    private void afterDecode() {
        long end = input.end();
        if (mode != Mode.FRAMES) {
            forwardRaw(end); // the response head passes as it arrives, as does a connection that did not upgrade
        } else if (relay.state() != FaultRelay.State.OPEN) {
            done = end; // only close answers matter now, and the pipeline has seen them
        } else if (streaming) {
            forwardRaw(end);
        } else if (held.length() + (end - done) > relay.holdCap()) {
            startStreaming(end);
        }
        input.release(done);
    }

    /** Forwards the input from {@code done} to {@code to} as it is. */
    private void forwardRaw(long to) {
        if (to > done) {
            if (relay.state() == FaultRelay.State.OPEN) {
                outbox.add(input.slice(done, to), 0, null);
            }
            done = to;
        }
    }

    // ---- what the input pipeline reports --------------------------------------------------------

    /** A frame of this direction has arrived whole. */
    void frame(Frame f) {
        long end = webSocketStart + f.offset() + f.wireLength();
        boolean starts = Opcode.isData(f.opcode());
        boolean continues = f.opcode() == Opcode.CONTINUATION && midMessage;
        if (starts && !held.isEmpty() && !streaming && relay.state() == FaultRelay.State.OPEN) {
            // a new message before the last one ended (a protocol error): the unfinished one passes as it was
            pass(takeHeld().bytes());
        }
        if (starts || continues) {
            midMessage = true; // until the message event
        }
        if (relay.state() != FaultRelay.State.OPEN) {
            done = Math.max(done, end);
            if (relay.state() == FaultRelay.State.CLOSING && f.opcode() == Opcode.CLOSE) {
                relay.closeAnswered(dir); // also between the fragments of a message streaming past the cap
            }
            return; // swallowed: the proxy has closed toward the other side already
        }
        if (streaming) {
            forwardRaw(end);
            if (!starts && !continues && !midMessage) {
                streaming = false; // it was a frame outside any message (a control frame over the cap)
            }
            return;
        }
        byte[] raw = input.slice(done, end);
        done = end;
        if (f.isControl()) {
            control(f, raw);
        } else if (starts || continues) {
            held.add(f, raw); // the message event decides
        } else {
            pass(raw); // a continuation with no message, or a reserved opcode: the receiver sees it as sent
        }
    }

    /** The frames held (or streamed) since the message's first frame make up this message. */
    void message(Message m) {
        midMessage = false;
        if (streaming) {
            streaming = false;
            messages++;
            return;
        }
        if (relay.state() != FaultRelay.State.OPEN) {
            return;
        }
        HeldMessage h = takeHeld();
        String what = dir.id() + " " + m.type() + " message of " + m.length() + " bytes" + preview(m);
        if (m.compressed() && undecodable(m)) {
            messages++;
            outbox.add(h.bytes(), 0, relay.note("passed", "a compressed " + dir.id() + " " + m.type()
                    + " message cannot be inflated, so no rule sees it; sent as it was"));
            return;
        }
        if (reencode && m.compressed() && m.truncated()) {
            tooBigToReencode("that inflates to more than " + relay.holdCap() + " bytes");
            return;
        }
        long earlier = messages++;
        String[] text = new String[1];
        Supplier<String> payload = () -> text[0] != null ? text[0] : (text[0] = m.text());
        FaultRule r = relay.plan().match(dir, m.opcode(), earlier, relay.secondsSinceUpgrade(), payload, relay.random());
        if (r == null) {
            outbox.add(plain(m, h), 0, null);
            return;
        }
        switch (r.action()) {
            case DROP -> {
                outbox.note(relay.note("drop", what + " not forwarded", r));
                if (m.compressed() && contextTakeover && !reencode) {
                    startReencode();
                }
            }
            case DELAY -> outbox.add(plain(m, h), r.delayMillis(), relay.note("delay", what + " held " + r.delayMillis() + " ms", r));
            case DUPLICATE -> duplicate(m, h, r, what);
            case THROTTLE -> outbox.paced(plain(m, h), r.bytesPerSecond(),
                    relay.note("throttle", what + " sent at " + r.bytesPerSecond() + " bytes/s", r));
            case FRAGMENT -> fragment(m, h, r, what);
            case REPLACE -> replace(m, h, r, what, payload);
            case CLOSE -> relay.injectClose(r, "the " + what);
            case RESET -> relay.reset(r, "the " + what);
            case BLACKHOLE -> relay.blackhole(r, "the " + what);
            case NO_PONG -> outbox.add(plain(m, h), 0, null); // never matches a data message
        }
    }

    // ---- actions --------------------------------------------------------------------------------

    private void control(Frame f, byte[] raw) {
        FaultRule r = relay.plan().match(dir, f.opcode(), messages, relay.secondsSinceUpgrade(),
                () -> new String(f.controlPayload() == null ? new byte[0] : f.controlPayload(), StandardCharsets.UTF_8),
                relay.random());
        if (r == null) {
            pass(raw);
            return;
        }
        String what = dir.id() + " " + f.type() + " frame" + (f.closeCode() >= 0 ? " (" + f.closeCode() + ")" : "");
        switch (r.action()) {
            case DROP, NO_PONG -> outbox.note(relay.note("drop", what + " not forwarded", r));
            case DELAY -> outbox.add(raw, r.delayMillis(), relay.note("delay", what + " held " + r.delayMillis() + " ms", r));
            case DUPLICATE -> outbox.add(concat(raw, raw), 0, relay.note("duplicate", what + " sent twice", r));
            case THROTTLE -> outbox.paced(raw, r.bytesPerSecond(),
                    relay.note("throttle", what + " sent at " + r.bytesPerSecond() + " bytes/s", r));
            case CLOSE -> relay.injectClose(r, "the " + what);
            case RESET -> relay.reset(r, "the " + what);
            case BLACKHOLE -> relay.blackhole(r, "the " + what);
            default -> pass(raw); // replace and fragment never match control frames
        }
    }

    private void duplicate(Message m, HeldMessage h, FaultRule r, String what) {
        byte[] once = plain(m, h);
        byte[] again = once;
        if (m.compressed() && !reencode) {
            // a second compressed copy would not inflate against the moved window: send it uncompressed
            if (m.truncated()) {
                outbox.add(once, 0, relay.note("passed", what + " is too big to duplicate uncompressed; sent once", r));
                return;
            }
            again = relay.encode(dir, m.opcode(), m.payload(), false, 0);
        }
        outbox.add(concat(once, again), 0, relay.note("duplicate", what + " sent twice", r));
    }

    private void fragment(Message m, HeldMessage h, FaultRule r, String what) {
        boolean keepCompressed = m.compressed() && !reencode;
        byte[] out;
        if (keepCompressed) {
            // the compressed payload cut anew, RSV1 on the first frame only: the receiver's window sees it once
            out = relay.encode(dir, m.opcode(), h.wirePayload(), true, r.fragmentSize());
        } else if (m.truncated()) {
            outbox.add(plain(m, h), 0, relay.note("passed", what + " is too big to re-fragment; sent as it was", r));
            return;
        } else {
            out = relay.encode(dir, m.opcode(), m.payload(), false, r.fragmentSize());
        }
        long length = keepCompressed ? m.wireLength() : m.length();
        long n = Math.max(1, (length + r.fragmentSize() - 1) / r.fragmentSize());
        outbox.add(out, 0, relay.note("fragmented", what + " sent in " + n + " frame" + (n == 1 ? "" : "s")
                + " of at most " + r.fragmentSize() + (keepCompressed ? " compressed" : "") + " bytes", r));
    }

    private void replace(Message m, HeldMessage h, FaultRule r, String what, Supplier<String> payload) {
        if (m.truncated()) {
            outbox.add(plain(m, h), 0, relay.note("passed", what + " is too big to rewrite; sent as it was", r));
            return;
        }
        if (m.utf8InvalidAt() >= 0) {
            // rewriting would hand the receiver valid text the sender never sent
            outbox.add(plain(m, h), 0, relay.note("passed", what + " is not valid UTF-8; sent as it was", r));
            return;
        }
        byte[] bytes = r.rewrite(payload.get()).getBytes(StandardCharsets.UTF_8);
        ErrorEvent n = relay.note("rewritten", what + " sent as " + bytes.length + " bytes"
                + (m.compressed() ? ", uncompressed" : ""), r);
        outbox.add(relay.encode(dir, m.opcode(), bytes, false, 0), 0, n);
        if (m.compressed() && contextTakeover && !reencode) {
            startReencode();
        }
    }

    /** The message as it goes when no rule changes it: its own bytes, or re-encoded. */
    private byte[] plain(Message m, HeldMessage h) {
        if (reencode && m.compressed()) {
            return relay.encode(dir, m.opcode(), m.payload(), false, 0); // message() ruled out truncated ones
        }
        return h.bytes();
    }

    /**
     * The receiver's inflater has missed (or got something else than) a compressed message, and
     * with context takeover every later one refers back to it: send them uncompressed instead.
     */
    private void startReencode() {
        reencode = true;
        outbox.note(relay.note("re-encoded", "the " + dir.opposite().sender() + "'s permessage-deflate context no"
                + " longer matches the " + dir.sender() + "'s, so every later compressed " + dir.id()
                + " message is sent uncompressed (RSV1=0) from its decoded payload"));
    }

    private void startStreaming(long end) {
        if (reencode) {
            tooBigToReencode("larger than the " + relay.holdCap() + "-byte hold cap");
            return;
        }
        ErrorEvent n = oversizeNoted ? null : relay.note("passed", "a " + dir.id() + " message is larger than the "
                + relay.holdCap() + "-byte hold cap; it passes unchanged as it arrives and no rule sees it"
                + " (later ones like it are not reported)");
        oversizeNoted = true;
        if (!held.isEmpty()) {
            outbox.add(takeHeld().bytes(), 0, n);
            n = null;
        }
        if (n != null) {
            outbox.note(n);
        }
        streaming = true;
        forwardRaw(end);
    }

    /** A message this re-encoding lane cannot decode whole: the stream cannot be kept valid. */
    private void tooBigToReencode(String why) {
        relay.injectClose(FaultRule.parse("close='" + CloseCodes.MESSAGE_TOO_BIG + ":message too big to re-encode'"),
                "a compressed " + dir.id() + " message " + why + ", which cannot be re-encoded");
    }

    private void pass(byte[] raw) {
        outbox.add(raw, 0, null);
    }

    private HeldMessage takeHeld() {
        HeldMessage h = held;
        held = new HeldMessage();
        return h;
    }

    void dropHeld() {
        takeHeld();
    }

    void closeTargetWhenDrained() {
        outbox.closeWhenDrained();
    }

    /** The pipeline could not inflate it: its decoded payload is partial or garbage. */
    private static boolean undecodable(Message m) {
        return m.violations().stream().anyMatch(v -> v.rule().equals(Rule.DEFLATE_STREAM_INVALID.id()));
    }

    private static String preview(Message m) {
        if (!m.isText()) {
            return "";
        }
        String t = m.text();
        String shown = t.length() > PREVIEW ? t.substring(0, PREVIEW) + "…" : t;
        return " \"" + shown.replace("\n", "\\n") + "\"";
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
