package dev.wsdebug.capture;

import dev.wsdebug.wire.Direction;
import dev.wsdebug.wire.FrameSpec;
import dev.wsdebug.wire.FrameWriter;
import dev.wsdebug.wire.Opcode;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class EventFilterTest {
    private static final FrameWriter W = new FrameWriter(new Random(1));

    /** Two connections: text, binary, ping/pong and a close 4001 on "1"; a refused upgrade and an error on "2". */
    private static List<Event> events() {
        RecordingSink sink = new RecordingSink();
        Conversation one = new Conversation("1", sink);
        one.feed(Direction.C2S, 1, ConversationTest.request(""));
        one.feed(Direction.S2C, 2, ConversationTest.response101(""));
        one.feed(Direction.C2S, 3, ConversationTest.frame(Opcode.TEXT, "{\"op\":\"subscribe\",\"id\":42}", true));
        one.feed(Direction.S2C, 4, ConversationTest.frame(Opcode.TEXT, "subscribed to prices", false));
        one.feed(Direction.S2C, 5, W.encode(FrameSpec.of(Opcode.BINARY, new byte[] {'b', 'l', 'o', 'b'})));
        one.feed(Direction.S2C, 6, ConversationTest.frame(Opcode.PING, "", false));
        one.feed(Direction.C2S, 7, ConversationTest.frame(Opcode.PONG, "", true));
        one.feed(Direction.S2C, 8, W.encode(FrameSpec.of(Opcode.CLOSE, FrameWriter.closePayload(4001, "go away"))));
        one.feed(Direction.C2S, 9, W.encode(FrameSpec.of(Opcode.CLOSE, FrameWriter.closePayload(4001, "")).withMask(7)));
        one.end(10);
        Conversation two = new Conversation("2", sink);
        two.feed(Direction.C2S, 11, ConversationTest.request(""));
        two.feed(Direction.S2C, 12, "HTTP/1.1 404 Not Found\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
        two.end(13);
        sink.accept(new ErrorEvent("2", 14, "io", "reset"));
        return sink.events;
    }

    private static List<String> pass(String filter) {
        EventFilter f = EventFilter.parse(filter);
        return events().stream().filter(f).map(EventFilterTest::describe).collect(Collectors.toList());
    }

    private static String describe(Event e) {
        String d = e.conn() + " " + e.name();
        if (e instanceof FrameEvent f) {
            return d + " " + f.dir().id() + " " + f.frame().type();
        }
        if (e instanceof MessageEvent m) {
            return d + " " + m.dir().id() + " " + m.message().type();
        }
        if (e instanceof CloseEvent c) {
            return d + " " + c.code();
        }
        return d;
    }

    @Test
    void blankPassesEverything() {
        assertThat(EventFilter.parse("  ").isEmpty()).isTrue();
        assertThat(pass("")).hasSize(events().size());
    }

    @Test
    void connSelectsOneConnectionOrSeveral() {
        assertThat(pass("conn=2")).containsExactly("2 handshake", "2 error");
        assertThat(pass("conn=1,2")).hasSize(events().size());
        assertThat(pass("conn=3")).isEmpty();
    }

    @Test
    void dirSelectsFramesAndMessagesAndLetsConnectionEventsThrough() {
        assertThat(pass("conn=1 dir=c2s")).containsExactly("1 handshake", "1 frame c2s text", "1 message c2s text",
                "1 frame c2s pong", "1 frame c2s close", "1 close 4001");
    }

    @Test
    void typeNamesOpcodesGroupsAndEventKinds() {
        assertThat(pass("type=text")).containsExactly("1 frame c2s text", "1 message c2s text", "1 frame s2c text",
                "1 message s2c text");
        assertThat(pass("type=ping,pong")).containsExactly("1 frame s2c ping", "1 frame c2s pong");
        assertThat(pass("type=close")).containsExactly("1 frame s2c close", "1 frame c2s close", "1 close 4001");
        assertThat(pass("type=control dir=s2c")).containsExactly("1 frame s2c ping", "1 frame s2c close");
        assertThat(pass("type=handshake")).containsExactly("1 handshake", "2 handshake");
        assertThat(pass("type=error")).containsExactly("2 error");
        assertThat(pass("type=BINARY")).containsExactly("1 frame s2c binary", "1 message s2c binary");
    }

    @Test
    void textAndMatchLookInsideTextPayloadsOnly() {
        assertThat(pass("text=subscribe")).containsExactly("1 message c2s text", "1 message s2c text");
        assertThat(pass("text=blob")).as("binary payloads are not searched").isEmpty();
        assertThat(pass("match='\"id\":\\d+'")).containsExactly("1 message c2s text");
        assertThat(pass("match=id:\\d+")).as("quotes are removed like a shell's").isEmpty();
        assertThat(pass("match=^subscribed dir=s2c")).containsExactly("1 message s2c text");
        assertThat(pass("text='to prices'")).containsExactly("1 message s2c text");
        assertThat(pass("text=subscribe text=prices")).containsExactly("1 message s2c text");
    }

    @Test
    void codeSelectsCloseFramesAndCloseEvents() {
        assertThat(pass("code=4001")).containsExactly("1 frame s2c close", "1 frame c2s close", "1 close 4001");
        assertThat(pass("code=1000")).isEmpty();
    }

    @Test
    void httpExchangesAreConnectionEventsNamedByTypeHttp() {
        dev.wsdebug.wire.HttpHead req = new dev.wsdebug.wire.HttpHead("GET /x HTTP/1.1",
                List.of(new dev.wsdebug.wire.HttpHead.Header("Host", "h")), 0);
        dev.wsdebug.wire.HttpHead resp = new dev.wsdebug.wire.HttpHead("HTTP/1.1 404 Not Found", List.of(), 0);
        List<Event> all = new java.util.ArrayList<>(events());
        all.add(new HttpEvent("3", 15, "http://h/x", req, resp, 0, 9, 1000));
        java.util.function.Function<String, List<String>> pass = filter -> all.stream().filter(EventFilter.parse(filter))
                .map(EventFilterTest::describe).collect(Collectors.toList());
        assertThat(pass.apply("type=http")).containsExactly("3 http");
        assertThat(pass.apply("type=http,error")).containsExactly("2 error", "3 http");
        assertThat(pass.apply("conn=3")).containsExactly("3 http");
        assertThat(pass.apply("conn=3 dir=s2c")).as("no direction: dir lets it through").containsExactly("3 http");
        assertThat(pass.apply("conn=3 type=handshake")).isEmpty();
        assertThat(pass.apply("conn=3 text=x")).isEmpty();
        assertThat(pass.apply("conn=3 code=404")).as("code is a close code").isEmpty();
    }

    @Test
    void badTermsNameTheToken() {
        assertThatThrownBy(() -> EventFilter.parse("dir=up")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Bad filter term 'dir=up': dir is c2s or s2c.");
        assertThatThrownBy(() -> EventFilter.parse("conn=1 colour=red"))
                .hasMessage("Bad filter term 'colour=red': unknown key 'colour'; keys are conn, dir, type, text, match, code, proto, event, topic, destination, method, op.");
        assertThatThrownBy(() -> EventFilter.parse("hello")).hasMessageStartingWith("Bad filter term 'hello': terms are key=value");
        assertThatThrownBy(() -> EventFilter.parse("type=txt")).hasMessageStartingWith("Bad filter term 'type=txt': type is one of");
        assertThatThrownBy(() -> EventFilter.parse("code=normal")).hasMessageStartingWith("Bad filter term 'code=normal'");
        assertThatThrownBy(() -> EventFilter.parse("match=(")).hasMessageStartingWith("Bad filter term 'match=(': not a valid regular expression");
        assertThatThrownBy(() -> EventFilter.parse("text=")).hasMessage("Bad filter term 'text=': text needs a value.");
        assertThatThrownBy(() -> EventFilter.parse("text=\"open")).hasMessageContaining("is not closed");
    }

    @Test
    void theSinkPassesMatchingEventsAndEverythingElse() {
        RecordingSink out = new RecordingSink();
        EventSink sink = EventFilter.parse("type=close").sink(out);
        events().forEach(sink::accept);
        assertThat(out.names()).containsExactly("frame", "frame", "close");
    }
}
