package dev.wsdebug.sniff.packet;

import dev.wsdebug.sniff.pcap.CaptureFormatException;
import dev.wsdebug.sniff.pcap.Packet;
import org.junit.jupiter.api.Test;

import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static dev.wsdebug.sniff.packet.Frames.TCP;
import static dev.wsdebug.sniff.packet.Frames.concat;
import static dev.wsdebug.sniff.packet.Frames.ethernet;
import static dev.wsdebug.sniff.packet.Frames.extension;
import static dev.wsdebug.sniff.packet.Frames.fragmentHeader;
import static dev.wsdebug.sniff.packet.Frames.ipv4;
import static dev.wsdebug.sniff.packet.Frames.ipv6;
import static dev.wsdebug.sniff.packet.Frames.loopback;
import static dev.wsdebug.sniff.packet.Frames.sll;
import static dev.wsdebug.sniff.packet.Frames.sll2;
import static dev.wsdebug.sniff.packet.Frames.tcp;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Valid packets of every supported link type with random bytes changed, cut or extended: the
 * decoder never throws (the packet is other, or a segment whose lengths are consistent), and
 * every packet is counted once.
 */
class DecoderFuzzTest {

    @Test
    void damagedPacketsNeverThrow() throws CaptureFormatException {
        byte[] segment = tcp(1, 2, 3, 4, 0x18, new byte[]{1, 1, 1, 1}, new byte[40]);
        byte[] v4 = ipv4(Frames.v4(1, 2, 3, 4), Frames.v4(5, 6, 7, 8), TCP, segment);
        byte[] v4Fragment = ipv4(Frames.v4(1, 2, 3, 4), Frames.v4(5, 6, 7, 8), TCP, 9, 0x2000, new byte[0], -1,
                Arrays.copyOf(segment, 32));
        byte[] v6 = ipv6(Frames.v6(1), Frames.v6(2), 0, concat(extension(44, 1), fragmentHeader(60, 0, true, 5),
                extension(TCP, 1), segment));
        List<Object[]> seeds = List.of(
                new Object[]{1, ethernet(0x0800, v4, 0x8100, 1)}, new Object[]{1, ethernet(0x86DD, v6)},
                new Object[]{1, ethernet(0x0800, v4Fragment)}, new Object[]{113, sll(0x0800, v4)},
                new Object[]{276, sll2(0x86DD, v6)}, new Object[]{0, loopback(2, ByteOrder.LITTLE_ENDIAN, v4)},
                new Object[]{108, loopback(30, ByteOrder.BIG_ENDIAN, v6)}, new Object[]{101, v4}, new Object[]{12, v6},
                new Object[]{228, v4Fragment}, new Object[]{229, v6});
        Random random = new Random(17);
        PacketDecoder decoder = new PacketDecoder(8, 1000);
        int packets = 0;
        for (int i = 0; i < 40_000; i++) {
            Object[] seed = seeds.get(i % seeds.size());
            byte[] data = ((byte[]) seed[1]).clone();
            for (int n = 1 + random.nextInt(3); n > 0; n--) {
                data[random.nextInt(data.length)] = (byte) random.nextInt(256);
            }
            if (random.nextInt(4) == 0) {
                data = Arrays.copyOf(data, random.nextInt(data.length + 20));
            }
            TcpSegment s = decoder.decode(new Packet(i, i, (Integer) seed[0], data, data.length, 0));
            packets++;
            if (s != null) {
                assertThat(s.payload().length).isLessThanOrEqualTo(Math.max(0, s.payloadLength()));
                assertThat(s.seq()).isBetween(0L, 0xFFFF_FFFFL);
            }
        }
        assertThat(decoder.tcpPackets() + decoder.udpPackets() + decoder.otherPackets()).isEqualTo(packets);
        assertThat(decoder.tcpPackets()).isPositive();
    }
}
