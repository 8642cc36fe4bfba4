package dev.wsdebug.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.wsdebug.capture.peer.Peer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static dev.wsdebug.cli.ConnectSupport.jsonLines;
import static dev.wsdebug.cli.DiagnoseSupport.throughProxy;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The MQTT decoder end to end (the packaged jar): an MQTT.js client over ws:// talks THROUGH
 * {@code wsdebug proxy --save} to a broker in Node — aedes for MQTT 3.1.1, and for MQTT 5 (which
 * aedes does not speak) a minimal broker on mqtt-packet, MQTT.js's own codec. The client subscribes
 * to {@code sensors/#} with QoS 1 and publishes {@code sensors/V/a} at QoS 0 and {@code sensors/V/b}
 * at QoS 1; {@code wsdebug read --json} must show each packet decoded as what the client and broker
 * were told to send.
 */
@Tag("packaged-jar")
class DecodeMqttIT {
    @TempDir
    Path dir;

    private static String script(String name) throws Exception {
        return Path.of(DecodeMqttIT.class.getResource("/decode/" + name).toURI()).toString();
    }

    /** One decoded packet with the direction of the message that carried it. */
    private record Packet(String dir, JsonNode p) {
        String type() {
            return p.path("type").asText();
        }
    }

    /** The decoded MQTT packets of the recording, in order; partial packets left out. */
    private List<Packet> record(String mode, int version, List<String> summaries) throws Exception {
        Peer.requireNode(List.of("mqtt", "mqtt-packet", "aedes", "ws"), false);
        Map<String, String> env = Map.of("NODE_PATH", Peer.repoRoot().resolve("test-peers/node/node_modules").toString());
        Path wsdb = dir.resolve("mqtt-v" + version + ".wsdb");
        try (LiveCaptureSupport.Child broker = new LiveCaptureSupport.Child("mqtt broker " + mode,
                List.of("node", script("mqtt-broker.js"), mode), env)) {
            String line = broker.await(l -> l.startsWith("{\"port\":"), true, 20_000);
            int port = ConnectSupport.jsonLines(line).get(0).path("port").asInt();
            throughProxy(wsdb, port, List.of(), proxyPort -> {
                try (LiveCaptureSupport.Child client = new LiveCaptureSupport.Child("mqtt client v" + version,
                        List.of("node", script("mqtt-client.js"), "ws://127.0.0.1:" + proxyPort + "/mqtt",
                                String.valueOf(version)), env)) {
                    assertThat(client.waitFor(30_000)).as(client.describe()).isZero();
                    assertThat(client.lines()).as(client.describe()).contains("{\"done\":true}");
                }
            });
        }
        WsdebugProcess.Result r = WsdebugProcess.run("read", wsdb.toString(), "--json");
        assertThat(r.exit()).as(r.err()).isZero();
        List<Packet> out = new ArrayList<>();
        for (JsonNode e : jsonLines(r.out())) {
            if (!e.path("event").asText().equals("message")) {
                continue;
            }
            JsonNode d = e.path("decoded");
            assertThat(d.path("protocol").asText()).as(e.toString()).isEqualTo("mqtt");
            assertThat(d.has("problem")).as(e.toString()).isFalse();
            summaries.add(e.path("dir").asText() + " " + d.path("summary").asText());
            JsonNode v = d.path("value");
            List<JsonNode> packets = new ArrayList<>();
            if (v.has("packets")) {
                v.path("packets").forEach(packets::add);
            } else {
                packets.add(v);
            }
            for (JsonNode p : packets) {
                if (!p.path("partial").asBoolean()) {
                    out.add(new Packet(e.path("dir").asText(), p));
                }
            }
        }
        return out;
    }

    private static List<Packet> of(List<Packet> all, String dir, String type) {
        return all.stream().filter(p -> p.dir.equals(dir) && p.type().equals(type)).toList();
    }

    /** What both versions share: the packets the client and the broker were told to send. */
    private static void assertConversation(List<Packet> all, int version, List<String> summaries) {
        String v = String.valueOf(version);
        JsonNode connect = of(all, "c2s", "CONNECT").get(0).p;
        assertThat(connect.path("protocolName").asText()).isEqualTo("MQTT");
        assertThat(connect.path("protocolLevel").asInt()).isEqualTo(version);
        assertThat(connect.path("clientId").asText()).isEqualTo("wsdebug-v" + v);
        assertThat(connect.path("keepalive").asInt()).isEqualTo(30);
        assertThat(summaries).as("the CONNECT summary").anyMatch(s -> s.equals("c2s CONNECT " + (version == 5 ? "v5" : "v3.1.1")
                + " client=wsdebug-v" + v + " keepalive=30 clean"));

        JsonNode connack = of(all, "s2c", "CONNACK").get(0).p;
        assertThat(connack.path(version == 5 ? "reasonCode" : "returnCode").asInt()).isZero();

        JsonNode subscribe = of(all, "c2s", "SUBSCRIBE").get(0).p;
        assertThat(subscribe.path("subscriptions")).hasSize(1);
        assertThat(subscribe.path("subscriptions").get(0).path("topic").asText()).isEqualTo("sensors/#");
        assertThat(subscribe.path("subscriptions").get(0).path("qos").asInt()).isEqualTo(1);
        JsonNode suback = of(all, "s2c", "SUBACK").get(0).p;
        assertThat(suback.path("packetId").asInt()).isEqualTo(subscribe.path("packetId").asInt());
        assertThat(suback.path("granted").toString()).isEqualTo("[1]");
        assertThat(summaries).anyMatch(s -> s.matches("c2s SUBSCRIBE id=\\d+ sensors/# qos=1"));

        // what the client published, and what the broker delivered back to it
        for (String dir : List.of("c2s", "s2c")) {
            List<Packet> pubs = of(all, dir, "PUBLISH");
            assertThat(pubs).as(dir + " " + summaries).hasSize(2);
            JsonNode a = pubs.get(0).p;
            JsonNode b = pubs.get(1).p;
            assertThat(a.path("topic").asText()).isEqualTo("sensors/" + v + "/a");
            assertThat(a.path("qos").asInt()).isZero();
            assertThat(a.has("packetId")).isFalse();
            assertThat(a.path("payload").asText()).isEqualTo("hello v" + v);
            assertThat(b.path("topic").asText()).isEqualTo("sensors/" + v + "/b");
            assertThat(b.path("qos").asInt()).isEqualTo(1);
            assertThat(b.path("payload").asText()).isEqualTo("reading 42");
            int id = b.path("packetId").asInt();
            assertThat(id).isPositive();
            // acknowledged by the other side with the same packet identifier
            String back = dir.equals("c2s") ? "s2c" : "c2s";
            assertThat(of(all, back, "PUBACK")).as(back + " PUBACK " + summaries)
                    .anyMatch(p -> p.p.path("packetId").asInt() == id);
            assertThat(summaries).as(dir + " summary").anyMatch(s -> s.startsWith(dir + " ")
                    && s.contains("PUBLISH topic=sensors/" + v + "/b qos=1 id=" + id + " (10 B)"));
        }
        assertThat(of(all, "c2s", "DISCONNECT")).hasSize(1);
    }

    @Test
    @Timeout(90)
    void mqtt311ThroughTheProxyToAedes() throws Exception {
        List<String> summaries = new ArrayList<>();
        List<Packet> all = record("aedes", 4, summaries);
        assertConversation(all, 4, summaries);
        assertThat(all).noneMatch(p -> p.p.has("properties"));
    }

    @Test
    @Timeout(90)
    void mqtt5ThroughTheProxyWithPropertiesAndReasonCodes() throws Exception {
        List<String> summaries = new ArrayList<>();
        List<Packet> all = record("v5", 5, summaries);
        assertConversation(all, 5, summaries);
        // v5 packets carry properties: the broker's CONNACK says topicAliasMaximum 0, PUBACK reason 0
        JsonNode connack = of(all, "s2c", "CONNACK").get(0).p;
        assertThat(connack.path("properties").path("topicAliasMaximum").asInt()).isZero();
        assertThat(connack.path("properties").has("topicAliasMaximum")).isTrue();
        assertThat(of(all, "c2s", "PUBLISH")).allMatch(p -> p.p.path("properties").isObject());
        assertThat(of(all, "c2s", "CONNECT").get(0).p.path("properties").isObject()).isTrue();
    }
}
