package dev.wsdebug.sniff.packet;

import java.util.Map;

/**
 * Names of LINKTYPE_ values (tcpdump.org's link-layer header types), for messages about link
 * types the decoder cannot read. Only those a user is likely to meet are named.
 */
public final class LinkTypes {
    public static final int NULL = 0;
    public static final int ETHERNET = 1;
    /** DLT_RAW on most BSDs, found as is in some files. */
    public static final int BSD_RAW = 12;
    /** DLT_RAW on OpenBSD, found as is in some files. */
    public static final int OPENBSD_RAW = 14;
    public static final int RAW = 101;
    public static final int LOOP = 108;
    public static final int LINUX_SLL = 113;
    public static final int IPV4 = 228;
    public static final int IPV6 = 229;
    public static final int LINUX_SLL2 = 276;

    private static final Map<Integer, String> NAMES = Map.ofEntries(
            Map.entry(NULL, "NULL"), Map.entry(ETHERNET, "ETHERNET"), Map.entry(3, "AX25"),
            Map.entry(6, "IEEE802_5"), Map.entry(7, "ARCNET_BSD"), Map.entry(8, "SLIP"), Map.entry(9, "PPP"),
            Map.entry(10, "FDDI"), Map.entry(50, "PPP_HDLC"), Map.entry(51, "PPP_ETHER"),
            Map.entry(100, "ATM_RFC1483"), Map.entry(RAW, "RAW"), Map.entry(104, "C_HDLC"),
            Map.entry(105, "IEEE802_11"), Map.entry(107, "FRELAY"), Map.entry(LOOP, "LOOP"),
            Map.entry(LINUX_SLL, "LINUX_SLL"), Map.entry(114, "LTALK"), Map.entry(117, "PFLOG"),
            Map.entry(119, "IEEE802_11_PRISM"), Map.entry(122, "IP_OVER_FC"), Map.entry(123, "SUNATM"),
            Map.entry(127, "IEEE802_11_RADIOTAP"), Map.entry(129, "ARCNET_LINUX"), Map.entry(138, "APPLE_IP_OVER_IEEE1394"),
            Map.entry(139, "MTP2_WITH_PHDR"), Map.entry(140, "MTP2"), Map.entry(141, "MTP3"), Map.entry(142, "SCCP"),
            Map.entry(143, "DOCSIS"), Map.entry(144, "LINUX_IRDA"), Map.entry(163, "IEEE802_11_AVS"),
            Map.entry(165, "BACNET_MS_TP"), Map.entry(166, "PPP_PPPD"), Map.entry(169, "GPRS_LLC"),
            Map.entry(177, "LINUX_LAPD"), Map.entry(187, "BLUETOOTH_HCI_H4"), Map.entry(189, "USB_LINUX"),
            Map.entry(192, "PPI"), Map.entry(195, "IEEE802_15_4_WITHFCS"), Map.entry(196, "SITA"),
            Map.entry(197, "ERF"), Map.entry(201, "BLUETOOTH_HCI_H4_WITH_PHDR"), Map.entry(202, "AX25_KISS"),
            Map.entry(203, "LAPD"), Map.entry(204, "PPP_WITH_DIR"), Map.entry(205, "C_HDLC_WITH_DIR"),
            Map.entry(215, "IEEE802_15_4_NONASK_PHY"), Map.entry(220, "USB_LINUX_MMAPPED"),
            Map.entry(224, "FC_2"), Map.entry(226, "IPNET"), Map.entry(227, "CAN_SOCKETCAN"),
            Map.entry(IPV4, "IPV4"), Map.entry(IPV6, "IPV6"), Map.entry(230, "IEEE802_15_4_NOFCS"),
            Map.entry(231, "DBUS"), Map.entry(235, "DVB_CI"), Map.entry(239, "NFLOG"),
            Map.entry(240, "NETANALYZER"), Map.entry(247, "INFINIBAND"), Map.entry(248, "SCTP"),
            Map.entry(249, "USBPCAP"), Map.entry(251, "BLUETOOTH_LE_LL"), Map.entry(253, "NETLINK"),
            Map.entry(254, "BLUETOOTH_LINUX_MONITOR"), Map.entry(256, "BLUETOOTH_LE_LL_WITH_PHDR"),
            Map.entry(259, "IPOIB"), Map.entry(263, "DOCSIS31_XRA31"), Map.entry(264, "ETHERNET_MPACKET"),
            Map.entry(265, "DISPLAYPORT_AUX"), Map.entry(LINUX_SLL2, "LINUX_SLL2"));

    private LinkTypes() {
    }

    /** {@code LINKTYPE_IEEE802_11 (105)}, or just the number for one without a name here. */
    public static String describe(int linkType) {
        if (linkType >= 147 && linkType <= 162) {
            return "LINKTYPE_USER" + (linkType - 147) + " (" + linkType + ")";
        }
        String name = NAMES.get(linkType);
        return name == null ? String.valueOf(linkType) : "LINKTYPE_" + name + " (" + linkType + ")";
    }
}
