package dev.wsdebug.net;

import io.netty.channel.Channel;
import io.netty.channel.ChannelOutboundBuffer;

/** What a set of channels holds for peers that have not taken it yet: for metrics and tests. */
final class PendingWrites {
    private PendingWrites() {
    }

    /** Bytes written to the channels and not yet taken by their sockets. */
    static long of(Iterable<Channel> channels) {
        long sum = 0;
        for (Channel ch : channels) {
            ChannelOutboundBuffer b = ch.unsafe().outboundBuffer();
            if (b != null) {
                sum += b.totalPendingWriteBytes();
            }
        }
        return sum;
    }

    /** The most bytes written to one of the channels and not yet taken by its socket. */
    static long largest(Iterable<Channel> channels) {
        long max = 0;
        for (Channel ch : channels) {
            ChannelOutboundBuffer b = ch.unsafe().outboundBuffer();
            if (b != null) {
                max = Math.max(max, b.totalPendingWriteBytes());
            }
        }
        return max;
    }

    /** Channels not being read from (backpressure). */
    static int paused(Iterable<Channel> channels) {
        int n = 0;
        for (Channel ch : channels) {
            if (ch.isActive() && !ch.config().isAutoRead()) {
                n++;
            }
        }
        return n;
    }
}
