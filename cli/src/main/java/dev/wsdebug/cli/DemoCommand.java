package dev.wsdebug.cli;

import dev.wsdebug.capture.Conversation;
import dev.wsdebug.capture.EventSink;
import dev.wsdebug.capture.JsonLinesSink;
import dev.wsdebug.capture.TranscriptPrinter;
import dev.wsdebug.wire.Direction;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintStream;
import java.util.concurrent.Callable;

/**
 * {@code wsdebug demo}: shows the product on embedded defaults. Today it replays a built-in session
 * through the decoding pipeline; with the client and test server it will run a live one.
 */
@Command(name = "demo",
        mixinStandardHelpOptions = true,
        description = {"Show what wsdebug sees in a WebSocket session, with nothing to set up.", "",
                "Replays a built-in session (upgrade with subprotocol and permessage-deflate, text, JSON,"
                        + " binary, a fragmented message with an interleaved ping, a compressed message, a"
                        + " ping round trip and a close handshake) through the same pipeline every source uses.",
                ""})
final class DemoCommand implements Callable<Integer> {
    @Option(names = "--json", description = "Print the JSON Lines event stream instead of the transcript.")
    boolean json;

    @Option(names = "--messages", description = "Show messages only, not every frame.")
    boolean messagesOnly;

    @Option(names = "--color", paramLabel = "WHEN", defaultValue = "auto",
            description = "Colour: auto (only on a terminal), always or never.")
    Terminal.ColorMode color;

    @Override
    public Integer call() {
        PrintStream out = Terminal.stdout();
        EventSink view = json ? new JsonLinesSink(out, false)
                : new TranscriptPrinter(out, Terminal.style(color).withHeaders(!messagesOnly).withFrames(!messagesOnly));
        Conversation conv = new Conversation("demo-1", view);
        long start = System.currentTimeMillis() * 1000;
        for (DemoSession.Chunk c : DemoSession.build()) {
            conv.feed(c.clientToServer() ? Direction.C2S : Direction.S2C, start + c.offsetMicros(), c.bytes());
        }
        conv.end(start + 100_000);
        view.flush();
        if (!json) {
            out.println();
            out.println("What you just saw:");
            out.println("  - the upgrade request and the 101 response, with the Sec-WebSocket-Accept check,");
            out.println("    the chosen subprotocol and the permessage-deflate parameters for each direction;");
            out.println("  - every frame with FIN/RSV bits, opcode, mask key (client frames only) and length encoding;");
            out.println("  - text, JSON and binary messages; a message in three fragments with a ping between them;");
            out.println("  - a compressed message shown with its inflated and on-the-wire sizes;");
            out.println("  - a ping/pong round trip and the close handshake with code 1000 and its name.");
            out.println("Try: wsdebug decode --hex '81 05 48 65 6c 6c 6f'   and   wsdebug --help");
        }
        out.flush();
        return 0;
    }
}
