package dev.wsdebug.capture;

import dev.wsdebug.capture.peer.RecordingClient;
import dev.wsdebug.capture.peer.RecordingClient.Chunk;
import dev.wsdebug.capture.peer.RecordingClient.ReceivedFrame;
import dev.wsdebug.wire.Direction;
import dev.wsdebug.wire.FrameSpec;
import dev.wsdebug.wire.FrameWriter;
import dev.wsdebug.wire.MessageDeflater;
import dev.wsdebug.wire.Opcode;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;

/** What the interop tests share: sending messages, reading the echoes, decoding the recording. */
final class InteropSupport {
    /** Most frames read while waiting for one echo or one close frame. */
    private static final int MAX_FRAMES = 10_000;

    private InteropSupport() {
    }

    /** One message the client sends, split into this many frames. */
    record Outgoing(String label, int opcode, byte[] data, int fragments) {
        static Outgoing text(String label, String s, int fragments) {
            return new Outgoing(label, Opcode.TEXT, s.getBytes(StandardCharsets.UTF_8), fragments);
        }
    }

    // ---- sending and reading ------------------------------------------------------------------

    /**
     * Sends one message as masked frames: compressed with {@code deflater} (RSV1 on the first frame
     * only) unless it is null, and with a ping between the first and second fragment when
     * {@code ping} is not null (RFC 6455 5.4 allows control frames there).
     */
    static void send(RecordingClient client, FrameWriter writer, MessageDeflater deflater, Outgoing m, byte[] ping)
            throws IOException {
        boolean compress = deflater != null;
        byte[] payload = compress ? deflater.deflate(m.data()) : m.data();
        int n = m.fragments();
        for (int i = 0; i < n; i++) {
            int from = (int) ((long) payload.length * i / n);
            int to = (int) ((long) payload.length * (i + 1) / n);
            boolean first = i == 0;
            client.write(writer.encode(new FrameSpec(i == n - 1, first && compress, false, false,
                    first ? m.opcode() : Opcode.CONTINUATION, writer.randomMaskKey(), 0,
                    Arrays.copyOfRange(payload, from, to))));
            if (n > 1 && first && ping != null) {
                client.write(writer.encode(new FrameSpec(true, false, false, false, Opcode.PING,
                        writer.randomMaskKey(), 0, ping)));
            }
        }
    }

    /** A masked close frame with this code and reason. */
    static byte[] closeFrame(FrameWriter writer, int code, String reason) {
        return writer.encode(new FrameSpec(true, false, false, false, Opcode.CLOSE, writer.randomMaskKey(), 0,
                FrameWriter.closePayload(code, reason)));
    }

    /** Reads the frames of one echoed message up to its final one; returns them. Pongs are collected on the way. */
    static List<ReceivedFrame> readEcho(RecordingClient client, List<ReceivedFrame> pongs) throws IOException {
        List<ReceivedFrame> frames = new ArrayList<>();
        for (int i = 0; i < MAX_FRAMES; i++) {
            ReceivedFrame f = client.readFrame();
            if (f.opcode() == Opcode.PONG) {
                pongs.add(f);
                continue;
            }
            if (f.opcode() == Opcode.CLOSE) {
                throw new AssertionError("the peer closed the connection instead of echoing: " + describeClose(f));
            }
            frames.add(f);
            if (f.fin()) {
                return frames;
            }
        }
        throw new AssertionError("no final frame in " + MAX_FRAMES + " frames");
    }

    /** Reads frames up to the peer's close frame and returns it. */
    static ReceivedFrame readClose(RecordingClient client) throws IOException {
        for (int i = 0; i < MAX_FRAMES; i++) {
            ReceivedFrame f = client.readFrame();
            if (f.opcode() == Opcode.CLOSE) {
                return f;
            }
        }
        throw new AssertionError("no close frame from the peer in " + MAX_FRAMES + " frames");
    }

    static int closeCode(ReceivedFrame close) {
        byte[] p = close.payload();
        return p.length < 2 ? -1 : ((p[0] & 0xFF) << 8) | (p[1] & 0xFF);
    }

    static String closeReason(ReceivedFrame close) {
        byte[] p = close.payload();
        return p.length < 2 ? "" : new String(p, 2, p.length - 2, StandardCharsets.UTF_8);
    }

    static String describeClose(ReceivedFrame f) {
        return f.payload().length < 2 ? "close frame without a code"
                : "close " + closeCode(f) + " \"" + closeReason(f) + "\"";
    }

    // ---- decoding the recording ---------------------------------------------------------------

    /** The events of one decoded recording, also sorted by kind. */
    static final class Decoded {
        final List<Event> all = new ArrayList<>();
        final List<HandshakeEvent> handshakes = new ArrayList<>();
        final List<FrameEvent> frames = new ArrayList<>();
        final List<MessageEvent> messages = new ArrayList<>();
        final List<CloseEvent> closes = new ArrayList<>();
        final List<ErrorEvent> errors = new ArrayList<>();

        void add(Event e) {
            all.add(e);
            if (e instanceof HandshakeEvent h) {
                handshakes.add(h);
            } else if (e instanceof FrameEvent f) {
                frames.add(f);
            } else if (e instanceof MessageEvent m) {
                messages.add(m);
            } else if (e instanceof CloseEvent c) {
                closes.add(c);
            } else if (e instanceof ErrorEvent r) {
                errors.add(r);
            }
        }

        List<MessageEvent> messages(Direction dir) {
            return messages.stream().filter(m -> m.dir() == dir).toList();
        }

        List<FrameEvent> frames(Direction dir, int opcode) {
            return frames.stream().filter(f -> f.dir() == dir && f.frame().opcode() == opcode).toList();
        }
    }

    /**
     * Feeds the recording to a fresh Conversation in the order it happened, each chunk in pieces of
     * at most {@code piece} bytes, then ends it at the last chunk's time.
     */
    static Decoded decode(List<Chunk> recording, int piece) {
        Decoded d = new Decoded();
        Conversation c = new Conversation("interop", d::add);
        long last = 0;
        for (Chunk chunk : recording) {
            byte[] b = chunk.bytes();
            for (int off = 0; off < b.length; off += piece) {
                c.feed(chunk.dir(), chunk.timeMicros(), b, off, Math.min(piece, b.length - off));
            }
            last = chunk.timeMicros();
        }
        c.end(last);
        return d;
    }

    /** The decoded result without what depends on how the bytes were chunked (timestamps). */
    static List<String> summary(List<Event> events) {
        List<String> out = new ArrayList<>();
        for (Event e : events) {
            if (e instanceof FrameEvent f) {
                out.add("frame " + f.dir().id() + " " + f.seq() + " " + f.frame() + " " + f.frame().violations());
            } else if (e instanceof MessageEvent m) {
                out.add("message " + m.dir().id() + " " + m.seq() + " " + m.message().type() + " "
                        + m.message().compressed() + " " + m.message().wireLength() + " " + m.message().length() + " "
                        + Base64.getEncoder().encodeToString(sha256(m.message().payload())) + " "
                        + m.message().utf8InvalidAt() + " " + m.message().violations());
            } else if (e instanceof CloseEvent cl) {
                out.add("close " + cl.code() + " " + cl.reason() + " " + cl.initiator() + " " + cl.clean());
            } else if (e instanceof HandshakeEvent h) {
                out.add("handshake " + h.result());
            } else {
                out.add(e.toString().replaceAll("timeMicros=\\d+", ""));
            }
        }
        return out;
    }

    /** Sec-WebSocket-Accept as RFC 6455 4.2.2 defines it, computed here without wire's code. */
    static String acceptIndependently(String key) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-1")
                    .digest((key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").getBytes(StandardCharsets.US_ASCII));
            return Base64.getEncoder().encodeToString(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] sha256(byte[] b) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(b);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
