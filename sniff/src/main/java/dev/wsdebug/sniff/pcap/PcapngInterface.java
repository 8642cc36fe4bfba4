package dev.wsdebug.sniff.pcap;

/**
 * What a pcapng Interface Description Block says about the packets of one interface.
 *
 * @param id            the interface's number in the whole file: interfaces of later sections
 *                      follow those of earlier ones, so ids stay unique across sections
 * @param linkType      the LINKTYPE_ value
 * @param snapLength    0 for no limit
 * @param resolution    {@code if_tsresol} (microseconds when absent)
 * @param offsetSeconds {@code if_tsoffset}, added to every timestamp
 * @param fcsBytes      {@code if_fcslen} in bytes, removed from every packet (0 when absent)
 */
record PcapngInterface(int id, int linkType, long snapLength, TimeResolution resolution, long offsetSeconds,
                       int fcsBytes) {

    long timeNanos(long units) {
        long nanos = resolution.toNanos(units);
        return offsetSeconds == 0 ? nanos : TimeResolution.plusSeconds(nanos, offsetSeconds);
    }
}
