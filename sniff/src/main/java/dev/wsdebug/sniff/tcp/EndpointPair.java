package dev.wsdebug.sniff.tcp;

import dev.wsdebug.sniff.packet.Endpoint;

/**
 * The two ends of a connection, in no order: the key of the connection table, equal for both
 * directions of a connection.
 *
 * <p>Mutable only so that {@link TcpReassembler} can look each segment up through one reused
 * instance instead of allocating a key per packet; a key stored in a map is never changed.
 */
final class EndpointPair {
    private Endpoint x;
    private Endpoint y;
    private int hash;

    EndpointPair() {
    }

    private EndpointPair(Endpoint x, Endpoint y, int hash) {
        this.x = x;
        this.y = y;
        this.hash = hash;
    }

    EndpointPair set(Endpoint src, Endpoint dst) {
        x = src;
        y = dst;
        // A sum is the same whichever way round; the multiply spreads it over the high bits too.
        hash = (src.hashCode() + dst.hashCode()) * 0x9E3779B9;
        return this;
    }

    /** A copy to store: the reused lookup instance must not end up in a map. */
    EndpointPair copy() {
        return new EndpointPair(x, y, hash);
    }

    @Override
    public int hashCode() {
        return hash;
    }

    @Override
    public boolean equals(Object o) {
        if (o == this) {
            return true;
        }
        if (!(o instanceof EndpointPair p) || p.hash != hash) {
            return false;
        }
        return (x.equals(p.x) && y.equals(p.y)) || (x.equals(p.y) && y.equals(p.x));
    }

    @Override
    public String toString() {
        return x + " <-> " + y;
    }
}
