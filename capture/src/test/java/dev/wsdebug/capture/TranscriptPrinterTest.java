package dev.wsdebug.capture;

import dev.wsdebug.wire.Direction;
import dev.wsdebug.wire.FrameSpec;
import dev.wsdebug.wire.FrameWriter;
import dev.wsdebug.wire.Opcode;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

class TranscriptPrinterTest {
    private static final FrameWriter W = new FrameWriter(new Random(3));

    private static String print(TranscriptStyle style, byte[] s2c) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        TranscriptPrinter printer = new TranscriptPrinter(new PrintStream(out, true, StandardCharsets.UTF_8), style);
        Conversation conv = new Conversation("1", printer);
        conv.assumeWebSocket(null);
        conv.feed(Direction.S2C, 1_000_000, s2c);
        conv.end(2_000_000);
        return out.toString(StandardCharsets.UTF_8);
    }

    private static byte[] sample() {
        return ConversationTest.concat(
                W.encode(FrameSpec.of(Opcode.TEXT, "{\"a\":[1,2]}".getBytes(StandardCharsets.UTF_8))),
                W.encode(FrameSpec.of(Opcode.TEXT, "line\nbreak".getBytes(StandardCharsets.UTF_8)).withMask(9)),
                W.encode(FrameSpec.of(Opcode.CLOSE, FrameWriter.closePayload(1001, "restart"))));
    }

    @Test
    void showsMessagesControlFramesAndTheCloseCodeWithItsName() {
        String t = print(TranscriptStyle.plain().withTime(false), sample());
        assertThat(t).contains("<- text 11 B: \"{\\\"a\\\":[1,2]}\"");
        assertThat(t).contains("line\\nbreak");
        assertThat(t).contains("<- close 1001 Going Away \"restart\"");
        assertThat(t).contains("== closed 1001 Going Away \"restart\" by server");
        // the masked server frame is a violation, highlighted on its own line with rule, RFC and offset
        assertThat(t).contains("! server-frame-masked (RFC 6455 5.1, byte 14) A server-to-client frame is masked.");
        assertThat(t).doesNotContain("\u001b[");
    }

    @Test
    void frameModeShowsEveryHeaderField() {
        String t = print(TranscriptStyle.plain().withTime(false).withFrames(true), sample());
        assertThat(t).contains("#2").contains("mask 00000009").contains("len 10 (7-bit, header 6 B)");
        assertThat(t).contains("text message 10 B");
    }

    @Test
    void prettyPrintsJsonOnRequest() {
        String t = print(TranscriptStyle.plain().withTime(false).withPrettyJson(true), sample());
        assertThat(t).contains("\"a\" : [ 1, 2 ]");
    }

    @Test
    void coloursOnlyWhenAskedAndUsesUnicodeArrowsOnlyWhenAllowed() {
        String t = print(TranscriptStyle.plain().withTime(false).withColor(true).withUnicode(true), sample());
        assertThat(t).contains("\u001b[").contains("←").doesNotContain("<-");
    }

    @Test
    void timestampsAreLocalTimeWithMicroseconds() {
        String t = print(TranscriptStyle.plain(), W.encode(FrameSpec.of(Opcode.PING, new byte[0])));
        assertThat(t).containsPattern("\\d\\d:\\d\\d:\\d\\d\\.000000 <- ping 0 B");
    }

    @Test
    void longPayloadsAreCutWithTheRestCounted() {
        byte[] big = "x".repeat(1000).getBytes(StandardCharsets.UTF_8);
        String t = print(TranscriptStyle.plain().withTime(false).withMaxChars(10),
                W.encode(FrameSpec.of(Opcode.TEXT, big)));
        assertThat(t).contains("\"xxxxxxxxxx\" ... +990 chars");
    }

    @Test
    void anHttpExchangeIsOneLineWithItsHeadsUnderItWhenAsked() {
        dev.wsdebug.wire.HttpHead req = new dev.wsdebug.wire.HttpHead("GET /x HTTP/1.1",
                java.util.List.of(new dev.wsdebug.wire.HttpHead.Header("Host", "h")), 0);
        dev.wsdebug.wire.HttpHead resp = new dev.wsdebug.wire.HttpHead("HTTP/1.1 200 OK",
                java.util.List.of(new dev.wsdebug.wire.HttpHead.Header("Content-Length", "512")), 0);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        TranscriptPrinter p = new TranscriptPrinter(new PrintStream(out, true, StandardCharsets.UTF_8),
                TranscriptStyle.plain().withTime(false).withConn(true));
        p.accept(new HttpEvent("7", 1, "http://h/x", req, resp, 0, 512, 12_500));
        p.accept(new HttpEvent("8", 1, "http://h/y", req, null, 0, 0, 3_000_000));
        assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo(
                "[7] http GET http://h/x -> 200 OK, 512 B, 12.5 ms\n[8] http GET http://h/y -> no response, 3000.0 ms\n");

        out.reset();
        p = new TranscriptPrinter(new PrintStream(out, true, StandardCharsets.UTF_8),
                TranscriptStyle.plain().withTime(false).withUnicode(true).withHeaders(true));
        p.accept(new HttpEvent("7", 1, "http://h/x", req, resp, 20_000, 512, 12_500));
        assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo("http GET http://h/x 19.5 KiB → 200 OK, 512 B, 12.5 ms\n"
                + "> GET /x HTTP/1.1\n> Host: h\n< HTTP/1.1 200 OK\n< Content-Length: 512\n");
    }
}
