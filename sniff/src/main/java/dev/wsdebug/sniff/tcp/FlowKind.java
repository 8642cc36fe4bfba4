package dev.wsdebug.sniff.tcp;

/** What {@link FlowWatch} saw about the flow of one side's bytes (see {@link TcpStreamHandler#flow}). */
public enum FlowKind {
    /** The receiver of the side's bytes advertised a zero window. */
    ZERO_WINDOW,
    /** The receiver opened its window again. */
    WINDOW_OPEN,
    /** A small segment of the side left only once its previous one was acknowledged (Nagle meeting a delayed ACK). */
    ACK_WAIT
}
