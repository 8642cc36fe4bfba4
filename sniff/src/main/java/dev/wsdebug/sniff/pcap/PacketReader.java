package dev.wsdebug.sniff.pcap;

import java.io.IOException;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * Packets of a pcap or pcapng stream, in file order. Readers stream: they never seek and never
 * hold more than the block being read, so a file of any size (or a pipe from tcpdump) can be read.
 */
public interface PacketReader extends AutoCloseable {
    /**
     * The next packet, or null at the end of the stream.
     *
     * @throws CaptureFormatException when the bytes stop being a valid capture (truncated in the
     *                                middle of a block, a bad block length...): the packets before
     *                                it were already returned
     */
    Packet next() throws IOException;

    /**
     * Receives TLS key log text found in the capture (pcapng Decryption Secrets Blocks, as
     * {@code editcap --inject-secrets} writes them), when {@link #next} reads such a block; it
     * comes before the packets that follow the block.
     */
    default void onSecrets(Consumer<byte[]> keyLogText) {
    }

    /** Receives name resolution records (pcapng NRB): an IPv4 or IPv6 address and a name for it. */
    default void onName(BiConsumer<byte[], String> addressAndName) {
    }

    /** "pcap" or "pcapng". */
    String format();

    @Override
    void close() throws IOException;
}
