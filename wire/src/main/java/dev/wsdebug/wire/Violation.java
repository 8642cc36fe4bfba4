package dev.wsdebug.wire;

/**
 * A protocol rule broken on the wire.
 *
 * @param rule   stable rule id, e.g. {@code control-frame-too-long}
 * @param rfc    the section that states the rule, e.g. {@code RFC 6455 5.5}
 * @param offset byte offset of the offending byte in that direction's stream
 * @param detail one sentence saying what was seen
 */
public record Violation(String rule, String rfc, long offset, String detail) {
}
