package dev.wsdebug.sniff.tcp;

/**
 * The memory bounds of a {@link TcpReassembler}. A capture is untrusted, so what it can make the
 * reassembler hold is capped; going over a cap is reported as a gap (or a connection closed with
 * {@code atEnd}), never an error.
 *
 * @param heldBytesPerSide   out-of-order bytes held for one side of one connection, waiting for the
 *                           hole before them to fill; each held segment also counts
 *                           {@value HeldSegments#OVERHEAD} bytes for its bookkeeping, so that many
 *                           tiny segments cannot take more memory than a few big ones
 * @param connections        connections followed at once; a new one beyond it ends the one idle the
 *                           longest (and the same number of recently closed endpoint pairs is
 *                           remembered, to recognise their late packets)
 * @param recentBytesPerSide the last delivered bytes of each side kept to compare retransmissions
 *                           with ({@link TcpStreamHandler#conflict}); 0 compares only with held bytes
 */
public record TcpLimits(long heldBytesPerSide, int connections, int recentBytesPerSide) {

    /** 4 MiB held per side, 100,000 connections, 1 KiB remembered per side. */
    public static final TcpLimits DEFAULT = new TcpLimits(4L << 20, 100_000, 1024);

    public TcpLimits {
        if (heldBytesPerSide < 0 || connections < 1 || recentBytesPerSide < 0) {
            throw new IllegalArgumentException("bad TCP limits: held " + heldBytesPerSide + ", connections "
                    + connections + ", recent " + recentBytesPerSide);
        }
    }
}
