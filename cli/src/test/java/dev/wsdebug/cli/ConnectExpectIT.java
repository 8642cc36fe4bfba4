package dev.wsdebug.cli;

import dev.wsdebug.capture.peer.Peer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static dev.wsdebug.cli.ConnectSupport.ASCII;
import static dev.wsdebug.cli.ConnectSupport.explain;
import static dev.wsdebug.cli.ConnectSupport.url;
import static dev.wsdebug.cli.ConnectSupport.wsdebug;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code connect --expect…} as a smoke test for CI, against the python websockets and Node ws echo
 * servers: each way an expectation is met (regex, JSON value, both on one reply, the close code the
 * server chose) exits 0 as soon as it is met; each way one is not (no match in time, wrong order,
 * the server closed first, another close code, a reply that is not JSON) exits 1 with one sentence
 * naming it; unusable options exit 2.
 */
@org.junit.jupiter.api.Tag("packaged-jar")
class ConnectExpectIT {

    @ParameterizedTest(name = "{0}")
    @EnumSource(Peer.Kind.class)
    void metExpectationsEndTheSessionAtOnceWithExit0(Peer.Kind kind) throws Exception {
        try (Peer peer = Peer.start(kind)) {
            WsdebugProcess.Result r = wsdebug("connect", url(peer), "-x", "{\"op\":\"ping\",\"id\":7,\"n\":1.0}",
                    "--expect", "\"op\":\\s*\"ping\"", "--expect-json", "$.id=7", "--expect-json", "/n=1",
                    "--timeout", "60");
            String why = explain(r, peer);
            assertThat(r.exit()).as(why).isZero();
            assertThat(r.out()).as(why)
                    .contains("expect 1/3 met: --expect '\"op\":\\s*\"ping\"' by received message 1")
                    .contains("expect 2/3 met: --expect-json '$.id=7' by received message 1")
                    .contains("expect 3/3 met: --expect-json '/n=1' by received message 1")
                    .contains("closed:   1000 Normal Closure, initiated by the client (clean)");
            // it did not wait out the 60 s: it closed once the reply had met everything
            assertThat(uptime(r.out())).as(why).isLessThan(30.0);
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Peer.Kind.class)
    void theCloseCodeTheServerChoseIsExpected(Peer.Kind kind) throws Exception {
        try (Peer peer = Peer.start(kind)) {
            WsdebugProcess.Result met = wsdebug("connect", url(peer), "-x", "hello", "-x", "wsdebug:close 4001 bye",
                    "--expect", "^hello$", "--expect-close", "4001", "--timeout", "60");
            assertThat(met.exit()).as(explain(met, peer)).isZero();
            assertThat(met.out()).as(explain(met, peer)).contains("expect 2/2 met: --expect-close 4001")
                    .contains("closed:   4001 Private Use (4000-4999), initiated by the server (clean)");

            WsdebugProcess.Result other = wsdebug("connect", url(peer), "-x", "wsdebug:close 4001 bye",
                    "--expect-close", "4002", "--timeout", "60");
            assertThat(other.exit()).as(explain(other, peer)).isEqualTo(1);
            assertThat(other.err()).as(explain(other, peer)).isEqualTo("wsdebug connect: expectation 1 of 1 not met:"
                    + " --expect-close 4002 (Private Use (4000-4999)), but the connection closed with 4001 Private Use"
                    + " (4000-4999).\n");
        }
    }

    @Test
    void unmetExpectationsExit1NamingTheFirst() throws Exception {
        try (Peer peer = Peer.start(Peer.Kind.PYTHON_WEBSOCKETS)) {
            WsdebugProcess.Result none = wsdebug("connect", url(peer), "-x", "hello", "--expect", "pong", "--timeout", "1");
            assertThat(none.exit()).as(explain(none, peer)).isEqualTo(1);
            assertThat(none.err()).as(explain(none, peer)).isEqualTo("wsdebug connect: expectation 1 of 1 not met: no"
                    + " text message matched --expect 'pong' within 1 s; 1 text message was received (the last: 'hello').\n");
            // the client closed when the time was up, normally
            assertThat(none.out()).contains("closed:   1000 Normal Closure, initiated by the client (clean)");

            // in order: "second" came after "first", so --expect first after --expect second finds nothing
            WsdebugProcess.Result order = wsdebug("connect", url(peer), "-x", "first", "-x", "second",
                    "--expect", "second", "--expect", "first", "--timeout", "1.5");
            assertThat(order.exit()).as(explain(order, peer)).isEqualTo(1);
            assertThat(order.out()).contains("expect 1/2 met: --expect 'second' by received message 2");
            assertThat(order.err()).as(explain(order, peer)).isEqualTo("wsdebug connect: expectation 2 of 2 not met: no"
                    + " text message from received message 2 (which met the one before) on matched --expect 'first'"
                    + " within 1.5 s; 2 text messages were received (the last: 'second').\n");

            // the server closes before the reply that was expected
            WsdebugProcess.Result closed = wsdebug("connect", url(peer), "-x", "wsdebug:close 1000 bye",
                    "--expect", "never", "--timeout", "60");
            assertThat(closed.exit()).as(explain(closed, peer)).isEqualTo(1);
            assertThat(closed.err()).as(explain(closed, peer)).startsWith("wsdebug connect: expectation 1 of 1 not met:"
                    + " no text message matched --expect 'never' before the connection closed with 1000 Normal Closure;");

            // the server never closes: the client does when the time is up, and says the close was missing
            WsdebugProcess.Result open = wsdebug("connect", url(peer), "-x", "hello", "--expect-close", "1000",
                    "--timeout", "1");
            assertThat(open.exit()).as(explain(open, peer)).isEqualTo(1);
            assertThat(open.err()).as(explain(open, peer)).isEqualTo("wsdebug connect: expectation 1 of 1 not met:"
                    + " --expect-close 1000 (Normal Closure), but the server had not closed the connection within 1 s.\n");

            // a value at a path needs JSON: an echoed plain text meets nothing
            WsdebugProcess.Result notJson = wsdebug("connect", url(peer), "-x", "op=pong", "--expect-json", "$.op=pong",
                    "--timeout", "1");
            assertThat(notJson.exit()).as(explain(notJson, peer)).isEqualTo(1);
            assertThat(notJson.err()).contains("no text message matched --expect-json '$.op=pong' within 1 s");
        }
    }

    @Test
    void linesFromStandardInputAreSentWhileExpecting() throws Exception {
        try (Peer peer = Peer.start(Peer.Kind.NODE_WS)) {
            WsdebugProcess.Result r = WsdebugProcess.run("{\"op\":\"a\"}\n{\"op\":\"b\",\"items\":[{\"id\":3}]}\n"
                            .getBytes(StandardCharsets.UTF_8), ASCII, "connect", url(peer), "--json",
                    "--expect-json", "op=a", "--expect-json", "$.items[*].id=3", "--timeout", "60");
            String why = explain(r, peer);
            assertThat(r.exit()).as(why).isZero();
            // with --json the progress goes to standard error, the events to standard output
            assertThat(r.err()).as(why).contains("expect 2/2 met: --expect-json '$.items[*].id=3' by received message 2");
            assertThat(r.out()).as(why).contains("\"event\":\"message\"").doesNotContain("expect 2/2");
        }
    }

    @Test
    void unusableExpectationsAreUsageErrors() throws Exception {
        String[][] cases = {
                {"--expect", "(", "--expect '(' is not a regular expression: Unclosed group."},
                {"--expect-json", "op", "--expect-json needs PATH=VALUE, e.g. '$.op=pong', not 'op'."},
                {"--expect-json", "$.a[=1", "--expect-json: the JSON path '$.a[' has a '[' without its ']'."},
                {"--expect-close", "999", "--expect-close 999 is not a close code (1000 to 4999)."},
                {"--timeout", "3", "--timeout goes with --expect, --expect-json or --expect-close (-w sets how long to wait"
                        + " for replies)."},
        };
        for (String[] c : cases) {
            // the port is never reached: usage is checked before connecting
            WsdebugProcess.Result r = wsdebug("connect", "ws://127.0.0.1:9", c[0], c[1]);
            assertThat(r.exit()).as(explain(r)).isEqualTo(2);
            assertThat(r.err()).as(explain(r)).isEqualTo("wsdebug connect: " + c[2] + "\n");
        }
        WsdebugProcess.Result r = wsdebug("connect", "ws://127.0.0.1:9", "--expect", "x", "--reconnect");
        assertThat(r.exit()).as(explain(r)).isEqualTo(2);
        assertThat(r.err()).contains("--expect… and --reconnect do not go together");
    }

    private static double uptime(String out) {
        Matcher m = Pattern.compile("uptime: +(\\d+\\.\\d+) s").matcher(out);
        assertThat(m.find()).as(out).isTrue();
        return Double.parseDouble(m.group(1));
    }
}
