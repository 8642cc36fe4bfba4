package dev.wsdebug.net.limits;

import dev.wsdebug.wire.RetainBudget;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.GlobalEventExecutor;

import java.util.function.Consumer;

/**
 * The load of one server or proxy: its open connections against the limit, the memory budget its
 * connections share, and what its channels hold for peers that have not taken it yet. Read by
 * metrics and tests; thread-safe.
 */
public final class Load {
    private final ConnectionGate gate;
    private final RetainBudget budget;
    /** Every open channel (for the proxy, upstream sides too), to add up what they hold. */
    private final ChannelGroup channels = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);

    public Load(Limits limits) {
        this.gate = new ConnectionGate(limits.maxConnections, "--max-connections");
        this.budget = limits.memoryBudget > 0 ? new RetainBudget(limits.memoryBudget) : RetainBudget.ofHeap(0.25);
    }

    /** Admits a new connection, or answers it 503 ({@link ConnectionGate#admit}); tracks it when admitted. */
    public boolean admit(Channel ch, String server, Consumer<String> log) {
        if (!gate.admit(ch, server, log)) {
            return false;
        }
        channels.add(ch);
        return true;
    }

    /** The places one new HTTP/2 connection's streams take under the same limit ({@link StreamSlots}). */
    public StreamSlots streamSlots() {
        return new StreamSlots(gate);
    }

    /** Tracks one more channel of an admitted connection (the proxy's upstream side). */
    public void track(Channel ch) {
        channels.add(ch);
    }

    public RetainBudget budget() {
        return budget;
    }

    /** Connections open now. */
    public int openConnections() {
        return gate.open();
    }

    /** Connections refused with 503 for being over the limit. */
    public long refusedConnections() {
        return gate.refused();
    }

    /** Bytes of messages held by all connections now. */
    public long heldMessageBytes() {
        return budget.held();
    }

    /** The budget's bound on {@link #heldMessageBytes()}. */
    public long memoryBudget() {
        return budget.limit();
    }

    /** Bytes written to the channels and not yet taken by their sockets. */
    public long pendingWriteBytes() {
        long sum = 0;
        for (Channel ch : channels) {
            sum += pending(ch);
        }
        return sum;
    }

    /** The most bytes written to one channel and not yet taken by its socket. */
    public long largestPendingWrite() {
        long max = 0;
        for (Channel ch : channels) {
            max = Math.max(max, pending(ch));
        }
        return max;
    }

    /** Channels not read from because the other side does not take what it is sent (backpressure). */
    public int pausedChannels() {
        int n = 0;
        for (Channel ch : channels) {
            if (ch.isActive() && !ch.config().isAutoRead()) {
                n++;
            }
        }
        return n;
    }

    private static long pending(Channel ch) {
        ChannelOutboundBuffer b = ch.unsafe().outboundBuffer();
        return b == null ? 0 : b.totalPendingWriteBytes();
    }
}
