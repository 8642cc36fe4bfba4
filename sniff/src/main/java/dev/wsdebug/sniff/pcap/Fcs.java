package dev.wsdebug.sniff.pcap;

import java.util.Arrays;

/**
 * Frame check sequences that a capture says trail every packet (pcap's FCS bits, pcapng's
 * {@code if_fcslen}). They are removed so that a packet's bytes end where the frame's payload
 * does: the decoder would otherwise take the FCS for payload when an IP length is missing (TSO
 * captures), and nothing here checks FCS values.
 */
final class Fcs {
    private Fcs() {
    }

    /** The wire length without the FCS. */
    static int originalLength(long originalWithFcs, int fcsBytes) {
        return (int) Math.min(Integer.MAX_VALUE, Math.max(0, originalWithFcs - fcsBytes));
    }

    /**
     * The captured bytes without the part of the FCS they hold: all of it, or its start when the
     * snap length cut into it, or none when the cut came before it.
     */
    static byte[] strip(byte[] data, long originalWithFcs, int fcsBytes) {
        if (fcsBytes == 0) {
            return data;
        }
        long keep = Math.min(data.length, Math.max(0, originalWithFcs - fcsBytes));
        return keep == data.length ? data : Arrays.copyOf(data, (int) keep);
    }
}
