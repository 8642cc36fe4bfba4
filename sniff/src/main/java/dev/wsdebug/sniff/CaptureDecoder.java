package dev.wsdebug.sniff;

import dev.wsdebug.capture.EventSink;
import dev.wsdebug.sniff.packet.PacketDecoder;
import dev.wsdebug.sniff.packet.TcpSegment;
import dev.wsdebug.sniff.pcap.CaptureFormatException;
import dev.wsdebug.sniff.pcap.Packet;
import dev.wsdebug.sniff.pcap.PacketReader;
import dev.wsdebug.sniff.tcp.TcpReassembler;

import java.io.IOException;

/**
 * Captured packets into the one pipeline: each packet is decoded down to TCP, TCP connections are
 * put back together, and each connection is routed by what it carries ({@link CapturedConnection}):
 * HTTP/1.1 exchanges become {@code http} events, WebSockets go through the same
 * {@link dev.wsdebug.capture.Conversation} as every live source, TLS is decrypted with the key
 * log first. Packets are processed as they come, so a capture of any size (or a live capture)
 * streams: memory follows the open connections, not the file.
 */
public final class CaptureDecoder {
    private final DecodeContext ctx;
    private final PacketDecoder packets = new PacketDecoder();
    private final TcpReassembler tcp;
    private long lastNanos;
    private boolean finished;

    public CaptureDecoder(EventSink sink, DecodeOptions options) {
        this.ctx = new DecodeContext(sink, options);
        this.tcp = new TcpReassembler(flow -> new CapturedConnection(flow, ctx));
    }

    /**
     * Decodes every packet the reader gives (its Decryption Secrets Blocks join the key log).
     *
     * @throws CaptureFormatException when the file stops being a valid capture, or has a link
     *                                type that is not supported: the events before it were sent
     */
    public void read(PacketReader reader) throws IOException {
        takeSecretsFrom(reader);
        Packet p;
        while ((p = reader.next()) != null) {
            packet(p);
        }
    }

    /** TLS secrets the reader finds (pcapng Decryption Secrets Blocks) join the key log. */
    public void takeSecretsFrom(PacketReader reader) {
        reader.onSecrets(text -> ctx.options.keys.add(text));
        reader.onName((address, name) -> {
            try {
                ctx.names.putIfAbsent(java.net.InetAddress.getByAddress(address), name);
            } catch (java.net.UnknownHostException e) {
                // not 4 or 16 bytes: the reader passes only addresses, so nothing to name
            }
        });
    }

    /** One packet, in capture order. */
    public void packet(Packet p) throws CaptureFormatException {
        ctx.summary.packets++;
        lastNanos = Math.max(lastNanos, p.timeNanos());
        TcpSegment s = packets.decode(p);
        if (s != null) {
            tcp.segment(s);
        }
    }

    /** The end of the input: connections still open end here (a frame in progress is reported as cut). */
    public void finish() {
        if (finished) {
            return;
        }
        finished = true;
        tcp.finish(lastNanos);
        ctx.summary.udpPackets = packets.udpPackets();
        ctx.summary.otherPackets = packets.otherPackets();
    }

    public CaptureSummary summary() {
        return ctx.summary;
    }
}
