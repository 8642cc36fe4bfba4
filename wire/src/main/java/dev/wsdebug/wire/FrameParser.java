package dev.wsdebug.wire;

/**
 * Incremental RFC 6455 frame parser for one direction of a connection.
 *
 * <p>Feed it bytes in any chunking; whole buffers and single bytes give the same frames. It never
 * throws on bad input: each broken rule becomes a {@link Violation} on the frame that broke it
 * (rule, RFC section, stream offset of the offending byte, one sentence) and parsing goes on with
 * the length the header states, which is as far as the bytes allow.
 *
 * <p>All checks that follow from the frame sequence of one direction live here: header fields,
 * masking, fragmentation, close payloads and frames after a close. Message-level checks (UTF-8 of
 * text messages, inflation) belong to {@link MessageAssembler}.
 */
public final class FrameParser {
    private static final int MAX_HEADER = 14;
    private static final int SCRATCH = 64 * 1024;
    /** A scratch array up to this size stays for the next frame; a larger one is dropped when its frame ends. */
    private static final int SCRATCH_KEPT = 4 * 1024;
    /** Control payloads beyond this are not kept; valid ones never exceed 125 bytes. */
    private static final int CONTROL_KEEP_LIMIT = 64 * 1024;

    private final FrameListener listener;
    private Direction direction;
    private boolean rsv1Negotiated;

    private long offset;
    private final byte[] header = new byte[MAX_HEADER];
    private int headerFill;
    private int headerNeeded = 2;

    private Frame frame;
    private long payloadPos;
    private byte[] control;
    private int controlFill;
    private byte[] scratch;

    private boolean messageInProgress;
    private boolean closeSeen;

    /** After a gap that lost the frame boundaries: looking for the next plausible header. */
    private boolean resync;
    /** Bytes being judged as a header while resynchronising (the longest judgement needs 10). */
    private final byte[] look = new byte[10];
    private int lookFill;
    /** The next frame is the first after a resynchronisation; bytes skipped to reach it. */
    private boolean resumed;
    private long skipped;

    /**
     * @param direction which way the bytes travel, deciding the masking rule; null checks neither
     *                  masking rule (for input whose direction is unknown)
     */
    public FrameParser(Direction direction, boolean rsv1Negotiated, FrameListener listener) {
        this.direction = direction;
        this.rsv1Negotiated = rsv1Negotiated;
        this.listener = listener;
    }

    public void direction(Direction direction) {
        this.direction = direction;
    }

    public Direction direction() {
        return direction;
    }

    /** Whether an extension (permessage-deflate) gave RSV1 a meaning on this connection. */
    public void rsv1Negotiated(boolean negotiated) {
        this.rsv1Negotiated = negotiated;
    }

    /** Stream offset of the next byte to be fed. */
    public long offset() {
        // the field only moves past a header once it is complete
        return offset + headerFill;
    }

    /** True when the bytes fed so far end inside a frame. */
    public boolean midFrame() {
        return headerFill > 0 || frame != null;
    }

    /** True once a close frame has been seen in this direction. */
    public boolean closeSeen() {
        return closeSeen;
    }

    public void feed(byte[] b) {
        feed(b, 0, b.length);
    }

    public void feed(byte[] b, int off, int len) {
        int end = off + len;
        int i = off;
        while (i < end) {
            if (resync) {
                i = resyncScan(b, i, end);
            } else if (frame == null) {
                i = readHeader(b, i, end);
            } else {
                i = readPayload(b, i, end);
            }
        }
    }

    /**
     * Bytes of the stream were not captured (a lost segment). When they fall inside the current
     * frame's payload, the payload goes on after them and so does parsing, exactly; otherwise the
     * frame boundaries are lost, and the parser skips ahead to the next plausible frame header
     * (a data or control opcode, the masking of this direction, a length that fits), whose frame
     * then reports {@link #takeResumed()}.
     *
     * @return true when parsing goes on exactly, false when it resynchronises
     */
    public boolean gap(long n) {
        if (n <= 0) {
            return !resync;
        }
        if (resync) {
            offset += lookFill + n;
            lookFill = 0;
            return false;
        }
        if (frame != null) {
            Frame f = frame;
            long inside = Math.min(n, f.payloadLength() - payloadPos);
            listener.onFramePayloadGap(f, payloadPos, inside);
            if (f.isControl() && controlFill < control.length) {
                controlFill = (int) Math.min(control.length, controlFill + inside); // missing bytes stay zero
            }
            payloadPos += inside;
            offset += inside;
            n -= inside;
            if (payloadPos == f.payloadLength()) {
                endFrame();
            }
            if (n == 0) {
                return true;
            }
        } else if (headerFill > 0) {
            offset += headerFill; // a header cut by the gap: its bytes are skipped too
            headerFill = 0;
            headerNeeded = 2;
        }
        offset += n;
        resync = true;
        messageInProgress = false;
        skipped = 0;
        return false;
    }

    /**
     * True once for the first frame after a resynchronisation (ask at its start), with
     * {@link #skippedBytes()} the bytes passed over to find it.
     */
    public boolean takeResumed() {
        boolean r = resumed;
        resumed = false;
        return r;
    }

    /** Bytes passed over while looking for a frame header after the last gap. */
    public long skippedBytes() {
        return skipped;
    }

    private int resyncScan(byte[] b, int i, int end) {
        while (resync && i < end) {
            look[lookFill++] = b[i++];
            while (resync && lookFill > 0) {
                int verdict = plausibleHeader();
                if (verdict < 0) {
                    break; // need more bytes to judge
                }
                if (verdict == 0) {
                    System.arraycopy(look, 1, look, 0, --lookFill);
                    offset++;
                    skipped++;
                } else {
                    resync = false;
                    resumed = true;
                    byte[] start = java.util.Arrays.copyOf(look, lookFill);
                    lookFill = 0;
                    feed(start, 0, start.length);
                }
            }
        }
        return i;
    }

    /** 1: the look-ahead starts with a plausible frame header; 0: it does not; -1: more bytes needed. */
    private int plausibleHeader() {
        if (lookFill < 2) {
            return -1;
        }
        int b0 = look[0] & 0xFF;
        int b1 = look[1] & 0xFF;
        int opcode = b0 & 0x0F;
        boolean data = opcode == Opcode.TEXT || opcode == Opcode.BINARY;
        boolean control = opcode == Opcode.CLOSE || opcode == Opcode.PING || opcode == Opcode.PONG;
        if ((b0 & 0x30) != 0 || !(data || control) || (b0 & 0x40) != 0 && !(data && rsv1Negotiated)) {
            return 0;
        }
        boolean masked = (b1 & 0x80) != 0;
        if (direction == Direction.C2S && !masked || direction == Direction.S2C && masked) {
            return 0;
        }
        int len7 = b1 & 0x7F;
        if (control && ((b0 & 0x80) == 0 || len7 > 125)) {
            return 0;
        }
        if (len7 == 126) {
            if (lookFill < 4) {
                return -1;
            }
            return (((look[2] & 0xFF) << 8) | (look[3] & 0xFF)) >= 126 ? 1 : 0;
        }
        if (len7 == 127) {
            if (lookFill < 10) {
                return -1;
            }
            if (look[2] != 0 || look[3] != 0 || look[4] != 0 || look[5] != 0) {
                return 0; // 4 GiB or more: not a frame a real peer sends
            }
            long v = ((long) (look[6] & 0xFF) << 24) | ((look[7] & 0xFF) << 16) | ((look[8] & 0xFF) << 8) | (look[9] & 0xFF);
            return v > 0xFFFF ? 1 : 0;
        }
        return 1;
    }

    /**
     * Declares the end of the stream.
     *
     * @return a {@code truncated-frame} violation if the stream stopped inside a frame, else null
     */
    public Violation finish() {
        if (!midFrame()) {
            return null;
        }
        // offset only moves past a header once it is complete
        long frameStart = frame == null ? offset : offset - frame.headerLength() - payloadPos;
        String detail = frame == null
                ? "The stream ends after " + headerFill + " of the frame header's " + headerNeeded + " bytes."
                : "The stream ends after " + payloadPos + " of the frame's " + frame.payloadLength() + " payload bytes.";
        return Rule.TRUNCATED_FRAME.at(frameStart, detail);
    }

    private int readHeader(byte[] b, int i, int end) {
        while (headerFill < headerNeeded && i < end) {
            header[headerFill++] = b[i++];
            if (headerFill == 2) {
                int len7 = header[1] & 0x7F;
                headerNeeded = 2 + (len7 == 126 ? 2 : len7 == 127 ? 8 : 0) + ((header[1] & 0x80) != 0 ? 4 : 0);
            }
        }
        if (headerFill == headerNeeded) {
            offset += headerFill;
            startFrame(offset - headerFill);
        }
        return i;
    }

    private void startFrame(long start) {
        int b0 = header[0] & 0xFF;
        int b1 = header[1] & 0xFF;
        boolean fin = (b0 & 0x80) != 0;
        boolean rsv1 = (b0 & 0x40) != 0;
        boolean rsv2 = (b0 & 0x20) != 0;
        boolean rsv3 = (b0 & 0x10) != 0;
        int opcode = b0 & 0x0F;
        boolean masked = (b1 & 0x80) != 0;
        int len7 = b1 & 0x7F;
        int pos = 2;
        long length;
        int encoding;
        boolean nonMinimal = false;
        boolean topBit = false;
        if (len7 == 126) {
            length = ((header[2] & 0xFF) << 8) | (header[3] & 0xFF);
            encoding = 16;
            nonMinimal = length < 126;
            pos = 4;
        } else if (len7 == 127) {
            long v = 0;
            for (int k = 2; k < 10; k++) {
                v = (v << 8) | (header[k] & 0xFF);
            }
            topBit = v < 0;
            length = v & Long.MAX_VALUE;
            encoding = 64;
            nonMinimal = length <= 0xFFFF;
            pos = 10;
        } else {
            length = len7;
            encoding = 7;
        }
        int maskKey = 0;
        if (masked) {
            maskKey = ((header[pos] & 0xFF) << 24) | ((header[pos + 1] & 0xFF) << 16)
                    | ((header[pos + 2] & 0xFF) << 8) | (header[pos + 3] & 0xFF);
        }
        Frame f = new Frame(start, fin, rsv1, rsv2, rsv3, opcode, masked, maskKey, headerFill, encoding, length);
        checkHeader(f, nonMinimal, topBit);
        headerFill = 0;
        headerNeeded = 2;
        frame = f;
        payloadPos = 0;
        if (f.isControl()) {
            control = new byte[(int) Math.min(length, CONTROL_KEEP_LIMIT)];
            controlFill = 0;
        }
        listener.onFrameStart(f);
        if (length == 0) {
            endFrame();
        }
    }

    /** Every header rule, in the order the bytes carrying them appear. */
    private void checkHeader(Frame f, boolean nonMinimal, boolean topBit) {
        long at = f.offset();
        int opcode = f.opcode();
        boolean control = Opcode.isControl(opcode);
        if (closeSeen) {
            f.addViolation(Rule.FRAME_AFTER_CLOSE.at(at,
                    "A " + f.type() + " frame follows the close frame this side already sent."));
        }
        if (f.rsv1() && !rsv1Negotiated) {
            f.addViolation(Rule.RESERVED_BIT.at(at, "RSV1 is set but no extension defining it was negotiated."));
        } else if (f.rsv1() && opcode == Opcode.CONTINUATION) {
            f.addViolation(Rule.RSV1_ON_CONTINUATION.at(at,
                    "RSV1 is set on a continuation frame; permessage-deflate marks only a message's first frame."));
        } else if (f.rsv1() && control) {
            f.addViolation(Rule.RSV1_ON_CONTROL_FRAME.at(at,
                    "RSV1 is set on a " + f.type() + " frame; control frames are never compressed."));
        }
        if (f.rsv2()) {
            f.addViolation(Rule.RESERVED_BIT.at(at, "RSV2 is set but no extension defining it was negotiated."));
        }
        if (f.rsv3()) {
            f.addViolation(Rule.RESERVED_BIT.at(at, "RSV3 is set but no extension defining it was negotiated."));
        }
        if (Opcode.isReserved(opcode)) {
            f.addViolation(Rule.RESERVED_OPCODE.at(at, String.format("Opcode 0x%x is reserved.", opcode)));
        } else if (control && !f.fin()) {
            f.addViolation(Rule.FRAGMENTED_CONTROL_FRAME.at(at,
                    "A " + f.type() + " frame has FIN=0; control frames must not be fragmented."));
        } else if (opcode == Opcode.CONTINUATION) {
            if (!messageInProgress) {
                f.addViolation(Rule.CONTINUATION_WITHOUT_MESSAGE.at(at,
                        "A continuation frame arrives with no fragmented message in progress."));
            } else if (f.fin()) {
                messageInProgress = false;
            }
        } else if (Opcode.isData(opcode)) {
            if (messageInProgress) {
                f.addViolation(Rule.DATA_FRAME_IN_FRAGMENTED_MESSAGE.at(at,
                        "A new " + f.type() + " frame starts before the fragmented message in progress has ended."));
            }
            messageInProgress = !f.fin();
        }
        if (direction == Direction.C2S && !f.masked()) {
            f.addViolation(Rule.CLIENT_FRAME_NOT_MASKED.at(at + 1, "A client-to-server frame is not masked."));
        } else if (direction == Direction.S2C && f.masked()) {
            f.addViolation(Rule.SERVER_FRAME_MASKED.at(at + 1, "A server-to-client frame is masked."));
        }
        if (control && f.payloadLength() > 125) {
            f.addViolation(Rule.CONTROL_FRAME_TOO_LONG.at(at + 1, "A " + f.type() + " frame carries "
                    + f.payloadLength() + " payload bytes; control frames allow at most 125."));
        }
        if (topBit) {
            f.addViolation(Rule.LENGTH_TOP_BIT_SET.at(at + 2,
                    "The 64-bit payload length has its most significant bit set; it is read without that bit."));
        }
        if (nonMinimal) {
            f.addViolation(Rule.NON_MINIMAL_LENGTH.at(at + 2, "A payload of " + f.payloadLength()
                    + " bytes uses the " + f.lengthEncoding() + "-bit length encoding instead of the shortest one."));
        }
        if (opcode == Opcode.CLOSE) {
            closeSeen = true;
        }
    }

    private int readPayload(byte[] b, int i, int end) {
        Frame f = frame;
        long remaining = f.payloadLength() - payloadPos;
        int n = (int) Math.min(remaining, end - i);
        if (f.isControl() && controlFill < control.length) {
            int keep = Math.min(n, control.length - controlFill);
            unmask(f, b, i, control, controlFill, keep, payloadPos);
            controlFill += keep;
        }
        if (f.masked()) {
            int want = (int) Math.min(SCRATCH, f.payloadLength());
            if (scratch == null || scratch.length < want) {
                // sized for this frame: an idle connection keeps at most a small one (see endFrame)
                scratch = new byte[want];
            }
            for (int done = 0; done < n; ) {
                int piece = Math.min(n - done, scratch.length);
                Masking.xor(b, i + done, scratch, 0, piece, f.maskKey(), payloadPos + done);
                listener.onFramePayload(f, scratch, 0, piece, payloadPos + done);
                done += piece;
            }
        } else {
            listener.onFramePayload(f, b, i, n, payloadPos);
        }
        payloadPos += n;
        offset += n;
        if (payloadPos == f.payloadLength()) {
            endFrame();
        }
        return i + n;
    }

    private static void unmask(Frame f, byte[] src, int srcOff, byte[] dst, int dstOff, int len, long pos) {
        if (f.masked()) {
            Masking.xor(src, srcOff, dst, dstOff, len, f.maskKey(), pos);
        } else {
            System.arraycopy(src, srcOff, dst, dstOff, len);
        }
    }

    private void endFrame() {
        Frame f = frame;
        if (scratch != null && scratch.length > SCRATCH_KEPT) {
            scratch = null;
        }
        if (f.isControl()) {
            f.controlPayload(control);
            if (f.opcode() == Opcode.CLOSE) {
                checkClosePayload(f, control);
            }
            control = null;
        }
        frame = null;
        listener.onFrameEnd(f);
    }

    private static void checkClosePayload(Frame f, byte[] payload) {
        long at = f.payloadOffset();
        if (f.payloadLength() == 1) {
            f.addViolation(Rule.CLOSE_PAYLOAD_ONE_BYTE.at(f.offset() + 1,
                    "The close frame has a 1-byte payload; a close code needs 2 bytes."));
            return;
        }
        if (payload.length < 2) {
            return;
        }
        int code = f.closeCode();
        if (!CloseCodes.isValidOnWire(code)) {
            f.addViolation(Rule.INVALID_CLOSE_CODE.at(at, "Close code " + code + " (" + CloseCodes.name(code)
                    + ") must not be sent in a close frame."));
        }
        long bad = Utf8Validator.firstInvalid(payload, 2, payload.length - 2);
        if (bad >= 0) {
            f.addViolation(Rule.CLOSE_REASON_INVALID_UTF8.at(at + 2 + bad,
                    "The close reason is not valid UTF-8 at reason byte " + bad + "."));
        }
    }
}
