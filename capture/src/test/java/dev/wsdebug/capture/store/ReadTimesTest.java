package dev.wsdebug.capture.store;

import dev.wsdebug.wire.Direction;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

class ReadTimesTest {
    private record Piece(Direction dir, int off, int len, long t) {
    }

    private static List<Piece> split(byte[] bytes, Direction first, long firstT, byte[] times) {
        List<Piece> out = new ArrayList<>();
        ReadTimes.split(bytes, first, firstT, times, (dir, off, len, t) -> out.add(new Piece(dir, off, len, t)));
        return out;
    }

    @Test
    void aSingleReadIsOnePieceAndNeedsNoTimes() {
        ReadTimes.Builder b = new ReadTimes.Builder();
        b.reset(1_000);
        assertThat(b.toBytes()).isNull();
        assertThat(split(new byte[10], Direction.S2C, 1_000, null)).containsExactly(new Piece(Direction.S2C, 0, 10, 1_000));
    }

    @Test
    void knownEncoding() {
        ReadTimes.Builder b = new ReadTimes.Builder();
        b.reset(1_000);
        b.add(3, Direction.S2C, 1_001);   // distance 3 -> 3 << 1 | 1 = 7; +1 -> zigzag 2
        b.add(203, Direction.C2S, 999);   // distance 200 -> 400 (two bytes: 90 03); -2 -> zigzag 3
        assertThat(b.toBytes()).containsExactly(0x07, 0x02, 0x90, 0x03, 0x03);
        assertThat(split(new byte[210], Direction.C2S, 1_000, b.toBytes())).containsExactly(
                new Piece(Direction.C2S, 0, 3, 1_000), new Piece(Direction.S2C, 3, 200, 1_001),
                new Piece(Direction.C2S, 203, 7, 999));
    }

    @Test
    void randomReadsComeBackExactly() {
        Random r = new Random(11);
        for (int round = 0; round < 500; round++) {
            int reads = 1 + r.nextInt(40);
            List<Piece> in = new ArrayList<>();
            ReadTimes.Builder b = new ReadTimes.Builder();
            long t = 1_700_000_000_000_000L + r.nextInt(1_000_000);
            int off = 0;
            b.reset(t);
            for (int i = 0; i < reads; i++) {
                int len = 1 + r.nextInt(i % 7 == 0 ? 70_000 : 300);
                Direction dir = r.nextBoolean() ? Direction.C2S : Direction.S2C;
                if (i > 0) {
                    t += r.nextInt(4) == 0 ? -r.nextInt(50) : r.nextInt(Integer.MAX_VALUE);
                    b.add(off, dir, t);
                }
                in.add(new Piece(dir, off, len, t));
                off += len;
            }
            assertThat(split(new byte[off], in.get(0).dir(), in.get(0).t(), b.toBytes())).as("round %d", round).isEqualTo(in);
        }
    }
}
