package dev.wsdebug.net.server;

import dev.wsdebug.capture.replay.Step;
import dev.wsdebug.wire.Direction;
import dev.wsdebug.wire.Opcode;
import io.netty.util.concurrent.DefaultEventExecutor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;

class MockPlayerTest {
    private final DefaultEventExecutor loop = new DefaultEventExecutor();

    @AfterEach
    void stop() {
        loop.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5_000);
    }

    private static Step text(long micros, String t) {
        return new Step(Direction.S2C, micros, Opcode.TEXT, t.getBytes(StandardCharsets.UTF_8), true, -1, null);
    }

    @Test
    void chainsPlayInTurnEachStepAtItsDelay() throws Exception {
        List<String> seen = new CopyOnWriteArrayList<>();
        long[] times = new long[5];
        CountDownLatch done = new CountDownLatch(1);
        long start = System.nanoTime();
        loop.execute(() -> {
            MockPlayer p = new MockPlayer(loop, s -> {
                times[seen.size()] = System.nanoTime() - start;
                seen.add(s.text());
            }, () -> false);
            // the first request's answer is slow, the second's immediate: the second still waits its turn
            p.play(List.of(text(40_000, "a1"), text(60_000, "a2")), 0, () -> seen.add("after a"));
            p.play(List.of(text(0, "b1")), 0, () -> {
                seen.add("after b");
                done.countDown();
            });
        });
        assertThat(done.await(5, TimeUnit.SECONDS)).isTrue();
        assertThat(seen).containsExactly("a1", "a2", "after a", "b1", "after b");
        assertThat(times[0]).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(40));
        assertThat(times[1] - times[0]).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(19));
    }

    @Test
    void anExtraDelayComesFirstAndClosingStopsEverything() throws Exception {
        List<String> seen = new CopyOnWriteArrayList<>();
        AtomicBoolean closing = new AtomicBoolean();
        long[] first = new long[1];
        long start = System.nanoTime();
        loop.execute(() -> {
            MockPlayer p = new MockPlayer(loop, s -> {
                if (seen.isEmpty()) {
                    first[0] = System.nanoTime() - start;
                }
                seen.add(s.text());
                closing.set(s.text().equals("close now"));
            }, closing::get);
            p.play(List.of(text(0, "close now"), text(1_000, "never")), 50, () -> seen.add("after"));
            p.play(List.of(text(0, "nor this")), 0, () -> seen.add("after 2"));
        });
        Thread.sleep(300);
        assertThat(seen).containsExactly("close now");
        assertThat(first[0]).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(50));
    }
}
