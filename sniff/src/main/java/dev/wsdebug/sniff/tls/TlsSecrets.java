package dev.wsdebug.sniff.tls;

/**
 * Secrets by NSS key log label ({@code CLIENT_RANDOM}, {@code CLIENT_HANDSHAKE_TRAFFIC_SECRET},
 * {@code SERVER_HANDSHAKE_TRAFFIC_SECRET}, {@code CLIENT_TRAFFIC_SECRET_0},
 * {@code SERVER_TRAFFIC_SECRET_0}, ...) and client random. Thread-safe: a live capture adds lines
 * while connections are decoded.
 */
public interface TlsSecrets {
    /** The secret, or null when none is known (yet). */
    byte[] secret(String label, byte[] clientRandom);

    /**
     * Whether secrets missing now may still arrive (a key log being written during a live
     * capture). A connection then holds its encrypted records for a short while instead of giving
     * up at once; for a complete key log (the default) a missing secret is final.
     */
    default boolean mayGrow() {
        return false;
    }
}
