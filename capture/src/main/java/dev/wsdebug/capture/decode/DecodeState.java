package dev.wsdebug.capture.decode;

import java.util.HashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * What decoders remember about one connection between its messages, one object per decoder class
 * (a decoder keeps its own typed state here, e.g. the binary attachments a Socket.IO event still
 * waits for). Used from one thread at a time, like the connection's events.
 */
public final class DecodeState {
    private final Map<Class<?>, Object> states = new HashMap<>(2);

    /** The state of this type, made by {@code create} on first use. */
    public <T> T get(Class<T> type, Supplier<T> create) {
        Object s = states.get(type);
        if (s == null) {
            s = create.get();
            states.put(type, s);
        }
        return type.cast(s);
    }
}
