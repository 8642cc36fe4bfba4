package dev.wsdebug.capture.store;

import dev.wsdebug.capture.Conversation;

import java.nio.file.Path;

/**
 * A process that writes connections into a capture until it is killed: after every fifth
 * connection it flushes and prints {@code committed N}. It gives up by itself after 60 s.
 */
public final class WriterMain {
    static final long T0 = 1_700_000_000_000_000L;

    private WriterMain() {
    }

    static String conn(int i) {
        return "c" + i;
    }

    public static void main(String[] args) {
        CaptureStore store = CaptureStore.create(Path.of(args[0]));
        long deadline = System.nanoTime() + 60_000_000_000L;
        for (int i = 1; System.nanoTime() < deadline; i++) {
            Sessions.feed(new Conversation(conn(i), store), Sessions.full(conn(i)), 50, T0 + i * 1_000_000L);
            if (i % 5 == 0) {
                store.sync();
                System.out.println("committed " + i);
                System.out.flush();
            }
        }
        System.exit(3);
    }
}
