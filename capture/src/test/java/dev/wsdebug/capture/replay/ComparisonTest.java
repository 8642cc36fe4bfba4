package dev.wsdebug.capture.replay;

import dev.wsdebug.wire.Direction;
import dev.wsdebug.wire.Opcode;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class ComparisonTest {
    private static Step text(String t) {
        return new Step(Direction.S2C, 0, Opcode.TEXT, t.getBytes(StandardCharsets.UTF_8), true, -1, null);
    }

    private static Step binary(int... b) {
        byte[] p = new byte[b.length];
        for (int i = 0; i < b.length; i++) {
            p[i] = (byte) b[i];
        }
        return new Step(Direction.S2C, 0, Opcode.BINARY, p, true, -1, null);
    }

    private static Comparison.Result compare(List<Step> a, List<Step> b, String... ignore) {
        return new Comparison(List.of(ignore).stream().map(JsonPath::parse).toList()).compare(a, b, 1000, 1000);
    }

    @Test
    void jsonIsComparedByStructure() {
        Comparison.Result r = compare(List.of(text("{\"a\":1,\"b\":[1,2.0]}")), List.of(text("{ \"b\":[1.0,2], \"a\":1.00 }")));
        assertThat(r.equal()).as(r.differences().toString()).isTrue();
        assertThat(r.summary()).isEqualTo("1 server message recorded, 1 replayed: 1 the same, 0 different, 0 missing, 0 extra");
    }

    @Test
    void theFirstDifferenceIsNamedAsAPathWithBothValues() {
        Comparison.Result r = compare(List.of(text("{\"n\":1,\"items\":[{\"id\":1},{\"id\":2}]}")),
                List.of(text("{\"n\":1,\"items\":[{\"id\":1},{\"id\":3}]}")));
        assertThat(r.differences()).containsExactly("server message 1 differs: at $.items[1].id: recorded 2, replayed 3.");
        assertThat(r.firstRecorded()).isEqualTo("text '{\"n\":1,\"items\":[{\"id\":1},{\"id\":2}]}'");
        assertThat(r.firstReplayed()).isEqualTo("text '{\"n\":1,\"items\":[{\"id\":1},{\"id\":3}]}'");
        Comparison.Result member = compare(List.of(text("{\"a\":1,\"odd key\":2}")), List.of(text("{\"a\":1}")));
        assertThat(member.differences()).containsExactly("server message 1 differs: at $['odd key']: recorded 2, replayed nothing.");
    }

    @Test
    void ignoredPathsAreLeftOutOfBothSides() {
        List<Step> a = List.of(text("{\"ts\":1,\"data\":{\"ts\":5,\"v\":1}}"));
        List<Step> b = List.of(text("{\"ts\":2,\"data\":{\"ts\":6,\"v\":1}}"));
        assertThat(compare(a, b, "$.ts").differences()).containsExactly(
                "server message 1 differs: at $.data.ts: recorded 5, replayed 6.");
        assertThat(compare(a, b, "$..ts").equal()).isTrue();
        assertThat(compare(a, b, "/ts", "/data/ts").equal()).isTrue();
    }

    @Test
    void plainTextAndBinaryAreComparedExactly() {
        assertThat(compare(List.of(text("hello")), List.of(text("hello"))).equal()).isTrue();
        assertThat(compare(List.of(text("hello")), List.of(text("Hello"))).differences())
                .containsExactly("server message 1 differs: recorded text 'hello', replayed text 'Hello'.");
        assertThat(compare(List.of(binary(1, 2, 3)), List.of(binary(1, 2, 4, 5))).differences()).containsExactly(
                "server message 1 differs: binary 3 B recorded, 4 B replayed, first different byte at offset 2.");
        assertThat(compare(List.of(text("1")), List.of(binary(0x31))).differences()).containsExactly(
                "server message 1 differs: recorded text '1', replayed binary 1 B (31).");
        // a JSON scalar is text like any other: "1" and "1.0" are different texts
        assertThat(compare(List.of(text("1")), List.of(text("1.0"))).equal()).isFalse();
    }

    @Test
    void missingExtraAndCloseAreCounted() {
        Comparison.Result missing = compare(List.of(text("a"), text("b")), List.of(text("a")));
        assertThat(missing.differences()).containsExactly("server message 2 did not come: recorded text 'b'.");
        assertThat(missing.missing()).isEqualTo(1);
        assertThat(missing.firstReplayed()).isEqualTo("nothing");
        Comparison.Result extra = compare(List.of(text("a")), List.of(text("a"), binary(9)));
        assertThat(extra.differences()).containsExactly("server message 2 was not in the recording: replayed binary 1 B (09).");
        assertThat(extra.extra()).isEqualTo(1);
        Comparison.Result close = new Comparison(List.of()).compare(List.of(), List.of(), 4000, -1);
        assertThat(close.differences()).containsExactly(
                "the server closed with no close frame of its own, in the recording with 4000.");
    }
}
