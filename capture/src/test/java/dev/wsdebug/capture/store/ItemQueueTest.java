package dev.wsdebug.capture.store;

import dev.wsdebug.wire.Direction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The queue between producers and the writer: bounded, and a producer waits for room only so long. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ItemQueueTest {
    private static final long WAIT = TimeUnit.SECONDS.toNanos(2);

    private static StoreItem chunk(int n) {
        return new StoreItem.Chunk("1", Direction.C2S, 0, new byte[n]);
    }

    private static StoreItem ended() {
        return new StoreItem.Ended("1", 0);
    }

    @Test
    void aFullQueueMakesTheProducerWaitOnlyUntilTheBoundThenNotAtAllUntilTheWriterCatchesUp() throws Exception {
        ItemQueue q = new ItemQueue(4, 1 << 20, WAIT);
        for (int i = 0; i < 4; i++) {
            assertThat(q.put(chunk(10))).isEqualTo(ItemQueue.ADDED);
        }
        long start = System.nanoTime();
        assertThat(q.put(chunk(10))).isEqualTo(ItemQueue.FULL);
        long waited = System.nanoTime() - start;
        assertThat(waited).as("waited for room, then gave up").isGreaterThanOrEqualTo(WAIT)
                .isLessThan(WAIT + TimeUnit.SECONDS.toNanos(10));

        // the writer is stuck: the next producers do not wait at all (the writer has not caught up)
        long again = System.nanoTime();
        for (int i = 0; i < 20; i++) {
            assertThat(q.put(chunk(10))).isEqualTo(ItemQueue.FULL);
        }
        assertThat(System.nanoTime() - again).as("20 puts that did not wait").isLessThan(WAIT);
        assertThat(q.highWater).isEqualTo(4);

        // one item taken is not catching up: still no waiting, still no room
        assertThat(q.poll(0)).isNotNull();
        assertThat(q.put(chunk(10))).isEqualTo(ItemQueue.ADDED); // there is room for one
        assertThat(q.put(chunk(10))).isEqualTo(ItemQueue.FULL);

        // drained to half: a full queue is worth waiting for again, and a producer that waits gets in
        assertThat(q.poll(0)).isNotNull();
        assertThat(q.poll(0)).isNotNull();
        assertThat(q.put(chunk(10))).isEqualTo(ItemQueue.ADDED);
        assertThat(q.put(chunk(10))).isEqualTo(ItemQueue.ADDED);
        CompletableFuture<Integer> waiting = CompletableFuture.supplyAsync(() -> q.put(chunk(10)));
        Thread.sleep(50);
        assertThat(waiting).as("waits for room again").isNotDone();
        assertThat(q.poll(0)).isNotNull();
        assertThat(waiting.get(10, TimeUnit.SECONDS)).isEqualTo(ItemQueue.ADDED);
    }

    @Test
    void theByteBoundCountsToo() {
        ItemQueue q = new ItemQueue(100, 1000, WAIT);
        assertThat(q.put(chunk(800))).isEqualTo(ItemQueue.ADDED);
        assertThat(q.put(chunk(800))).isEqualTo(ItemQueue.FULL);
        // an item larger than the bound is admitted alone
        ItemQueue empty = new ItemQueue(100, 1000, WAIT);
        assertThat(empty.put(chunk(5000))).isEqualTo(ItemQueue.ADDED);
    }

    @Test
    void bookkeepingGoesPastTheBoundsAndOfferNeverWaits() throws Exception {
        ItemQueue q = new ItemQueue(2, 1 << 20, TimeUnit.SECONDS.toNanos(30));
        assertThat(q.put(chunk(1))).isEqualTo(ItemQueue.ADDED);
        assertThat(q.offer(chunk(1))).isTrue();
        long start = System.nanoTime();
        assertThat(q.offer(chunk(1))).isFalse();
        assertThat(System.nanoTime() - start).isLessThan(TimeUnit.SECONDS.toNanos(10));
        assertThat(q.putAlways(ended())).isTrue();
        assertThat(q.putAlways(ended())).isTrue();
        assertThat(q.highWater).isEqualTo(4);
        for (int i = 0; i < 4; i++) {
            assertThat(q.poll(0)).isNotNull();
        }
        assertThat(q.poll(0)).isNull();
    }

    @Test
    void nothingWaitsForADeadWriter() throws Exception {
        ItemQueue q = new ItemQueue(1, 1 << 20, TimeUnit.SECONDS.toNanos(30));
        assertThat(q.put(chunk(1))).isEqualTo(ItemQueue.ADDED);
        CompletableFuture<Integer> waiting = CompletableFuture.supplyAsync(() -> q.put(chunk(1)));
        Thread.sleep(50);
        assertThat(q.kill()).hasSize(1);
        assertThat(waiting.get(10, TimeUnit.SECONDS)).isEqualTo(ItemQueue.DEAD);
        assertThat(q.put(chunk(1))).isEqualTo(ItemQueue.DEAD);
        assertThat(q.offer(chunk(1))).isFalse();
        assertThat(q.putAlways(ended())).isFalse();
    }
}
