package dev.wsdebug.wire;

import static dev.wsdebug.wire.Frames.concat;
import static dev.wsdebug.wire.Frames.decodeAllWays;
import static dev.wsdebug.wire.Frames.hex;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.wsdebug.wire.Frames.Decoded;
import dev.wsdebug.wire.Frames.MsgRec;
import dev.wsdebug.wire.Frames.Setup;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * permessage-deflate against independent compressors: CPython's zlib (any window size) and the
 * JDK's Deflater/Inflater used directly.
 */
class DeflateTest {
    private static final byte[] TAIL = hex("00 00 ff ff");
    private static final Path PYTHON = Path.of("/usr/bin/python3");

    // ---- helpers ------------------------------------------------------------------------------

    /**
     * RFC 7692 7.2.1 from raw DEFLATE flushed with a sync flush: make sure it ends with an empty
     * stored block, then drop the 00 00 ff ff tail.
     */
    static byte[] payloadFromSyncFlushed(byte[] deflated) {
        byte[] d = deflated;
        if (!endsWithTail(d)) {
            // a sync flush leaves the stream byte-aligned, so a whole byte can start the empty block
            d = concat(d, hex("00 00 00 ff ff"));
        }
        return Arrays.copyOf(d, d.length - 4);
    }

    static boolean endsWithTail(byte[] d) {
        return d.length >= 4 && Arrays.equals(d, d.length - 4, d.length, TAIL, 0, 4);
    }

    static void requirePython() {
        if (Files.isExecutable(PYTHON)) {
            return;
        }
        if ("true".equals(System.getenv("CI"))) {
            fail(PYTHON + " is missing; CI must have it to check permessage-deflate against an independent zlib");
        }
        Assumptions.abort(PYTHON + " is missing");
    }

    private static final String PY = String.join("\n",
            "import sys, zlib",
            "wbits = int(sys.argv[1]); takeover = sys.argv[2] == '1'; level = int(sys.argv[3])",
            "c = None",
            "for line in sys.stdin.read().split('\\n'):",
            "    if line == '.': break",
            "    if c is None or not takeover: c = zlib.compressobj(level, zlib.DEFLATED, -wbits)",
            "    out = c.compress(bytes.fromhex(line)) + c.flush(zlib.Z_SYNC_FLUSH)",
            "    print(out.hex())",
            "");

    /** Compresses each message with CPython's zlib (raw DEFLATE, 2^wbits window, sync flush per message). */
    static List<byte[]> pythonDeflate(int wbits, boolean takeover, int level, List<byte[]> messages)
            throws IOException, InterruptedException {
        requirePython();
        Process p = new ProcessBuilder(PYTHON.toString(), "-c", PY, Integer.toString(wbits), takeover ? "1" : "0",
                Integer.toString(level)).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        StringBuilder in = new StringBuilder();
        for (byte[] m : messages) {
            in.append(Frames.hex(m)).append('\n');
        }
        in.append(".\n");
        p.getOutputStream().write(in.toString().getBytes(StandardCharsets.US_ASCII));
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).isZero();
        List<byte[]> result = new ArrayList<>();
        for (String line : out.split("\n", -1)) {
            if (result.size() < messages.size()) {
                result.add(Frames.hex(line));
            }
        }
        assertThat(result).hasSize(messages.size());
        return result;
    }

    /** Decompresses with CPython's zlib, one stream across all messages (tails appended). */
    static List<byte[]> pythonInflate(List<byte[]> payloads) throws IOException, InterruptedException {
        requirePython();
        String script = String.join("\n",
                "import sys, zlib",
                "d = zlib.decompressobj(-15)",
                "for line in sys.stdin.read().split('\\n'):",
                "    if line == '.': break",
                "    print(d.decompress(bytes.fromhex(line) + b'\\x00\\x00\\xff\\xff').hex())",
                "");
        Process p = new ProcessBuilder(PYTHON.toString(), "-c", script)
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        StringBuilder in = new StringBuilder();
        for (byte[] m : payloads) {
            in.append(Frames.hex(m)).append('\n');
        }
        in.append(".\n");
        p.getOutputStream().write(in.toString().getBytes(StandardCharsets.US_ASCII));
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).isZero();
        List<byte[]> result = new ArrayList<>();
        for (String line : out.split("\n", -1)) {
            if (result.size() < payloads.size()) {
                result.add(Frames.hex(line));
            }
        }
        return result;
    }

    /** Text-like bytes with repeats at long distances, so that the window size matters. */
    static byte[] sample(Random r, int length) {
        byte[] phrase = new byte[700];
        for (int i = 0; i < phrase.length; i++) {
            phrase[i] = (byte) ('a' + r.nextInt(20));
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        while (out.size() < length) {
            if (r.nextInt(3) == 0) {
                out.write(phrase, 0, phrase.length);
            } else {
                for (int i = 0; i < 300; i++) {
                    out.write('a' + r.nextInt(26));
                }
            }
        }
        return Arrays.copyOf(out.toByteArray(), length);
    }

    /** One compressed message per frame, RSV1 set, text opcode; optionally masked. */
    static byte[] framesFor(List<byte[]> payloads, byte[] key) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : payloads) {
            out.writeBytes(Frames.rawFrame(0xC1, key, p));
        }
        return out.toByteArray();
    }

    static byte[] jdkInflate(byte[] payload) throws DataFormatException {
        Inflater inf = new Inflater(true);
        try {
            inf.setInput(concat(payload, TAIL));
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] buf = new byte[4096];
            while (true) {
                int n = inf.inflate(buf);
                out.write(buf, 0, n);
                if (n == 0) {
                    assertThat(inf.needsInput() || inf.finished()).as("inflater stuck").isTrue();
                    return out.toByteArray();
                }
            }
        } finally {
            inf.end();
        }
    }

    // ---- CPython zlib, window bits 9-15 ----------------------------------------------------------

    @ParameterizedTest(name = "window bits {0}")
    @ValueSource(ints = {9, 10, 11, 12, 13, 14, 15})
    void pythonStreamsOfAnyWindowSizeInflate(int wbits) throws Exception {
        Random r = new Random(wbits);
        List<byte[]> messages = List.of(sample(r, 3000), sample(r, 1), new byte[0], sample(r, 20000),
                Frames.utf8("Hello"), Frames.utf8("Hello"), sample(r, 5000));
        for (boolean takeover : new boolean[] {true, false}) {
            List<byte[]> deflated = pythonDeflate(wbits, takeover, 6, messages);
            List<byte[]> payloads = deflated.stream().map(DeflateTest::payloadFromSyncFlushed).toList();
            for (Direction dir : Direction.values()) {
                byte[] key = dir == Direction.C2S ? hex("0f 1e 2d 3c") : null;
                Decoded d = decodeAllWays(new Setup(dir, true, !takeover, 1 << 20), framesFor(payloads, key));
                assertThat(d.allFrameViolations()).isEmpty();
                assertThat(d.messages()).hasSize(messages.size());
                for (int i = 0; i < messages.size(); i++) {
                    MsgRec m = d.message(i);
                    assertThat(m.compressed()).isTrue();
                    assertThat(m.payload()).as("message %d, takeover %s", i, takeover).isEqualTo(messages.get(i));
                    assertThat(m.wireLength()).isEqualTo(payloads.get(i).length);
                    assertThat(m.violations()).isEmpty();
                }
            }
        }
    }

    @Test
    void pythonWindowBitsReallyLimitTheWindow() throws Exception {
        // the same messages compress worse in a 512-byte window than in a 32 KiB one, and with
        // context takeover the repeated message costs almost nothing only in the large window
        byte[] m = sample(new Random(1), 4000);
        List<byte[]> w9 = pythonDeflate(9, true, 9, List.of(m, m));
        List<byte[]> w15 = pythonDeflate(15, true, 9, List.of(m, m));
        assertThat(w9.get(0).length).isGreaterThan(w15.get(0).length);
        assertThat(w15.get(1).length).isLessThan(100);
        assertThat(w9.get(1).length).isGreaterThan(500);
    }

    @Test
    void pythonMessageSplitOverSeveralFramesWithControlFramesBetween() throws Exception {
        byte[] m = sample(new Random(3), 9000);
        byte[] p = payloadFromSyncFlushed(pythonDeflate(11, false, 6, List.of(m)).get(0));
        int a = p.length / 3;
        int b = 2 * p.length / 3;
        byte[] input = concat(
                Frames.rawFrame(0x41, null, Arrays.copyOfRange(p, 0, a)),
                hex("89 01 7a"),
                Frames.rawFrame(0x00, null, Arrays.copyOfRange(p, a, b)),
                Frames.rawFrame(0x00, null, new byte[0]),
                hex("8a 00"),
                Frames.rawFrame(0x80, null, Arrays.copyOfRange(p, b, p.length)));
        Decoded d = decodeAllWays(Setup.s2c().deflate(true), input);
        assertThat(d.allFrameViolations()).isEmpty();
        assertThat(d.messages()).hasSize(1);
        assertThat(d.message(0).frames()).isEqualTo(4);
        assertThat(d.message(0).wireLength()).isEqualTo(p.length);
        assertThat(d.message(0).payload()).isEqualTo(m);
    }

    @Test
    void pythonEmptyMessages() throws Exception {
        List<byte[]> messages = List.of(new byte[0], Frames.utf8("x"), new byte[0], new byte[0]);
        List<byte[]> payloads = pythonDeflate(15, true, 6, messages).stream()
                .map(DeflateTest::payloadFromSyncFlushed).toList();
        // RFC 7692 7.2.3.6: an empty message is the single byte 0x00
        assertThat(payloads.get(0)).isEqualTo(hex("00"));
        assertThat(payloads.get(2)).isEqualTo(hex("00"));
        Decoded d = decodeAllWays(Setup.s2c().deflate(false), framesFor(payloads, null));
        assertThat(d.messages()).extracting(MsgRec::payloadHex).containsExactly("", "78", "", "");
        assertThat(d.allFrameViolations()).isEmpty();
    }

    // ---- context takeover per direction ----------------------------------------------------------

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"permessage-deflate", "permessage-deflate; client_no_context_takeover",
        "permessage-deflate; server_no_context_takeover",
        "permessage-deflate; client_no_context_takeover; server_no_context_takeover"})
    void contextTakeoverIsDecidedPerDirection(String header) {
        DeflateParams params = DeflateParams.fromHeader(header);
        assertThat(params.noContextTakeover(Direction.C2S)).isEqualTo(header.contains("client_no_context"));
        assertThat(params.noContextTakeover(Direction.S2C)).isEqualTo(header.contains("server_no_context"));
        // RFC 7692 7.2.3.2: the second "Hello" only inflates with the first message's window
        List<byte[]> payloads = List.of(hex("f2 48 cd c9 c9 07 00"), hex("f2 00 11 00 00"));
        for (Direction dir : Direction.values()) {
            byte[] key = dir == Direction.C2S ? hex("de ad be ef") : null;
            boolean noContext = params.noContextTakeover(dir);
            Decoded d = decodeAllWays(new Setup(dir, true, noContext, 1024), framesFor(payloads, key));
            assertThat(d.message(0).text()).isEqualTo("Hello");
            if (noContext) {
                assertThat(d.message(1).rules()).as(dir.id()).containsExactly("deflate-stream-invalid");
            } else {
                assertThat(d.message(1).text()).as(dir.id()).isEqualTo("Hello");
                assertThat(d.allFrameViolations()).isEmpty();
            }
        }
    }

    @Test
    void inflaterWithoutContextTakeoverStartsEveryMessageAfresh() throws Exception {
        // a takeover stream of repeated messages cannot be read message by message from scratch...
        byte[] m = sample(new Random(5), 2000);
        List<byte[]> takeover = pythonDeflate(15, true, 6, List.of(m, m)).stream()
                .map(DeflateTest::payloadFromSyncFlushed).toList();
        Decoded d = decodeAllWays(Setup.s2c().deflate(true), framesFor(takeover, null));
        assertThat(d.message(0).payload()).isEqualTo(m);
        assertThat(d.message(1).rules()).containsExactly("deflate-stream-invalid");
        // ...while streams made without takeover read fine with a takeover inflater too
        List<byte[]> fresh = pythonDeflate(15, false, 6, List.of(m, m)).stream()
                .map(DeflateTest::payloadFromSyncFlushed).toList();
        Decoded d2 = decodeAllWays(Setup.s2c().deflate(false), framesFor(fresh, null));
        assertThat(d2.messages()).extracting(MsgRec::payloadHex).containsExactly(Frames.hex(m), Frames.hex(m));
    }

    // ---- JDK Deflater / Inflater directly --------------------------------------------------------

    @ParameterizedTest(name = "level {0}")
    @ValueSource(ints = {0, 1, 6, 9})
    void jdkDeflaterStreamsInflate(int level) {
        Random r = new Random(level);
        List<byte[]> messages = List.of(sample(r, 100), sample(r, 70000), new byte[0], Frames.utf8("\u00e9t\u00e9"));
        Deflater def = new Deflater(level, true);
        List<byte[]> payloads = new ArrayList<>();
        byte[] buf = new byte[200000];
        for (byte[] m : messages) {
            def.setInput(m);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            int n;
            do {
                n = def.deflate(buf, 0, buf.length, Deflater.SYNC_FLUSH);
                out.write(buf, 0, n);
            } while (n == buf.length);
            payloads.add(payloadFromSyncFlushed(out.toByteArray()));
        }
        def.end();
        Decoded d = decodeAllWays(Setup.c2s().deflate(false), framesFor(payloads, hex("01 02 03 04")));
        assertThat(d.allFrameViolations()).isEmpty();
        for (int i = 0; i < messages.size(); i++) {
            assertThat(d.message(i).payload()).isEqualTo(messages.get(i));
        }
    }

    @Test
    void messageDeflaterOutputInflatesWithTheJdkInflaterAndPython() throws Exception {
        Random r = new Random(42);
        List<byte[]> messages = List.of(sample(r, 1000), sample(r, 1000), new byte[0], sample(r, 50000));
        // without takeover every message is a stream of its own
        try (MessageDeflater deflater = new MessageDeflater(true)) {
            for (byte[] m : messages) {
                byte[] p = deflater.deflate(m);
                assertThat(endsWithTail(p)).isFalse();
                assertThat(jdkInflate(p)).isEqualTo(m);
            }
        }
        // with takeover python inflates them as one stream
        List<byte[]> payloads = new ArrayList<>();
        try (MessageDeflater deflater = new MessageDeflater(false)) {
            for (byte[] m : messages) {
                payloads.add(deflater.deflate(m));
            }
        }
        List<byte[]> inflated = pythonInflate(payloads);
        for (int i = 0; i < messages.size(); i++) {
            assertThat(inflated.get(i)).as("message %d", i).isEqualTo(messages.get(i));
        }
    }

    @Test
    void messageDeflaterEmptyMessageIsOneZeroByteEvenAfterAnotherMessage() {
        // RFC 7692 7.2.1 and 7.2.3.6: the compressed form of an empty message is 0x00, also in the
        // middle of a context-takeover stream (zlib itself emits nothing for a repeated sync flush)
        try (MessageDeflater deflater = new MessageDeflater(false)) {
            assertThat(deflater.deflate(new byte[0])).isEqualTo(hex("00"));
            assertThat(deflater.deflate(Frames.utf8("Hello"))).isEqualTo(hex("f2 48 cd c9 c9 07 00"));
            assertThat(deflater.deflate(new byte[0])).isEqualTo(hex("00"));
            assertThat(deflater.deflate(new byte[0])).isEqualTo(hex("00"));
            assertThat(deflater.deflate(Frames.utf8("Hello"))).isEqualTo(hex("f2 00 11 00 00"));
        }
    }

    @Test
    void roundTripMessageDeflaterThroughFramesAndParser() {
        Random r = new Random(99);
        List<byte[]> messages = new ArrayList<>();
        messages.add(new byte[0]);
        messages.add(Frames.utf8("Hello"));
        messages.add(new byte[0]);
        messages.add(sample(r, 40000));
        byte[] random = new byte[100000];
        r.nextBytes(random);
        messages.add(random);
        messages.add(new byte[1 << 20]);
        messages.add(Frames.utf8("Hello"));
        for (boolean noContext : new boolean[] {false, true}) {
            FrameWriter writer = new FrameWriter(new Random(7));
            ByteArrayOutputStream wire = new ByteArrayOutputStream();
            try (MessageDeflater deflater = new MessageDeflater(noContext)) {
                for (int i = 0; i < messages.size(); i++) {
                    byte[] p = deflater.deflate(messages.get(i));
                    int opcode = i == 4 ? Opcode.BINARY : Opcode.TEXT;
                    if (p.length > 10 && i % 2 == 1) {
                        // fragment: RSV1 on the first frame only
                        int cut = p.length / 2;
                        wire.writeBytes(writer.encode(new FrameSpec(false, true, false, false, opcode,
                                writer.randomMaskKey(), 0, Arrays.copyOf(p, cut))));
                        wire.writeBytes(writer.encode(new FrameSpec(true, false, false, false, Opcode.CONTINUATION,
                                writer.randomMaskKey(), 0, Arrays.copyOfRange(p, cut, p.length))));
                    } else {
                        wire.writeBytes(writer.encode(new FrameSpec(true, true, false, false, opcode,
                                writer.randomMaskKey(), 0, p)));
                    }
                }
            }
            Decoded d = Frames.decode(Setup.c2s().deflate(noContext).retainCap(2 << 20), wire.toByteArray(),
                    Frames.Chunker.random(noContext ? 1 : 2));
            assertThat(d.allFrameViolations()).isEmpty();
            assertThat(d.messages()).hasSize(messages.size());
            for (int i = 0; i < messages.size(); i++) {
                assertThat(d.message(i).payload()).as("message %d", i).isEqualTo(messages.get(i));
                assertThat(d.message(i).compressed()).isTrue();
            }
        }
    }

    @Test
    void messageInflaterDirectly() throws DataFormatException {
        try (MessageInflater inflater = new MessageInflater(false)) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ByteSink sink = out::write;
            inflater.begin();
            byte[] p = hex("f2 48 cd c9 c9 07 00");
            for (byte b : p) {
                inflater.inflate(new byte[] {b}, 0, 1, sink);
            }
            inflater.end(sink);
            assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo("Hello");
            out.reset();
            inflater.begin();
            inflater.inflate(hex("f2 00 11 00 00"), 0, 5, sink);
            inflater.inflate(new byte[0], 0, 0, sink);
            inflater.end(sink);
            assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo("Hello");
            assertThat(inflater.failedAt()).isEqualTo(-1);
        }
    }

    @Test
    void messageInflaterReportsWhereTheStreamBroke() {
        try (MessageInflater inflater = new MessageInflater(true)) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            inflater.begin();
            byte[] p = hex("f2 48 cd c9 c9 07 00 00 00 ff ff 00 05 00 fa fe 48 65 6c 6c 6f");
            try {
                inflater.inflate(p, 0, p.length, out::write);
                fail("no DataFormatException");
            } catch (DataFormatException expected) {
                assertThat(inflater.failedAt()).isEqualTo(ViolationTest.zlibFailIndex(p));
                assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo("Hello");
            }
            // the next message starts afresh
            out.reset();
            inflater.begin();
            assertThat(inflater.failedAt()).isEqualTo(-1);
            try {
                inflater.inflate(hex("f2 48 cd c9 c9 07 00"), 0, 7, out::write);
                inflater.end(out::write);
            } catch (DataFormatException e) {
                fail("the message after a broken one must inflate", e);
            }
            assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo("Hello");
        }
    }

    @Test
    void highlyCompressibleMessageLargerThanTheInflaterBuffer() {
        byte[] zeros = new byte[3 << 20];
        byte[] p;
        try (MessageDeflater deflater = new MessageDeflater(false)) {
            p = deflater.deflate(zeros);
        }
        Decoded d = Frames.decode(Setup.s2c().deflate(false).retainCap(100), Frames.rawFrame(0xC2, null, p),
                Frames.Chunker.random(5));
        MsgRec m = d.message(0);
        assertThat(m.length()).isEqualTo(zeros.length);
        assertThat(m.truncated()).isTrue();
        assertThat(m.payload()).hasSize(100);
        assertThat(m.sha256()).isEqualTo(MessageAssemblerTest.sha256(zeros));
    }

    @Test
    void deflaterSupportsOnlyTheFullWindow() {
        assertThat(MessageDeflater.supportsWindowBits(15)).isTrue();
        for (int bits = 8; bits < 15; bits++) {
            assertThat(MessageDeflater.supportsWindowBits(bits)).isFalse();
        }
    }
}
