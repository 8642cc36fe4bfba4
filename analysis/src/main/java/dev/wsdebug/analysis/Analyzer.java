package dev.wsdebug.analysis;

import dev.wsdebug.capture.CloseEvent;
import dev.wsdebug.capture.ErrorEvent;
import dev.wsdebug.capture.Event;
import dev.wsdebug.capture.EventSink;
import dev.wsdebug.capture.FindingEvent;
import dev.wsdebug.capture.FlowEvent;
import dev.wsdebug.capture.FrameEvent;
import dev.wsdebug.capture.HandshakeEvent;
import dev.wsdebug.capture.MessageEvent;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The diagnosis engine: a sink that reads the events of any source in one pass, keeps a bounded
 * summary of each connection ({@link ConnectionFacts}), and when a connection closes runs the
 * per-connection rules over it and sends their {@link FindingEvent}s on; {@link #finish} runs what
 * is left (connections still open) and the rules across connections. Thread-safe: live sources
 * call it from several threads.
 */
public final class Analyzer implements EventSink {
    /** A connection's outcome for the verdict line: its worst severity and the rules that fired. */
    public record Verdict(String conn, String url, String worst, List<String> rules) {
    }

    private final EventSink out;
    private final Findings findings;
    private final Map<String, ConnectionFacts> open = new LinkedHashMap<>();
    private final List<ReconnectRules.Summary> done = new ArrayList<>();
    private final List<KeepaliveMargin.Keepalive> keepalives = new ArrayList<>();
    private final Map<String, Verdict> verdicts = new LinkedHashMap<>();
    private boolean finished;

    /** @param out where findings go (a view, a JSON Lines writer) */
    public Analyzer(EventSink out) {
        this.out = out;
        this.findings = new Findings(new EventSink() {
            @Override
            public void accept(Event e) {
                FindingEvent f = (FindingEvent) e;
                note(f);
                out.accept(f);
            }
        });
    }

    @Override
    public synchronized void accept(Event e) {
        if (e.conn() == null || e instanceof FindingEvent) {
            return;
        }
        ConnectionFacts c = open.get(e.conn());
        if (c == null) {
            if (verdicts.containsKey(e.conn())) {
                return; // after its close: nothing more to learn
            }
            c = new ConnectionFacts(e.conn());
            open.put(e.conn(), c);
            verdicts.put(e.conn(), new Verdict(e.conn(), null, "", new ArrayList<>()));
        }
        c.seen(e.timeMicros());
        if (e instanceof FrameEvent f) {
            c.frame(f);
        } else if (e instanceof MessageEvent m) {
            c.message(m);
        } else if (e instanceof HandshakeEvent h) {
            if (c.handshake == null) {
                c.handshake = h;
                Verdict v = verdicts.get(e.conn());
                verdicts.put(e.conn(), new Verdict(v.conn(), h.url(), v.worst(), v.rules()));
            }
        } else if (e instanceof FlowEvent f) {
            c.flow.event(f, c.lastFrameSeq);
        } else if (e instanceof ErrorEvent err) {
            if ("backpressure".equals(err.kind())) {
                // captures from before flow events: the proxy's sentence names the peer that stopped reading
                c.flow.heldSentence(err.message().startsWith("The client") ? 1 : 0, err.timeMicros(), c.lastFrameSeq,
                        err.message());
            }
            if (c.errors.size() < 20) {
                c.errors.add(err);
            }
        } else if (e instanceof CloseEvent close) {
            c.close = close;
            evaluate(c);
        }
    }

    @Override
    public synchronized void gap(String conn, dev.wsdebug.wire.Direction dir, long timeMicros, long missing) {
        ConnectionFacts c = open.get(conn);
        if (c != null) {
            c.gap(dir, timeMicros, missing);
        }
    }

    @Override
    public synchronized void ended(String conn, long timeMicros) {
        ConnectionFacts c = open.get(conn);
        if (c != null) {
            c.ended = true;
            c.seen(timeMicros);
        }
    }

    /** Runs the rules of the connections still open, then those across connections. Idempotent. */
    public synchronized void finish() {
        if (finished) {
            return;
        }
        finished = true;
        for (ConnectionFacts c : new ArrayList<>(open.values())) {
            evaluate(c);
        }
        ReconnectRules.check(done, findings);
        KeepaliveMargin.check(keepalives, findings);
        out.flush();
    }

    private void evaluate(ConnectionFacts c) {
        open.remove(c.conn);
        HandshakeRules.check(c, findings);
        FrameRules.check(c, findings);
        if (c.incomplete()) {
            FrameRules.incomplete(c, findings); // how it ended and what went missing cannot be told apart
        } else {
            CloseRules.check(c, findings);
        }
        SequenceRule.check(c, findings);
        FlowRules.check(c, findings);
        if (c.pingInterval() > 0 || c.idleTimeout > 0) {
            keepalives.add(KeepaliveMargin.Keepalive.of(c)); // few: connections that pinged or died idle
        }
        String client = c.handshake == null || c.handshake.client() == null ? null : host(c.handshake.client());
        String url = c.handshake == null ? null : c.handshake.url();
        done.add(new ReconnectRules.Summary(c.conn, client, url, c.firstT,
                c.close != null ? c.close.timeMicros() : c.lastT, c.close != null ? c.close.initiator() : null));
    }

    private void note(FindingEvent f) {
        if (f.conn() == null) {
            return;
        }
        Verdict v = verdicts.get(f.conn());
        if (v == null) {
            return;
        }
        List<String> rules = new ArrayList<>(v.rules());
        rules.add(f.rule());
        verdicts.put(f.conn(), new Verdict(v.conn(), v.url(), worse(v.worst(), f.severity()), rules));
    }

    private static String worse(String a, String b) {
        return rank(b) > rank(a) ? b : a;
    }

    private static int rank(String s) {
        return switch (s) {
            case FindingEvent.ERROR -> 3;
            case FindingEvent.WARNING -> 2;
            case FindingEvent.INFO -> 1;
            default -> 0;
        };
    }

    /** An address without its port (the client's host: its reconnects come from new ports). */
    private static String host(String endpoint) {
        int colon = endpoint.lastIndexOf(':');
        return colon > 0 ? endpoint.substring(0, colon) : endpoint;
    }

    /**
     * Passes on findings of severity warning or error only: what a live view (connect, the proxy)
     * shows when a connection goes wrong, without the information notes.
     */
    public static EventSink problemsOnly(EventSink view) {
        return new EventSink() {
            @Override
            public void accept(Event e) {
                if (e instanceof FindingEvent f && !FindingEvent.INFO.equals(f.severity())) {
                    view.accept(f);
                }
            }

            @Override
            public void flush() {
                view.flush();
            }
        };
    }

    /** Every connection seen, in order, with its worst finding ("" when none). */
    public synchronized List<Verdict> verdicts() {
        return new ArrayList<>(verdicts.values());
    }

    /** Findings of severity error so far. */
    public synchronized int errors() {
        return findings.errors();
    }

    public synchronized int count() {
        return findings.count();
    }

    @Override
    public void flush() {
        out.flush();
    }

    @Override
    public void close() {
        finish();
    }
}
