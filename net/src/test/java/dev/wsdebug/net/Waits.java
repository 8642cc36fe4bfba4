package dev.wsdebug.net;

import java.util.function.BooleanSupplier;

/** Bounded polling for conditions another thread brings about. */
final class Waits {
    private Waits() {
    }

    /** Polls every 20 ms until the condition holds or the time is up; returns whether it held. */
    static boolean until(long timeoutMillis, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + timeoutMillis * 1_000_000;
        while (System.nanoTime() < deadline) {
            if (condition.getAsBoolean()) {
                return true;
            }
            Thread.sleep(20);
        }
        return condition.getAsBoolean();
    }
}
