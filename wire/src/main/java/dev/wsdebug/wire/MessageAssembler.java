package dev.wsdebug.wire;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.zip.DataFormatException;

/**
 * Joins the data frames of one direction into messages, letting control frames interleave
 * (RFC 6455 5.4), inflating compressed ones (RFC 7692) and validating text as UTF-8 as the bytes
 * arrive, so the first invalid byte is found in the frame that carried it.
 *
 * <p>Memory stays bounded, and follows what is in flight rather than the largest message ever
 * seen: at most {@link DecodeLimits#retainCap} decoded bytes of a message are kept, taken from a
 * {@link RetainBudget} shared with other connections (beyond either, only the length and a
 * SHA-256 of the whole payload); the buffer goes to the completed {@link Message} and the next
 * message starts with none. Inflation stops at {@link DecodeLimits#maxMessage} (a
 * {@link Rule#MESSAGE_TOO_BIG} violation) or {@link DecodeLimits#maxInflate}, so a deflate bomb
 * costs no more than the limit.
 */
public final class MessageAssembler {
    /** First buffer of a message whose decoded size is not known from its first header. */
    private static final int FIRST_KEEP = 256;
    private static final byte[] EMPTY = new byte[0];
    /** Largest single-frame message whose buffer is sized from its header before its payload arrives. */
    private static final int PRESIZE_LIMIT = 64 * 1024;

    private final MessageInflater inflater;
    private final DecodeLimits limits;
    private final Utf8Validator utf8 = new Utf8Validator();

    private boolean inMessage;
    private int opcode;
    private boolean compressed;
    private boolean inflateFailed;
    /** Inflation of this message stopped at a limit; the rest of its payload is not inflated. */
    private boolean inflateStopped;
    /**
     * With context takeover, a message whose inflation stopped leaves the window behind the sender's,
     * so later compressed messages of this direction cannot be inflated either.
     */
    private boolean inflaterLost;
    /** The inflater was lost to bytes not captured (not to a limit): its history is gone. */
    private boolean historyLost;
    private boolean overLimit;
    /** Payload bytes of this message that were not captured. */
    private long missing;
    private int frames;
    private long wireLength;
    private long length;
    private long firstOffset;
    private byte[] kept;
    private int keptLength;
    /** Bytes of {@link #kept} taken from the budget. */
    private long reserved;
    /** The budget refused more room: the rest of this message goes to the digest only. */
    private boolean budgetShort;
    private MessageDigest digest;
    private List<Violation> violations;
    private Frame current;
    /** Position in the current frame's payload of the chunk being decoded (uncompressed only). */
    private long chunkFramePos;
    /** Compressed bytes of the current message fed to the inflater before the current chunk. */
    private long compressedFed;
    private final ByteSink decoded = this::decoded;

    /**
     * @param inflater  inflater for this direction when permessage-deflate is in use, else null
     * @param retainCap most decoded bytes of one message to keep
     */
    public MessageAssembler(MessageInflater inflater, int retainCap) {
        this(inflater, DecodeLimits.retaining(retainCap));
    }

    public MessageAssembler(MessageInflater inflater, DecodeLimits limits) {
        this.inflater = inflater;
        this.limits = limits;
    }

    /** True between the first and the final frame of a message. */
    public boolean inMessage() {
        return inMessage;
    }

    /** True when inflation of the message in progress stopped at a limit. */
    public boolean inflateStopped() {
        return inflateStopped;
    }

    /** Decoded bytes of the message in progress held right now. */
    public int retainedBytes() {
        return kept == null ? 0 : kept.length;
    }

    public void frameStart(Frame f) {
        current = f;
        int op = f.opcode();
        if (Opcode.isData(op)) {
            // A new data frame during a fragmented message abandons the old one (the parser has
            // already reported data-frame-in-fragmented-message).
            startMessage(f);
        } else if (op != Opcode.CONTINUATION || !inMessage) {
            return;
        }
        frames++;
        wireLength += f.payloadLength();
        if (!overLimit && wireLength > limits.maxMessage()) {
            overLimit(f, f.offset() + 1, "The message reaches " + wireLength + " payload bytes with this frame's header,"
                    + " above the limit of " + limits.maxMessage() + " bytes.");
        }
    }

    private void startMessage(Frame f) {
        releaseKept();
        inMessage = true;
        opcode = f.opcode();
        compressed = f.rsv1() && inflater != null;
        inflateFailed = false;
        inflateStopped = compressed && inflaterLost;
        overLimit = false;
        missing = 0;
        frames = 0;
        wireLength = 0;
        length = 0;
        digest = null;
        violations = null;
        budgetShort = false;
        firstOffset = f.offset();
        utf8.reset();
        compressedFed = 0;
        if (compressed && !inflateStopped) {
            inflater.begin();
        }
        if (!compressed && f.fin() && f.payloadLength() <= PRESIZE_LIMIT) {
            // the whole message is this frame: keep it in one buffer of its size, handed over without a
            // copy. Larger buffers grow as the bytes arrive, so a header alone never claims memory.
            int size = (int) Math.min(limits.retainCap(), f.payloadLength());
            reserve(size, size, 0);
        }
    }

    /**
     * Payload bytes of a frame of this message were not captured: the message is reported with what
     * came before the hole, its length counting the hole. Inflation cannot go on past it (and, with
     * context takeover, neither can later messages of this direction).
     */
    public void framePayloadGap(Frame f, long payloadPos, long len) {
        if (!inMessage || !isMessageFrame(f) || len <= 0) {
            return;
        }
        missing += len;
        if (compressed) {
            if (!inflateStopped && !inflateFailed) {
                inflateStopped = true;
                inflater.abandon();
                if (!inflater.resetsEveryMessage()) {
                    inflaterLost = true;
                    historyLost = true;
                }
            }
        } else {
            length += len;
        }
    }

    public void framePayload(Frame f, byte[] b, int off, int len, long payloadPos) {
        if (!inMessage || !isMessageFrame(f)) {
            return;
        }
        if (missing > 0) {
            if (!compressed) {
                length += len; // after a hole: counted, neither kept nor checked
            }
            return;
        }
        if (compressed) {
            if (!inflateFailed && !inflateStopped) {
                try {
                    inflater.inflate(b, off, len, decoded);
                } catch (DataFormatException e) {
                    // the byte the stream broke at, which is in this chunk
                    long inChunk = Math.min(Math.max(0, inflater.failedAt() - compressedFed), len - 1);
                    inflateFailure(f, f.payloadOffset() + payloadPos + inChunk, e);
                }
                compressedFed += len;
            }
        } else {
            chunkFramePos = payloadPos;
            decoded(b, off, len);
        }
    }

    /**
     * @return the message this frame completed, or null
     */
    public Message frameEnd(Frame f) {
        current = null;
        if (!inMessage || !isMessageFrame(f) || !f.fin()) {
            return null;
        }
        current = f;
        if (compressed && wireLength == 0 && !inflateFailed && !inflateStopped) {
            // RFC 7692 7.2.3.6: an empty message compresses to at least one byte (0x00). With
            // nothing before the appended tail the inflater is left inside a block, which breaks
            // the next message of this direction; the fault is this message's.
            inflateFailed = true;
            addViolation(f, Rule.DEFLATE_STREAM_INVALID.at(f.payloadOffset(),
                    "The compressed message has an empty payload; an empty message must be sent as the single byte 0x00."));
        }
        if (compressed && !inflateFailed && !inflateStopped) {
            try {
                inflater.end(decoded);
            } catch (DataFormatException e) {
                inflateFailure(f, f.payloadOffset() + f.payloadLength(), e);
            }
        }
        long invalid = -1;
        if (opcode == Opcode.TEXT) {
            boolean alreadyBad = utf8.invalidAt() >= 0;
            invalid = alreadyBad || !inflateStopped && missing == 0 ? utf8.finish() : -1;
            if (invalid >= 0 && !alreadyBad && !inflateFailed) {
                textViolation(f, f.payloadOffset() + f.payloadLength(), invalid, "the message ends inside a character");
            }
        }
        current = null;
        inMessage = false;
        boolean truncated = length > keptLength || inflateStopped || missing > 0;
        String sha = length > keptLength && !inflateStopped && missing == 0 ? HexFormat.of().formatHex(digest.digest()) : null;
        byte[] payload = kept == null ? EMPTY : keptLength == kept.length ? kept : Arrays.copyOf(kept, keptLength);
        Message m = new Message(opcode, frames, compressed, wireLength, length, payload, truncated, sha, invalid,
                firstOffset, violations == null ? List.of() : List.copyOf(violations), inflateStopped, missing);
        releaseKept();
        digest = null;
        return m;
    }

    /**
     * True when compressed messages of this direction cannot be inflated because part of an earlier
     * one was not captured (context takeover: the history they build on is gone).
     */
    public boolean historyLost() {
        return historyLost;
    }

    /** Payload bytes of the message in progress that were not captured. */
    public long missing() {
        return missing;
    }

    /** Drops the message in progress (its frames can no longer be followed, after a gap). */
    public void abandon() {
        inMessage = false;
        releaseKept();
        digest = null;
    }

    /** Gives back what the message in progress holds (the stream ended inside it). */
    public void release() {
        releaseKept();
        digest = null;
    }

    private void releaseKept() {
        limits.budget().release(reserved);
        reserved = 0;
        kept = null;
        keptLength = 0;
    }

    private static boolean isMessageFrame(Frame f) {
        return Opcode.isData(f.opcode()) || f.opcode() == Opcode.CONTINUATION;
    }

    private void decoded(byte[] b, int off, int len) {
        if (inflateStopped) {
            return;
        }
        if (compressed && length + len > limits.inflateStop()) {
            int n = (int) (limits.inflateStop() - length);
            if (n > 0) {
                decoded(b, off, n);
            }
            stopInflating();
            return;
        }
        if (opcode == Opcode.TEXT && utf8.invalidAt() < 0) {
            long before = utf8.position();
            long bad = utf8.feed(b, off, len);
            if (bad >= 0) {
                // Uncompressed: the bad byte's own stream offset. Compressed: no byte on the wire is
                // the bad one, so point at the payload of the frame whose bytes produced it.
                long at = compressed ? current.payloadOffset() : current.payloadOffset() + chunkFramePos + (bad - before);
                textViolation(current, at, bad, null);
            }
        }
        length += len;
        keep(b, off, len);
    }

    private void stopInflating() {
        inflateStopped = true;
        inflater.abandon();
        if (!inflater.resetsEveryMessage()) {
            inflaterLost = true;
        }
        if (limits.maxMessage() <= limits.maxInflate() && !overLimit) {
            overLimit(current, current.payloadOffset(), "The compressed message inflates to more than the limit of "
                    + limits.maxMessage() + " bytes; inflation stopped there.");
        }
    }

    private void overLimit(Frame f, long at, String detail) {
        overLimit = true;
        addViolation(f, Rule.MESSAGE_TOO_BIG.at(at, detail));
    }

    private void keep(byte[] b, int off, int len) {
        int n = budgetShort ? 0 : Math.min(limits.retainCap() - keptLength, len);
        if (n > 0 && (kept == null || keptLength + n > kept.length)) {
            int have = kept == null ? 0 : kept.length;
            int want = (int) Math.min(limits.retainCap(), Math.max(keptLength + (long) n, Math.max(FIRST_KEEP, 2L * have)));
            if (!reserve(keptLength + n, want, have)) {
                budgetShort = true;
                n = 0;
            }
        }
        if (n > 0) {
            System.arraycopy(b, off, kept, keptLength, n);
            keptLength += n;
        }
        if (n < len) {
            if (digest == null) {
                digest = sha256();
                if (kept != null) {
                    digest.update(kept, 0, keptLength);
                }
            }
            digest.update(b, off + n, len - n);
        }
    }

    /**
     * Grows {@link #kept} from {@code have} to {@code want} bytes, or as close to it as the budget
     * allows but at least to {@code need}; false when not even that fits.
     */
    private boolean reserve(int need, int want, int have) {
        if (need <= have) {
            return true;
        }
        long got = limits.budget().reserveUpTo(need - have, want - have, want > RetainBudget.SMALL);
        if (got == 0) {
            return false;
        }
        reserved += got;
        kept = kept == null ? new byte[(int) (have + got)] : Arrays.copyOf(kept, (int) (have + got));
        return true;
    }

    private void addViolation(Frame f, Violation v) {
        if (violations == null) {
            violations = new ArrayList<>(2);
        }
        violations.add(v);
        if (f != null) {
            f.addViolation(v);
        }
    }

    private void textViolation(Frame f, long at, long messagePos, String why) {
        String detail = "The text message is not valid UTF-8 at message byte " + messagePos
                + (why != null ? ": " + why : "") + (compressed ? " (after inflation)." : ".");
        addViolation(f, Rule.TEXT_INVALID_UTF8.at(at, detail));
    }

    private void inflateFailure(Frame f, long at, DataFormatException e) {
        inflateFailed = true;
        String why = e.getMessage() == null ? "corrupt data" : e.getMessage();
        addViolation(f, Rule.DEFLATE_STREAM_INVALID.at(at,
                "The compressed message cannot be inflated (" + why + ") after " + length + " decoded bytes."));
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime provides SHA-256", e);
        }
    }
}
