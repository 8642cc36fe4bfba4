package dev.wsdebug.ui;

/** How the UI server listens. */
public final class UiOptions {
    /** Loopback unless told otherwise (DESIGN.md principle 5). */
    public String host = "127.0.0.1";
    /** 0: any free port. */
    public int port = 0;
    /** Fixed token (tests); null: a random one per run. */
    public String token;

    public UiOptions host(String h) {
        host = h;
        return this;
    }

    public UiOptions port(int p) {
        port = p;
        return this;
    }

    public UiOptions token(String t) {
        token = t;
        return this;
    }
}
