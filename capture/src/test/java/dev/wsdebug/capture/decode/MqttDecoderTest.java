package dev.wsdebug.capture.decode;

import com.fasterxml.jackson.databind.JsonNode;
import dev.wsdebug.wire.Direction;
import dev.wsdebug.wire.Message;
import dev.wsdebug.wire.Opcode;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;

import static dev.wsdebug.capture.decode.DecodingSinkTest.binary;
import static dev.wsdebug.capture.decode.DecodingSinkTest.text;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * MQTT packets as mqtt-packet 9 (the codec of MQTT.js 5.16) writes them: generated once with
 * {@code require('mqtt-packet').generate(packet, {protocolVersion})} in Node and written here as hex.
 */
class MqttDecoderTest {
    // 3.1.1: {cmd:'connect', protocolId:'MQTT', protocolVersion:4, clean:true, clientId:'abc', keepalive:60,
    //   username:'user', password:Buffer.from('secret'), will:{topic:'last/will', payload:'bye', qos:1, retain:false}}
    static final String CONNECT4 = "102d00044d51545404ce003c000361626300096c6173742f77696c6c00036279650004757365720006736563726574";
    // 5.0: clientId 'abc', keepalive 60, clean, properties {sessionExpiryInterval:300, receiveMaximum:20, userProperties:{a:'b'}}
    static final String CONNECT5 = "101f00044d5154540502003c0f110000012c210014260001610001620003616263";
    // 3.1 (MQIsdp, level 3), clean false, clientId 'old', keepalive 10
    static final String CONNECT3 = "101100064d51497364700300000a00036f6c64";
    static final String CONNACK4 = "20020100"; // sessionPresent, returnCode 0
    // v5: reasonCode 0, properties {topicAliasMaximum:10, assignedClientIdentifier:'xyz'}
    static final String CONNACK5 = "200c00000922000a12000378797a";
    static final String PUBLISH_Q1 = "3212000973656e736f72732f31000768656c6c6f"; // sensors/1 qos 1 id 7 "hello"
    static final String PUBLISH_RETAIN_BIN = "310e000973656e736f72732f32ff0001"; // sensors/2 qos 0 retain, payload ff 00 01
    // v5: sensors/1 qos 2 id 8 dup, properties {payloadFormatIndicator, messageExpiryInterval:60,
    //   contentType:'text/plain', userProperties:{k:['v1','v2']}}, payload "hello"
    static final String PUBLISH5 = "3c37000973656e736f72732f310008240101020000003c03000a746578742f706c61696e2600016b000276312600016b0002763268656c6c6f";
    static final String PUBACK4 = "40020007";
    static final String PUBACK5 = "400400071000"; // id 7, reason 0x10 No matching subscribers
    static final String PUBREC = "50020008";
    static final String PUBREL = "62020008";
    static final String PUBCOMP = "70020008";
    static final String SUBSCRIBE4 = "82140002000973656e736f72732f23010003612f2b00"; // id 2: sensors/# qos 1, a/+ qos 0
    // v5: id 3, properties {subscriptionIdentifier:5}, sensors/# qos 1 nl rh 1
    static final String SUBSCRIBE5 = "82110003020b05000973656e736f72732f2315";
    static final String SUBACK4 = "900400020180"; // id 2: qos 1, failure
    static final String SUBACK5 = "90090003051f00026f6b01"; // id 3, reasonString 'ok', qos 1
    static final String UNSUBSCRIBE = "a20d0004000973656e736f72732f23";
    static final String UNSUBACK4 = "b0020004";
    static final String UNSUBACK5 = "b00400040011";
    static final String PINGREQ = "c000";
    static final String PINGRESP = "d000";
    static final String DISCONNECT4 = "e000";
    static final String DISCONNECT5 = "e00f8e0d1f000a74616b656e206f766572"; // 0x8E, reasonString 'taken over'
    static final String AUTH5 = "f010180e150005534352414d160003010203"; // 0x18, method SCRAM, data 01 02 03

    private final MqttDecoder d = new MqttDecoder();

    private static Message hex(String h) {
        return binary(HexFormat.of().parseHex(h));
    }

    /** Decodes these messages in order on one connection; returns the last result. */
    private Decoded run(DecodeState st, Direction dir, String... hex) {
        Decoded r = null;
        for (String h : hex) {
            r = d.decode(hex(h), dir, st);
        }
        return r;
    }

    private Decoded v4(Direction dir, String h) {
        DecodeState st = new DecodeState();
        run(st, Direction.C2S, CONNECT4);
        return run(st, dir, h);
    }

    private Decoded v5(Direction dir, String h) {
        DecodeState st = new DecodeState();
        run(st, Direction.C2S, CONNECT5);
        return run(st, dir, h);
    }

    @Test
    void claimsAndSniff() {
        assertThat(d.claims("mqtt", "ws://h/mqtt")).isTrue();
        assertThat(d.claims("mqttv3.1", "ws://h/mqtt")).isTrue();
        assertThat(d.claims("MQTT", null)).isTrue();
        assertThat(d.claims("v12.stomp", "ws://h/mqtt")).isFalse();
        assertThat(d.sniff(hex(CONNECT4))).isTrue();
        assertThat(d.sniff(hex(CONNECT5))).isTrue();
        assertThat(d.sniff(hex(CONNECT3))).isTrue();
        assertThat(d.sniff(hex(PUBLISH_Q1))).isFalse();
        assertThat(d.sniff(hex("1000"))).isFalse();
        assertThat(d.sniff(hex("102d00044d515454"))).isTrue();
        assertThat(d.sniff(hex("102d00044d515458"))).isFalse();
        assertThat(d.sniff(text("\u0010\u0010\u0000\u0004MQTT"))).isFalse();
    }

    @Test
    void theSinkPicksMqttByItsSubprotocolOrItsConnect() {
        List<dev.wsdebug.capture.Event> out = new java.util.ArrayList<>();
        DecodingSink sink = new DecodingSink(out::add, null);
        sink.accept(DecodingSinkTest.handshake("a", "ws://h/mqtt", "mqtt"));
        sink.accept(new dev.wsdebug.capture.MessageEvent("a", 1, Direction.C2S, 1, hex(PINGREQ)));
        sink.accept(DecodingSinkTest.handshake("b", "ws://h/", null));
        sink.accept(new dev.wsdebug.capture.MessageEvent("b", 1, Direction.C2S, 1, hex(CONNECT5)));
        sink.accept(new dev.wsdebug.capture.MessageEvent("b", 1, Direction.S2C, 2, hex(CONNACK5)));
        assertThat(out.stream().filter(e -> e instanceof dev.wsdebug.capture.MessageEvent)
                .map(e -> ((dev.wsdebug.capture.MessageEvent) e).decoded())
                .map(x -> x.protocol() + " " + x.summary())).containsExactly("mqtt PINGREQ",
                "mqtt CONNECT v5 client=abc keepalive=60 clean", "mqtt CONNACK accepted");
    }

    @Test
    void connectNeverShowsThePassword() {
        Decoded c = run(new DecodeState(), Direction.C2S, CONNECT4);
        assertThat(c.summary()).isEqualTo("CONNECT v3.1.1 client=abc keepalive=60 clean will=last/will user=user password: 6 bytes");
        JsonNode v = c.value();
        assertThat(v.path("protocolName").asText()).isEqualTo("MQTT");
        assertThat(v.path("protocolLevel").asInt()).isEqualTo(4);
        assertThat(v.path("will").path("qos").asInt()).isEqualTo(1);
        assertThat(v.path("will").path("payload").asText()).isEqualTo("bye");
        assertThat(v.path("passwordLength").asInt()).isEqualTo(6);
        assertThat(v.toString()).doesNotContain("secret").doesNotContain("c2VjcmV0");

        Decoded c5 = run(new DecodeState(), Direction.C2S, CONNECT5);
        assertThat(c5.summary()).isEqualTo("CONNECT v5 client=abc keepalive=60 clean");
        assertThat(c5.value().path("properties").toString())
                .isEqualTo("{\"sessionExpiryInterval\":300,\"receiveMaximum\":20,\"userProperties\":[[\"a\",\"b\"]]}");
        assertThat(run(new DecodeState(), Direction.C2S, CONNECT3).summary()).isEqualTo("CONNECT v3.1 client=old keepalive=10");
    }

    @Test
    void everyPacketTypeOf311() {
        assertThat(v4(Direction.S2C, CONNACK4).summary()).isEqualTo("CONNACK accepted session-present");
        Decoded p = v4(Direction.C2S, PUBLISH_Q1);
        assertThat(p.summary()).isEqualTo("PUBLISH topic=sensors/1 qos=1 id=7 (5 B)");
        assertThat(p.value().path("payload").asText()).isEqualTo("hello");
        assertThat(p.value().has("properties")).isFalse();
        Decoded bin = v4(Direction.C2S, PUBLISH_RETAIN_BIN);
        assertThat(bin.summary()).isEqualTo("PUBLISH topic=sensors/2 qos=0 retain (3 B)");
        assertThat(bin.value().path("payload").asText()).isEqualTo("/wAB");
        assertThat(bin.value().path("payloadEncoding").asText()).isEqualTo("base64");
        assertThat(v4(Direction.S2C, PUBACK4).summary()).isEqualTo("PUBACK id=7");
        assertThat(v4(Direction.S2C, PUBREC).summary()).isEqualTo("PUBREC id=8");
        assertThat(v4(Direction.C2S, PUBREL).summary()).isEqualTo("PUBREL id=8");
        assertThat(v4(Direction.S2C, PUBCOMP).summary()).isEqualTo("PUBCOMP id=8");
        Decoded sub = v4(Direction.C2S, SUBSCRIBE4);
        assertThat(sub.summary()).isEqualTo("SUBSCRIBE id=2 sensors/# qos=1, a/+ qos=0");
        assertThat(sub.value().path("subscriptions").get(1).path("topic").asText()).isEqualTo("a/+");
        assertThat(v4(Direction.S2C, SUBACK4).summary()).isEqualTo("SUBACK id=2 qos=1, 0x80 Failure");
        assertThat(v4(Direction.C2S, UNSUBSCRIBE).summary()).isEqualTo("UNSUBSCRIBE id=4 sensors/#");
        assertThat(v4(Direction.S2C, UNSUBACK4).summary()).isEqualTo("UNSUBACK id=4");
        assertThat(v4(Direction.C2S, PINGREQ).summary()).isEqualTo("PINGREQ");
        assertThat(v4(Direction.S2C, PINGRESP).summary()).isEqualTo("PINGRESP");
        assertThat(v4(Direction.C2S, DISCONNECT4).summary()).isEqualTo("DISCONNECT");
    }

    @Test
    void everyPacketTypeOf5WithReasonCodesAndProperties() {
        Decoded ack = v5(Direction.S2C, CONNACK5);
        assertThat(ack.summary()).isEqualTo("CONNACK accepted");
        assertThat(ack.value().path("properties").path("assignedClientIdentifier").asText()).isEqualTo("xyz");
        assertThat(ack.value().path("properties").path("topicAliasMaximum").asInt()).isEqualTo(10);
        Decoded p = v5(Direction.C2S, PUBLISH5);
        assertThat(p.summary()).isEqualTo("PUBLISH topic=sensors/1 qos=2 id=8 dup (5 B)");
        assertThat(p.value().path("properties").toString()).isEqualTo("{\"payloadFormatIndicator\":1,\"messageExpiryInterval\":60,"
                + "\"contentType\":\"text/plain\",\"userProperties\":[[\"k\",\"v1\"],[\"k\",\"v2\"]]}");
        assertThat(p.value().path("payload").asText()).isEqualTo("hello");
        assertThat(v5(Direction.S2C, PUBACK5).summary()).isEqualTo("PUBACK id=7 reason=0x10 No matching subscribers");
        Decoded sub = v5(Direction.C2S, SUBSCRIBE5);
        assertThat(sub.summary()).isEqualTo("SUBSCRIBE id=3 sensors/# qos=1");
        JsonNode s0 = sub.value().path("subscriptions").get(0);
        assertThat(s0.path("noLocal").asBoolean()).isTrue();
        assertThat(s0.path("retainAsPublished").asBoolean()).isFalse();
        assertThat(s0.path("retainHandling").asInt()).isEqualTo(1);
        assertThat(sub.value().path("properties").path("subscriptionIdentifier").asInt()).isEqualTo(5);
        Decoded suback = v5(Direction.S2C, SUBACK5);
        assertThat(suback.summary()).isEqualTo("SUBACK id=3 qos=1");
        assertThat(suback.value().path("properties").path("reasonString").asText()).isEqualTo("ok");
        assertThat(v5(Direction.S2C, UNSUBACK5).summary()).isEqualTo("UNSUBACK id=4 0x11 No subscription existed");
        assertThat(v5(Direction.S2C, DISCONNECT5).summary()).isEqualTo("DISCONNECT reason=0x8E Session taken over \"taken over\"");
        Decoded auth = v5(Direction.C2S, AUTH5);
        assertThat(auth.summary()).isEqualTo("AUTH reason=0x18 Continue authentication method=SCRAM");
        assertThat(auth.value().path("properties").path("authenticationData").asText()).isEqualTo("AQID");
    }

    @Test
    void theLevelFromConnectHoldsForTheServersPacketsToo() {
        // the same bytes read as 3.1.1 are malformed: PUBACK with a reason code is longer than 3.1.1's
        assertThat(v4(Direction.S2C, PUBACK5).ok()).isFalse();
        assertThat(v5(Direction.S2C, PUBACK5).ok()).isTrue();
    }

    @Test
    void severalPacketsInOneMessageAndOneOverSeveral() {
        DecodeState st = new DecodeState();
        run(st, Direction.C2S, CONNECT4);
        Decoded two = run(st, Direction.S2C, CONNACK4 + SUBACK4 + PUBLISH_Q1);
        assertThat(two.summary()).isEqualTo("3 packets: CONNACK accepted session-present; SUBACK id=2 qos=1, 0x80 Failure;"
                + " PUBLISH topic=sensors/1 qos=1 id=7 (5 B)");
        assertThat(two.value().path("packets")).hasSize(3);

        // a PUBLISH split in three: inside the remaining length, then inside the topic
        String big = "32" + "8801" + "0009" + "73656e736f72732f31" + "0007" + "61".repeat(123);
        Decoded a = run(st, Direction.C2S, big.substring(0, 4));
        assertThat(a.summary()).isEqualTo("partial PUBLISH (2 B, the rest in a later message)");
        Decoded b = run(st, Direction.C2S, big.substring(4, 16));
        assertThat(b.summary()).isEqualTo("partial PUBLISH (8 of 139 B, the rest in a later message)");
        // the server's packets are not mixed in
        assertThat(run(st, Direction.S2C, PINGRESP).summary()).isEqualTo("PINGRESP");
        Decoded c = run(st, Direction.C2S, big.substring(16) + PINGREQ);
        assertThat(c.summary()).isEqualTo("2 packets: PUBLISH topic=sensors/1 qos=1 id=7 (123 B); PINGREQ");
        assertThat(c.value().path("packets").get(0).path("payload").asText()).isEqualTo("a".repeat(123));
        assertThat(c.value().path("continuedBytes").asInt()).isEqualTo(8);
        assertThat(run(st, Direction.C2S, PINGREQ).summary()).isEqualTo("PINGREQ");
    }

    @Test
    void aLongPacketInManySmallMessagesIsKeptInLinearTime() {
        // PUBLISH qos 0 to "t" with 4 MiB of 'x', sent in 1 KiB messages
        int n = 4 << 20;
        byte[] packet = new byte[1 + 4 + 3 + n];
        packet[0] = 0x30;
        int rem = 3 + n;
        for (int i = 1; i < 5; i++) {
            packet[i] = (byte) ((rem & 0x7f) | (i < 4 ? 0x80 : 0));
            rem >>>= 7;
        }
        packet[5] = 0;
        packet[6] = 1;
        packet[7] = 't';
        Arrays.fill(packet, 8, packet.length, (byte) 'x');
        DecodeState st = new DecodeState();
        Decoded last = null;
        for (int off = 0; off < packet.length; off += 1024) {
            last = d.decode(binary(Arrays.copyOfRange(packet, off, Math.min(packet.length, off + 1024))), Direction.C2S, st);
            assertThat(last.ok()).isTrue();
        }
        assertThat(last.summary()).isEqualTo("PUBLISH topic=t qos=0 (" + n + " B)");
    }

    @Test
    void malformedAndTruncatedInputsSaySoWithoutThrowing() {
        for (String bad : List.of("00", "3280808080", "3203000161", "3203000361", "62020008".replace("62", "60"),
                "8003000161", "820400020000", "e00100", "100700044d51545404", "100a00045858585804020000", "10070004ffffffff04",
                "3602000161")) {
            Decoded r = v4(Direction.C2S, bad);
            assertThat(r.ok()).as(bad).isFalse();
            assertThat(r.problem()).as(bad).endsWith(".").doesNotContain("\n");
        }
        assertThat(v4(Direction.C2S, "3280808080").problem()).contains("four bytes");
        assertThat(v5(Direction.C2S, "40040007 0003".replace(" ", "")).problem()).contains("properties claim 3 bytes");
        assertThat(v5(Direction.C2S, "4006000700020500").problem()).contains("property identifier 0x05 is unknown");
        assertThat(d.decode(text("hello"), Direction.C2S, new DecodeState()).problem()).contains("binary");
        assertThat(d.decode(binary(new byte[0]), Direction.C2S, new DecodeState()).ok()).isFalse();
        // a truncated message drops what was waiting: the next message is read afresh
        DecodeState st = new DecodeState();
        run(st, Direction.C2S, "3212");
        byte[] p = HexFormat.of().parseHex(PUBLISH_Q1);
        Message cut = new Message(Opcode.BINARY, 1, false, 100, 100, Arrays.copyOf(p, 4), true, "00", -1, 0, List.of());
        assertThat(d.decode(cut, Direction.C2S, st).problem()).startsWith("Only the first 4 of 100 bytes");
        assertThat(run(st, Direction.C2S, PINGREQ).summary()).isEqualTo("PINGREQ");
        // a packet longer than what is kept waiting
        assertThat(run(new DecodeState(), Direction.C2S, "30ffffff7f00").problem()).contains("more than");
    }

    @Test
    void randomBytesNeverThrow() {
        Random rnd = new Random(5);
        DecodeState st = new DecodeState();
        run(st, Direction.C2S, CONNECT5);
        List<String> seeds = List.of(PUBLISH5, SUBSCRIBE5, CONNACK5, AUTH5, DISCONNECT5, CONNECT4, SUBACK4);
        for (int i = 0; i < 20000; i++) {
            byte[] b = HexFormat.of().parseHex(seeds.get(rnd.nextInt(seeds.size())));
            int flips = 1 + rnd.nextInt(3);
            for (int k = 0; k < flips; k++) {
                b[rnd.nextInt(b.length)] = (byte) rnd.nextInt(256);
            }
            if (rnd.nextInt(4) == 0) {
                b = Arrays.copyOf(b, rnd.nextInt(b.length + 1));
            }
            Decoded r = d.decode(binary(b), rnd.nextBoolean() ? Direction.C2S : Direction.S2C, st);
            assertThat(r.ok() ? r.summary() : r.problem()).isNotNull();
            assertThat(r.ok() == (r.value() != null)).isTrue();
        }
    }
}
