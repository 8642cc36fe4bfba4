package dev.wsdebug.sniff.packet;

import dev.wsdebug.sniff.pcap.RealCaps;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.io.IOException;
import java.util.stream.Stream;

/**
 * Every capture of the real corpus (ws, tls and h2: Ethernet, Linux cooked and BSD loopback,
 * pcap and pcapng, a fuzzed file among them) read and decoded as tshark does it
 * ({@link TsharkComparison}). Without the corpus the test is skipped, or fails under CI=true.
 */
class RealCaptureTest {

    @TestFactory
    Stream<DynamicTest> everyCorpusCaptureAgreesWithTshark() throws IOException {
        return RealCaps.captures("ws", "tls", "h2").stream()
                .map(f -> DynamicTest.dynamicTest(f.getParent().getFileName() + "/" + f.getFileName(),
                        () -> TsharkComparison.assertSameAsTshark(f)));
    }
}
