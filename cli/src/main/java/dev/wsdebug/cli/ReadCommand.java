package dev.wsdebug.cli;

import dev.wsdebug.capture.EventFilter;
import dev.wsdebug.capture.EventSink;
import dev.wsdebug.capture.JsonLinesSink;
import dev.wsdebug.capture.TranscriptPrinter;
import dev.wsdebug.capture.store.CaptureStore;
import dev.wsdebug.cli.options.DecodeFlags;
import dev.wsdebug.cli.options.DecodeOption;
import dev.wsdebug.cli.output.Terminal;
import dev.wsdebug.sniff.CaptureInputs;
import dev.wsdebug.sniff.DecodeOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code wsdebug read}: captures of any kind shown through the same pipeline as the live view. */
@Command(name = "read",
        sortOptions = false,
        mixinStandardHelpOptions = true,
        description = {"Show captures as a transcript or JSON Lines: pcap and pcapng packet captures (tcpdump,"
                + " Wireshark, dumpcap), HAR files, JSON Lines (what --json, connect --save and export --jsonl"
                + " write) and wsdebug's own .wsdb captures; recognised by their content,"
                + " not their name. - reads standard input.", "",
                "Packet captures: TCP is put back together (reordering, retransmissions, lost segments reported"
                        + " with their size), every WebSocket is found on any port (an HTTP/1.1 upgrade, also after"
                        + " plain requests on the same connection; or, when the capture began later, frames"
                        + " recognised by their headers), and decoded by the same pipeline as the live sources,"
                        + " each frame with the numbers of the packets that carried it. wss:// and https:// are"
                        + " decrypted with --keylog (the NSS key log that SSLKEYLOGFILE, curl, node --tls-keylog"
                        + " and Python's keylog_filename write) or the secrets a pcapng holds. Plain HTTP/1.1"
                        + " exchanges are listed; other traffic is counted in a summary line. Several packet"
                        + " captures are merged by time.",
                "A .wsdb capture's raw bytes are decoded again, so you see what was shown live; one that was not"
                        + " closed cleanly is shown as far as it goes, with a warning (and with --json, an error of"
                        + " kind capture). A HAR file (Chrome's or Playwright's with their WebSocket messages,"
                        + " Firefox's with the upgrades only, or wsdebug export --har) has no frames: its messages"
                        + " are shown with a note saying so. JSON Lines are read back event by event (payloads are"
                        + " decoded again, so --decode applies); a file whose last line breaks off (its writer was"
                        + " stopped) is shown up to that line, with a warning as for a .wsdb.", ""},
        footer = {"", "Filter terms (--filter; all must match; repeat the option to add terms):",
                "  conn=ID[,ID]    connection ids",
                "  dir=c2s|s2c     frames, messages and flow events of bytes sent that way",
                "  type=T[,T]      text, binary, continuation, ping, pong, close, data, control",
                "                  (frames and messages; close also close events), handshake, error,",
                "                  http (plain HTTP exchanges), flow (TCP windows, Nagle waits,",
                "                  bytes a proxy held for a peer that stopped reading)",
                "  text=SUBSTRING  text messages containing it; quote spaces: text='two words'",
                "  match=REGEX     text messages with a match of the Java regular expression",
                "  code=N[,N]      close frames and close events with that code",
                "Handshakes, close events, errors and http exchanges concern the whole connection:",
                "they pass conn and dir terms, and any other term leaves them out unless it names",
                "them (type=handshake, type=close or code=N for close events, type=error, type=http).",
                "", "Key logs: Chrome, Firefox and curl write one where SSLKEYLOGFILE=/path/keys.log points;",
                "Node: node --tls-keylog=/path/keys.log; Python: ssl.SSLContext.keylog_filename = '/path/keys.log'.",
                "", "Examples:",
                "  wsdebug read capture.pcapng",
                "  wsdebug read tls.pcap --keylog keys.log -v",
                "  tcpdump -i lo -w - port 8765 | wsdebug read -",
                "  wsdebug read capture.pcap --assume-ws 9000 --streams streams/",
                "  wsdebug read session.wsdb --json --filter 'type=text match=error|fail' | jq .",
                "  wsdebug read a.pcap b.pcap --filter type=close --filter code=1006",
                "  wsdebug read session.har --json",
                "  wsdebug connect ws://127.0.0.1:8765 -x hi --save s.jsonl; wsdebug read s.jsonl",
                "  wsdebug read capture.pcapng --save capture.wsdb",
                "", "Exit codes: 0 shown (also with a warning that a capture was not closed cleanly), 2 bad usage,"
                        + " a bad filter, or a file that is not a readable capture (what came before the problem"
                        + " is shown)."})
final class ReadCommand implements Callable<Integer> {

    @Parameters(arity = "1..*", paramLabel = "FILE", description = "Captures: pcap, pcapng, HAR, JSON Lines or .wsdb ('-' for"
            + " standard input).")
    List<String> files;

    @Option(names = "--keylog", paramLabel = "FILE", description = "TLS secrets in the NSS key log format, to decrypt wss:// and https://.")
    Path keylog;

    @Option(names = "--assume-ws", paramLabel = "PORT", description = "Decode connections to this port as WebSocket frames"
            + " from their first byte when no upgrade was captured (repeatable).")
    List<Integer> assumeWs = new ArrayList<>();

    @Option(names = "--streams", paramLabel = "DIR", description = "Write each TCP connection's reassembled (and decrypted)"
            + " bytes into DIR, one file per direction, for any protocol.")
    Path streams;

    @Option(names = "--save", paramLabel = "FILE.wsdb", description = "Also record what is read into a capture file.")
    Path save;

    @picocli.CommandLine.Mixin
    DecodeOption decoding = new DecodeOption();

    @Option(names = "--json", description = "Print JSON Lines (schema v1) instead of the transcript.")
    boolean json;

    @Option(names = "--filter", paramLabel = "EXPR", description = "Show only the events that match EXPR (see below).")
    List<String> filters = new ArrayList<>();

    @Option(names = "-v", description = "Show the handshake headers; -vv also every frame.")
    boolean[] verbose = new boolean[0];

    @Option(names = "--pretty", description = "Indent text payloads that are JSON.")
    boolean pretty;

    @Option(names = "--stats", description = "Print, instead of the messages, the request/response latency per"
            + " protocol and method or event (JSON-RPC ids, Socket.IO acks, GraphQL operation ids, STOMP receipts, MQTT"
            + " packet ids, SignalR invocation ids): answers, p50, p90, p99 and max.")
    boolean stats;

    @Option(names = "--diagnose", description = "Also run the analysis: each connection's findings (cause, evidence,"
            + " fix) follow it, and those across connections come at the end (see wsdebug diagnose).")
    boolean diagnose;

    @Option(names = "--color", paramLabel = "WHEN", defaultValue = "auto",
            description = "Colour: auto (only on a terminal), always or never. Default: ${DEFAULT-VALUE}.")
    Terminal.ColorMode color;

    @Override
    public Integer call() {
        PrintStream out = Terminal.stdout();
        PrintStream err = Terminal.stderr();
        EventFilter filter;
        try {
            filter = EventFilter.parse(filters);
        } catch (IllegalArgumentException e) {
            return usage(err, "--filter: " + e.getMessage());
        }
        DecodeOptions options = new DecodeOptions();
        String problem = configure(options);
        if (problem != null) {
            return usage(err, problem);
        }
        CaptureInputs inputs;
        try {
            inputs = CaptureInputs.open(files);
        } catch (CaptureInputs.Unreadable e) {
            return usage(err, e.getMessage());
        }
        CaptureStore store = null;
        try (inputs) {
            if (save != null) {
                try {
                    store = CaptureStore.create(save);
                } catch (IllegalArgumentException | UncheckedIOException e) {
                    return usage(err, e.getMessage());
                }
            }
            EventSink view = json ? new JsonLinesSink(out, false)
                    : new TranscriptPrinter(out, Terminal.style(color).withConn(inputs.connectionsHint() > 1)
                    .withHeaders(verbose.length >= 1).withFrames(verbose.length >= 2).withPrettyJson(pretty));
            dev.wsdebug.capture.decode.LatencyStats latency = stats ? new dev.wsdebug.capture.decode.LatencyStats() : null;
            EventSink shown = decoding.wrap(filter.sink(latency != null ? latency : view));
            dev.wsdebug.analysis.Analyzer analyzer = diagnose ? new dev.wsdebug.analysis.Analyzer(view) : null;
            EventSink decoded = analyzer == null ? shown : EventSink.all(shown, analyzer);
            EventSink sink = store == null ? decoded : EventSink.all(decoded, store);
            boolean several = files.size() > 1;
            try {
                inputs.replay(sink, options, name -> {
                    if (several && !json) {
                        view.flush();
                        out.println("# " + name);
                    }
                }, (event, warning) -> { // not an input error: what there is is shown
                    view.flush();
                    out.flush();
                    err.println("wsdebug read: " + warning);
                    if (json) {
                        shown.accept(event);
                    }
                });
            } catch (CaptureInputs.Unreadable e) {
                view.flush();
                summary(inputs, out, err);
                return usage(err, e.getMessage());
            } finally {
                if (analyzer != null) {
                    analyzer.finish();
                }
                view.flush();
            }
            summary(inputs, out, err);
            if (latency != null) {
                latency.print(out);
            }
            return 0;
        } finally {
            if (store != null) {
                ProxyCommand.closeCapture(store, err);
            }
            out.flush();
        }
    }

    private void summary(CaptureInputs inputs, PrintStream out, PrintStream err) {
        if (inputs.summary() != null) {
            CaptureInputs.printSummary(json ? err : out, inputs.summary());
        }
    }

    private String configure(DecodeOptions o) {
        if (decoding.problem() != null) {
            return decoding.problem();
        }
        try {
            DecodeOptions flags = DecodeFlags.options(assumeWs, keylog);
            o.assumeWebSocketPorts.addAll(flags.assumeWebSocketPorts);
            o.keys = flags.keys;
        } catch (DecodeFlags.Bad e) {
            return e.getMessage();
        }
        o.streamsDir = streams;
        return null;
    }

    private static int usage(PrintStream err, String sentence) {
        err.println("wsdebug read: " + sentence);
        return Main.USAGE;
    }
}
