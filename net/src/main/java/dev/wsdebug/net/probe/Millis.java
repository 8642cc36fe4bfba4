package dev.wsdebug.net.probe;

import java.util.Locale;

/** Durations as the checklist shows them. */
final class Millis {
    private Millis() {
    }

    static double since(long startNanos) {
        return (System.nanoTime() - startNanos) / 1e6;
    }

    /** Milliseconds with the precision that means something at that size. */
    static String format(double ms) {
        if (ms < 10) {
            return String.format(Locale.ROOT, "%.2f ms", ms);
        }
        if (ms < 1000) {
            return String.format(Locale.ROOT, "%.1f ms", ms);
        }
        return String.format(Locale.ROOT, "%.1f s", ms / 1000);
    }

    static String seconds(double s) {
        return String.format(Locale.ROOT, "%.1f s", s);
    }
}
