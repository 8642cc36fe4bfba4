package dev.wsdebug.net.fault;

import dev.wsdebug.wire.Direction;
import dev.wsdebug.wire.Opcode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Parsing and matching of {@code --fault} rules. */
class FaultRuleTest {
    private static final SplittableRandom RANDOM = new SplittableRandom(7);

    private static boolean matches(String rule, Direction d, int opcode, long earlier, double seconds, String payload) {
        return FaultRule.parse(rule).matches(d, opcode, earlier, seconds, () -> payload, RANDOM);
    }

    // ---- valid rules ----------------------------------------------------------------------------

    @Test
    void parsesEveryAction() {
        assertThat(FaultRule.parse("dir=s2c after=3 close=4002:bye")).satisfies(r -> {
            assertThat(r.action()).isEqualTo(FaultRule.Action.CLOSE);
            assertThat(r.closeCode()).isEqualTo(4002);
            assertThat(r.closeReason()).isEqualTo("bye");
            assertThat(r.to()).isEqualTo(FaultRule.Target.BOTH);
            assertThat(r.dir()).isEqualTo(Direction.S2C);
        });
        assertThat(FaultRule.parse("close=1000").closeReason()).isEmpty();
        assertThat(FaultRule.parse("close=4001:a:b to=client").closeReason()).isEqualTo("a:b");
        assertThat(FaultRule.parse("p=0.1 drop").action()).isEqualTo(FaultRule.Action.DROP);
        assertThat(FaultRule.parse("delay=300").delayMillis()).isEqualTo(300);
        assertThat(FaultRule.parse("duplicate").action()).isEqualTo(FaultRule.Action.DUPLICATE);
        assertThat(FaultRule.parse("reset").action()).isEqualTo(FaultRule.Action.RESET);
        assertThat(FaultRule.parse("blackhole").action()).isEqualTo(FaultRule.Action.BLACKHOLE);
        assertThat(FaultRule.parse("no-pong").action()).isEqualTo(FaultRule.Action.NO_PONG);
        assertThat(FaultRule.parse("throttle=1000").bytesPerSecond()).isEqualTo(1000);
        assertThat(FaultRule.parse("throttle=64k/s").bytesPerSecond()).isEqualTo(64 * 1024);
        assertThat(FaultRule.parse("throttle=1M").bytesPerSecond()).isEqualTo(1024 * 1024);
        assertThat(FaultRule.parse("fragment=5").fragmentSize()).isEqualTo(5);
        assertThat(FaultRule.parse("match=token replace=token=>***").rewrite("a token b")).isEqualTo("a *** b");
        assertThat(FaultRule.parse("replace=\\d+=>$1").rewrite("x 12 y")).isEqualTo("x $1 y");
    }

    @Test
    void parsesTheConnectionActions() {
        FaultRule idle = FaultRule.parse("path=/chat/* idle-timeout=1.5");
        assertThat(idle.action()).isEqualTo(FaultRule.Action.IDLE_TIMEOUT);
        assertThat(idle.idleSeconds()).isEqualTo(1.5);
        assertThat(idle.matchesPath("/chat/a")).isTrue();
        assertThat(idle.matchesPath("/other")).isFalse();
        assertThat(FaultRule.parse("idle-timeout=60").idleSeconds()).isEqualTo(60.0);
        assertThat(FaultRule.parse("p=0.5 idle-timeout=0.25").idleSeconds()).isEqualTo(0.25);
        FaultRule strip = FaultRule.parse("path=/legacy strip-upgrade");
        assertThat(strip.action()).isEqualTo(FaultRule.Action.STRIP_UPGRADE);
        assertThat(strip.matchesPath("/legacy")).isTrue();
        assertThat(FaultRule.parse("p=1 strip-upgrade").action().perConnection()).isTrue();
        assertThat(strip.isTimer()).isFalse();
        assertThat(idle.isTimer()).isFalse();
    }

    @Test
    void connectionActionsNeverMatchAMessageOrFrame() {
        for (String rule : List.of("idle-timeout=1", "strip-upgrade")) {
            for (int op : new int[] {Opcode.TEXT, Opcode.BINARY, Opcode.PING, Opcode.PONG, Opcode.CLOSE}) {
                assertThat(matches(rule, Direction.C2S, op, 5, 10, "x")).as(rule + " " + op).isFalse();
                assertThat(matches(rule, Direction.S2C, op, 5, 10, "x")).as(rule + " " + op).isFalse();
            }
        }
        FaultPlan plan = FaultPlan.parse(List.of("strip-upgrade", "idle-timeout=2", "idle-timeout=9", "drop"));
        assertThat(plan.match(Direction.C2S, Opcode.TEXT, 0, 0, () -> "", RANDOM).action()).isEqualTo(FaultRule.Action.DROP);
        assertThat(plan.first(FaultRule.Action.IDLE_TIMEOUT).idleSeconds()).isEqualTo(2.0);
        assertThat(plan.first(FaultRule.Action.STRIP_UPGRADE)).isNotNull();
        assertThat(plan.first(FaultRule.Action.RESET)).isNull();
    }

    @Test
    void quotesHoldSpaces() {
        FaultRule r = FaultRule.parse("match='hello world' replace=\"a b=>c d\"");
        assertThat(r.rewrite("xa by")).isEqualTo("xc dy");
        assertThat(r.matches(Direction.C2S, Opcode.TEXT, 0, 0, () -> "hello world a b", RANDOM)).isTrue();
        assertThat(r.matches(Direction.C2S, Opcode.TEXT, 0, 0, () -> "hello a b", RANDOM)).isFalse();
    }

    // ---- malformed rules: one sentence naming the bad token --------------------------------------

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
            "bogus | bogus | is not a matcher or an action",
            "dir=up drop | dir=up | c2s",
            "type=text,frame drop | type=text,frame | text, binary, ping, pong or close",
            "match=( drop | match=( | does not compile",
            "path=chat drop | path=chat | starts with /",
            "after=-1 drop | after=-1 | a count of messages",
            "after=x drop | after=x | not 'x'",
            "after-s=soon drop | after-s=soon | seconds",
            "p=1.5 drop | p=1.5 | probability from 0 to 1",
            "delay=abc | delay=abc | milliseconds",
            "delay | delay | needs a value: delay=MS",
            "drop=3 | drop=3 | drop takes no value",
            "drop duplicate | duplicate | second action",
            "dir=c2s dir=s2c drop | dir=s2c | repeats dir=",
            "close=1006 | close=1006 | must not carry",
            "close=bye | close=bye | close code",
            "throttle=0 | throttle=0 | rate in bytes per second",
            "throttle=fast | throttle=fast | rate in bytes per second",
            "fragment=0 | fragment=0 | frame size",
            "replace=secret | replace=secret | REGEX=>TEXT",
            "replace=(=>x | replace=(=>x | does not compile",
            "to=client drop | to=client | only goes with close=",
            "close=4000 to=nobody | to=nobody | client, server or both",
            "type=ping no-pong | type=ping | only swallows pongs",
            "type=binary replace=a=>b | type=binary | only rewrites text",
            "type=close fragment=3 | type=close | control frames must not be fragmented",
            "match='open drop | match='open drop | never closes",
            "idle-timeout | idle-timeout | needs a value: idle-timeout=SECONDS",
            "idle-timeout=0 | idle-timeout=0 | seconds above 0",
            "idle-timeout=-1 | idle-timeout=-1 | seconds above 0",
            "idle-timeout=soon | idle-timeout=soon | seconds above 0",
            "idle-timeout=1s | idle-timeout=1s | seconds above 0",
            "strip-upgrade=yes | strip-upgrade=yes | strip-upgrade takes no value",
            "idle-timeout=5 drop | drop | second action",
            "dir=c2s idle-timeout=5 | dir=c2s | cannot go with idle-timeout, which acts on the whole connection",
            "type=ping idle-timeout=5 | type=ping | only path= and p=",
            "idle-timeout=5 match=x | match=x | cannot go with idle-timeout",
            "after=1 idle-timeout=5 | after=1 | cannot go with idle-timeout",
            "after-s=1 idle-timeout=5 | after-s=1 | cannot go with idle-timeout",
            "dir=s2c strip-upgrade | dir=s2c | cannot go with strip-upgrade, which acts on the whole connection",
            "strip-upgrade type=text | type=text | cannot go with strip-upgrade",
            "match=x strip-upgrade | match=x | cannot go with strip-upgrade",
            "to=client strip-upgrade | to=client | only goes with close=",
    })
    void malformedRuleNamesTheBadToken(String rule, String token, String why) {
        assertThatThrownBy(() -> FaultRule.parse(rule))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("Token '" + token + "'")
                .hasMessageContaining(why)
                .hasMessageEndingWith(".");
    }

    @Test
    void ruleWithoutActionIsRejected() {
        assertThatThrownBy(() -> FaultRule.parse("dir=c2s p=0.5"))
                .hasMessageStartingWith("The fault rule 'dir=c2s p=0.5' has no action");
    }

    @Test
    void emptyRuleIsRejected() {
        assertThatThrownBy(() -> FaultRule.parse("  ")).hasMessageContaining("empty");
    }

    @Test
    void longCloseReasonIsRejected() {
        assertThatThrownBy(() -> FaultRule.parse("close=4000:" + "x".repeat(124)))
                .hasMessageContaining("longer than the 123 bytes");
    }

    // ---- matching -------------------------------------------------------------------------------

    @Test
    void withoutTypeOnlyDataMessagesMatch() {
        assertThat(matches("drop", Direction.C2S, Opcode.TEXT, 0, 0, "")).isTrue();
        assertThat(matches("drop", Direction.S2C, Opcode.BINARY, 0, 0, "")).isTrue();
        assertThat(matches("drop", Direction.C2S, Opcode.PING, 0, 0, "")).isFalse();
        assertThat(matches("drop", Direction.C2S, Opcode.CLOSE, 0, 0, "")).isFalse();
        assertThat(matches("type=ping,close drop", Direction.C2S, Opcode.CLOSE, 0, 0, "")).isTrue();
        assertThat(matches("type=ping,close drop", Direction.C2S, Opcode.TEXT, 0, 0, "")).isFalse();
        assertThat(matches("no-pong", Direction.S2C, Opcode.PONG, 0, 0, "")).isTrue();
        assertThat(matches("no-pong", Direction.S2C, Opcode.PING, 0, 0, "")).isFalse();
        assertThat(matches("no-pong", Direction.S2C, Opcode.TEXT, 0, 0, "")).isFalse();
    }

    @Test
    void directionCountTimeAndTextSelect() {
        assertThat(matches("dir=s2c drop", Direction.S2C, Opcode.TEXT, 0, 0, "")).isTrue();
        assertThat(matches("dir=s2c drop", Direction.C2S, Opcode.TEXT, 0, 0, "")).isFalse();
        assertThat(matches("after=2 drop", Direction.C2S, Opcode.TEXT, 1, 0, "")).isFalse();
        assertThat(matches("after=2 drop", Direction.C2S, Opcode.TEXT, 2, 0, "")).isTrue();
        assertThat(matches("after-s=1.5 drop", Direction.C2S, Opcode.TEXT, 0, 1.4, "")).isFalse();
        assertThat(matches("after-s=1.5 drop", Direction.C2S, Opcode.TEXT, 0, 1.5, "")).isTrue();
        assertThat(matches("match=tok.n drop", Direction.C2S, Opcode.TEXT, 0, 0, "a token")).isTrue();
        assertThat(matches("match=^tok drop", Direction.C2S, Opcode.TEXT, 0, 0, "a token")).isFalse();
        // replace only matches text it would change
        assertThat(matches("replace=x=>y", Direction.C2S, Opcode.TEXT, 0, 0, "abc")).isFalse();
        assertThat(matches("replace=b=>y", Direction.C2S, Opcode.TEXT, 0, 0, "abc")).isTrue();
        assertThat(matches("replace=b=>y", Direction.C2S, Opcode.BINARY, 0, 0, "abc")).isFalse();
    }

    @Test
    void probabilityZeroNeverAndOneAlways() {
        FaultRule never = FaultRule.parse("p=0 drop");
        FaultRule always = FaultRule.parse("p=1 drop");
        FaultRule half = FaultRule.parse("p=0.5 drop");
        int halves = 0;
        for (int i = 0; i < 1000; i++) {
            assertThat(never.matches(Direction.C2S, Opcode.TEXT, i, 0, () -> "", RANDOM)).isFalse();
            assertThat(always.matches(Direction.C2S, Opcode.TEXT, i, 0, () -> "", RANDOM)).isTrue();
            halves += half.matches(Direction.C2S, Opcode.TEXT, i, 0, () -> "", RANDOM) ? 1 : 0;
        }
        assertThat(halves).isBetween(400, 600);
    }

    @Test
    void pathGlobs() {
        assertThat(FaultRule.parse("path=/chat/* drop").matchesPath("/chat/room")).isTrue();
        assertThat(FaultRule.parse("path=/chat/* drop").matchesPath("/chat/a/b")).isFalse();
        assertThat(FaultRule.parse("path=/chat/** drop").matchesPath("/chat/a/b")).isTrue();
        assertThat(FaultRule.parse("path=/v? drop").matchesPath("/v1")).isTrue();
        assertThat(FaultRule.parse("path=/a.b drop").matchesPath("/axb")).isFalse();
        assertThat(FaultRule.parse("drop").matchesPath("/anything")).isTrue();
    }

    @Test
    void timerRulesAreConnectionActionsOnTimeAlone() {
        assertThat(FaultRule.parse("after-s=5 reset").isTimer()).isTrue();
        assertThat(FaultRule.parse("after-s=5 p=0.5 close=1001").isTimer()).isTrue();
        assertThat(FaultRule.parse("after-s=5 match=x reset").isTimer()).isFalse();
        assertThat(FaultRule.parse("after-s=5 drop").isTimer()).isFalse();
        assertThat(FaultRule.parse("reset").isTimer()).isFalse();
    }

    @Test
    void firstMatchingRuleWins() {
        FaultPlan plan = FaultPlan.parse(List.of("match=a delay=10", "match=ab drop", "duplicate"));
        assertThat(plan.match(Direction.C2S, Opcode.TEXT, 0, 0, () -> "ab", RANDOM).action())
                .isEqualTo(FaultRule.Action.DELAY);
        assertThat(plan.match(Direction.C2S, Opcode.TEXT, 0, 0, () -> "b", RANDOM).action())
                .isEqualTo(FaultRule.Action.DUPLICATE);
        assertThat(plan.match(Direction.C2S, Opcode.PING, 0, 0, () -> "b", RANDOM)).isNull();
        assertThat(FaultPlan.parse(List.of("path=/x drop")).forPath("/y")).isNull();
    }

    @Test
    void ruleFilesSkipBlankLinesAndCommentsAndNameTheBadLine(@TempDir Path dir) throws Exception {
        Path ok = dir.resolve("ok.faults");
        Files.writeString(ok, "# flaky network\n\ndir=s2c p=0.1 drop\n   # indented comment\ndelay=100\n");
        assertThat(FaultPlan.readFile(ok)).extracting(FaultRule::toString).containsExactly("dir=s2c p=0.1 drop", "delay=100");
        Path bad = dir.resolve("bad.faults");
        Files.writeString(bad, "drop\n# fine\nbogus=1\n");
        assertThatThrownBy(() -> FaultPlan.readFile(bad)).hasMessageContaining("line 3").hasMessageContaining("'bogus=1'");
    }
}
