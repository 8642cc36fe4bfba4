package dev.wsdebug.cli.options;

import dev.wsdebug.capture.EventSink;
import dev.wsdebug.capture.decode.Decoders;
import dev.wsdebug.capture.decode.DecodingSink;
import dev.wsdebug.capture.decode.ProtoSchema;
import picocli.CommandLine.Option;

import java.nio.file.Path;

/**
 * {@code --decode PROTO}, {@code --proto FILE.desc}, {@code --proto-type NAME}: which application protocol
 * messages are read as (a mixin of every view).
 */
public final class DecodeOption {
    @Option(names = "--decode", paramLabel = "PROTO",
            description = "Read every message as this application protocol, or 'none' to decode nothing. Default: chosen"
                    + " per connection from the negotiated subprotocol, the URL and the messages themselves. Known: ${sys:wsdebug.decoders}.")
    public String decode;

    @Option(names = "--proto", paramLabel = "FILE.desc",
            description = "Read binary messages as protobuf with field names, enums and nesting from this descriptor set"
                    + " (protoc --descriptor_set_out=FILE.desc --include_imports X.proto). Without --decode it applies to"
                    + " connections no other protocol holds (text messages are decoded as before); with --decode protobuf"
                    + " to every message. A message that does not parse keeps the reason and the schema-less reading.")
    Path proto;

    @Option(names = "--proto-type", paramLabel = "NAME",
            description = "The message type of --proto the messages are, fully qualified (chat.v1.Envelope). Default: the"
                    + " only top-level message of the files the set was made from.")
    String protoType;

    static {
        System.setProperty("wsdebug.decoders", String.join(", ", Decoders.names()));
    }

    /** The schema and the check of the options, made once: problem() and wrap() are both called. */
    private ProtoSchema schema;
    private String problem;
    private boolean checked;

    /** Why the options cannot be used (one sentence), or null. */
    public String problem() {
        if (!checked) {
            checked = true;
            problem = check();
        }
        return problem;
    }

    private String check() {
        if (protoType != null && proto == null) {
            return "--proto-type needs --proto FILE.desc.";
        }
        try {
            if (proto != null) {
                schema = ProtoSchema.of(DescriptorFile.read(proto), proto.toString(), protoType);
            }
            new DecodingSink(e -> { }, decode, schema);
            return null;
        } catch (IllegalArgumentException e) {
            return e.getMessage();
        }
    }

    /** The --proto schema once the options are checked (null without --proto). */
    public ProtoSchema schema() {
        problem();
        return schema;
    }

    /** The view with the decoding stage in front of it. */
    public EventSink wrap(EventSink view) {
        if (problem() != null) {
            throw new IllegalStateException(problem);
        }
        return new DecodingSink(view, decode, schema);
    }
}
