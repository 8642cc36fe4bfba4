package dev.wsdebug.capture.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.wsdebug.wire.Handshake;
import dev.wsdebug.wire.HandshakeResult;
import dev.wsdebug.wire.HttpHead;
import dev.wsdebug.wire.HttpHeadParser;
import java.util.List;
import java.util.Objects;
import org.junit.jupiter.api.Timeout;

/**
 * Fuzzes {@link HttpHeadParser} and the {@link Handshake} checks on what it parses.
 *
 * <p>Input ({@link FuzzInput}): options bit 0 set: the data is a request head followed by a
 * response head (the response parser gets what the request's parser left), checked with
 * {@link Handshake#check}; clear: one head, checked with {@link Handshake#checkRequest}. Bit 1
 * set: the data is repeated up to 65 528 + (bits 2-7) bytes, so that heads reach the parser's
 * 64 KiB limit ({@link HttpHeadParser#MAX_HEAD}) from a small input.
 *
 * <p>Each head is parsed fed whole, byte by byte and in the fuzzer's chunks: the three must agree
 * on the head, the error, completion and the bytes consumed; the bytes consumed must be those up
 * to the first empty line (CRLF CRLF, LF LF or LF CRLF), never more than the input or the limit;
 * a parser that is done without a head must say why. The checks must not throw and their results
 * must be consistent.
 */
class HttpHeadFuzzTest {
    @Timeout(10)
    @FuzzTest(maxDuration = "15s")
    void httpHead(byte[] input) {
        FuzzInput in = FuzzInput.parse(input);
        byte[] data = in.data();
        if ((in.options() & 2) != 0 && data.length > 0) {
            data = FuzzInput.repeat(data, HttpHeadParser.MAX_HEAD - 8 + (in.options() >>> 2));
        }
        HttpHeadParser.looksLikeHttp(data, 0, data.length);

        Parsed request = parseAllWays(data, 0, in.plan());
        if (!request.parser.isComplete()) {
            return;
        }
        HttpHead req = request.parser.head();
        use(req);
        List<String> problems = Handshake.checkRequest(req);
        if (problems.stream().anyMatch(p -> p == null || p.isBlank())) {
            throw new AssertionError("a blank problem in " + problems);
        }
        if ((in.options() & 1) == 0) {
            return;
        }
        Parsed response = parseAllWays(data, request.consumed, in.plan());
        if (!response.parser.isComplete()) {
            return;
        }
        HttpHead resp = response.parser.head();
        use(resp);
        HandshakeResult r = Handshake.check(req, resp);
        boolean consistent = r.status() == resp.status()
                && r.upgraded() == (r.status() == 101)
                && (!r.valid() || (r.upgraded() && r.problems().isEmpty()))
                && (r.valid() || !r.problems().isEmpty())
                && (!r.acceptValid() || (r.expectedAccept() != null && r.actualAccept() != null
                        && r.expectedAccept().equals(r.actualAccept().trim())))
                && (r.deflate() == null || r.upgraded())
                && r.problems().stream().noneMatch(p -> p == null || p.isBlank());
        if (!consistent) {
            throw new AssertionError("inconsistent handshake result " + r + " for " + req + " / " + resp);
        }
    }

    /** The parser fed whole (the one returned), and the same bytes fed byte by byte and in chunks must agree. */
    private static Parsed parseAllWays(byte[] data, int from, int[] plan) {
        Parsed whole = Parsed.of(data, from, FuzzInput.WHOLE);
        Parsed bytes = Parsed.of(data, from, FuzzInput.BYTE_BY_BYTE);
        Parsed chunks = Parsed.of(data, from, plan);
        String a = whole.state();
        if (!a.equals(bytes.state()) || !a.equals(chunks.state())) {
            throw new AssertionError("the head parses differently by chunking:\n  whole:        " + a
                    + "\n  byte by byte: " + bytes.state() + "\n  chunks:       " + chunks.state());
        }
        // the reference: everything up to the first empty line, within the limit
        int len = data.length - from;
        int end = -1;
        for (int i = from; i < data.length && i - from < HttpHeadParser.MAX_HEAD; i++) {
            if (data[i] == '\n' && i > from && (data[i - 1] == '\n' || (i - from >= 2 && data[i - 1] == '\r' && data[i - 2] == '\n'))) {
                end = i + 1 - from;
                break;
            }
        }
        HttpHeadParser p = whole.parser;
        boolean ok;
        if (end >= 0) {
            ok = p.isComplete() && p.isDone() && whole.consumed == end && p.head().length() == end && p.length() == end;
        } else if (len >= HttpHeadParser.MAX_HEAD) {
            ok = !p.isComplete() && p.isDone() && whole.consumed == HttpHeadParser.MAX_HEAD && p.error() != null;
        } else {
            ok = !p.isComplete() && !p.isDone() && whole.consumed == len && p.error() == null;
        }
        if (!ok) {
            throw new AssertionError("after " + len + " bytes (head ends at " + end + "): " + a);
        }
        return whole;
    }

    /** One parser and the bytes it took, fed by a plan until it is done. */
    record Parsed(HttpHeadParser parser, int consumed) {
        static Parsed of(byte[] data, int from, int[] plan) {
            HttpHeadParser p = new HttpHeadParser();
            int[] consumed = {0};
            new FuzzInput.Chunker(plan).split(data.length - from, (off, len) -> {
                int n = p.feed(data, from + off, len);
                if (n < 0 || n > len || (n < len && !p.isDone())) {
                    throw new AssertionError("feed of " + len + " bytes returned " + n + " (done: " + p.isDone() + ")");
                }
                consumed[0] += n;
            });
            return new Parsed(p, consumed[0]);
        }

        String state() {
            return "complete=" + parser.isComplete() + " done=" + parser.isDone() + " consumed=" + consumed
                    + " length=" + parser.length() + " error=" + parser.error() + " head=" + parser.head();
        }
    }

    /** Every accessor of a parsed head; none may throw. */
    private static void use(HttpHead h) {
        Objects.hash(h.isResponse(), h.method(), h.target(), h.version(), h.status(), h.reason(),
                h.header("Sec-WebSocket-Key"), h.joined("Sec-WebSocket-Extensions"), h.tokens("Connection"));
    }
}
