package dev.wsdebug.wire;

/**
 * Receives what {@link FrameParser} finds, in stream order: a start, zero or more payload
 * chunks, then an end for every frame whose header was complete.
 */
public interface FrameListener {
    /** The header is complete; header violations are already attached. */
    void onFrameStart(Frame frame);

    /**
     * A piece of the frame's payload, already unmasked. The array is only valid during the call.
     *
     * @param payloadPos position of {@code buf[off]} within the frame payload
     */
    void onFramePayload(Frame frame, byte[] buf, int off, int len, long payloadPos);

    /** The whole payload has been seen; all of the parser's violations are attached. */
    void onFrameEnd(Frame frame);

    /**
     * {@code length} bytes of the frame's payload from {@code payloadPos} were not captured (a
     * packet capture with a lost segment): the payload goes on after them.
     */
    default void onFramePayloadGap(Frame frame, long payloadPos, long length) {
    }
}
