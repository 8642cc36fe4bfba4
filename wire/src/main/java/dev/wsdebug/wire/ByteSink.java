package dev.wsdebug.wire;

/** Receives decoded bytes; the array is only valid during the call. */
@FunctionalInterface
public interface ByteSink {
    void write(byte[] b, int off, int len);
}
