package dev.wsdebug.capture;

/**
 * Something that stopped decoding or a connection: one clear sentence.
 *
 * @param kind handshake, tls, io, input, ...
 */
public record ErrorEvent(String conn, long timeMicros, String kind, String message) implements Event {
    @Override
    public String name() {
        return "error";
    }
}
