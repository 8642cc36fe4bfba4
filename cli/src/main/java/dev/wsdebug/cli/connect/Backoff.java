package dev.wsdebug.cli.connect;

import java.util.random.RandomGenerator;

/**
 * Reconnect delays: exponential from a base, doubled per consecutive failure, plus a random jitter
 * of up to half the delay so that many clients do not reconnect in step, capped.
 */
public final class Backoff {
    private final double baseSeconds;
    private final double capSeconds;
    private final RandomGenerator random;
    private int failures;

    public Backoff(double baseSeconds, double capSeconds, RandomGenerator random) {
        this.baseSeconds = baseSeconds;
        this.capSeconds = capSeconds;
        this.random = random;
    }

    /** The delay before the next attempt, in milliseconds; each call counts one more failure. */
    public long nextDelayMillis() {
        double d = Math.min(capSeconds, baseSeconds * Math.pow(2, Math.min(failures, 30)));
        failures++;
        double jittered = Math.min(capSeconds, d * (1 + 0.5 * random.nextDouble()));
        return Math.round(jittered * 1000);
    }

    /** A connection succeeded: start again from the base delay. */
    public void reset() {
        failures = 0;
    }

    int failures() {
        return failures;
    }
}
