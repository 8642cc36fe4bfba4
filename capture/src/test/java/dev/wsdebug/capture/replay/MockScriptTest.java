package dev.wsdebug.capture.replay;

import dev.wsdebug.capture.HandshakeEvent;
import dev.wsdebug.wire.DeflateParams;
import dev.wsdebug.wire.Direction;
import dev.wsdebug.wire.HandshakeResult;
import dev.wsdebug.wire.HttpHead;
import dev.wsdebug.wire.Opcode;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class MockScriptTest {

    private static Step text(Direction dir, long micros, String t) {
        return new Step(dir, micros, Opcode.TEXT, t.getBytes(StandardCharsets.UTF_8), true, -1, null);
    }

    private static Step close(Direction dir, long micros, int code) {
        return new Step(dir, micros, Opcode.CLOSE, new byte[0], true, code, "bye");
    }

    private static RecordedConnection conn(String id, String target, String subprotocol, Step... steps) {
        RecordedConnection c = new RecordedConnection(id, 0);
        if (target != null) {
            HttpHead req = new HttpHead("GET " + target + " HTTP/1.1", List.of(), 0, "");
            HttpHead resp = new HttpHead("HTTP/1.1 101 Switching Protocols", List.of(), 0, "");
            DeflateParams deflate = new DeflateParams(false, false, DeflateParams.ABSENT, DeflateParams.ABSENT);
            c.handshake(new HandshakeEvent(id, 0, HandshakeEvent.HTTP1, "ws://h" + target, req, resp,
                    new HandshakeResult(true, 101, "a", "a", true, subprotocol, "permessage-deflate", deflate, List.of()),
                    null, null));
        }
        for (Step s : steps) {
            c.add(s);
        }
        return c;
    }

    /** A stateful server: a welcome, counters, a timestamp, a close on bye. */
    private static RecordedConnection counter() {
        return conn("1", "/count", "count.v1",
                text(Direction.S2C, 1_000, "{\"op\":\"welcome\"}"),
                text(Direction.C2S, 10_000, "{\"op\":\"inc\",\"ts\":1}"),
                text(Direction.S2C, 12_000, "{\"n\":1,\"ts\":100}"),
                new Step(Direction.S2C, 12_500, Opcode.PING, new byte[0], true, -1, null),
                text(Direction.C2S, 20_000, "{\"op\":\"inc\",\"ts\":2}"),
                text(Direction.S2C, 21_000, "{\"n\":2,\"ts\":200}"),
                text(Direction.S2C, 25_000, "{\"n\":2,\"note\":\"again\"}"),
                text(Direction.C2S, 30_000, "hello"),
                text(Direction.S2C, 30_100, "hi"),
                text(Direction.C2S, 40_000, "{\"op\":\"bye\"}"),
                close(Direction.S2C, 41_000, 4000),
                close(Direction.C2S, 42_000, 4000));
    }

    private static List<String> texts(MockAnswer a) {
        return a.steps().stream().map(s -> s.opcode() == Opcode.CLOSE ? "close " + s.closeCode()
                : s.opcode() == Opcode.PING ? "ping" : s.text()).toList();
    }

    private static MockAnswer send(MockSession s, String t) {
        return s.answer(Opcode.TEXT, t.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void unpromptedMessagesOpenAndRepliesKeepTheirDelayAfterThePrompt() {
        MockSession s = MockScript.of(List.of(counter()), null, List.of()).session("/count");
        assertThat(s.opening()).extracting(Step::offsetMicros).containsExactly(1_000L);
        MockAnswer a = send(s, "{\"op\":\"inc\",\"ts\":2}");
        assertThat(a.how()).isEqualTo(MockAnswer.Match.EXACT);
        assertThat(a.recorded()).isEqualTo(2);
        // the server's ping followed message 1, not this one; the reply keeps its 1 ms and 5 ms after the client's message
        assertThat(texts(a)).containsExactly("{\"n\":2,\"ts\":200}", "{\"n\":2,\"note\":\"again\"}");
        assertThat(a.steps()).extracting(Step::offsetMicros).containsExactly(1_000L, 5_000L);
        assertThat(a.notice()).isNull();
    }

    @Test
    void exactBeforeJsonWithIgnoredPathsBeforeOrder() {
        MockSession s = MockScript.of(List.of(counter()), null, List.of(JsonPath.parse("$..ts"))).session("/count");
        // not the same bytes as either inc, the same JSON without ts: the first unanswered one
        MockAnswer first = send(s, "{ \"ts\": 99, \"op\": \"inc\" }");
        assertThat(first.how()).isEqualTo(MockAnswer.Match.JSON);
        assertThat(texts(first)).containsExactly("{\"n\":1,\"ts\":100}", "ping");
        MockAnswer second = send(s, "{\"op\":\"inc\",\"ts\":5}");
        assertThat(second.how()).isEqualTo(MockAnswer.Match.JSON);
        assertThat(second.recorded()).isEqualTo(2);
        // both answered: a third inc gets the reply of the first again
        MockAnswer third = send(s, "{\"op\":\"inc\",\"ts\":6}");
        assertThat(third.how()).isEqualTo(MockAnswer.Match.REPEAT);
        assertThat(third.recorded()).isEqualTo(1);
        assertThat(third.notice()).isNull();
    }

    @Test
    void withoutIgnoreADifferentTimestampIsOnlyAnOrderMatchAndSaysSo() {
        MockSession s = MockScript.of(List.of(counter()), null, List.of()).session("/count");
        MockAnswer a = send(s, "{\"op\":\"inc\",\"ts\":7}");
        assertThat(a.how()).isEqualTo(MockAnswer.Match.ORDER);
        assertThat(a.recorded()).isEqualTo(1);
        assertThat(a.notice()).contains("Client message 1").contains("recorded client message 1").contains("next of its kind");
        // the order guess skips messages of another kind: plain text goes to plain text
        MockAnswer b = send(s, "howdy");
        assertThat(b.how()).isEqualTo(MockAnswer.Match.ORDER);
        assertThat(texts(b)).containsExactly("hi");
    }

    @Test
    void anExactMatchLaterInTheRecordingWinsOverOrder() {
        MockSession s = MockScript.of(List.of(counter()), null, List.of()).session("/count");
        MockAnswer bye = send(s, "{\"op\":\"bye\"}");
        assertThat(bye.how()).isEqualTo(MockAnswer.Match.EXACT);
        assertThat(texts(bye)).containsExactly("close 4000");
        assertThat(bye.steps().get(0).offsetMicros()).isEqualTo(1_000L);
    }

    @Test
    void unmatchedMessagesGetNothingAndASentence() {
        MockSession s = MockScript.of(List.of(counter()), null, List.of()).session("/count");
        MockAnswer a = s.answer(Opcode.BINARY, new byte[] {1, 2, 3});
        assertThat(a.how()).isEqualTo(MockAnswer.Match.NONE);
        assertThat(a.steps()).isEmpty();
        assertThat(a.notice()).isEqualTo("Client message 1 (binary 3 B (010203)) matches nothing left in recorded"
                + " connection 1; no reply.");
        // a JSON object of another shape is never guessed
        assertThat(send(s, "{\"op\":\"inc\",\"extra\":true,\"ts\":1}").how()).isEqualTo(MockAnswer.Match.NONE);
    }

    @Test
    void aClientCloseEndsThePlanAndAnEarlyServerCloseIsUnprompted() {
        RecordedConnection c = conn("5", "/x", null,
                text(Direction.C2S, 1_000, "a"),
                text(Direction.S2C, 2_000, "A"),
                close(Direction.C2S, 3_000, 1000),
                close(Direction.S2C, 3_500, 1000),
                text(Direction.C2S, 4_000, "after"));
        MockSession s = MockScript.of(List.of(c), null, List.of()).session("/x");
        assertThat(texts(send(s, "a"))).containsExactly("A");
        assertThat(send(s, "after").how()).isEqualTo(MockAnswer.Match.NONE);

        RecordedConnection early = conn("6", "/y", null, close(Direction.S2C, 500, 1008));
        MockSession e = MockScript.of(List.of(early), null, List.of()).session("/y");
        assertThat(e.opening()).extracting(Step::closeCode).containsExactly(1008);
    }

    @Test
    void severalConnectionsGoByPathAndConnPicksOne() {
        RecordedConnection a = conn("1", "/a", "pa", text(Direction.C2S, 1, "x"), text(Direction.S2C, 2, "from a"));
        RecordedConnection b = conn("2", "/b", "pb", text(Direction.C2S, 1, "x"), text(Direction.S2C, 2, "from b"));
        RecordedConnection noHandshake = conn("3", null, null, text(Direction.C2S, 1, "x"));
        MockScript both = MockScript.of(List.of(noHandshake, a, b), null, List.of());
        assertThat(texts(send(both.session("/b"), "x"))).containsExactly("from b");
        assertThat(texts(send(both.session("/other"), "x"))).containsExactly("from a");
        assertThat(both.subprotocols()).containsExactly("pa", "pb");
        assertThat(both.deflate()).isTrue();
        assertThat(both.summary()).startsWith("mocking 2 recorded connections");

        MockScript two = MockScript.of(List.of(a, b), "2", List.of());
        assertThat(texts(send(two.session("/a"), "x"))).containsExactly("from b");
        assertThat(two.summary()).isEqualTo("mocking recorded connection 2 (/b): 1 client message with 1 server step"
                + " after them, 0 unprompted server steps");
        assertThatThrownBy(() -> MockScript.of(List.of(a, b), "9", List.of()))
                .hasMessage("it has no connection 9; its connections are 1, 2.");
        assertThatThrownBy(() -> MockScript.of(List.of(), null, List.of())).hasMessage("it holds no WebSocket connection.");
    }

    @Test
    void theServersPingsArePlayedWithTheMessageTheyFollowed() {
        MockSession s = MockScript.of(List.of(counter()), null, List.of()).session("/count");
        MockAnswer a = send(s, "{\"op\":\"inc\",\"ts\":1}");
        assertThat(a.steps()).extracting(st -> st.opcode() + " " + st.offsetMicros())
                .containsExactly(Opcode.TEXT + " 2000", Opcode.PING + " 2500");
    }

    @Test
    void aConnectionThatEndedWithoutACloseFrameEndsInADropAtItsTime() {
        RecordedConnection c = conn("1", "/feed", null,
                text(Direction.C2S, 10_000, "sub"),
                text(Direction.S2C, 11_000, "tick"));
        c.frameSeen();
        c.close(new dev.wsdebug.capture.CloseEvent("1", 60_000, 1006, "", false, "none", false));
        MockSession s = MockScript.of(List.of(c), null, List.of()).session("/feed");
        MockAnswer a = send(s, "sub");
        assertThat(a.steps()).extracting(st -> (st.isDrop() ? "drop" : st.text()) + " " + st.offsetMicros())
                .containsExactly("tick 1000", "drop 50000");
        // a HAR file has no frames: how it ended is unknown, so nothing is dropped
        RecordedConnection har = conn("1", "/feed", null, text(Direction.C2S, 10_000, "sub"));
        har.close(new dev.wsdebug.capture.CloseEvent("1", 60_000, 1006, "", false, "none", false));
        assertThat(send(MockScript.of(List.of(har), null, List.of()).session("/feed"), "sub").steps()).isEmpty();
        // a drop before the client said anything is part of the opening
        RecordedConnection early = conn("1", "/feed", null);
        early.frameSeen();
        early.close(new dev.wsdebug.capture.CloseEvent("1", 5_000, 1006, "", false, "none", false));
        assertThat(MockScript.of(List.of(early), null, List.of()).session("/feed").opening())
                .extracting(Step::isDrop, Step::offsetMicros).containsExactly(org.assertj.core.groups.Tuple.tuple(true, 5_000L));
    }

    @Test
    void aBurstOfRequestsAnsweredOneEachIsPairedInOrder() {
        // connect -x a -x b: both sent before the first echo came back
        RecordedConnection pipelined = conn("1", "/echo", null,
                text(Direction.C2S, 10_000, "a"),
                text(Direction.C2S, 10_400, "b"),
                text(Direction.S2C, 11_000, "a"),
                text(Direction.S2C, 11_200, "b"),
                new Step(Direction.S2C, 11_300, Opcode.PING, new byte[0], true, -1, null),
                text(Direction.C2S, 20_000, "c"),
                text(Direction.S2C, 20_500, "c"));
        MockSession s = MockScript.of(List.of(pipelined), null, List.of()).session("/echo");
        MockAnswer a = send(s, "a");
        assertThat(texts(a)).containsExactly("a");
        assertThat(a.steps()).extracting(Step::offsetMicros).containsExactly(1_000L);
        MockAnswer b = send(s, "b");
        assertThat(texts(b)).as("the ping stays after the burst's last request").containsExactly("b", "ping");
        assertThat(b.steps()).extracting(Step::offsetMicros).containsExactly(800L, 900L);
        assertThat(texts(send(s, "c"))).containsExactly("c");
        // not one answer each: everything stays after the last request, as recorded
        RecordedConnection uneven = conn("1", "/echo", null,
                text(Direction.C2S, 10_000, "a"),
                text(Direction.C2S, 10_400, "b"),
                text(Direction.S2C, 11_000, "ab"));
        MockSession u = MockScript.of(List.of(uneven), null, List.of()).session("/echo");
        assertThat(send(u, "a").steps()).isEmpty();
        assertThat(texts(send(u, "b"))).containsExactly("ab");
    }
}
