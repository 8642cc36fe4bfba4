package dev.wsdebug.sniff.tcp;

/**
 * Bytes that arrived ahead of a hole, waiting for it: stream offsets {@code [start, end)}.
 *
 * @param bytes  a copy of exactly those bytes, or null when the snap length cut them from the
 *               capture (they are delivered as a gap when their turn comes)
 * @param packet the packet that carried them, passed on to {@link TcpStreamHandler#data}
 */
record HeldSegment(long start, long end, byte[] bytes, long packet) {

    int length() {
        return (int) (end - start);
    }
}
