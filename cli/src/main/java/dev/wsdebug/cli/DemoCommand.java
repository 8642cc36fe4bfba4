package dev.wsdebug.cli;

import dev.wsdebug.capture.CloseEvent;
import dev.wsdebug.capture.Event;
import dev.wsdebug.capture.EventSink;
import dev.wsdebug.capture.FrameEvent;
import dev.wsdebug.capture.JsonLinesSink;
import dev.wsdebug.capture.MessageEvent;
import dev.wsdebug.capture.SynchronizedSink;
import dev.wsdebug.capture.TrafficStats;
import dev.wsdebug.capture.TranscriptPrinter;
import dev.wsdebug.cli.output.LiveSink;
import dev.wsdebug.cli.output.Terminal;
import dev.wsdebug.net.client.ClientFailure;
import dev.wsdebug.net.client.ClientOptions;
import dev.wsdebug.net.client.ClientSession;
import dev.wsdebug.net.client.WsClient;
import dev.wsdebug.net.proxy.ProxyOptions;
import dev.wsdebug.net.proxy.WsProxy;
import dev.wsdebug.net.server.ServerOptions;
import dev.wsdebug.net.server.WsServer;
import dev.wsdebug.wire.Direction;
import dev.wsdebug.wire.Opcode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * {@code wsdebug demo}: starts an embedded {@code serve} on a free loopback port and runs a scripted
 * {@code connect} session against it, so one command shows what wsdebug sees.
 */
@Command(name = "demo",
        mixinStandardHelpOptions = true,
        description = {"Show wsdebug at work, with nothing to set up.", "",
                "Starts an echo server and wsdebug proxy in front of it on free 127.0.0.1 ports and talks to"
                        + " it through the proxy: a text, a JSON and a binary"
                        + " message, a ping with its round trip, a message large enough to come back fragmented,"
                        + " a compressed message, and a close with code 1000. Prints what crossed the wire.", ""})
final class DemoCommand implements Callable<Integer> {
    private static final long STEP_TIMEOUT_MS = 5_000;

    @Option(names = "--json", description = "Print the JSON Lines event stream instead of the transcript.")
    boolean json;

    @Option(names = "--messages", description = "Show messages only, not every frame and header.")
    boolean messagesOnly;

    @Option(names = "--color", paramLabel = "WHEN", defaultValue = "auto", description = "Colour: auto, always or never.")
    Terminal.ColorMode color;

    private final BlockingQueue<Event> inbox = new LinkedBlockingQueue<>();

    @Override
    public Integer call() throws Exception {
        PrintStream out = Terminal.stdout();
        PrintStream err = Terminal.stderr();
        EventSink view = json ? new JsonLinesSink(out, true)
                : new LiveSink(new TranscriptPrinter(out, Terminal.style(color).withPrettyJson(true)
                        .withHeaders(!messagesOnly).withFrames(!messagesOnly)));
        EventSink replies = e -> {
            if (e instanceof MessageEvent m && m.dir() == Direction.S2C
                    || e instanceof FrameEvent f && f.dir() == Direction.S2C && f.frame().opcode() == Opcode.PONG) {
                inbox.add(e);
            }
        };
        ServerOptions so = new ServerOptions();
        so.port = 0;
        so.fragment = 1024;
        so.subprotocols = List.of("chat.v2");
        TrafficStats proxied = new TrafficStats();
        try (WsServer server = new WsServer(so, EventSink.all());
             WsProxy proxy = new WsProxy(proxyTo(server.start()), new SynchronizedSink(proxied))) {
            InetSocketAddress addr = proxy.start();
            ClientOptions co = new ClientOptions();
            co.url = URI.create("ws://127.0.0.1:" + addr.getPort() + "/chat");
            co.subprotocols = List.of("chat.v2", "chat.v1");
            PrintStream notices = json ? err : out;
            if (!json) {
                out.println("demo: an echo server (replies above 1 KiB are fragmented) behind wsdebug proxy on"
                        + " ws://127.0.0.1:" + addr.getPort() + "; connecting through the proxy...");
                out.println();
            }
            try (WsClient client = new WsClient(co, new SynchronizedSink(EventSink.all(view, replies)),
                    n -> notices.println("  " + n))) {
                ClientSession s = client.connect();
                s.sendText("Hello, wsdebug!");
                await("the text echo");
                s.sendText("{\"type\":\"subscribe\",\"channel\":\"prices\",\"symbols\":[\"BTC\",\"ETH\"]}");
                await("the JSON echo");
                s.sendBinary(new byte[] {0x00, 0x01, 0x02, (byte) 0xfe, (byte) 0xff, 0x7f, 0x10, 0x20});
                await("the binary echo");
                s.ping(null);
                await("the pong");
                byte[] big = new byte[3000];
                new Random(6455).nextBytes(big);
                s.sendBinary(big);
                await("the fragmented echo");
                s.sendText(ticks());
                await("the compressed echo");
                s.close(1000, "demo finished");
                CloseEvent close = s.closed().get(STEP_TIMEOUT_MS, TimeUnit.MILLISECONDS);
                if (close == null || !close.clean()) {
                    throw new IllegalStateException("the close handshake did not complete");
                }
            }
        } catch (ClientFailure | IllegalStateException e) {
            out.flush();
            err.println("wsdebug demo: " + e.getMessage());
            return 1;
        }
        if (!json) {
            out.println();
            out.println("What you just saw:");
            out.println("  - the upgrade request and the 101 response: the Sec-WebSocket-Accept check, the chosen");
            out.println("    subprotocol, and the permessage-deflate parameters in force for each direction;");
            out.println("  - every frame with FIN/RSV bits, opcode, mask key (client frames only), length encoding;");
            out.println("  - text, JSON (pretty-printed) and binary messages echoed back;");
            out.println("  - a ping whose pong gives the round-trip time;");
            out.println("  - a 3000-byte message the server sent back in three fragments;");
            out.println("  - a compressed message with its inflated size and its size on the wire;");
            out.println("  - the close handshake with code 1000 and its name;");
            TrafficStats.Totals up = proxied.totals(Direction.C2S);
            TrafficStats.Totals down = proxied.totals(Direction.S2C);
            out.println("  - all of it relayed by wsdebug proxy, which decoded the same " + (up.frames() + down.frames())
                    + " frames on its own (" + up.messages() + " messages up, " + down.messages() + " down).");
            out.println("Next: wsdebug serve   and, in another terminal,   wsdebug connect ws://127.0.0.1:8765");
            out.println("      wsdebug proxy --to ws://127.0.0.1:8765 --ui   shows every frame in a web UI as it passes;"
                    + " wsdebug ui FILE opens a saved capture, pcap or HAR there.");
        }
        out.flush();
        return 0;
    }

    /** A reverse proxy on a free port in front of the server. */
    private static ProxyOptions proxyTo(InetSocketAddress server) {
        ProxyOptions po = new ProxyOptions();
        po.port = 0;
        po.upstream = URI.create("ws://127.0.0.1:" + server.getPort());
        return po;
    }

    private void await(String what) throws InterruptedException {
        if (inbox.poll(STEP_TIMEOUT_MS, TimeUnit.MILLISECONDS) == null) {
            throw new IllegalStateException("no reply within " + STEP_TIMEOUT_MS / 1000 + " s while waiting for " + what);
        }
    }

    /** A large, repetitive JSON message: it compresses well. */
    private static String ticks() {
        StringBuilder t = new StringBuilder("[");
        for (int i = 0; i < 120; i++) {
            t.append(i == 0 ? "" : ",").append("{\"symbol\":\"BTC\",\"price\":").append(64000 + i % 7)
                    .append(",\"size\":0.").append(i % 10).append('}');
        }
        return t.append(']').toString();
    }
}
