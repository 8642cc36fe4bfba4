package dev.wsdebug.cli;

import dev.wsdebug.cli.options.DecodeFlags;
import dev.wsdebug.cli.options.DecodeOption;
import dev.wsdebug.cli.output.Terminal;
import dev.wsdebug.cli.ui.UiUrl;
import dev.wsdebug.sniff.DecodeOptions;
import dev.wsdebug.ui.OpenCapture;
import dev.wsdebug.ui.UiOptions;
import dev.wsdebug.ui.UiServer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/** {@code wsdebug ui}: the web UI over capture files. */
@Command(name = "ui",
        sortOptions = false,
        mixinStandardHelpOptions = true,
        description = {"Open captures in a local web UI: a grid of connections, every message and control frame with"
                + " its frames, bytes and decoded payload, the handshake explained, a timeline of each connection,"
                + " and search across all of them. Takes what read takes: .wsdb captures, pcap and pcapng (with"
                + " --keylog for wss://), HAR; more files can be opened from the page.", "",
                "The server listens on 127.0.0.1 and prints a URL with a token that every request needs; keep it"
                        + " to yourself. proxy --ui and sniff --ui show live traffic the same way.", ""})
final class UiCommand implements Callable<Integer> {
    @Parameters(arity = "0..*", paramLabel = "FILE", description = "Captures to open: .wsdb, pcap, pcapng, HAR or JSON Lines.")
    List<Path> files = new ArrayList<>();

    @Option(names = "--port", paramLabel = "P", description = "Port to listen on (default: a free one).")
    int port;

    @Option(names = "--host", paramLabel = "ADDR", description = "Address to listen on. Default: ${DEFAULT-VALUE}."
            + " Another address lets other machines reach the UI (they still need the token).")
    String host = "127.0.0.1";

    @Option(names = "--open", description = "Open the UI in the default browser.")
    boolean open;

    @Option(names = "--keylog", paramLabel = "FILE", description = "TLS secrets (NSS key log) to decrypt wss:// in packet captures.")
    Path keylog;

    @Option(names = "--assume-ws", paramLabel = "PORT", description = "Decode connections to this port of packet captures"
            + " as WebSocket frames even without a captured handshake (repeatable).")
    List<Integer> assumeWs = new ArrayList<>();

    @picocli.CommandLine.Mixin
    DecodeOption decoding = new DecodeOption();

    @Override
    public Integer call() throws Exception {
        PrintStream out = Terminal.stdout();
        PrintStream err = Terminal.stderr();
        DecodeOptions checked;
        try {
            checked = DecodeFlags.options(assumeWs, keylog);
        } catch (DecodeFlags.Bad e) {
            return usage(err, e.getMessage());
        }
        if (decoding.problem() != null) {
            return usage(err, decoding.problem());
        }
        if (port < 0 || port > 65535) {
            return usage(err, "--port takes 0-65535, not " + port + ".");
        }
        UiServer server;
        try {
            server = UiServer.start(new UiOptions().host(host).port(port).decode(decoding.decode).protoSchema(decoding.schema()), () -> {
                DecodeOptions o = new DecodeOptions(); // per file: a decoder's options are its own
                o.keys = checked.keys;
                o.assumeWebSocketPorts.addAll(checked.assumeWebSocketPorts);
                return o;
            });
        } catch (IllegalArgumentException e) {
            return usage(err, lowerFirst(e.getMessage()));
        }
        for (Path f : files) {
            try {
                OpenCapture c = server.captures().open(f);
                out.println("opened " + f + " (" + c.kind() + ")");
            } catch (IllegalArgumentException e) {
                server.close();
                return usage(err, lowerFirst(e.getMessage()));
            }
        }
        UiUrl.announce(server, host, open, out, err);
        CountDownLatch stop = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            stop.countDown();
        }));
        stop.await();
        return 0;
    }

    private static String lowerFirst(String s) {
        return s == null || s.isEmpty() ? s : Character.toLowerCase(s.charAt(0)) + s.substring(1);
    }

    private static int usage(PrintStream err, String sentence) {
        err.println("wsdebug ui: " + sentence);
        return Main.USAGE;
    }
}
