package dev.wsdebug.analysis;

import dev.wsdebug.capture.Conversation;
import dev.wsdebug.capture.Event;
import dev.wsdebug.capture.EventSink;
import dev.wsdebug.capture.ErrorEvent;
import dev.wsdebug.capture.FindingEvent;
import dev.wsdebug.capture.FlowEvent;
import dev.wsdebug.wire.Direction;
import dev.wsdebug.wire.FrameSpec;
import dev.wsdebug.wire.FrameWriter;
import dev.wsdebug.wire.Opcode;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Each rule over a conversation scripted byte by byte (the bytes a real peer would send, fed
 * through the one pipeline with the times they crossed the wire): the rule fires with its evidence,
 * and no other finding of severity error (or at all, for a healthy session) appears.
 */
class AnalyzerTest {
    private static final long T0 = 1_733_300_000_000_000L;
    private static final String KEY = "dGhlIHNhbXBsZSBub25jZQ==";
    private static final String ACCEPT = "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=";
    private final FrameWriter w = new FrameWriter(new Random(1));

    /** One connection's bytes each way with their times; played into a conversation. */
    private final class Script {
        final List<Object[]> steps = new ArrayList<>();
        final String conn;
        final String client;
        long t;

        Script(String conn, long t0, String client) {
            this.conn = conn;
            this.t = t0;
            this.client = client;
        }

        Script(String conn) {
            this(conn, T0, "10.0.0.1:50000");
        }

        Script upgrade(String requestExtra, String responseExtra) {
            c2s(("GET /feed HTTP/1.1\r\nHost: example.test\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    + "Sec-WebSocket-Key: " + KEY + "\r\nSec-WebSocket-Version: 13\r\n" + requestExtra + "\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1));
            return s2c(("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    + "Sec-WebSocket-Accept: " + ACCEPT + "\r\n" + responseExtra + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
        }

        Script upgrade() {
            return upgrade("", "");
        }

        Script c2s(byte[] b) {
            return at(Direction.C2S, 1000, b);
        }

        Script s2c(byte[] b) {
            return at(Direction.S2C, 1000, b);
        }

        Script at(Direction d, long afterMicros, byte[] b) {
            t += afterMicros;
            steps.add(new Object[]{d, t, b});
            return this;
        }

        Script text(Direction d, String s) {
            byte[] p = s.getBytes(StandardCharsets.UTF_8);
            return d == Direction.C2S ? c2s(w.encode(FrameSpec.of(Opcode.TEXT, p).withMask(0x01020304)))
                    : s2c(w.encode(FrameSpec.of(Opcode.TEXT, p)));
        }

        Script frame(Direction d, FrameSpec f) {
            return d == Direction.C2S ? c2s(w.encode(f.withMask(0x0a0b0c0d))) : s2c(w.encode(f));
        }

        /** A transport fact ({@link FlowEvent}) the source saw {@code afterMicros} after the previous step. */
        Script flow(Direction d, long afterMicros, String kind, long bytes, long micros) {
            t += afterMicros;
            steps.add(new Object[]{d, t, new Object[]{kind, bytes, micros}});
            return this;
        }

        /** An RFC 8441 handshake on stream 3 instead of the HTTP/1.1 upgrade. */
        Script h2(Boolean setting, String... responseFields) {
            List<dev.wsdebug.wire.HttpHead.Header> req = new ArrayList<>();
            String[] r = {":method", "CONNECT", ":protocol", "websocket", ":scheme", "https", ":path", "/feed",
                    ":authority", "example.test", "sec-websocket-version", "13"};
            for (int i = 0; i < r.length; i += 2) {
                req.add(new dev.wsdebug.wire.HttpHead.Header(r[i], r[i + 1]));
            }
            List<dev.wsdebug.wire.HttpHead.Header> resp = new ArrayList<>();
            for (int i = 0; i < responseFields.length; i += 2) {
                resp.add(new dev.wsdebug.wire.HttpHead.Header(responseFields[i], responseFields[i + 1]));
            }
            t += 1000;
            steps.add(new Object[]{Direction.C2S, t, new H2Open(req, resp, setting)});
            t += 500;
            return this;
        }

        /** RST_STREAM from {@code from} with this error code (an RFC 8441 stream's abort). */
        Script reset(Direction from, long errorCode) {
            t += 1000;
            steps.add(new Object[]{from, t, new H2Reset(errorCode)});
            return this;
        }

        /** Bytes of this direction the capture never saw. */
        Script gap(Direction d, long missing) {
            t += 1000;
            steps.add(new Object[]{d, t, missing});
            return this;
        }

        Script close(Direction d, int code, String reason) {
            return frame(d, FrameSpec.of(Opcode.CLOSE, FrameWriter.closePayload(code, reason)));
        }

        /** Plays it; {@code endAfter} >= 0: TCP ends that long after the last chunk. */
        void play(EventSink sink, long endAfter) {
            Conversation c = new Conversation(conn, sink).endpoints(client, "10.0.0.2:443");
            for (Object[] s : steps) {
                if (s[2] instanceof H2Open o) {
                    c.h2Request((Long) s[1], 3, o.request(), o.setting());
                    c.h2Response((Long) s[1] + 500, o.response());
                } else if (s[2] instanceof H2Reset r) {
                    c.h2Reset((Long) s[1], (Direction) s[0], r.code());
                } else if (s[2] instanceof Long missing) {
                    c.gap((Direction) s[0], (Long) s[1], missing);
                } else if (s[2] instanceof Object[] f) {
                    c.flow((Long) s[1], (Direction) s[0], (String) f[0], (Long) f[1], (Long) f[2]);
                } else {
                    c.feed((Direction) s[0], (Long) s[1], (byte[]) s[2]);
                }
            }
            if (endAfter >= 0) {
                c.end(t + endAfter);
            }
        }
    }

    private record H2Open(List<dev.wsdebug.wire.HttpHead.Header> request, List<dev.wsdebug.wire.HttpHead.Header> response,
                          Boolean setting) {
    }

    private record H2Reset(long code) {
    }

    private static List<FindingEvent> analyse(Script... scripts) {
        List<FindingEvent> found = new ArrayList<>();
        Analyzer a = new Analyzer(new EventSink() {
            @Override
            public void accept(Event e) {
                found.add((FindingEvent) e);
            }
        });
        for (Script s : scripts) {
            s.play(a, 1000);
        }
        a.finish();
        return found;
    }

    private static List<String> rules(List<FindingEvent> f) {
        return f.stream().map(x -> x.rule() + "/" + x.severity()).toList();
    }

    private static FindingEvent only(List<FindingEvent> found, String rule) {
        assertThat(found).filteredOn(FindingEvent::isError).allMatch(f -> f.rule().equals(rule), rule);
        return found.stream().filter(f -> f.rule().equals(rule)).findFirst().orElseThrow(
                () -> new AssertionError("no " + rule + " in " + rules(found)));
    }

    @Test
    void aHealthySessionHasNoFinding() {
        Script s = new Script("1").upgrade().text(Direction.C2S, "hello").text(Direction.S2C, "hello")
                .frame(Direction.C2S, FrameSpec.of(Opcode.PING, new byte[]{1})).frame(Direction.S2C, FrameSpec.of(Opcode.PONG, new byte[]{1}))
                .close(Direction.C2S, 1000, "bye").close(Direction.S2C, 1000, "bye");
        assertThat(analyse(s)).isEmpty();
    }

    @Test
    void aRefusedUpgradeSaysWhatTheStatusMeans() {
        Script s = new Script("1");
        s.c2s(("GET /feed HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: " + KEY
                + "\r\nSec-WebSocket-Version: 13\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
        s.s2c("HTTP/1.1 302 Found\r\nLocation: wss://example.test/feed\r\nContent-Length: 0\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
        FindingEvent f = only(analyse(s), "handshake-rejected");
        assertThat(f.summary()).contains("302 Found").contains("redirect");
        assertThat(f.evidence().get(0).what()).contains("Location: wss://example.test/feed");
    }

    @Test
    void upgradeRequiredMeansTheUpgradeWasStripped() {
        Script s = new Script("1");
        s.c2s(("GET /feed HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: " + KEY
                + "\r\nSec-WebSocket-Version: 13\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
        s.s2c("HTTP/1.1 426 Upgrade Required\r\nContent-Length: 0\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
        assertThat(only(analyse(s), "upgrade-stripped").fix()).contains("Upgrade");
    }

    @Test
    void aWrongAcceptAndSubprotocolsThatDoNotMatch() {
        Script s = new Script("1");
        s.c2s(("GET /feed HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: " + KEY
                + "\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: chat, superchat\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
        s.s2c(("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: AAAA"
                + "\r\nSec-WebSocket-Protocol: mqtt\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
        s.close(Direction.C2S, 1002, "").close(Direction.S2C, 1002, "");
        List<FindingEvent> found = analyse(s);
        assertThat(rules(found)).contains("bad-accept/error", "subprotocol-mismatch/error");
        assertThat(found.stream().filter(f -> f.rule().equals("subprotocol-mismatch")).findFirst().orElseThrow().summary())
                .contains("mqtt").contains("chat, superchat");
    }

    @Test
    void compressionDeclinedIsInformation() {
        Script s = new Script("1").upgrade("Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n", "")
                .text(Direction.C2S, "x").close(Direction.C2S, 1000, "").close(Direction.S2C, 1000, "");
        assertThat(rules(analyse(s))).containsExactly("deflate-declined/info");
    }

    @Test
    void noAnswerToTheUpgrade() {
        Script s = new Script("1");
        s.c2s(("GET /feed HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: " + KEY
                + "\r\nSec-WebSocket-Version: 13\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
        only(analyse(s), "no-handshake-response");
    }

    @Test
    void protocolViolationsAreGroupedByRuleAndSide() {
        Script s = new Script("1").upgrade();
        for (int i = 0; i < 3; i++) {
            s.frame(Direction.S2C, FrameSpec.of(Opcode.TEXT, "x".getBytes(StandardCharsets.UTF_8)).withRsv(false, true, false));
        }
        s.close(Direction.C2S, 1002, "").close(Direction.S2C, 1002, "");
        FindingEvent f = only(analyse(s), "protocol-violation");
        assertThat(f.summary()).startsWith("The server broke reserved-bit-set").contains("3 times");
        assertThat(f.evidence()).hasSize(3);
        assertThat(f.evidence().get(0).seq()).isEqualTo(1);
    }

    @Test
    void textThatIsNotUtf8() {
        Script s = new Script("1").upgrade()
                .frame(Direction.C2S, FrameSpec.of(Opcode.TEXT, new byte[]{(byte) 0xc3, 0x28}))
                .close(Direction.S2C, 1007, "").close(Direction.C2S, 1007, "");
        assertThat(only(analyse(s), "invalid-utf8").summary()).startsWith("The client sent a text message");
    }

    @Test
    void aTooBigMessageNamesItsSize() {
        Script s = new Script("1").upgrade().text(Direction.C2S, "y".repeat(70_000)).close(Direction.S2C, 1009, "too big")
                .close(Direction.C2S, 1009, "");
        FindingEvent f = only(analyse(s), "message-too-big");
        assertThat(f.summary()).contains("70000 bytes");
        assertThat(f.cause()).contains("64 KiB");
    }

    @Test
    void aReservedCodeInACloseFrame() {
        Script s = new Script("1").upgrade().close(Direction.S2C, 1006, "").close(Direction.C2S, 1000, "");
        FindingEvent f = only(analyse(s), "reserved-close-code-on-wire");
        assertThat(f.summary()).contains("1006");
    }

    @Test
    void compressedFramesWithoutTheExtension() {
        Script s = new Script("1").upgrade()
                .frame(Direction.S2C, new FrameSpec(true, true, false, false, Opcode.TEXT, null, 0, new byte[]{0x4a, 0x4c, 0, 0}))
                .close(Direction.C2S, 1002, "").close(Direction.S2C, 1002, "");
        assertThat(only(analyse(s), "compressed-without-extension").summary()).contains("binary garbage");
    }

    @Test
    void aDropRightAfterTheHandshake() {
        Script s = new Script("1").upgrade();
        FindingEvent f = only(analyse(s), "abnormal-close");
        assertThat(f.summary()).contains("right after the handshake");
    }

    @Test
    void aDropAfterASilenceIsAnIdleTimeoutNamedWhenItIsWellKnown() {
        Script s = new Script("1").upgrade().text(Direction.C2S, "a").text(Direction.S2C, "a")
                .at(Direction.C2S, 1_000_000, w.encode(FrameSpec.of(Opcode.TEXT, new byte[]{'b'}).withMask(5)))
                .text(Direction.S2C, "b");
        List<FindingEvent> found = new ArrayList<>();
        Analyzer a = new Analyzer(new EventSink() {
            @Override
            public void accept(Event e) {
                found.add((FindingEvent) e);
            }
        });
        s.play(a, 60_000_000); // dropped 60 s after the last frame
        a.finish();
        FindingEvent f = only(found, "idle-timeout");
        assertThat(f.summary()).contains("60.0 s").contains("nginx");
        assertThat(f.fix()).contains("every 30 s");
        assertThat(f.evidence().get(0).seq()).isEqualTo(4);
    }

    @Test
    void pingsJustUnderTheTimeoutAreTooSlow() {
        Script s = new Script("1").upgrade();
        for (int i = 0; i < 4; i++) {
            s.at(Direction.C2S, 2_900_000, w.encode(FrameSpec.of(Opcode.PING, new byte[]{(byte) i}).withMask(i)));
            s.frame(Direction.S2C, FrameSpec.of(Opcode.PONG, new byte[]{(byte) i}));
        }
        List<FindingEvent> found = new ArrayList<>();
        Analyzer a = new Analyzer(new EventSink() {
            @Override
            public void accept(Event e) {
                found.add((FindingEvent) e);
            }
        });
        s.play(a, 3_000_000);
        a.finish();
        assertThat(rules(found)).containsExactly("idle-timeout/error", "keepalive-too-slow/warning");
    }

    @Test
    void pingsThatGetNoPongMakeAZombie() {
        Script s = new Script("1").upgrade();
        for (int i = 0; i < 4; i++) {
            s.at(Direction.C2S, 500_000, w.encode(FrameSpec.of(Opcode.PING, new byte[]{(byte) i}).withMask(i)));
        }
        s.close(Direction.C2S, 1001, "").close(Direction.S2C, 1001, "");
        FindingEvent f = only(analyse(s), "zombie");
        assertThat(f.summary()).startsWith("4 pings in a row");
    }

    @Test
    void aCloseNeverAnswered() {
        Script s = new Script("1").upgrade().text(Direction.C2S, "x").close(Direction.S2C, 4001, "kicked");
        FindingEvent f = only(analyse(s), "close-handshake-incomplete");
        assertThat(f.summary()).startsWith("The server sent a close frame (4001)");
    }

    @Test
    void closeCodesThatTellClientsSomething() {
        assertThat(rules(analyse(new Script("1").upgrade().close(Direction.S2C, 1011, "oops").close(Direction.C2S, 1011, ""))))
                .containsExactly("server-error/error");
        assertThat(rules(analyse(new Script("1").upgrade().close(Direction.S2C, 1013, "").close(Direction.C2S, 1013, ""))))
                .containsExactly("close-1013/info");
        assertThat(rules(analyse(new Script("1").upgrade().close(Direction.S2C, 4403, "").close(Direction.C2S, 4403, ""))))
                .containsExactly("close-4403/info");
        assertThat(rules(analyse(new Script("1").upgrade().close(Direction.S2C, 1014, "upstream connection lost")
                .close(Direction.C2S, 1014, "")))).containsExactly("bad-gateway/error");
    }

    @Test
    void longSilencesWithoutPings() {
        Script s = new Script("1").upgrade().text(Direction.C2S, "a")
                .at(Direction.S2C, 45_000_000, w.encode(FrameSpec.of(Opcode.TEXT, new byte[]{'b'})))
                .close(Direction.C2S, 1000, "").close(Direction.S2C, 1000, "");
        assertThat(rules(analyse(s))).containsExactly("no-keepalive/warning");
    }

    @Test
    void aSkippedSequenceNumber() {
        Script s = new Script("1").upgrade();
        for (int i = 1; i <= 12; i++) {
            if (i != 4) {
                s.text(Direction.S2C, "{\"seq\":" + i + ",\"data\":{\"x\":[1,2]}}");
            }
        }
        s.close(Direction.C2S, 1000, "").close(Direction.S2C, 1000, "");
        FindingEvent f = only(analyse(s), "sequence-gap");
        assertThat(f.summary()).contains("jumped from 3 to 5");
        assertThat(f.severity()).isEqualTo("warning");
    }

    @Test
    void idsThatDoNotCountUpAreNotASequence() {
        Script s = new Script("1").upgrade();
        for (long id : new long[]{17, 4, 99, 5, 300}) {
            s.text(Direction.S2C, "{\"id\":" + id + "}");
        }
        for (long req : new long[]{1, 1, 2, 3, 3, 3, 4, 5, 5}) { // a request id echoed by one to three replies
            s.text(Direction.S2C, "{\"seq\":" + req + "}");
        }
        s.close(Direction.C2S, 1000, "").close(Direction.S2C, 1000, "");
        assertThat(analyse(s)).isEmpty();
    }

    @Test
    void aClientRetryingAtAFixedDelay() {
        List<Script> tries = new ArrayList<>();
        long t = T0;
        for (int i = 0; i < 5; i++) {
            Script s = new Script(Integer.toString(i + 1), t, "10.0.0.9:" + (40000 + i));
            s.c2s(("GET /feed HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: " + KEY
                    + "\r\nSec-WebSocket-Version: 13\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            s.s2c("HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
            tries.add(s);
            t = s.t + 1000 + 2_000_000; // ended 1 ms after its last chunk, next one 2 s later
        }
        List<FindingEvent> found = analyse(tries.toArray(new Script[0]));
        FindingEvent f = found.stream().filter(x -> x.rule().equals("reconnect-no-backoff")).findFirst()
                .orElseThrow(() -> new AssertionError(rules(found)));
        assertThat(f.summary()).contains("10.0.0.9").contains("4 times").contains("2.0 s");
        assertThat(f.conn()).isNull();
    }

    private Script pinging(String conn, long t0, long every, int pings) {
        Script s = new Script(conn, t0, "10.0.0." + conn + ":50000").upgrade();
        for (int i = 0; i < pings; i++) {
            s.at(Direction.C2S, every, w.encode(FrameSpec.of(Opcode.PING, new byte[]{(byte) i}).withMask(i)));
            s.frame(Direction.S2C, FrameSpec.of(Opcode.PONG, new byte[]{(byte) i}));
        }
        return s;
    }

    @Test
    void pingsJustUnderATimeoutThatKilledAnotherConnectionAreTooSlow() {
        Script idle = new Script("1", T0, "10.0.0.1:50000").upgrade().text(Direction.C2S, "a");
        Script tight = pinging("2", T0, 2_900_000, 3).close(Direction.C2S, 1000, "").close(Direction.S2C, 1000, "");
        Script safe = pinging("3", T0, 1_000_000, 8).close(Direction.C2S, 1000, "").close(Direction.S2C, 1000, "");
        List<FindingEvent> found = new ArrayList<>();
        Analyzer a = new Analyzer(new EventSink() {
            @Override
            public void accept(Event e) {
                found.add((FindingEvent) e);
            }
        });
        idle.play(a, 3_000_000); // dropped 3 s after its last frame
        tight.play(a, 1000);
        safe.play(a, 1000);
        a.finish();
        assertThat(rules(found)).containsExactlyInAnyOrder("idle-timeout/error", "keepalive-too-slow/warning");
        FindingEvent f = found.stream().filter(x -> x.rule().equals("keepalive-too-slow")).findFirst().orElseThrow();
        assertThat(f.conn()).isEqualTo("2");
        assertThat(f.summary()).contains("every 2.9 s").contains("3.0 s idle timeout that dropped connection 1");
        assertThat(f.evidence()).extracting(FindingEvent.Evidence::conn).containsExactly("2", "1");
        assertThat(f.fix()).contains("every 1 s");
    }

    @Test
    void pingsJustUnderAWellKnownTimeoutAreTooSlowEvenWhenTheySurvive() {
        Script s = pinging("1", T0, 58_000_000, 3).close(Direction.C2S, 1000, "").close(Direction.S2C, 1000, "");
        FindingEvent f = only(analyse(s), "keepalive-too-slow");
        assertThat(f.severity()).isEqualTo(FindingEvent.WARNING);
        assertThat(f.summary()).contains("every 58.0 s").contains("60 s idle timeout of AWS");
        assertThat(rules(analyse(pinging("1", T0, 25_000_000, 3).close(Direction.C2S, 1000, "")
                .close(Direction.S2C, 1000, "")))).isEmpty();
    }

    @Test
    void aClientThatStopsReadingIsBackpressure() {
        Script s = new Script("1").upgrade().text(Direction.S2C, "a")
                .flow(Direction.S2C, 10_000, FlowEvent.ZERO_WINDOW, 262_144, 0)
                .flow(Direction.S2C, 800_000, FlowEvent.WINDOW_OPEN, -1, 800_000)
                .flow(Direction.S2C, 1_000, FlowEvent.ZERO_WINDOW, 131_072, 0)
                .flow(Direction.S2C, 300_000, FlowEvent.WINDOW_OPEN, -1, 300_000)
                .text(Direction.S2C, "b").close(Direction.C2S, 1000, "").close(Direction.S2C, 1000, "");
        List<FindingEvent> found = analyse(s);
        assertThat(rules(found)).containsExactly("backpressure/warning");
        FindingEvent f = found.get(0);
        assertThat(f.summary()).isEqualTo("The client stopped reading: it advertised a zero TCP window twice, for up to"
                + " 0.8 s with 262144 bytes waiting.");
        assertThat(f.evidence().get(0).seq()).isEqualTo(1); // the last frame before it: the server's "a"
        // a window closed for 100 ms is a receiver that kept up, barely: information only; for 5 ms, nothing
        for (long closed : new long[] {100_000, 5_000}) {
            Script brief = new Script("1").upgrade().text(Direction.S2C, "a")
                    .flow(Direction.S2C, 10_000, FlowEvent.ZERO_WINDOW, 1000, 0)
                    .flow(Direction.S2C, closed, FlowEvent.WINDOW_OPEN, -1, closed)
                    .close(Direction.C2S, 1000, "").close(Direction.S2C, 1000, "");
            assertThat(rules(analyse(brief))).as("closed %d us", closed)
                    .isEqualTo(closed == 100_000 ? List.of("backpressure/info") : List.of());
        }
    }

    @Test
    void bytesTheProxyHadToHoldAreBackpressureOfThatSide() {
        Script s = new Script("1").upgrade().text(Direction.C2S, "a")
                .flow(Direction.C2S, 10_000_000, FlowEvent.HELD, 4_194_304, 10_000_000)
                .close(Direction.C2S, 1000, "").close(Direction.S2C, 1000, "");
        FindingEvent f = only(analyse(s), "backpressure");
        assertThat(f.summary()).startsWith("The server stopped reading: the proxy had to hold what the client sent for"
                + " it, for up to 10.0 s with 4194304 bytes waiting");
        // a capture from before flow events: the proxy's sentence alone
        List<FindingEvent> found = new ArrayList<>();
        Analyzer a = new Analyzer(new EventSink() {
            @Override
            public void accept(Event e) {
                found.add((FindingEvent) e);
            }
        });
        new Script("1").upgrade().text(Direction.S2C, "a").play(a, -1);
        a.accept(new ErrorEvent("1", T0 + 20_000_000, "backpressure", "The client 10.0.0.1:50000 has not read for 10 s:"
                + " 4194304 bytes are waiting to be written to it, and the proxy has stopped reading from the upstream"
                + " until it reads."));
        a.finish();
        assertThat(found).extracting(FindingEvent::rule).contains("backpressure");
        assertThat(found.stream().filter(x -> x.rule().equals("backpressure")).findFirst().orElseThrow().summary())
                .startsWith("The client stopped reading");
    }

    @Test
    void smallMessagesThatWaitForDelayedAcksAreNagle() {
        Script s = new Script("1").upgrade();
        for (int i = 0; i < 8; i++) {
            s.flow(Direction.C2S, 40_000, FlowEvent.ACK_WAIT, 5, 40_500 + i * 100).text(Direction.C2S, "m" + i)
                    .text(Direction.S2C, "m" + i);
        }
        s.close(Direction.C2S, 1000, "").close(Direction.S2C, 1000, "");
        List<FindingEvent> found = analyse(s);
        assertThat(rules(found)).containsExactly("nagle-delay/warning");
        assertThat(found.get(0).summary()).startsWith("8 small segments from the client left about 40 ms late");
        assertThat(found.get(0).fix()).contains("TCP_NODELAY");
        // waits that do not cluster at a delayed-ACK timer, or too few of them: nothing
        Script scattered = new Script("1").upgrade();
        for (int i = 0; i < 8; i++) {
            scattered.flow(Direction.C2S, 1000, FlowEvent.ACK_WAIT, 5, 70_000 + i * 10_000).text(Direction.C2S, "m");
        }
        assertThat(rules(analyse(scattered.close(Direction.C2S, 1000, "").close(Direction.S2C, 1000, "")))).isEmpty();
        Script rare = new Script("1").upgrade();
        for (int i = 0; i < 30; i++) {
            if (i % 10 == 0) {
                rare.flow(Direction.C2S, 1000, FlowEvent.ACK_WAIT, 5, 40_000);
            }
            rare.text(Direction.C2S, "m");
        }
        assertThat(rules(analyse(rare.close(Direction.C2S, 1000, "").close(Direction.S2C, 1000, "")))).isEmpty();
    }

    /** Six connections from one address that the server closes with 1001 together; {@code back} of them reconnect. */
    private List<FindingEvent> closedTogether(int back) {
        List<Script> all = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            all.add(new Script(Integer.toString(i + 1), T0 + i * 1000, "10.0.0.7:" + (41000 + i)).upgrade()
                    .at(Direction.S2C, 5_000_000 - i * 1000, w.encode(FrameSpec.of(Opcode.CLOSE,
                            FrameWriter.closePayload(1001, "")))).close(Direction.C2S, 1001, ""));
        }
        for (int i = 0; i < back; i++) {
            all.add(new Script(Integer.toString(7 + i), T0 + 5_100_000 + i * 1000, "10.0.0.7:" + (42000 + i)).upgrade()
                    .text(Direction.C2S, "hi").close(Direction.C2S, 1000, "").close(Direction.S2C, 1000, ""));
        }
        return analyse(all.toArray(new Script[0]));
    }

    @Test
    void aStormCountsEachReconnectionOnceEvenFromOneAddress() {
        List<FindingEvent> storm = closedTogether(6);
        FindingEvent f = storm.stream().filter(x -> x.rule().equals("reconnect-storm")).findFirst()
                .orElseThrow(() -> new AssertionError(rules(storm)));
        assertThat(f.summary()).startsWith("6 clients reconnected");
        assertThat(f.evidence()).extracting(FindingEvent.Evidence::conn).doesNotHaveDuplicates();
        // overlapping connections from one address are several clients, not one retrying at a fixed delay
        assertThat(rules(storm)).doesNotContain("reconnect-no-backoff/warning");
        // one client of six coming back is no storm
        assertThat(rules(closedTogether(1))).doesNotContain("reconnect-storm/warning");
    }

    @Test
    void bytesTheCaptureMissedAreNotBlamedOnThePeers() {
        // the server's stream loses 5000 bytes mid-message; decoding resumes on a "frame" of payload bytes
        Script s = new Script("1").upgrade().text(Direction.C2S, "a")
                .s2c(new byte[]{0x02, 0x7e, 0x13, (byte) 0x88}).s2c(new byte[100]).gap(Direction.S2C, 5000)
                .s2c(new byte[]{(byte) 0xff, 0x05, 1, 2, 3, 4, 5}).s2c(new byte[]{(byte) 0x89, 0x01, 9});
        List<FindingEvent> found = analyse(s);
        assertThat(rules(found)).containsExactly("capture-incomplete/warning");
        assertThat(found.get(0).summary()).isEqualTo("The capture missed 5000 bytes of the server's stream, so how the"
                + " connection ended and the frames after the first hole are not judged.");
        assertThat(found.get(0).evidence().get(0).seq()).isEqualTo(1);
    }

    @Test
    void aWebSocketOverHttp2IsHealthyWithoutAnAccept() {
        Script s = new Script("1").h2(true, ":status", "200").text(Direction.C2S, "a").text(Direction.S2C, "a")
                .close(Direction.C2S, 1000, "").close(Direction.S2C, 1000, "");
        assertThat(rules(analyse(s))).isEmpty();
    }

    @Test
    void anExtendedConnectTheServerDidNotEnable() {
        FindingEvent f = only(analyse(new Script("1").h2(false, ":status", "405")), "h2-connect-disabled");
        assertThat(f.summary()).isEqualTo("The server refused the WebSocket over HTTP/2 with 405: its SETTINGS did not"
                + " enable extended CONNECT.");
        assertThat(f.evidence().get(0).what()).isEqualTo("stream 3: CONNECT wss://example.test/feed :protocol websocket, answered 405");
        // another refusal is a rejection with what the status means
        FindingEvent rejected = only(analyse(new Script("1").h2(true, ":status", "403")), "handshake-rejected");
        assertThat(rejected.summary()).startsWith("The server answered the extended CONNECT with 403 instead of 200");
    }

    @Test
    void aDroppedWebSocketOverHttp2SaysHowItsStreamEnded() {
        FindingEvent reset = only(analyse(new Script("1").h2(true, ":status", "200").text(Direction.C2S, "a")
                .reset(Direction.S2C, 8)), "abnormal-close");
        assertThat(reset.evidence()).extracting(FindingEvent.Evidence::what)
                .containsExactly("last frame before the drop", "HTTP/2 stream 3: the server reset the stream with CANCEL (0x8)");
        FindingEvent ended = only(analyse(new Script("1").h2(true, ":status", "200").text(Direction.C2S, "a")), "abnormal-close");
        assertThat(ended.evidence()).extracting(FindingEvent.Evidence::what)
                .containsExactly("last frame before the drop", "HTTP/2 stream 3 ended (END_STREAM)");
        FindingEvent unanswered = only(analyse(new Script("1").h2(true, ":status", "200").close(Direction.C2S, 1000, "")
                .reset(Direction.S2C, 2)), "close-handshake-incomplete");
        assertThat(unanswered.summary()).endsWith("never answered before its HTTP/2 stream ended.");
        assertThat(unanswered.evidence().get(1).what()).startsWith("HTTP/2 stream 3: the server reset the stream with INTERNAL_ERROR (0x2) ");
        FindingEvent tcp = only(analyse(new Script("1").upgrade().text(Direction.C2S, "a")), "abnormal-close");
        assertThat(tcp.evidence().get(1).what()).isEqualTo("TCP closed");
    }
}
