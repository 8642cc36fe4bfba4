package dev.wsdebug.net;

/** Pieces of the one-sentence messages the client, server and proxy print. */
public final class Sentences {
    private Sentences() {
    }

    /** Milliseconds as seconds: "10 s", "0.5 s". */
    public static String seconds(long millis) {
        return millis % 1000 == 0 ? millis / 1000 + " s" : millis / 1000.0 + " s";
    }

    /** The message of the innermost cause (the one that says what happened), or its class name. */
    public static String rootMessage(Throwable t) {
        Throwable r = t;
        while (r.getCause() != null && r.getCause() != r) {
            r = r.getCause();
        }
        return r.getMessage() == null ? r.getClass().getSimpleName() : r.getMessage();
    }
}
