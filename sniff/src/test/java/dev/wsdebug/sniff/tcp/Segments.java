package dev.wsdebug.sniff.tcp;

import dev.wsdebug.sniff.packet.Endpoint;
import dev.wsdebug.sniff.packet.TcpSegment;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;

/** Builds test segments; a segment's time is its packet number times 10. */
final class Segments {
    static final int FIN = TcpSegment.FIN;
    static final int SYN = TcpSegment.SYN;
    static final int RST = TcpSegment.RST;
    static final int PSH = TcpSegment.PSH;
    static final int ACK = TcpSegment.ACK;

    static final Endpoint CLIENT = endpoint(10, 0, 0, 1, 50000);
    static final Endpoint SERVER = endpoint(10, 0, 0, 2, 80);

    private Segments() {
    }

    static Endpoint endpoint(int a, int b, int c, int d, int port) {
        try {
            return new Endpoint(InetAddress.getByAddress(new byte[] {(byte) a, (byte) b, (byte) c, (byte) d}), port);
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    static TcpSegment seg(long packet, Endpoint src, Endpoint dst, long seq, long ack, int flags, String data) {
        byte[] b = data.getBytes(StandardCharsets.ISO_8859_1);
        return seg(packet, src, dst, seq, ack, flags, b, b.length);
    }

    static TcpSegment seg(long packet, Endpoint src, Endpoint dst, long seq, long ack, int flags, byte[] payload,
                          int payloadLength) {
        return new TcpSegment(packet, packet * 10, src, dst, seq & 0xFFFFFFFFL, ack & 0xFFFFFFFFL, flags, payload,
                payloadLength);
    }

    /**
     * A segment at {@code timeMillis} advertising {@code window} (raw), with a window scale option
     * of {@code scale} (-1: none) and {@code length} bytes of payload.
     */
    static TcpSegment timed(long packet, double timeMillis, boolean fromClient, long seq, long ack, int flags,
                            int window, int scale, int length) {
        return new TcpSegment(packet, Math.round(timeMillis * 1_000_000), fromClient ? CLIENT : SERVER,
                fromClient ? SERVER : CLIENT, seq & 0xFFFFFFFFL, ack & 0xFFFFFFFFL, flags, new byte[length], length,
                window, scale);
    }

    /** Client to server. */
    static TcpSegment c(long packet, long seq, long ack, int flags, String data) {
        return seg(packet, CLIENT, SERVER, seq, ack, flags, data);
    }

    /** Server to client. */
    static TcpSegment s(long packet, long seq, long ack, int flags, String data) {
        return seg(packet, SERVER, CLIENT, seq, ack, flags, data);
    }
}
