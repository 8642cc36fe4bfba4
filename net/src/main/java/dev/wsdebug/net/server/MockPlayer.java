package dev.wsdebug.net.server;

import dev.wsdebug.capture.replay.Step;
import io.netty.util.concurrent.EventExecutor;

import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Plays a mock's recorded server steps on one connection: one chain at a time, in the order they
 * were asked for (the recorded server answered its client's messages in turn), each step at its
 * recorded delay after the chain began. Everything runs on the connection's event loop.
 */
final class MockPlayer {
    /** The steps answering one thing (the handshake or a client message), then what to do once they are out. */
    private record Chain(List<Step> steps, long extraMillis, Runnable after) {
    }

    private final EventExecutor executor;
    private final Consumer<Step> send;
    /** True once the connection is closing: nothing more is sent. */
    private final java.util.function.BooleanSupplier stopped;
    private final ArrayDeque<Chain> queue = new ArrayDeque<>();
    private boolean playing;

    MockPlayer(EventExecutor executor, Consumer<Step> send, java.util.function.BooleanSupplier stopped) {
        this.executor = executor;
        this.send = send;
        this.stopped = stopped;
    }

    /** Plays these steps after those asked for before, {@code extraMillis} later than recorded (--delay). */
    void play(List<Step> steps, long extraMillis, Runnable after) {
        queue.add(new Chain(steps, extraMillis, after));
        if (!playing) {
            next();
        }
    }

    private void next() {
        Chain c = queue.poll();
        playing = c != null;
        if (c != null) {
            from(c, 0, -c.extraMillis() * 1000);
        }
    }

    /** Sends the chain's steps from index i on, those already due at once, then waits for the next. */
    private void from(Chain c, int i, long sentAtMicros) {
        long at = sentAtMicros;
        for (int k = i; k < c.steps().size(); k++) {
            if (stopped.getAsBoolean()) {
                queue.clear();
                playing = false;
                return;
            }
            Step s = c.steps().get(k);
            long wait = s.offsetMicros() - at;
            if (wait > 0) {
                int resume = k;
                long now = at + wait;
                executor.schedule(() -> sendFrom(c, resume, now), wait, TimeUnit.MICROSECONDS);
                return;
            }
            send.accept(s);
        }
        c.after().run();
        next();
    }

    private void sendFrom(Chain c, int k, long at) {
        if (stopped.getAsBoolean()) {
            queue.clear();
            playing = false;
            return;
        }
        send.accept(c.steps().get(k));
        from(c, k + 1, at);
    }
}
