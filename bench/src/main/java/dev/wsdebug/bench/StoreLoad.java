package dev.wsdebug.bench;

import dev.wsdebug.capture.Conversation;
import dev.wsdebug.capture.store.CaptureStore;
import dev.wsdebug.wire.Direction;
import dev.wsdebug.wire.FrameSpec;
import dev.wsdebug.wire.FrameWriter;
import dev.wsdebug.wire.Handshake;
import dev.wsdebug.wire.Opcode;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;

/**
 * The capture store alone, without sockets: CONNS conversations (handshake, then echo traffic of
 * SIZE-byte binary messages, 16 per read and direction, as a busy proxy reads them) feed a
 * {@link CaptureStore} from one thread through the same {@link Conversation} pipeline the proxy
 * uses. Prints, per round, how fast the traffic was recorded (raw bytes stored, the live events
 * decoded) and how long {@code sync} then took to derive the frame and message rows.
 *
 * <pre>java -cp bench/target/benchmarks.jar dev.wsdebug.bench.StoreLoad [CONNS 8] [ECHOES 400000] [SIZE 1024] [FILE] [ROUNDS 3]</pre>
 */
public final class StoreLoad {
    private static final int PER_READ = 16;

    private StoreLoad() {
    }

    public static void main(String[] args) throws Exception {
        int conns = args.length > 0 ? Integer.parseInt(args[0]) : 8;
        int echoes = args.length > 1 ? Integer.parseInt(args[1]) : 400_000;
        int size = args.length > 2 ? Integer.parseInt(args[2]) : 1024;
        Path file = args.length > 3 ? Path.of(args[3]) : Files.createTempFile("storeload", ".wsdb");
        int rounds = args.length > 4 ? Integer.parseInt(args[4]) : 3;
        if (conns < 1 || echoes < conns * PER_READ || size < 0 || size > 65535 || rounds < 1) {
            System.err.println("StoreLoad: CONNS >= 1, ECHOES >= 16 x CONNS, SIZE 0..65535, ROUNDS >= 1");
            System.exit(2);
        }
        FrameWriter w = new FrameWriter(new SplittableRandom(1));
        byte[] payload = new byte[size];
        new SplittableRandom(2).nextBytes(payload);
        byte[] c2s = new byte[PER_READ * (size + 14)];
        byte[] s2c = new byte[PER_READ * (size + 14)];
        int cl = 0;
        int sl = 0;
        for (int i = 0; i < PER_READ; i++) {
            cl += w.write(FrameSpec.of(Opcode.BINARY, payload).withMask(w.randomMaskKey()), c2s, cl);
            sl += w.write(FrameSpec.of(Opcode.BINARY, payload), s2c, sl);
        }
        String key = "dGhlIHNhbXBsZSBub25jZQ==";
        byte[] req = ("GET / HTTP/1.1\r\nHost: bench\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: "
                + key + "\r\nSec-WebSocket-Version: 13\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
        byte[] resp = ("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Accept: " + Handshake.acceptFor(key) + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
        int loops = echoes / PER_READ / conns;
        long n = (long) loops * PER_READ * conns;
        for (int round = 1; round <= rounds; round++) {
            Files.deleteIfExists(file);
            CaptureStore store = CaptureStore.create(file);
            Conversation[] cs = new Conversation[conns];
            for (int i = 0; i < conns; i++) {
                cs[i] = new Conversation(Integer.toString(i + 1), store).endpoints("127.0.0.1:1", "127.0.0.1:2");
                cs[i].feed(Direction.C2S, System.currentTimeMillis() * 1000, req);
                cs[i].feed(Direction.S2C, System.currentTimeMillis() * 1000, resp);
            }
            long t0 = System.nanoTime();
            for (int l = 0; l < loops; l++) {
                for (Conversation c : cs) {
                    long t = System.currentTimeMillis() * 1000;
                    c.feed(Direction.C2S, t, c2s, 0, cl);
                    c.feed(Direction.S2C, t, s2c, 0, sl);
                }
            }
            long t1 = System.nanoTime();
            store.sync();
            long t2 = System.nanoTime();
            store.close();
            double fed = (t1 - t0) / 1e9;
            double indexed = (t2 - t1) / 1e9;
            System.out.printf("round %d: %d echoes of %d B over %d conns: recorded in %.2f s (%.0f echoes/s, %.0f MB/s raw),"
                    + " rows derived by sync in %.2f s more (%.0f messages/s); file %d MB%n", round, n, size, conns, fed,
                    n / fed, 2.0 * n * (size + 8) / fed / 1e6, indexed, 2 * n / Math.max(indexed, 1e-9),
                    Files.size(file) >> 20);
        }
        Files.deleteIfExists(file);
    }
}
