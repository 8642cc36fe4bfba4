package dev.wsdebug.sniff.pcap;

import java.io.IOException;

/**
 * The bytes are not (or no longer) a capture this reader understands: a malformed, truncated or
 * unsupported block. The message is one sentence for the user, naming where (byte offset, block)
 * when it can; what was read before it stays valid.
 */
public final class CaptureFormatException extends IOException {
    public CaptureFormatException(String sentence) {
        super(sentence);
    }
}
