package dev.wsdebug.capture.store;

import dev.wsdebug.capture.Conversation;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;

/**
 * A process that writes connections into a capture until it is killed: after every fifth
 * connection it flushes and prints {@code committed N}. It gives up by itself after 60 s.
 *
 * <p>With two more arguments {@code C S}: after connection C it also checkpoints the capture (from a
 * connection of its own, as SQLite does now and then) and prints {@code checkpointed C}; after
 * connection S it prints {@code committed S} and then writes nothing more until it is killed.
 */
public final class WriterMain {
    static final long T0 = 1_700_000_000_000_000L;

    private WriterMain() {
    }

    static String conn(int i) {
        return "c" + i;
    }

    public static void main(String[] args) throws Exception {
        Path file = Path.of(args[0]);
        int checkpointAfter = args.length > 2 ? Integer.parseInt(args[1]) : -1;
        int stopAfter = args.length > 2 ? Integer.parseInt(args[2]) : Integer.MAX_VALUE;
        CaptureStore store = CaptureStore.create(file);
        long deadline = System.nanoTime() + 60_000_000_000L;
        for (int i = 1; System.nanoTime() < deadline; i++) {
            if (i <= stopAfter) {
                Sessions.feed(new Conversation(conn(i), store), Sessions.full(conn(i)), 50, T0 + i * 1_000_000L);
            }
            if (i == checkpointAfter) {
                store.sync();
                try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file); Statement s = c.createStatement()) {
                    s.execute("PRAGMA wal_checkpoint(PASSIVE)");
                }
                System.out.println("checkpointed " + i);
            }
            if (i % 5 == 0 && i <= stopAfter || i == stopAfter) {
                store.sync();
                System.out.println("committed " + i);
            }
            System.out.flush();
            if (i >= stopAfter) {
                Thread.sleep(100);
            }
        }
        System.exit(3);
    }
}
