package dev.wsdebug.cli;

import dev.wsdebug.wire.FrameWriter;
import dev.wsdebug.wire.Opcode;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * TCP flow facts through {@code wsdebug read}: a capture where the client advertises a zero window
 * while the server sends, then opens it, gives two {@code flow} events on the WebSocket's
 * connection, in JSON Lines and in the transcript.
 */
@Tag("packaged-jar")
class ReadFlowIT {
    @TempDir
    Path dir;

    @Test
    void aZeroWindowInACaptureIsReadAsFlowEvents() throws Exception {
        SynthCapture.Tcp t = SynthCapture.upgrade(new SynthCapture.Tcp(5, 40000, 8080), "/flow");
        t.send(false, SynthCapture.frame(false, Opcode.BINARY, new byte[2000]), 700);
        t.window(true, 0).ack(true).ack(true); // closed; the second ACK is not a new fact
        t.window(true, 65535).ack(true); // open, 2 ms later (packets are 1 ms apart)
        t.send(true, SynthCapture.frame(true, Opcode.CLOSE, FrameWriter.closePayload(1000, "done")));
        t.send(false, SynthCapture.frame(false, Opcode.CLOSE, FrameWriter.closePayload(1000, "done")));
        t.close();
        Path pcap = Files.write(dir.resolve("flow.pcap"),
                SynthCapture.pcap(SynthCapture.timed(SynthCapture.T0_MICROS, 1000, t.packets())));

        WsdebugProcess.Result json = WsdebugProcess.run("read", "--json", pcap.toString());
        assertThat(json.exit()).as(json.err()).isZero();
        List<String> flows = json.out().lines().filter(l -> l.contains("\"event\":\"flow\"")).toList();
        assertThat(flows).hasSize(2);
        assertThat(flows.get(0)).contains("\"conn\":\"1\"", "\"dir\":\"s2c\"", "\"kind\":\"zero-window\"",
                "\"bytes\":0");
        assertThat(flows.get(1)).contains("\"dir\":\"s2c\"", "\"kind\":\"window-open\"", "\"durationMs\":2.0");

        WsdebugProcess.Result text = WsdebugProcess.run("read", pcap.toString());
        assertThat(text.exit()).as(text.err()).isZero();
        assertThat(text.out()).contains("the client advertised a zero TCP window",
                "the client opened its TCP window again after 2.0 ms");
    }
}
