package dev.wsdebug.sniff.http2;

/**
 * A complete field block (RFC 9113 4.3): a HEADERS or PUSH_PROMISE fragment with its CONTINUATION
 * frames joined, padding and priority fields removed. {@code fragment} is null when the block was
 * larger than a reader keeps; {@code promised} is the stream a PUSH_PROMISE reserves, else 0.
 */
record HeaderBlock(int type, int stream, int promised, boolean endStream, byte[] fragment) {
}
