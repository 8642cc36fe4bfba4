package dev.wsdebug.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.wsdebug.capture.peer.Peer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static dev.wsdebug.cli.ConnectSupport.jsonLines;
import static dev.wsdebug.cli.DiagnoseSupport.throughProxy;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * WAMP v2 end to end: two autobahn sessions (the npm client of crossbar.io) talk THROUGH
 * {@code wsdebug proxy --save} to a minimal router written in Node on ws
 * (resources/decode/wamp-router.js; npm has no WAMP router), once with each serializer autobahn
 * has in Node: {@code wamp.2.json}, {@code wamp.2.msgpack} and {@code wamp.2.cbor}. The router
 * encodes with other libraries than autobahn (@msgpack/msgpack, cbor-x), so the capture holds two
 * encoders' bytes. The callee session subscribes and registers two procedures, the caller
 * publishes with acknowledge and makes three calls (one answered, one of a procedure nobody
 * registered, one the callee fails), then both leave. {@code wsdebug read --json} must show every
 * message decoded with the realm, URIs, args and kwargs the client was told to send (the plan
 * below), and every answer paired with its request, with the latency between them.
 */
@Tag("packaged-jar")
class DecodeWampIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    /** What the client is told to do; every decoded value below is checked against it. */
    private static ObjectNode plan() throws Exception {
        return (ObjectNode) JSON.readTree("""
                {"realm": "realm1", "topic": "com.example.topic", "procedure": "com.example.add2",
                 "failing": "com.example.fail", "unknown": "com.example.nosuch",
                 "error": {"uri": "com.example.error.bad_input", "args": ["nope", 7], "kwargs": {"why": "odd input"}},
                 "publish": {"args": ["hello", 42, {"nested": [1, 2.5, true, null]}], "kwargs": {"color": "orange", "ünï": "✓"}},
                 "call": {"args": [19, 23], "kwargs": {"note": "sum"}}}""");
    }

    /** One decoded message of the capture. */
    private record Msg(JsonNode e) {
        String dir() {
            return e.path("dir").asText();
        }

        long seq() {
            return e.path("seq").asLong();
        }

        String op() {
            return value().path(0).isNumber() ? TYPES.getOrDefault(value().path(0).asInt(), "?") : "?";
        }

        JsonNode value() {
            return e.path("decoded").path("value");
        }

        String summary() {
            return e.path("decoded").path("summary").asText();
        }

        JsonNode reply() {
            return e.path("decoded").path("reply");
        }

        /** A WAMP id element as a number (the router's cbor-x writes large ids as floats). */
        long id(int i) {
            JsonNode n = value().path(i);
            assertThat(n.isNumber()).as(e.toString()).isTrue();
            assertThat(n.doubleValue()).as(e.toString()).isEqualTo(Math.rint(n.doubleValue()));
            return n.longValue();
        }

        @Override
        public String toString() {
            return dir() + " #" + seq() + " " + summary();
        }
    }

    /** The type numbers of WAMP v2, written here from the spec to read the decoded arrays independently. */
    private static final Map<Integer, String> TYPES = Map.ofEntries(Map.entry(1, "HELLO"), Map.entry(2, "WELCOME"),
            Map.entry(3, "ABORT"), Map.entry(6, "GOODBYE"), Map.entry(8, "ERROR"), Map.entry(16, "PUBLISH"),
            Map.entry(17, "PUBLISHED"), Map.entry(32, "SUBSCRIBE"), Map.entry(33, "SUBSCRIBED"), Map.entry(34, "UNSUBSCRIBE"),
            Map.entry(35, "UNSUBSCRIBED"), Map.entry(36, "EVENT"), Map.entry(48, "CALL"), Map.entry(50, "RESULT"),
            Map.entry(64, "REGISTER"), Map.entry(65, "REGISTERED"), Map.entry(66, "UNREGISTER"), Map.entry(67, "UNREGISTERED"),
            Map.entry(68, "INVOCATION"), Map.entry(70, "YIELD"));

    @Test
    @Timeout(180)
    void autobahnSessionsOverJsonMessagePackAndCbor() throws Exception {
        Peer.requireNode(List.of("autobahn", "ws", "@msgpack/msgpack", "cbor-x"), false);
        Path scripts = Peer.repoRoot().resolve("cli/src/test/resources/decode");
        Map<String, String> env = Map.of("NODE_PATH", Peer.repoRoot().resolve("test-peers/node/node_modules").toString());
        ObjectNode plan = plan();
        List<String> serializers = List.of("json", "msgpack", "cbor");
        Path wsdb = dir.resolve("wamp.wsdb");
        try (LiveCaptureSupport.Child router = new LiveCaptureSupport.Child("wamp router",
                List.of("node", scripts.resolve("wamp-router.js").toString()), env)) {
            String listening = router.await(l -> l.startsWith("{\"port\""), true, 20_000);
            int port = jsonLines(listening).get(0).path("port").asInt();
            throughProxy(wsdb, port, List.of(), proxyPort -> {
                for (String s : serializers) {
                    try (LiveCaptureSupport.Child client = new LiveCaptureSupport.Child("autobahn client " + s,
                            List.of("node", scripts.resolve("wamp-client.js").toString(), "ws://127.0.0.1:" + proxyPort + "/ws",
                                    s, plan.toString()), env)) {
                        assertThat(client.waitFor(40_000)).as(client.describe()).isZero();
                        // the client saw the router's answers: the sum, and both call errors with what was raised
                        assertThat(client.lines()).as(client.describe()).contains("{\"done\":true}",
                                "{\"result\":{\"args\":[" + sum(plan.path("call").path("args")) + "],\"kwargs\":"
                                        + plan.path("call").path("kwargs") + "}}",
                                "{\"joined\":\"caller\",\"realm\":\"realm1\",\"protocol\":\"wamp.2." + s + "\"}")
                                .anyMatch(l -> l.startsWith("{\"callError\":{\"procedure\":\"com.example.nosuch\","
                                        + "\"error\":\"wamp.error.no_such_procedure\""));
                    }
                }
            });
            router.terminate();
        }

        WsdebugProcess.Result r = WsdebugProcess.run("read", wsdb.toString(), "--json");
        assertThat(r.exit()).as(r.err()).isZero();
        List<JsonNode> events = jsonLines(r.out());
        Map<String, String> subprotocols = new LinkedHashMap<>();
        Map<String, List<Msg>> byConn = new LinkedHashMap<>();
        for (JsonNode e : events) {
            String conn = e.path("conn").asText();
            if (e.path("event").asText().equals("handshake")) {
                subprotocols.put(conn, e.path("subprotocol").asText());
            } else if (e.path("event").asText().equals("message")) {
                byConn.computeIfAbsent(conn, k -> new ArrayList<>()).add(new Msg(e));
            }
        }
        String all = byConn.entrySet().stream().map(en -> "[" + en.getKey() + " " + subprotocols.get(en.getKey()) + "]\n"
                + en.getValue().stream().map(Msg::toString).collect(Collectors.joining("\n"))).collect(Collectors.joining("\n"));
        assertThat(byConn).as(all).hasSize(2 * serializers.size());
        for (List<Msg> conn : byConn.values()) {
            assertThat(conn).as(all).allSatisfy(m -> {
                assertThat(m.e().path("decoded").path("protocol").asText()).isEqualTo("wamp");
                assertThat(m.e().path("decoded").has("problem")).as(m.e().toString()).isFalse();
            });
        }
        int total = byConn.values().stream().mapToInt(List::size).sum();

        for (String s : serializers) {
            List<String> conns = subprotocols.entrySet().stream().filter(en -> en.getValue().equals("wamp.2." + s))
                    .map(Map.Entry::getKey).toList();
            assertThat(conns).as(all).hasSize(2);
            // the callee registers; the caller publishes
            List<Msg> callee = conns.stream().map(byConn::get).filter(l -> l.stream().anyMatch(m -> m.op().equals("REGISTER")))
                    .findFirst().orElseThrow(() -> new AssertionError("no callee for " + s + "\n" + all));
            List<Msg> caller = conns.stream().map(byConn::get).filter(l -> l != callee).findFirst().orElseThrow();
            String type = s.equals("json") ? "text" : "binary";
            assertThat(callee).as(all).allSatisfy(m -> assertThat(m.e().path("type").asText()).isEqualTo(type));
            checkCallee(s, callee, plan, all);
            checkCaller(s, caller, callee, plan, all);
        }

        // the transcript says the same in its lines: the topic of an EVENT, an answer with its request
        WsdebugProcess.Result transcript = WsdebugProcess.run("read", wsdb.toString());
        assertThat(transcript.exit()).as(transcript.err()).isZero();
        assertThat(transcript.out()).contains("wamp HELLO realm1", "wamp EVENT com.example.topic subscription=",
                "wamp INVOCATION com.example.add2 request=", "(2 args) +kwargs {note}",
                "wamp ERROR CALL request=", "wamp.error.no_such_procedure (1 arg)");
        for (List<Msg> conn : byConn.values()) {
            for (Msg m : conn) {
                if (m.op().equals("RESULT")) {
                    assertThat(transcript.out()).contains("(answers #" + m.reply().path("seq").asLong() + " CALL com.example.add2 after ");
                }
            }
        }

        // read --stats: every request of the plan answered once per serializer (HELLO and GOODBYE once per session)
        WsdebugProcess.Result stats = WsdebugProcess.run("read", wsdb.toString(), "--stats");
        assertThat(stats.exit()).as(stats.err()).isZero();
        Map<String, Integer> answered = new LinkedHashMap<>();
        for (String line : stats.out().lines().toList()) {
            String[] cols = line.strip().split("\\s{2,}");
            if (cols.length == 7 && cols[0].equals("wamp")) {
                answered.put(cols[1], Integer.parseInt(cols[2]));
            }
        }
        int n = serializers.size();
        String topic = plan.path("topic").asText();
        String add = plan.path("procedure").asText();
        String fail = plan.path("failing").asText();
        assertThat(answered).as(stats.out()).containsExactlyInAnyOrderEntriesOf(Map.ofEntries(
                Map.entry("HELLO", 2 * n), Map.entry("GOODBYE", 2 * n), Map.entry("SUBSCRIBE " + topic, n),
                Map.entry("PUBLISH " + topic, n), Map.entry("UNSUBSCRIBE " + topic, n), Map.entry("REGISTER " + add, n),
                Map.entry("REGISTER " + fail, n), Map.entry("UNREGISTER " + add, n), Map.entry("UNREGISTER " + fail, n),
                Map.entry("CALL " + add, n), Map.entry("CALL " + fail, n), Map.entry("CALL " + plan.path("unknown").asText(), n),
                Map.entry("INVOCATION " + add, n), Map.entry("INVOCATION " + fail, n)));

        // filters on the decoded facets: each keeps exactly the messages that name it
        assertThat(filtered(wsdb, "proto=wamp")).hasSize(total);
        assertThat(filtered(wsdb, "proto=stomp")).isEmpty();
        assertThat(filtered(wsdb, "op=CALL")).extracting(Msg::op).hasSize(3 * serializers.size()).containsOnly("CALL");
        assertThat(filtered(wsdb, "method=" + plan.path("procedure").asText())).extracting(m -> m.dir() + " " + m.op())
                .containsExactlyInAnyOrderElementsOf(times(serializers.size(), "c2s REGISTER", "s2c REGISTERED",
                        "c2s CALL", "s2c INVOCATION", "c2s UNREGISTER"));
        assertThat(filtered(wsdb, "topic=com.example.*")).extracting(m -> m.dir() + " " + m.op())
                .containsExactlyInAnyOrderElementsOf(times(serializers.size(), "c2s SUBSCRIBE", "s2c SUBSCRIBED",
                        "c2s PUBLISH", "s2c EVENT", "c2s UNSUBSCRIBE"));
        assertThat(filtered(wsdb, "op=ERROR dir=s2c")).hasSize(2 * serializers.size());
    }

    private static List<String> times(int n, String... items) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.addAll(List.of(items));
        }
        return out;
    }

    private static List<Msg> filtered(Path wsdb, String filter) throws Exception {
        WsdebugProcess.Result r = WsdebugProcess.run("read", wsdb.toString(), "--json", "--filter", filter);
        assertThat(r.exit()).as(filter + ": " + r.err()).isZero();
        return jsonLines(r.out()).stream().filter(e -> e.path("event").asText().equals("message")).map(Msg::new).toList();
    }

    /** Callee: join, subscribe, register twice, one EVENT, two INVOCATIONs (one YIELD, one ERROR), undo, leave. */
    private static void checkCallee(String s, List<Msg> c, JsonNode plan, String all) {
        String as = s + " callee\n" + all;
        assertThat(c).as(as).extracting(m -> m.dir() + " " + m.op()).containsExactly(
                "c2s HELLO", "s2c WELCOME", "c2s SUBSCRIBE", "s2c SUBSCRIBED", "c2s REGISTER", "s2c REGISTERED",
                "c2s REGISTER", "s2c REGISTERED", "s2c EVENT", "s2c INVOCATION", "c2s YIELD", "s2c INVOCATION", "c2s ERROR",
                "c2s UNSUBSCRIBE", "s2c UNSUBSCRIBED", "c2s UNREGISTER", "s2c UNREGISTERED", "c2s UNREGISTER",
                "s2c UNREGISTERED", "c2s GOODBYE", "s2c GOODBYE");
        helloWelcome(c, plan, as);
        Msg subscribe = c.get(2);
        assertThat(subscribe.value().path(3).asText()).isEqualTo(plan.path("topic").asText());
        answers(c.get(3), subscribe, "SUBSCRIBE " + plan.path("topic").asText(), as);
        long subscription = c.get(3).id(2);
        Msg register = c.get(4);
        assertThat(register.value().path(3).asText()).isEqualTo(plan.path("procedure").asText());
        answers(c.get(5), register, "REGISTER " + plan.path("procedure").asText(), as);
        long registration = c.get(5).id(2);
        assertThat(c.get(6).value().path(3).asText()).isEqualTo(plan.path("failing").asText());
        answers(c.get(7), c.get(6), "REGISTER " + plan.path("failing").asText(), as);

        // the EVENT carries what was published, under the subscription id the router gave; the topic comes from the session
        Msg event = c.get(8);
        assertThat(event.id(1)).as(as).isEqualTo(subscription);
        assertSame(event.value().path(4), plan.path("publish").path("args"), as);
        assertSame(event.value().path(5), plan.path("publish").path("kwargs"), as);
        assertThat(event.summary()).as(as).startsWith("EVENT " + plan.path("topic").asText() + " subscription=")
                .endsWith("(3 args) +kwargs {color, ünï}");

        Msg invocation = c.get(9);
        assertThat(invocation.id(2)).as(as).isEqualTo(registration);
        assertSame(invocation.value().path(4), plan.path("call").path("args"), as);
        assertSame(invocation.value().path(5), plan.path("call").path("kwargs"), as);
        assertThat(invocation.summary()).as(as).startsWith("INVOCATION " + plan.path("procedure").asText() + " request=");
        Msg yield = c.get(10);
        assertThat(yield.id(1)).isEqualTo(invocation.id(1));
        answers(yield, invocation, "INVOCATION " + plan.path("procedure").asText(), as);
        assertThat(yield.value().path(3).path(0).asLong()).as(as).isEqualTo(sum(plan.path("call").path("args")));
        assertSame(yield.value().path(4), plan.path("call").path("kwargs"), as);

        // the failing procedure: the callee's ERROR answers the INVOCATION with the error autobahn raised
        Msg failing = c.get(11);
        assertThat(failing.summary()).as(as).startsWith("INVOCATION " + plan.path("failing").asText() + " request=");
        Msg error = c.get(12);
        assertThat(error.value().path(1).asInt()).isEqualTo(68);
        assertThat(error.id(2)).isEqualTo(failing.id(1));
        raised(error, plan.path("error"), as);
        answers(error, failing, "INVOCATION " + plan.path("failing").asText(), as);

        assertThat(c.get(13).id(2)).as(as).isEqualTo(subscription);
        answers(c.get(14), c.get(13), "UNSUBSCRIBE " + plan.path("topic").asText(), as);
        assertThat(c.get(15).id(2)).as(as).isEqualTo(registration);
        answers(c.get(16), c.get(15), "UNREGISTER " + plan.path("procedure").asText(), as);
        answers(c.get(18), c.get(17), "UNREGISTER " + plan.path("failing").asText(), as);
        goodbye(c.get(19), c.get(20), as);
    }

    /** Caller: join, PUBLISH (acknowledged), three CALLs answered by RESULT, ERROR, ERROR, leave. */
    private static void checkCaller(String s, List<Msg> c, List<Msg> callee, JsonNode plan, String all) {
        String as = s + " caller\n" + all;
        assertThat(c).as(as).extracting(m -> m.dir() + " " + m.op()).containsExactly(
                "c2s HELLO", "s2c WELCOME", "c2s PUBLISH", "s2c PUBLISHED", "c2s CALL", "s2c RESULT",
                "c2s CALL", "s2c ERROR", "c2s CALL", "s2c ERROR", "c2s GOODBYE", "s2c GOODBYE");
        helloWelcome(c, plan, as);
        Msg publish = c.get(2);
        assertThat(publish.value().path(2).path("acknowledge").asBoolean()).as(as).isTrue();
        assertThat(publish.value().path(3).asText()).isEqualTo(plan.path("topic").asText());
        assertSame(publish.value().path(4), plan.path("publish").path("args"), as);
        assertSame(publish.value().path(5), plan.path("publish").path("kwargs"), as);
        Msg published = c.get(3);
        answers(published, publish, "PUBLISH " + plan.path("topic").asText(), as);
        // the publication id acknowledged to the publisher is the one the subscriber's EVENT carries
        Msg event = callee.stream().filter(m -> m.op().equals("EVENT")).findFirst().orElseThrow();
        assertThat(published.id(2)).as(as).isEqualTo(event.id(2));

        Msg call = c.get(4);
        assertThat(call.value().path(3).asText()).isEqualTo(plan.path("procedure").asText());
        assertSame(call.value().path(4), plan.path("call").path("args"), as);
        assertSame(call.value().path(5), plan.path("call").path("kwargs"), as);
        Msg result = c.get(5);
        answers(result, call, "CALL " + plan.path("procedure").asText(), as);
        assertThat(result.value().path(3).path(0).asLong()).as(as).isEqualTo(sum(plan.path("call").path("args")));
        assertSame(result.value().path(4), plan.path("call").path("kwargs"), as);
        assertThat(result.summary()).as(as).isEqualTo("RESULT request=" + call.id(1) + " (1 arg) +kwargs {note}");

        Msg unknown = c.get(6);
        assertThat(unknown.value().path(3).asText()).isEqualTo(plan.path("unknown").asText());
        Msg noSuch = c.get(7);
        assertThat(noSuch.value().path(1).asInt()).isEqualTo(48);
        assertThat(noSuch.value().path(4).asText()).isEqualTo("wamp.error.no_such_procedure");
        answers(noSuch, unknown, "CALL " + plan.path("unknown").asText(), as);
        assertThat(noSuch.summary()).as(as).isEqualTo("ERROR CALL request=" + unknown.id(1) + " wamp.error.no_such_procedure (1 arg)");

        Msg failing = c.get(8);
        assertThat(failing.value().path(3).asText()).isEqualTo(plan.path("failing").asText());
        Msg relayed = c.get(9);
        assertThat(relayed.value().path(1).asInt()).isEqualTo(48);
        raised(relayed, plan.path("error"), as);
        answers(relayed, failing, "CALL " + plan.path("failing").asText(), as);
        goodbye(c.get(10), c.get(11), as);
    }

    private static void helloWelcome(List<Msg> c, JsonNode plan, String as) {
        assertThat(c.get(0).value().path(1).asText()).as(as).isEqualTo(plan.path("realm").asText());
        assertThat(c.get(0).summary()).isEqualTo("HELLO " + plan.path("realm").asText());
        assertThat(c.get(1).summary()).as(as).isEqualTo("WELCOME session=" + c.get(1).id(1));
        answers(c.get(1), c.get(0), null, as);
    }

    private static void goodbye(Msg sent, Msg answer, String as) {
        assertThat(sent.value().path(2).asText()).as(as).isEqualTo("wamp.close.normal");
        assertThat(answer.value().path(2).asText()).as(as).isEqualTo("wamp.close.goodbye_and_out");
        answers(answer, sent, null, as);
    }

    /** An ERROR with the URI, args and kwargs the failing procedure raised. */
    private static void raised(Msg error, JsonNode raised, String as) {
        assertThat(error.value().path(4).asText()).as(as).isEqualTo(raised.path("uri").asText());
        assertSame(error.value().path(5), raised.path("args"), as);
        assertSame(error.value().path(6), raised.path("kwargs"), as);
    }

    /**
     * The answer is paired with its request: the reply names the request's seq (and its name), and
     * the latency is the time between the two messages as the capture stamped them.
     */
    private static void answers(Msg answer, Msg request, String name, String as) {
        JsonNode reply = answer.reply();
        assertThat(reply.path("seq").asLong()).as(answer + " answers " + request + "\n" + as).isEqualTo(request.seq());
        if (name != null) {
            assertThat(reply.path("name").asText()).as(as).isEqualTo(name);
        }
        double between = (answer.e().path("t").asDouble() - request.e().path("t").asDouble()) * 1000;
        assertThat(reply.path("latencyMs").asDouble()).as(answer + "\n" + as).isGreaterThanOrEqualTo(0).isCloseTo(between, within(0.01));
    }

    /** Equal as JSON values, numbers by value (MessagePack and CBOR may carry 2.5 as a float32 or float16). */
    private static void assertSame(JsonNode actual, JsonNode expected, String as) {
        Comparator<JsonNode> byValue = (a, b) -> a.equals(b)
                || (a.isNumber() && b.isNumber() && a.decimalValue().compareTo(b.decimalValue()) == 0) ? 0 : 1;
        assertThat(actual.equals(byValue, expected)).as(actual + " is not " + expected + "\n" + as).isTrue();
    }

    private static long sum(JsonNode args) {
        long s = 0;
        for (JsonNode a : args) {
            s += a.asLong();
        }
        return s;
    }
}
