package dev.wsdebug.wire;

/** Every protocol rule the decoder checks, with its id and the RFC section stating it. */
public enum Rule {
    RESERVED_OPCODE("reserved-opcode", "RFC 6455 5.2"),
    RESERVED_BIT("reserved-bit-set", "RFC 6455 5.2"),
    FRAGMENTED_CONTROL_FRAME("fragmented-control-frame", "RFC 6455 5.5"),
    CONTROL_FRAME_TOO_LONG("control-frame-too-long", "RFC 6455 5.5"),
    NON_MINIMAL_LENGTH("non-minimal-length", "RFC 6455 5.2"),
    LENGTH_TOP_BIT_SET("length-top-bit-set", "RFC 6455 5.2"),
    CLIENT_FRAME_NOT_MASKED("client-frame-not-masked", "RFC 6455 5.1"),
    SERVER_FRAME_MASKED("server-frame-masked", "RFC 6455 5.1"),
    CONTINUATION_WITHOUT_MESSAGE("continuation-without-message", "RFC 6455 5.4"),
    DATA_FRAME_IN_FRAGMENTED_MESSAGE("data-frame-in-fragmented-message", "RFC 6455 5.4"),
    CLOSE_PAYLOAD_ONE_BYTE("close-payload-one-byte", "RFC 6455 5.5.1"),
    INVALID_CLOSE_CODE("invalid-close-code", "RFC 6455 7.4.1"),
    CLOSE_REASON_INVALID_UTF8("close-reason-invalid-utf8", "RFC 6455 5.5.1"),
    TEXT_INVALID_UTF8("text-invalid-utf8", "RFC 6455 8.1"),
    RSV1_ON_CONTINUATION("rsv1-on-continuation", "RFC 7692 6"),
    RSV1_ON_CONTROL_FRAME("rsv1-on-control-frame", "RFC 7692 6"),
    FRAME_AFTER_CLOSE("frame-after-close", "RFC 6455 5.5.1"),
    DEFLATE_STREAM_INVALID("deflate-stream-invalid", "RFC 7692 7.2.2"),
    TRUNCATED_FRAME("truncated-frame", "RFC 6455 5.2"),
    /** Only where a limit is set (an endpoint's maximum message size): RFC 6455 10.4 asks endpoints to have one. */
    MESSAGE_TOO_BIG("message-too-big", "RFC 6455 10.4");

    private final String id;
    private final String rfc;

    Rule(String id, String rfc) {
        this.id = id;
        this.rfc = rfc;
    }

    public String id() {
        return id;
    }

    public String rfc() {
        return rfc;
    }

    /** A violation of this rule at a stream offset. */
    public Violation at(long offset, String detail) {
        return new Violation(id, rfc, offset, detail);
    }
}
