package dev.wsdebug.sniff.pcap;

/**
 * One captured packet as a capture file holds it.
 *
 * @param number         1-based position in the file (across sections and interfaces), as Wireshark
 *                       numbers frames
 * @param timeNanos      capture time, nanoseconds since the epoch (the interface's resolution and
 *                       offset applied)
 * @param linkType       the LINKTYPE_ value of the packet's interface (FCS bits removed)
 * @param data           the captured bytes, exactly {@code data.length} of them
 * @param originalLength the packet's length on the wire (more than {@code data.length} when the
 *                       snap length cut it)
 * @param interfaceId    the pcapng interface (0 for pcap), unique across sections
 */
public record Packet(long number, long timeNanos, int linkType, byte[] data, int originalLength, int interfaceId) {

    public long timeMicros() {
        return Math.floorDiv(timeNanos, 1000);
    }

    /** Whether the snap length cut the packet short. */
    public boolean truncated() {
        return originalLength > data.length;
    }
}
