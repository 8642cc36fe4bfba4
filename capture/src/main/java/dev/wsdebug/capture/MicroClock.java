package dev.wsdebug.capture;

import java.time.Instant;

/** Wall-clock time in microseconds since the epoch, the unit of every event's {@code t}. */
public final class MicroClock {
    private MicroClock() {
    }

    public static long now() {
        Instant i = Instant.now();
        return i.getEpochSecond() * 1_000_000 + i.getNano() / 1_000;
    }
}
