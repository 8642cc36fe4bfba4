package dev.wsdebug.net.proxy;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The fault relay's held input: stream offsets in, slices out, released bytes forgotten. */
class HeldInputTest {
    @Test
    void slicesByStreamOffsetFromItsBase() {
        HeldInput in = new HeldInput(100);
        in.append(new byte[] {9, 1, 2, 3, 9}, 1, 3);
        in.append(new byte[] {4, 5}, 0, 2);

        assertThat(in.end()).isEqualTo(105);
        assertThat(in.slice(101, 104)).containsExactly(2, 3, 4);
        assertThat(in.slice(103, 103)).isEmpty();
    }

    @Test
    void releasedBytesAreForgottenAndOffsetsStay() {
        HeldInput in = new HeldInput(0);
        in.append(new byte[] {1, 2, 3, 4, 5}, 0, 5);
        in.release(3);
        in.append(new byte[] {6}, 0, 1);

        assertThat(in.end()).isEqualTo(6);
        assertThat(in.slice(3, 6)).containsExactly(4, 5, 6);
        assertThatThrownBy(() -> in.slice(2, 4)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not held");
        in.release(2); // already gone: nothing happens
        in.release(10); // beyond the end: everything held goes
        assertThat(in.end()).isEqualTo(6);
        assertThatThrownBy(() -> in.slice(5, 6)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aBufferGrownForOneLargeFrameStillSlicesAfterShrinking() {
        HeldInput in = new HeldInput(0);
        byte[] big = new byte[300_000];
        for (int i = 0; i < big.length; i++) {
            big[i] = (byte) i;
        }
        in.append(big, 0, big.length);
        in.release(299_990);

        assertThat(in.slice(299_990, 300_000)).containsExactly(java.util.Arrays.copyOfRange(big, 299_990, 300_000));
        in.append(new byte[] {7}, 0, 1);
        assertThat(in.slice(299_999, 300_001)).containsExactly(big[299_999], 7);
    }
}
