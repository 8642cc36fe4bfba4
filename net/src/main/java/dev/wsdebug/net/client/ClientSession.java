package dev.wsdebug.net.client;

import dev.wsdebug.capture.CloseEvent;
import dev.wsdebug.capture.Event;
import dev.wsdebug.capture.EventSink;
import dev.wsdebug.capture.FrameEvent;
import dev.wsdebug.capture.HandshakeEvent;
import dev.wsdebug.capture.MessageEvent;
import dev.wsdebug.net.FrameSender;
import dev.wsdebug.net.WireTap;
import dev.wsdebug.wire.CloseCodes;
import dev.wsdebug.wire.Direction;
import dev.wsdebug.wire.Frame;
import dev.wsdebug.wire.HandshakeResult;
import dev.wsdebug.wire.HttpHead;
import dev.wsdebug.wire.Opcode;
import dev.wsdebug.wire.Violation;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.ssl.SslCloseCompletionEvent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The client end of one connection. It sends the upgrade request and then acts on what its
 * {@link dev.wsdebug.capture.Conversation} decodes, as RFC 6455 asks of a client: answers pings,
 * completes the close handshake, fails the connection on protocol violations. Sending methods
 * may be called from any thread.
 */
public final class ClientSession extends ChannelInboundHandlerAdapter implements EventSink {
    /** How long to wait for the server's part of a close handshake. */
    static final long CLOSE_TIMEOUT_MS = 5_000;
    private static final int MAX_EARLY = 64 * 1024;

    private final ClientOptions opts;
    private final ClientUpgrade request;
    private final CompletableFuture<HandshakeResult> handshake = new CompletableFuture<>();
    private final CompletableFuture<CloseEvent> closed = new CompletableFuture<>();
    private final ByteArrayOutputStream early = new ByteArrayOutputStream();
    private final List<Long> rtts = new ArrayList<>();
    private final Consumer<String> notices;
    private Channel channel;
    private FrameSender out;
    private HandshakeEvent handshakeEvent;
    private CloseEvent closeEvent;
    private boolean upgraded;
    private volatile long lastInboundNanos = System.nanoTime();
    private long pingCounter;
    private final java.util.Map<Long, Long> pingsInFlight = new java.util.HashMap<>();
    private ScheduledFuture<?> keepalive;
    private String deathReason;

    ClientSession(ClientOptions opts, ClientUpgrade request, Consumer<String> notices) {
        this.opts = opts;
        this.request = request;
        this.notices = notices;
    }

    /** Completes with the handshake result when it is valid, or exceptionally with a {@link ClientFailure}. */
    public CompletableFuture<HandshakeResult> handshake() {
        return handshake;
    }

    /** Completes when the connection is gone, with how it closed. */
    public CompletableFuture<CloseEvent> closed() {
        return closed;
    }

    /** The handshake as decoded, once the response has arrived. */
    public HandshakeEvent handshakeEvent() {
        return handshakeEvent;
    }

    /** Round-trip times of answered pings, in microseconds. */
    public synchronized List<Long> rtts() {
        return new ArrayList<>(rtts);
    }

    /** Why the keepalive declared the connection dead, or null. */
    public String deathReason() {
        return deathReason;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        channel = ctx.channel();
        out = new FrameSender(channel, Direction.C2S);
    }

    /** Called once TLS and the proxy tunnel (if any) are up: sends the upgrade request. */
    void sendRequest() {
        request.send(channel, out);
        channel.eventLoop().schedule(() -> {
            if (!handshake.isDone()) {
                fail(new ClientFailure("timeout", CloseCodes.ABNORMAL, "The server did not answer the upgrade request within "
                        + opts.handshakeTimeoutMillis / 1000.0 + " s.", null));
                channel.close();
            }
        }, opts.handshakeTimeoutMillis, TimeUnit.MILLISECONDS);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        try {
            if (!upgraded && msg instanceof ByteBuf b && early.size() < MAX_EARLY) {
                byte[] bytes = new byte[Math.min(b.readableBytes(), MAX_EARLY - early.size())];
                b.getBytes(b.readerIndex(), bytes);
                early.writeBytes(bytes);
                if (handshakeEvent != null && !handshake.isDone()) {
                    maybeFailHandshake(false);
                }
            }
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    @Override
    public void accept(Event event) {
        if (event instanceof HandshakeEvent h) {
            handshakeEvent = h;
            if (h.result() != null && h.result().valid()) {
                upgraded = true;
                out.deflate(h.result().deflate(), Direction.C2S);
                handshake.complete(h.result());
            } else {
                maybeFailHandshake(false);
            }
        } else if (event instanceof FrameEvent f && f.dir() == Direction.S2C) {
            lastInboundNanos = System.nanoTime();
            frame(f.frame());
        } else if (event instanceof MessageEvent m && m.dir() == Direction.S2C) {
            lastInboundNanos = System.nanoTime();
        } else if (event instanceof CloseEvent c) {
            closeEvent = c;
        }
    }

    /** A rule broken before the frame's end (a header declaring too much, a payload gone bad): fail now. */
    @Override
    public void violationFound(String conn, Direction dir, long t, Frame frame, Violation v) {
        if (dir == Direction.S2C) {
            failConnection(v);
        }
    }

    private void failConnection(Violation v) {
        if (out.closeSent()) {
            return;
        }
        notices.accept("failing the connection: " + v.detail());
        out.close(CloseCodes.forViolation(v), v.rule());
        closeAfterTimeout();
    }

    private void frame(Frame f) {
        if (!f.violations().isEmpty()) {
            failConnection(f.violations().get(0));
            return;
        }
        switch (f.opcode()) {
            case Opcode.PING -> {
                if (!out.closeSent()) {
                    out.pong(f.controlPayload());
                }
            }
            case Opcode.PONG -> pong(f.controlPayload());
            case Opcode.CLOSE -> {
                if (!out.closeSent()) {
                    int code = f.closeCode();
                    out.close(code, code < 0 ? "" : f.closeReason());
                }
                // the server closes TCP first; if it does not, we do
                closeAfterTimeout();
            }
            default -> {
            }
        }
    }

    private void pong(byte[] payload) {
        if (payload == null || payload.length != 8) {
            return;
        }
        long id = ByteBuffer.wrap(payload).getLong();
        Long sent;
        synchronized (this) {
            sent = pingsInFlight.remove(id);
        }
        if (sent != null) {
            long rtt = (System.nanoTime() - sent) / 1000;
            synchronized (this) {
                rtts.add(rtt);
            }
            notices.accept(String.format("pong: round trip %.3f ms", rtt / 1000.0));
        }
    }

    /**
     * A non-101 or invalid response: wait for the body (Content-Length, or the connection closing)
     * so the failure can show its start, then fail the handshake.
     */
    private void maybeFailHandshake(boolean connectionGone) {
        HandshakeEvent h = handshakeEvent;
        if (h == null || h.response() == null || handshake.isDone()) {
            return;
        }
        HttpHead resp = h.response();
        byte[] all = early.toByteArray();
        if (!connectionGone && all.length < resp.length() && all.length < MAX_EARLY) {
            // The event comes from the WireTap below, before channelRead here has kept these bytes;
            // channelRead checks again once it has.
            return;
        }
        int bodyStart = Math.min(resp.length(), all.length);
        int bodyLen = all.length - bodyStart;
        String cl = resp.header("Content-Length");
        boolean complete = connectionGone || bodyLen >= MAX_EARLY - resp.length();
        try {
            complete |= cl != null && bodyLen >= Long.parseLong(cl.trim());
        } catch (NumberFormatException ignored) {
            complete = true;
        }
        if (!complete && cl == null && h.result() != null && h.result().upgraded()) {
            complete = true; // a 101 with bad headers has no body to wait for
        }
        if (!complete) {
            channel.eventLoop().schedule(() -> maybeFailHandshake(true), 500, TimeUnit.MILLISECONDS);
            return;
        }
        String body = new String(all, bodyStart, Math.min(bodyLen, 2048), StandardCharsets.UTF_8);
        List<String> problems = h.result() == null ? List.of("The response is not valid.") : h.result().problems();
        fail(new HandshakeFailure(problems.isEmpty() ? "The handshake failed." : problems.get(0), resp, body));
        channel.close();
    }

    void fail(ClientFailure failure) {
        handshake.completeExceptionally(failure);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (keepalive != null) {
            keepalive.cancel(false);
        }
        if (!handshake.isDone()) {
            if (handshakeEvent != null && handshakeEvent.response() != null) {
                maybeFailHandshake(true);
            } else {
                fail(new ClientFailure("handshake", CloseCodes.ABNORMAL,
                        "The server closed the connection before answering the upgrade request.", null));
            }
        }
        closed.complete(closeEvent);
        ctx.fireChannelInactive();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof SslCloseCompletionEvent) {
            // The server ended TLS (close_notify): nothing more can arrive. Some servers (python
            // websockets) then wait for our close_notify before closing TCP, so close now rather
            // than after the close timeout.
            ctx.close();
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ClientFailure f = WsClient.describe(cause, opts);
        if (!handshake.isDone()) {
            fail(f);
        } else {
            notices.accept(f.getMessage());
        }
        ctx.close();
    }

    // ---- sending (any thread) --------------------------------------------------------------

    public void sendText(String text) {
        channel.eventLoop().execute(() -> out.text(text));
    }

    public void sendBinary(byte[] data) {
        channel.eventLoop().execute(() -> out.binary(data));
    }

    /** A ping carrying the given bytes; with null, an 8-byte id whose pong reports the round trip. */
    public void ping(byte[] payload) {
        channel.eventLoop().execute(() -> {
            if (payload != null) {
                out.ping(payload);
                return;
            }
            long id = ++pingCounter;
            synchronized (this) {
                pingsInFlight.put(id, System.nanoTime());
            }
            out.ping(ByteBuffer.allocate(8).putLong(id).array());
        });
    }

    public void pong(byte[] payload, boolean unsolicited) {
        channel.eventLoop().execute(() -> out.pong(payload));
    }

    /** Starts the close handshake; the connection ends when the server closes TCP or after a timeout. */
    public void close(int code, String reason) {
        channel.eventLoop().execute(() -> {
            if (!out.closeSent() && channel.isActive()) {
                out.close(code, reason);
            }
            closeAfterTimeout();
        });
    }

    /** Drops the TCP connection without a close frame. */
    public void abort() {
        channel.close();
    }

    public boolean isOpen() {
        return channel.isActive();
    }

    private void closeAfterTimeout() {
        channel.eventLoop().schedule(() -> {
            channel.close();
        }, CLOSE_TIMEOUT_MS, TimeUnit.MILLISECONDS);
    }

    /**
     * Pings every {@code intervalMs}; when {@code timeoutMs} > 0 and nothing at all arrives within
     * that time after a ping, declares the connection dead and drops it.
     */
    public void keepalive(long intervalMs, long timeoutMs) {
        channel.eventLoop().execute(() -> keepalive = channel.eventLoop().scheduleAtFixedRate(() -> {
            if (!channel.isActive() || out.closeSent()) {
                return;
            }
            long sentAt = System.nanoTime();
            ping(null);
            if (timeoutMs > 0) {
                channel.eventLoop().schedule(() -> {
                    if (channel.isActive() && lastInboundNanos < sentAt && deathReason == null) {
                        deathReason = "No pong or any other frame arrived within " + timeoutMs / 1000.0
                                + " s of a ping: the connection is dead (a zombie server or a broken network path).";
                        notices.accept(deathReason);
                        channel.close();
                    }
                }, timeoutMs, TimeUnit.MILLISECONDS);
            }
        }, intervalMs, intervalMs, TimeUnit.MILLISECONDS));
    }
}
