package dev.wsdebug.cli;

import dev.wsdebug.capture.Conversation;
import dev.wsdebug.capture.EventSink;
import dev.wsdebug.capture.JsonLinesSink;
import dev.wsdebug.capture.TranscriptPrinter;
import dev.wsdebug.capture.TranscriptStyle;
import dev.wsdebug.cli.options.DecodeOption;
import dev.wsdebug.cli.options.HexInput;
import dev.wsdebug.cli.output.ErrorCollector;
import dev.wsdebug.cli.output.Terminal;
import dev.wsdebug.wire.DeflateParams;
import dev.wsdebug.wire.Direction;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code wsdebug decode}: raw frame bytes of one direction in, annotated frames and messages out. */
@Command(name = "decode",
        sortOptions = false,
        mixinStandardHelpOptions = true,
        description = {"Decode raw WebSocket frame bytes of one direction (no handshake).", "",
                "Shows every frame's FIN/RSV bits, opcode, mask key and length encoding, the payload"
                        + " unmasked, reassembled and inflated, and every protocol violation with its RFC"
                        + " section and byte offset.", ""},
        footer = {"", "Examples:",
                "  wsdebug decode --hex '81 05 48 65 6c 6c 6f'",
                "  wsdebug decode --hex 'c1 07 f2 48 cd c9 c9 07 00' --deflate",
                "  wsdebug decode --file frames.bin --dir s2c --deflate='permessage-deflate; server_no_context_takeover'",
                "  xxd -r -p dump.hex | wsdebug decode --file - --json",
                "", "Exit codes: 0 decoded, 2 bad usage, bad hex, unreadable file or truncated input"
                        + " (complete frames before the problem are still printed)."})
final class DecodeCommand implements Callable<Integer> {

    static final class Input {
        @Option(names = "--hex", paramLabel = "HEX", description = "Frame bytes as hex; spaces, newlines and colons are ignored.")
        String hex;

        @Option(names = "--file", paramLabel = "FILE", description = "Read frame bytes from a binary file, or '-' for standard input.")
        String file;
    }

    @ArgGroup(exclusive = true, multiplicity = "1")
    Input input;

    @Option(names = "--dir", paramLabel = "c2s|s2c",
            description = "Direction of the bytes. Default: c2s when the first frame is masked, else s2c.")
    String dir;

    @Option(names = "--deflate", paramLabel = "EXTENSIONS", arity = "0..1", fallbackValue = DeflateParams.NAME,
            description = {"permessage-deflate was negotiated: inflate RSV1 messages. EXTENSIONS is the server's"
                    + " Sec-WebSocket-Extensions response (default: ${FALLBACK-VALUE}); the client_* parameters"
                    + " govern c2s, the server_* ones s2c."})
    String deflate;

    @picocli.CommandLine.Mixin
    DecodeOption decoding = new DecodeOption();

    @Option(names = "--json", description = "Print JSON Lines (schema v1) instead of the transcript.")
    boolean json;

    @Option(names = "--pretty", description = "Indent text payloads that are JSON.")
    boolean pretty;

    @Option(names = "--color", paramLabel = "WHEN", defaultValue = "auto",
            description = "Colour: auto (only on a terminal), always or never. Default: ${DEFAULT-VALUE}.")
    Terminal.ColorMode color;

    @Override
    public Integer call() {
        PrintStream out = Terminal.stdout();
        PrintStream err = Terminal.stderr();
        try {
            return decode(out, err);
        } finally {
            out.flush();
        }
    }

    private int decode(PrintStream out, PrintStream err) {
        Direction direction = null;
        if (dir != null) {
            direction = Direction.fromId(dir);
            if (direction == null) {
                return usage(err, "--dir must be c2s or s2c, not '" + dir + "'.");
            }
        }
        DeflateParams params = null;
        if (deflate != null) {
            try {
                params = DeflateParams.fromHeader(deflate);
            } catch (IllegalArgumentException e) {
                return usage(err, "--deflate: " + e.getMessage());
            }
            if (params == null) {
                return usage(err, "--deflate: '" + deflate + "' does not contain permessage-deflate.");
            }
        }
        Terminal.ColorMode mode = color;

        byte[] hexBytes = null;
        String inputProblem = null;
        InputStream in;
        if (input.hex != null) {
            HexInput hex = HexInput.parse(input.hex);
            hexBytes = hex.bytes();
            inputProblem = hex.problem();
            in = new java.io.ByteArrayInputStream(hexBytes);
        } else {
            try {
                in = input.file.equals("-") ? System.in : Files.newInputStream(Path.of(input.file));
            } catch (NoSuchFileException e) {
                return usage(err, "cannot read " + input.file + ": no such file.");
            } catch (IOException | SecurityException e) {
                return usage(err, "cannot read " + input.file + ": " + e.getMessage() + ".");
            }
        }

        if (decoding.problem() != null) {
            return usage(err, decoding.problem());
        }
        EventSink view = decoding.wrap(json ? new JsonLinesSink(out, false)
                : new TranscriptPrinter(out, Terminal.style(mode).withFrames(true).withTime(false).withPrettyJson(pretty)));
        ErrorCollector sink = new ErrorCollector(view, json);
        long now = System.currentTimeMillis() * 1000;
        Conversation conv = null;
        Direction feedDir = direction;
        byte[] buf = new byte[64 * 1024];
        try (in) {
            int n;
            while ((n = in.readNBytes(buf, 0, buf.length)) > 0) {
                if (conv == null) {
                    // readNBytes fills the buffer unless the input ends, so a frame's second byte
                    // (the mask bit) is here whenever the input has one
                    if (feedDir == null) {
                        feedDir = n >= 2 && (buf[1] & 0x80) == 0 ? Direction.S2C : Direction.C2S;
                    }
                    conv = new Conversation("1", sink).reportMissingClose(false);
                    conv.assumeWebSocket(params);
                }
                conv.feed(feedDir, now, buf, 0, n);
            }
        } catch (IOException e) {
            inputProblem = "reading " + input.file + " failed: " + e.getMessage() + ".";
        }
        if (conv != null) {
            conv.end(now);
        } else if (inputProblem == null) {
            inputProblem = "the input holds no bytes.";
        }
        sink.flush();
        if (inputProblem == null) {
            inputProblem = sink.firstError();
        }
        if (inputProblem != null) {
            err.println("wsdebug decode: " + inputProblem);
            return Main.USAGE;
        }
        return 0;
    }

    private static int usage(PrintStream err, String sentence) {
        err.println("wsdebug decode: " + sentence);
        return Main.USAGE;
    }
}
