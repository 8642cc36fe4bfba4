package dev.wsdebug.cli;

import dev.wsdebug.capture.EventSink;
import dev.wsdebug.capture.decode.Decoders;
import dev.wsdebug.capture.decode.DecodingSink;
import picocli.CommandLine.Option;

/** {@code --decode PROTO}: which application protocol messages are read as (a mixin of every view). */
final class DecodeOption {
    @Option(names = "--decode", paramLabel = "PROTO",
            description = "Read every message as this application protocol, or 'none' to decode nothing. Default: chosen"
                    + " per connection from the negotiated subprotocol, the URL and the messages themselves. Known: ${sys:wsdebug.decoders}.")
    String decode;

    static {
        System.setProperty("wsdebug.decoders", String.join(", ", Decoders.names()));
    }

    /** Why the option's value cannot be used (one sentence), or null. */
    String problem() {
        try {
            new DecodingSink(e -> { }, decode);
            return null;
        } catch (IllegalArgumentException e) {
            return e.getMessage();
        }
    }

    /** The view with the decoding stage in front of it. */
    EventSink wrap(EventSink view) {
        return new DecodingSink(view, decode);
    }
}
