package dev.wsdebug.sniff.tcp;

/**
 * One of the two senders of a TCP connection. {@code A} is the side of the first segment seen;
 * which side is the client is known from the SYN when it was captured ({@link TcpFlow#client}),
 * else decided by the layer above (the HTTP request, the masking of frames).
 */
public enum Side {
    A, B;

    public Side other() {
        return this == A ? B : A;
    }
}
