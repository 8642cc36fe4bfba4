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
 * <p>Memory stays bounded: at most {@code retainCap} decoded bytes of a message are kept; beyond
 * that only the length and a SHA-256 of the whole payload are.
 */
public final class MessageAssembler {
    private final MessageInflater inflater;
    private final int retainCap;
    private final Utf8Validator utf8 = new Utf8Validator();

    private boolean inMessage;
    private int opcode;
    private boolean compressed;
    private boolean inflateFailed;
    private int frames;
    private long wireLength;
    private long length;
    private long firstOffset;
    private byte[] kept = new byte[256];
    private int keptLength;
    private MessageDigest digest;
    private List<Violation> violations = new ArrayList<>();
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
        this.inflater = inflater;
        this.retainCap = retainCap;
    }

    /** True between the first and the final frame of a message. */
    public boolean inMessage() {
        return inMessage;
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
    }

    private void startMessage(Frame f) {
        inMessage = true;
        opcode = f.opcode();
        compressed = f.rsv1() && inflater != null;
        inflateFailed = false;
        frames = 0;
        wireLength = 0;
        length = 0;
        keptLength = 0;
        digest = null;
        violations = new ArrayList<>();
        firstOffset = f.offset();
        utf8.reset();
        compressedFed = 0;
        if (compressed) {
            inflater.begin();
        }
    }

    public void framePayload(Frame f, byte[] b, int off, int len, long payloadPos) {
        if (!inMessage || !isMessageFrame(f)) {
            return;
        }
        if (compressed) {
            if (!inflateFailed) {
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
        if (compressed && wireLength == 0 && !inflateFailed) {
            // RFC 7692 7.2.3.6: an empty message compresses to at least one byte (0x00). With
            // nothing before the appended tail the inflater is left inside a block, which breaks
            // the next message of this direction; the fault is this message's.
            inflateFailed = true;
            Violation v = Rule.DEFLATE_STREAM_INVALID.at(f.payloadOffset(),
                    "The compressed message has an empty payload; an empty message must be sent as the single byte 0x00.");
            violations.add(v);
            f.addViolation(v);
        }
        if (compressed && !inflateFailed) {
            try {
                inflater.end(decoded);
            } catch (DataFormatException e) {
                inflateFailure(f, f.payloadOffset() + f.payloadLength(), e);
            }
        }
        long invalid = -1;
        if (opcode == Opcode.TEXT) {
            boolean alreadyBad = utf8.invalidAt() >= 0;
            invalid = utf8.finish();
            if (invalid >= 0 && !alreadyBad && !inflateFailed) {
                textViolation(f, f.payloadOffset() + f.payloadLength(), invalid, "the message ends inside a character");
            }
        }
        current = null;
        inMessage = false;
        boolean truncated = length > keptLength;
        String sha = truncated ? HexFormat.of().formatHex(digest.digest()) : null;
        return new Message(opcode, frames, compressed, wireLength, length, Arrays.copyOf(kept, keptLength),
                truncated, sha, invalid, firstOffset, List.copyOf(violations));
    }

    private static boolean isMessageFrame(Frame f) {
        return Opcode.isData(f.opcode()) || f.opcode() == Opcode.CONTINUATION;
    }

    private void decoded(byte[] b, int off, int len) {
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

    private void keep(byte[] b, int off, int len) {
        int room = retainCap - keptLength;
        int n = Math.min(room, len);
        if (n > 0) {
            if (keptLength + n > kept.length) {
                kept = Arrays.copyOf(kept, Math.min(retainCap, Math.max(keptLength + n, kept.length * 2)));
            }
            System.arraycopy(b, off, kept, keptLength, n);
            keptLength += n;
        }
        if (n < len) {
            if (digest == null) {
                digest = sha256();
                digest.update(kept, 0, keptLength);
            }
            digest.update(b, off + n, len - n);
        }
    }

    private void textViolation(Frame f, long at, long messagePos, String why) {
        String detail = "The text message is not valid UTF-8 at message byte " + messagePos
                + (why != null ? ": " + why : "") + (compressed ? " (after inflation)." : ".");
        Violation v = Rule.TEXT_INVALID_UTF8.at(at, detail);
        violations.add(v);
        if (f != null) {
            f.addViolation(v);
        }
    }

    private void inflateFailure(Frame f, long at, DataFormatException e) {
        inflateFailed = true;
        String why = e.getMessage() == null ? "corrupt data" : e.getMessage();
        Violation v = Rule.DEFLATE_STREAM_INVALID.at(at,
                "The compressed message cannot be inflated (" + why + ") after " + length + " decoded bytes.");
        violations.add(v);
        f.addViolation(v);
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime provides SHA-256", e);
        }
    }
}
