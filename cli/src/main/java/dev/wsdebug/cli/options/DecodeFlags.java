package dev.wsdebug.cli.options;

import dev.wsdebug.sniff.DecodeOptions;
import dev.wsdebug.sniff.tls.KeyLog;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/** {@code --assume-ws} and {@code --keylog}, as every command that decodes capture files takes them. */
public final class DecodeFlags {
    private DecodeFlags() {
    }

    /** A flag that cannot be used: its one sentence. */
    public static final class Bad extends Exception {
        Bad(String sentence) {
            super(sentence);
        }
    }

    /** Checks the ports and reads the key log once. */
    public static DecodeOptions options(List<Integer> assumeWs, Path keylog) throws Bad {
        DecodeOptions o = new DecodeOptions();
        for (int port : assumeWs) {
            if (port < 1 || port > 65535) {
                throw new Bad("--assume-ws takes a TCP port (1-65535), not " + port + ".");
            }
            o.assumeWebSocketPorts.add(port);
        }
        if (keylog != null) {
            try {
                o.keys = KeyLog.read(keylog);
            } catch (IOException | IllegalArgumentException e) {
                throw new Bad("--keylog: " + e.getMessage());
            }
        }
        return o;
    }
}
