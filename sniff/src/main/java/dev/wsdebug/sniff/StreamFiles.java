package dev.wsdebug.sniff;

import dev.wsdebug.sniff.tcp.TcpFlow;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * {@code --streams DIR}: each TCP connection's reassembled bytes, decrypted where the keys allow,
 * one file per direction, as Wireshark's "Follow TCP/TLS stream" gives them, for any protocol.
 * Files are named {@code <id>_<client>_<server>.c2s} and {@code .s2c} (when the capture does not
 * show which side is the client: {@code <id>_<a>_<b>.a2b} and {@code .b2a}).
 */
final class StreamFiles {
    private final Path dir;

    StreamFiles(Path dir) {
        this.dir = dir;
    }

    /** The two files of one connection, opened at their first byte. */
    final class Pair implements AutoCloseable {
        private final String base;
        private final boolean clientKnown;
        private OutputStream forward;
        private OutputStream backward;

        Pair(TcpFlow flow, String client, String server, boolean clientKnown) {
            this.base = flow.id() + "_" + safe(client) + "_" + safe(server);
            this.clientKnown = clientKnown;
        }

        /** Bytes from the client (or side A), or from the server (or side B). */
        void write(boolean fromFirst, byte[] b, int off, int len) {
            try {
                if (fromFirst) {
                    if (forward == null) {
                        forward = open(clientKnown ? ".c2s" : ".a2b");
                    }
                    forward.write(b, off, len);
                } else {
                    if (backward == null) {
                        backward = open(clientKnown ? ".s2c" : ".b2a");
                    }
                    backward.write(b, off, len);
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write the stream files in " + dir + ": " + e.getMessage(), e);
            }
        }

        private OutputStream open(String suffix) throws IOException {
            Files.createDirectories(dir);
            return new BufferedOutputStream(Files.newOutputStream(dir.resolve(base + suffix)));
        }

        @Override
        public void close() {
            try {
                if (forward != null) {
                    forward.close();
                }
                if (backward != null) {
                    backward.close();
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write the stream files in " + dir + ": " + e.getMessage(), e);
            }
        }
    }

    Pair pair(TcpFlow flow, String client, String server, boolean clientKnown) {
        return new Pair(flow, client, server, clientKnown);
    }

    private static String safe(String endpoint) {
        return endpoint.replace("[", "").replace("]", "").replace(':', '_').replace('/', '_');
    }
}
