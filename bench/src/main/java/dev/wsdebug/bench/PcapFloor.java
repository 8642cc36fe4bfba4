package dev.wsdebug.bench;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The Java floor of {@code bench/pcap.sh}: reads a classic little-endian pcap file through a 1 MiB
 * {@link BufferedInputStream} (every byte comes from the kernel, as wsdebug's reader gets it) and
 * walks its record headers, counting packets and bytes; nothing else. Run as a fresh JVM, so its
 * time includes JVM start-up, as wsdebug's does.
 *
 * <pre>java -cp bench/target/benchmarks.jar dev.wsdebug.bench.PcapFloor FILE</pre>
 */
public final class PcapFloor {
    private PcapFloor() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            System.err.println("usage: PcapFloor FILE.pcap");
            System.exit(2);
        }
        long packets = 0;
        long bytes = 24;
        byte[] header = new byte[24];
        byte[] scratch = new byte[1 << 18];
        try (InputStream in = new BufferedInputStream(Files.newInputStream(Path.of(args[0])), 1 << 20)) {
            if (in.readNBytes(header, 0, 24) != 24 || (header[0] & 0xFF) != 0xD4 || (header[3] & 0xFF) != 0xA1) {
                System.err.println("PcapFloor: not a little-endian pcap file");
                System.exit(1);
            }
            while (true) {
                int n = in.readNBytes(header, 0, 16);
                if (n == 0) {
                    break;
                }
                if (n < 16) {
                    throw new EOFException("cut record header");
                }
                int captured = (header[8] & 0xFF) | (header[9] & 0xFF) << 8 | (header[10] & 0xFF) << 16
                        | (header[11] & 0xFF) << 24;
                if (captured < 0 || captured > scratch.length) {
                    throw new IOException("record of " + captured + " bytes");
                }
                if (in.readNBytes(scratch, 0, captured) != captured) {
                    throw new EOFException("cut record");
                }
                packets++;
                bytes += 16 + captured;
            }
        }
        System.out.println("FLOOR packets=" + packets + " bytes=" + bytes);
    }
}
