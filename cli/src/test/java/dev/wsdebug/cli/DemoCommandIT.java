package dev.wsdebug.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** `wsdebug demo` runs a live session against an embedded server and shows every step. */
@org.junit.jupiter.api.Tag("packaged-jar")
class DemoCommandIT {
    @Test
    void demoShowsEveryStepAndExitsZero() throws Exception {
        WsdebugProcess.Result r = WsdebugProcess.run("demo", "--color=never");
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.err()).isEmpty();
        assertThat(r.out())
                .contains("101 Switching Protocols").contains("accept ok")
                .contains("subprotocol: chat.v2")
                .contains("extensions:  permessage-deflate")
                // the text, JSON (pretty-printed) and binary messages, both ways
                .contains("text message 15 B (deflated 17 B): \"Hello, wsdebug!\"")
                .contains("\"channel\" : \"prices\"")
                .contains("binary message 8 B")
                // the ping and its round trip
                .containsPattern("pong: round trip \\d+\\.\\d{3} ms")
                // the large message echoed in three fragments
                .contains("continuation").contains("binary message 3000 B").contains("3 frames)")
                // the compressed message: inflated size with its size on the wire
                .containsPattern("text message 5041 B \\(deflated \\d{2,3} B\\)")
                .contains("closed 1000 Normal Closure \"demo finished\" by client (close handshake complete)")
                .contains("behind wsdebug proxy on ws://127.0.0.1:")
                .contains("relayed by wsdebug proxy, which decoded the same 16 frames on its own (5 messages up, 5 down)")
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
        assertThat(events.get(0).get("subprotocol").asText()).isEqualTo("chat.v2");
        JsonNode close = events.get(events.size() - 1);
        assertThat(close.get("event").asText()).isEqualTo("close");
        assertThat(close.get("code").asInt()).isEqualTo(1000);
        assertThat(close.get("clean").asBoolean()).isTrue();
        assertThat(events).filteredOn(e -> e.has("violations")).isEmpty();
        List<JsonNode> received = events.stream().filter(e -> e.get("event").asText().equals("message")
                && e.get("dir").asText().equals("s2c")).toList();
        assertThat(received).hasSize(5);
        assertThat(received).allSatisfy(m -> assertThat(m.get("compressed").asBoolean()).isTrue());
        assertThat(received.get(3).get("frames").asInt()).isEqualTo(3);
    }
}
