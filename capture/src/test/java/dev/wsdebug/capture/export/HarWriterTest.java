package dev.wsdebug.capture.export;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.wsdebug.capture.Conversation;
import dev.wsdebug.capture.FlowEvent;
import dev.wsdebug.capture.HandshakeEvent;
import dev.wsdebug.capture.MessageEvent;
import dev.wsdebug.capture.export.Sessions.Recorder;
import dev.wsdebug.capture.export.Sessions.Session;
import dev.wsdebug.wire.Direction;
import dev.wsdebug.wire.HttpHead;
import dev.wsdebug.wire.Message;
import dev.wsdebug.wire.Opcode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class HarWriterTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private static List<Session> sessions() {
        Session plain = new Session("plain").endpoints("127.0.0.5:50001", "127.0.0.9:8080")
                .upgrade("/chat?room=a%20b&flag&x=1", "Sec-WebSocket-Protocol: chat\r\nCookie: a=1\r\n",
                        "Sec-WebSocket-Protocol: chat\r\n")
                .text(Direction.C2S, "hello").text(Direction.S2C, "wörld ✓")
                .binary(Direction.C2S, new byte[] {0, 1, 2, (byte) 0xFE, (byte) 0xFF})
                .frame(Direction.S2C, false, Opcode.TEXT, "frag".getBytes(StandardCharsets.UTF_8))
                .frame(Direction.C2S, true, Opcode.PING, new byte[0])
                .frame(Direction.S2C, true, Opcode.CONTINUATION, "ment".getBytes(StandardCharsets.UTF_8))
                .closeHandshake();
        Session deflate = new Session("deflate").deflateUpgrade("/z", true)
                .compressed(Direction.C2S, Opcode.TEXT, "compressed hello".getBytes(StandardCharsets.UTF_8))
                .compressed(Direction.C2S, Opcode.TEXT, "compressed hello again".getBytes(StandardCharsets.UTF_8))
                .compressed(Direction.S2C, Opcode.BINARY, new byte[] {9, 9, 9, 9, 9, 9, 9, 9})
                .closeHandshake();
        Session lonely = new Session("lonely").send(Direction.C2S,
                "GET /nobody HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n"
                        .getBytes(StandardCharsets.ISO_8859_1));
        Session rejected = new Session("rejected").send(Direction.C2S,
                        "GET /no HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n"
                                .getBytes(StandardCharsets.ISO_8859_1))
                .send(Direction.S2C, ("HTTP/1.1 302 Found\r\nLocation: ws://elsewhere/\r\nContent-Type: text/plain\r\n"
                        + "Content-Length: 2\r\n\r\nno").getBytes(StandardCharsets.ISO_8859_1));
        Session garbage = new Session("garbage").send(Direction.C2S, "\u0016\u0003\u0001 not http\r\n\r\n"
                .getBytes(StandardCharsets.ISO_8859_1));
        Session dropped = new Session("dropped").upgrade("/d", "", "").text(Direction.S2C, "then nothing");
        return List.of(plain, deflate, lonely, rejected, garbage, dropped);
    }

    private static JsonNode har(int chunk, int retain, List<Session> sessions, Recorder[] rec) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        rec[0] = Sessions.run(new HarWriter(out), chunk, retain, sessions);
        return JSON.readTree(out.toByteArray());
    }

    private static Map<String, JsonNode> byConnection(JsonNode har) {
        Map<String, JsonNode> out = new HashMap<>();
        for (JsonNode e : har.path("log").path("entries")) {
            assertThat(out.put(e.path("connection").asText(), e)).as("one entry per connection").isNull();
        }
        return out;
    }

    @Test
    void oneEntryPerConnectionWithItsMessagesInOrder() throws Exception {
        for (int chunk : new int[] {3, Integer.MAX_VALUE}) {
            Recorder[] rec = new Recorder[1];
            JsonNode har = har(chunk, Conversation.DEFAULT_RETAIN, sessions(), rec);
            assertThat(har.path("log").path("version").asText()).isEqualTo("1.2");
            assertThat(har.path("log").path("creator").path("name").asText()).isEqualTo("wsdebug");
            assertThat(har.path("log").path("creator").path("version").isTextual()).isTrue();
            Map<String, JsonNode> entries = byConnection(har);
            assertThat(entries.keySet()).containsExactlyInAnyOrder("plain", "deflate", "lonely", "rejected", "garbage",
                    "dropped");
            for (JsonNode e : entries.values()) {
                assertThat(e.path("_resourceType").asText()).isEqualTo("websocket");
                String conn = e.path("connection").asText();
                List<MessageEvent> expected = rec[0].messages(conn);
                JsonNode messages = e.path("_webSocketMessages");
                assertThat(messages.isArray()).isTrue();
                assertThat(messages).as("messages of %s", conn).hasSize(expected.size());
                for (int i = 0; i < expected.size(); i++) {
                    MessageEvent m = expected.get(i);
                    JsonNode j = messages.get(i);
                    assertThat(j.path("type").asText()).isEqualTo(m.dir() == Direction.C2S ? "send" : "receive");
                    assertThat(j.path("opcode").asInt()).isEqualTo(m.message().opcode());
                    assertThat(j.path("time").decimalValue()).isEqualByComparingTo(BigDecimal.valueOf(m.timeMicros(), 6));
                    String data = j.path("data").asText();
                    if (m.message().isText()) {
                        assertThat(data).isEqualTo(m.message().text());
                    } else {
                        assertThat(Base64.getDecoder().decode(data)).isEqualTo(m.message().payload());
                    }
                    assertThat(j.has("_truncated")).isFalse();
                }
            }
            // what the messages are, spelled out
            assertThat(texts(entries.get("plain"))).containsExactly("send 1 hello", "receive 1 wörld ✓",
                    "send 2 AAEC/v8=", "receive 1 fragment");
            assertThat(texts(entries.get("deflate"))).containsExactly("send 1 compressed hello",
                    "send 1 compressed hello again", "receive 2 CQkJCQkJCQk=");
            assertThat(texts(entries.get("dropped"))).containsExactly("receive 1 then nothing");
            assertThat(entries.get("lonely").path("_webSocketMessages")).isEmpty();
        }
    }

    private static List<String> texts(JsonNode entry) {
        List<String> out = new ArrayList<>();
        for (JsonNode m : entry.path("_webSocketMessages")) {
            out.add(m.path("type").asText() + " " + m.path("opcode").asInt() + " " + m.path("data").asText());
        }
        return out;
    }

    @Test
    void requestAndResponseAsTheHandshakeHadThem() throws Exception {
        Recorder[] rec = new Recorder[1];
        Map<String, JsonNode> entries = byConnection(har(Integer.MAX_VALUE, Conversation.DEFAULT_RETAIN, sessions(), rec));
        HandshakeEvent h = rec[0].of(HandshakeEvent.class, "plain").get(0);
        JsonNode plain = entries.get("plain");
        JsonNode req = plain.path("request");
        assertThat(req.path("method").asText()).isEqualTo("GET");
        assertThat(req.path("url").asText()).isEqualTo("ws://example.test:8080/chat?room=a%20b&flag&x=1");
        assertThat(req.path("httpVersion").asText()).isEqualTo("HTTP/1.1");
        assertThat(req.path("cookies")).isEmpty();
        assertThat(headers(req)).containsExactlyElementsOf(headers(h.request()));
        assertThat(req.path("queryString").toString())
                .isEqualTo("[{\"name\":\"room\",\"value\":\"a b\"},{\"name\":\"flag\",\"value\":\"\"},{\"name\":\"x\",\"value\":\"1\"}]");
        assertThat(req.path("headersSize").asInt()).isEqualTo(h.request().length());
        assertThat(req.path("bodySize").asInt()).isZero();
        JsonNode resp = plain.path("response");
        assertThat(resp.path("status").asInt()).isEqualTo(101);
        assertThat(resp.path("statusText").asText()).isEqualTo("Switching Protocols");
        assertThat(resp.path("httpVersion").asText()).isEqualTo("HTTP/1.1");
        assertThat(headers(resp)).containsExactlyElementsOf(headers(h.response()));
        assertThat(resp.path("content").path("size").asInt()).isZero();
        assertThat(resp.path("content").path("mimeType").asText()).isEmpty();
        assertThat(resp.path("redirectURL").asText()).isEmpty();
        assertThat(resp.path("headersSize").asInt()).isEqualTo(h.response().length());
        assertThat(resp.path("bodySize").asInt()).isZero();
        assertThat(plain.path("serverIPAddress").asText()).isEqualTo("127.0.0.9");
        assertThat(plain.path("comment").asText()).contains("Closed 1000 (Normal Closure) by the client");

        // started at the first byte, answered at the response, ended at the close
        long first = Sessions.T0 + 1000;
        assertThat(Instant.parse(plain.path("startedDateTime").asText()))
                .isEqualTo(Instant.ofEpochSecond(0, first * 1000).truncatedTo(java.time.temporal.ChronoUnit.MILLIS));
        JsonNode t = plain.path("timings");
        assertThat(t.path("wait").decimalValue()).isEqualByComparingTo(
                BigDecimal.valueOf(h.timeMicros() - first, 3));
        assertThat(plain.path("time").decimalValue()).isEqualByComparingTo(
                t.path("send").decimalValue().add(t.path("wait").decimalValue()).add(t.path("receive").decimalValue()));
        assertThat(t.path("receive").decimalValue()).isPositive();

        JsonNode rejected = entries.get("rejected").path("response");
        assertThat(rejected.path("status").asInt()).isEqualTo(302);
        assertThat(rejected.path("redirectURL").asText()).isEqualTo("ws://elsewhere/");
        assertThat(rejected.path("content").path("mimeType").asText()).isEqualTo("text/plain");
        assertThat(rejected.path("bodySize").asInt()).isEqualTo(2);

        JsonNode lonely = entries.get("lonely");
        assertThat(lonely.path("request").path("url").asText()).isEqualTo("ws://h/nobody");
        assertThat(lonely.path("response").path("status").asInt()).isZero();
        assertThat(lonely.path("response").path("headersSize").asInt()).isEqualTo(-1);
        assertThat(lonely.path("response").path("bodySize").asInt()).isEqualTo(-1);
        assertThat(lonely.path("comment").asText()).contains("No response");

        JsonNode garbage = entries.get("garbage");
        assertThat(garbage.path("response").path("status").asInt()).isZero();
        assertThat(garbage.path("comment").asText()).contains("No upgrade request", "handshake:");

        assertThat(entries.get("dropped").path("comment").asText()).contains("1006");
    }

    @Test
    void everyEntryHasTheFieldsHar12Requires() throws Exception {
        JsonNode har = har(Integer.MAX_VALUE, Conversation.DEFAULT_RETAIN, sessions(), new Recorder[1]);
        assertThat(har.path("log").path("entries").isArray()).isTrue();
        for (JsonNode e : har.path("log").path("entries")) {
            assertThat(e.path("startedDateTime").isTextual()).isTrue();
            Instant.parse(e.path("startedDateTime").asText());
            assertThat(e.path("time").isNumber()).isTrue();
            assertThat(e.path("cache").isObject()).isTrue();
            JsonNode req = e.path("request");
            for (String f : List.of("method", "url", "httpVersion")) {
                assertThat(req.path(f).isTextual()).as("request.%s", f).isTrue();
            }
            for (String f : List.of("cookies", "headers", "queryString")) {
                assertThat(req.path(f).isArray()).as("request.%s", f).isTrue();
            }
            for (String f : List.of("headersSize", "bodySize")) {
                assertThat(req.path(f).isInt()).as("request.%s", f).isTrue();
            }
            JsonNode resp = e.path("response");
            assertThat(resp.path("status").isInt()).isTrue();
            for (String f : List.of("statusText", "httpVersion", "redirectURL")) {
                assertThat(resp.path(f).isTextual()).as("response.%s", f).isTrue();
            }
            for (String f : List.of("cookies", "headers")) {
                assertThat(resp.path(f).isArray()).as("response.%s", f).isTrue();
            }
            assertThat(resp.path("content").path("size").isInt()).isTrue();
            assertThat(resp.path("content").path("mimeType").isTextual()).isTrue();
            for (String f : List.of("headersSize", "bodySize")) {
                assertThat(resp.path(f).isIntegralNumber()).as("response.%s", f).isTrue();
            }
            for (String f : List.of("send", "wait", "receive")) {
                assertThat(e.path("timings").path(f).isNumber()).as("timings.%s", f).isTrue();
                assertThat(e.path("timings").path(f).decimalValue()).isNotNegative();
            }
            for (JsonNode h : req.path("headers")) {
                assertThat(h.path("name").isTextual() && h.path("value").isTextual()).isTrue();
            }
        }
    }

    @Test
    void entriesAreWrittenWhenTheirConnectionCloses() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        HarWriter har = new HarWriter(out);
        Session first = sessions().get(0);
        Conversation a = new Conversation("a", har);
        Conversation b = new Conversation("b", har);
        long t = Sessions.T0;
        for (Sessions.Step s : first.steps) {
            a.feed(s.dir(), t += 1000, s.bytes());
            b.feed(s.dir(), t += 1000, s.bytes());
            if (s == first.steps.get(2)) {
                har.flush();
                assertThat(out.toString(StandardCharsets.UTF_8)).doesNotContain("\"connection\"");
            }
        }
        // both close handshakes are complete: both entries are out before the end
        har.flush();
        String written = out.toString(StandardCharsets.UTF_8);
        assertThat(written).contains("\"connection\" : \"a\"", "\"connection\" : \"b\"");
        a.end(t);
        b.end(t);
        har.close();
        JsonNode doc = JSON.readTree(out.toByteArray());
        assertThat(doc.path("log").path("entries")).hasSize(2);
    }

    @Test
    void truncatedMessagesKeepTheirPrefixAndSayItsLength() throws Exception {
        String text = "0123456789".repeat(10);
        Session s = new Session("t").upgrade("/", "", "").text(Direction.C2S, text)
                .binary(Direction.S2C, text.getBytes(StandardCharsets.UTF_8)).closeHandshake();
        Recorder[] rec = new Recorder[1];
        JsonNode har = har(Integer.MAX_VALUE, 16, List.of(s), rec);
        JsonNode messages = har.path("log").path("entries").get(0).path("_webSocketMessages");
        assertThat(messages.get(0).path("data").asText()).isEqualTo(text.substring(0, 16));
        assertThat(messages.get(0).path("_truncated").asBoolean()).isTrue();
        assertThat(messages.get(0).path("_length").asInt()).isEqualTo(100);
        Message m = rec[0].messages("t").get(0).message();
        assertThat(messages.get(0).path("_sha256").asText()).isEqualTo(m.sha256());
        assertThat(Base64.getDecoder().decode(messages.get(1).path("data").asText()))
                .isEqualTo(text.substring(0, 16).getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void plainHttpExchangesAreOrdinaryEntries() throws Exception {
        HttpHead req = new HttpHead("POST /api?q=1 HTTP/1.1", List.of(new HttpHead.Header("Host", "h"),
                new HttpHead.Header("Content-Length", "3")), 60);
        HttpHead resp = new HttpHead("HTTP/1.1 201 Created", List.of(new HttpHead.Header("Content-Type", "application/json")), 50);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        HarWriter har = new HarWriter(out);
        har.accept(new dev.wsdebug.capture.HttpEvent("4", 1_700_000_000_000_000L, "http://h/api?q=1", req, resp, 3, 512, 12_500));
        har.accept(new dev.wsdebug.capture.HttpEvent("5", 1_700_000_001_000_000L, "http://h/gone", req, null, 0, 0, 9_000));
        har.close();
        JsonNode entries = JSON.readTree(out.toByteArray()).path("log").path("entries");
        assertThat(entries).hasSize(2);
        JsonNode e = entries.get(0);
        assertThat(e.path("startedDateTime").asText()).isEqualTo("2023-11-14T22:13:20.000Z");
        assertThat(e.path("time").decimalValue()).isEqualByComparingTo("12.5");
        assertThat(e.path("request").path("method").asText()).isEqualTo("POST");
        assertThat(e.path("request").path("url").asText()).isEqualTo("http://h/api?q=1");
        assertThat(e.path("request").path("bodySize").asLong()).isEqualTo(3);
        assertThat(e.path("request").path("queryString").get(0).path("name").asText()).isEqualTo("q");
        assertThat(e.path("response").path("status").asInt()).isEqualTo(201);
        assertThat(e.path("response").path("statusText").asText()).isEqualTo("Created");
        assertThat(e.path("response").path("bodySize").asLong()).isEqualTo(512);
        assertThat(e.path("response").path("content").path("size").asLong()).isEqualTo(512);
        assertThat(e.path("response").path("content").path("mimeType").asText()).isEqualTo("application/json");
        assertThat(e.path("connection").asText()).isEqualTo("4");
        assertThat(e.has("_webSocketMessages")).isFalse();
        assertThat(e.has("_resourceType")).isFalse();
        JsonNode none = entries.get(1);
        assertThat(none.path("response").path("status").asInt()).isZero();
        assertThat(none.path("response").path("bodySize").asLong()).isEqualTo(-1);
        assertThat(none.path("comment").asText()).isEqualTo("No response was seen.");
    }

    /** Flow facts have no place in HAR: they neither make an entry nor change one. */
    @Test
    void flowFactsAreNotExported() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        HarWriter har = new HarWriter(out);
        long t = 1_700_000_000_000_000L;
        har.accept(new FlowEvent("only-flow", t, Direction.S2C, FlowEvent.ZERO_WINDOW, -1, 0));
        HttpHead req = new HttpHead("GET /x HTTP/1.1", List.of(new HttpHead.Header("Host", "h")), 30);
        har.accept(new dev.wsdebug.capture.HttpEvent("4", t, "http://h/x", req, null, 0, 0, 9_000));
        har.accept(new FlowEvent("4", t + 60_000_000, Direction.S2C, FlowEvent.HELD, 4096, 60_000_000));
        har.close();
        JsonNode entries = JSON.readTree(out.toByteArray()).path("log").path("entries");
        assertThat(entries).hasSize(1);
        assertThat(entries.get(0).path("connection").asText()).isEqualTo("4");
        assertThat(entries.get(0).path("time").decimalValue()).isEqualByComparingTo("9");
    }

    @Test
    void anEmptyCaptureIsAValidHar() throws Exception {
        Path file = dir.resolve("empty.har");
        HarWriter.create(file).close();
        JsonNode doc = JSON.readTree(Files.readAllBytes(file));
        assertThat(doc.path("log").path("version").asText()).isEqualTo("1.2");
        assertThat(doc.path("log").path("entries").isArray()).isTrue();
        assertThat(doc.path("log").path("entries")).isEmpty();
    }

    @Test
    void createWritesAFileThatParses() throws Exception {
        Path file = dir.resolve("x.har");
        Sessions.run(HarWriter.create(file), Integer.MAX_VALUE, sessions());
        assertThat(JSON.readTree(Files.readAllBytes(file)).path("log").path("entries")).hasSize(6);
    }

    private static List<String> headers(JsonNode message) {
        List<String> out = new ArrayList<>();
        for (JsonNode h : message.path("headers")) {
            out.add(h.path("name").asText() + ": " + h.path("value").asText());
        }
        return out;
    }

    private static List<String> headers(HttpHead head) {
        return head.headers().stream().map(h -> h.name() + ": " + h.value()).toList();
    }
}
