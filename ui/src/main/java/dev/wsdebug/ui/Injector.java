package dev.wsdebug.ui;

/** A live proxy's way into its connections, for the page's Inject panel. */
public interface Injector {
    /**
     * Sends a message, ping or pong no peer sent.
     *
     * @param toServer true: toward the server; false: toward the client
     * @return null when sent, else why not (one sentence)
     */
    String inject(String conn, boolean toServer, int opcode, byte[] payload);

    /** Whether the connection can take an injected message now. */
    boolean open(String conn);
}
