package dev.wsdebug.sniff.synth;

import dev.wsdebug.capture.CloseEvent;
import dev.wsdebug.capture.ErrorEvent;
import dev.wsdebug.capture.Event;
import dev.wsdebug.capture.EventSink;
import dev.wsdebug.capture.FrameEvent;
import dev.wsdebug.capture.HandshakeEvent;
import dev.wsdebug.capture.HttpEvent;
import dev.wsdebug.capture.MessageEvent;
import dev.wsdebug.sniff.CaptureDecoder;
import dev.wsdebug.sniff.CaptureSummary;
import dev.wsdebug.sniff.DecodeOptions;
import dev.wsdebug.sniff.pcap.CaptureFiles;
import dev.wsdebug.sniff.pcap.PacketReader;
import dev.wsdebug.wire.Frame;
import dev.wsdebug.wire.Message;
import dev.wsdebug.wire.Violation;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Collectors;

/**
 * A capture decoded by the whole sniff pipeline (as {@code wsdebug read} does), its events kept and
 * described one line each, so that a test can state the exact events it expects.
 */
record Decoding(List<Event> events, CaptureSummary summary) {

    static Decoding of(byte[] capture) throws IOException {
        return of(capture, new DecodeOptions());
    }

    static Decoding of(byte[] capture, DecodeOptions options) throws IOException {
        List<Event> events = new ArrayList<>();
        EventSink sink = events::add;
        CaptureDecoder decoder = new CaptureDecoder(sink, options);
        try (PacketReader reader = CaptureFiles.open(new ByteArrayInputStream(capture))) {
            decoder.read(reader);
        }
        decoder.finish();
        return new Decoding(events, decoder.summary());
    }

    /** One line per event (see {@link #describe}). */
    List<String> lines() {
        return events.stream().map(Decoding::describe).collect(Collectors.toList());
    }

    /** The events as JSON Lines (schema v1), one string a line. */
    List<String> json() {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        dev.wsdebug.capture.JsonLinesSink sink = new dev.wsdebug.capture.JsonLinesSink(out, false);
        events.forEach(sink::accept);
        sink.flush();
        return out.toString(java.nio.charset.StandardCharsets.UTF_8).lines().collect(Collectors.toList());
    }

    <T extends Event> List<T> of(Class<T> type) {
        return events.stream().filter(type::isInstance).map(type::cast).collect(Collectors.toList());
    }

    /**
     * An event in one line with what the tests check:
     * <pre>
     * handshake 1 ws://example.com/chat 101 upgraded accept=valid 10.0.0.1:50000 -> 10.0.0.2:8080
     * frame 1 c2s #1 text fin masked len=5 [6]
     * message 1 c2s #1 text frames=1 len=5 "Hello"
     * close 1 1000 "bye" client clean
     * error 1 input: the sentence
     * http 1 GET http://example.com/a 200 OK req=0 resp=5
     * </pre>
     */
    static String describe(Event e) {
        if (e instanceof HandshakeEvent h) {
            String accept = h.result() == null ? "none" : h.result().acceptValid() ? "valid" : "invalid";
            return "handshake " + h.conn() + " " + h.url() + " " + (h.response() == null ? "-" : h.response().status())
                    + (h.result() != null && h.result().upgraded() ? " upgraded" : " not-upgraded") + " accept=" + accept
                    + (h.result() != null && h.result().deflate() != null ? " deflate" : "")
                    + " " + h.client() + " -> " + h.server();
        }
        if (e instanceof FrameEvent f) {
            Frame fr = f.frame();
            StringBuilder s = new StringBuilder("frame " + f.conn() + " " + f.dir().id() + " #" + f.seq() + " " + fr.type());
            s.append(fr.fin() ? " fin" : " more");
            if (fr.rsv1()) {
                s.append(" rsv1");
            }
            s.append(fr.masked() ? " masked" : "");
            s.append(" len=").append(fr.payloadLength());
            if (fr.closeCode() >= 0) {
                s.append(" code=").append(fr.closeCode()).append(" \"").append(fr.closeReason()).append('"');
            }
            for (Violation v : fr.violations()) {
                s.append(" !").append(v.rule());
            }
            s.append(' ').append(f.packets() == null ? "null" : Arrays.toString(f.packets()).replace(" ", ""));
            return s.toString();
        }
        if (e instanceof MessageEvent m) {
            Message msg = m.message();
            StringBuilder s = new StringBuilder("message " + m.conn() + " " + m.dir().id() + " #" + m.seq() + " "
                    + msg.type() + " frames=" + msg.frames() + (msg.compressed() ? " compressed wire=" + msg.wireLength() : "")
                    + " len=" + msg.length());
            if (msg.missing() > 0) {
                s.append(" missing=").append(msg.missing());
            }
            if (msg.inflateStopped()) {
                s.append(" inflateStopped");
            }
            if (msg.isText() && msg.payload().length <= 64 && msg.missing() == 0 && !msg.inflateStopped()) {
                s.append(" \"").append(msg.text()).append('"');
            } else {
                s.append(" kept=").append(msg.payload().length).append(" sha=").append(sha(msg.payload()));
            }
            for (Violation v : msg.violations()) {
                s.append(" !").append(v.rule());
            }
            return s.toString();
        }
        if (e instanceof CloseEvent c) {
            return "close " + c.conn() + " " + c.code() + " \"" + c.reason() + "\" " + c.initiator()
                    + (c.clean() ? " clean" : " unclean");
        }
        if (e instanceof ErrorEvent x) {
            return "error " + x.conn() + " " + x.kind() + ": " + x.message();
        }
        if (e instanceof HttpEvent x) {
            return "http " + x.conn() + " " + x.method() + " " + x.url() + " " + x.status() + " " + x.reason()
                    + " req=" + x.requestBodyLength() + " resp=" + x.responseBodyLength();
        }
        throw new IllegalArgumentException(e.toString());
    }

    /** The first 8 hex digits of the SHA-256 of {@code b}, as {@link #describe} shows payloads. */
    static String sha(byte[] b) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b)).substring(0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
