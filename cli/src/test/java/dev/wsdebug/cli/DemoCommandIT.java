package dev.wsdebug.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class DemoCommandIT {
    @Test
    void demoShowsEveryStepAndExitsZero() throws Exception {
        WsdebugProcess.Result r = WsdebugProcess.run("demo");
        assertThat(r.exit()).isZero();
        assertThat(r.err()).isEmpty();
        assertThat(r.out())
                .contains("101 Switching Protocols").contains("accept ok")
                .contains("subprotocol: chat.v2")
                .contains("permessage-deflate; client_max_window_bits=15")
                .contains("text message 15 B: \"Hello, wsdebug!\"")
                .contains("binary message 8 B: 00 01 02 fe ff 7f 10 20")
                .contains("(3 frames)")
                .contains("(deflated ")
                .contains("ping").contains("pong")
                .contains("closed 1000 Normal Closure \"demo finished\" by client (close handshake complete)")
                .contains("What you just saw")
                .doesNotContain("! ");
    }

    @Test
    void demoJsonIsAValidEventStream() throws Exception {
        WsdebugProcess.Result r = WsdebugProcess.run("demo", "--json");
        assertThat(r.exit()).isZero();
        ObjectMapper mapper = new ObjectMapper();
        List<JsonNode> events = new ArrayList<>();
        for (String line : r.out().split("\n")) {
            events.add(mapper.readTree(line));
        }
        assertThat(events.get(0).get("event").asText()).isEqualTo("handshake");
        assertThat(events.get(events.size() - 1).get("event").asText()).isEqualTo("close");
        assertThat(events).filteredOn(e -> e.has("violations")).isEmpty();
        assertThat(events).filteredOn(e -> e.get("event").asText().equals("message")
                && e.get("compressed").asBoolean()).hasSize(2);
    }
}
