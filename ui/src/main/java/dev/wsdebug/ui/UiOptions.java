package dev.wsdebug.ui;

/** How the UI server listens. */
public final class UiOptions {
    /** Loopback unless told otherwise (DESIGN.md principle 5). */
    public String host = "127.0.0.1";
    /** 0: any free port. */
    public int port = 0;
    /** Fixed token (tests); null: a random one per run. */
    public String token;
    /** As {@code --decode}: the application protocol every message is read as, {@code none}, or null to choose per connection. */
    public String decode;
    /** As {@code --proto}: binary messages read as protobuf of this schema, or null. */
    public dev.wsdebug.capture.decode.ProtoSchema protoSchema;

    public UiOptions host(String h) {
        host = h;
        return this;
    }

    public UiOptions port(int p) {
        port = p;
        return this;
    }

    public UiOptions decode(String d) {
        decode = d;
        return this;
    }

    public UiOptions protoSchema(dev.wsdebug.capture.decode.ProtoSchema s) {
        protoSchema = s;
        return this;
    }

    public UiOptions token(String t) {
        token = t;
        return this;
    }
}
