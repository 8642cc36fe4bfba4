package dev.wsdebug.ui;

import com.fasterxml.jackson.databind.JsonNode;
import dev.wsdebug.capture.store.CaptureBrowser;
import dev.wsdebug.capture.store.CaptureReader;
import dev.wsdebug.ui.browser.TestCaptures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A rule a frame broke (RSV2 set with no extension for it) flags the message the frame carried in
 * the messages list, and the message's detail lists it once, as does a rule of a control frame.
 */
class ItemViolationsTest {
    @Test
    void aFramesViolationCountsOnItsMessage(@TempDir Path dir) {
        Path file = TestCaptures.write(dir.resolve("t.wsdb"));
        try (CaptureBrowser b = new CaptureBrowser(CaptureReader.open(file)).fixed(true)) {
            JsonNode odd = null;
            JsonNode hello = null;
            for (JsonNode i : b.items("1", -1, 200, CaptureBrowser.ItemFilter.all()).get("items")) {
                if (i.get("preview").asText().equals("odd")) {
                    odd = i;
                }
                if (i.get("preview").asText().equals("hello plain")) {
                    hello = i;
                }
            }
            assertThat(odd).isNotNull();
            assertThat(odd.get("violations").asInt()).isEqualTo(1);
            assertThat(hello.get("violations").asInt()).isZero();
            JsonNode detail = b.item("1", odd.get("seq").asLong());
            assertThat(detail.get("violations")).hasSize(1);
            assertThat(detail.at("/violations/0/rule").asText()).isEqualTo("reserved-bit-set");
            assertThat(detail.at("/frameList/0/violations/0/rule").asText()).isEqualTo("reserved-bit-set");

            JsonNode ping = null;
            for (JsonNode i : b.items("3", -1, 200, CaptureBrowser.ItemFilter.all()).get("items")) {
                if (i.get("type").asText().equals("ping")) {
                    ping = i;
                }
            }
            assertThat(ping.get("violations").asInt()).isPositive();
        }
    }
}
