package dev.wsdebug.capture.fuzz;

import java.util.Arrays;

/**
 * The byte layout every fuzz target in this package reads, so that seed files can be written by
 * hand (see {@link SeedCorpus}) and a finding reads as what it is:
 *
 * <pre>
 *   byte 0        options, each target defines its bits
 *   byte 1        n, the length of the chunk plan (cut to what is there)
 *   bytes 2..n+1  the chunk plan: feed sizes used in turn, cyclically; 0 is an empty feed,
 *                 0xff means "the rest of the current segment"
 *   the rest      the target's data
 * </pre>
 *
 * A plain {@code byte[]} rather than Jazzer's {@code FuzzedDataProvider}, which takes its numbers
 * from the end of the input: here the seeds are the hex vectors of the unit tests, readable from
 * the front. Inputs longer than {@link #MAX_INPUT} are cut, which bounds memory per input.
 */
record FuzzInput(int options, int[] plan, byte[] data) {
    /** At most this many input bytes are used (libFuzzer's own -max_len is larger only with large seeds). */
    static final int MAX_INPUT = 256 * 1024;
    /** A plan entry meaning "the rest of the segment". */
    static final int REST = -1;
    /** Feeds every segment in one call. */
    static final int[] WHOLE = {REST};
    /** Feeds one byte at a time. */
    static final int[] BYTE_BY_BYTE = {1};

    static FuzzInput parse(byte[] input) {
        int len = Math.min(input.length, MAX_INPUT);
        int options = len > 0 ? input[0] & 0xFF : 0;
        int n = len > 1 ? Math.min(input[1] & 0xFF, len - 2) : 0;
        int[] plan = new int[n];
        for (int i = 0; i < n; i++) {
            int b = input[2 + i] & 0xFF;
            plan[i] = b == 0xFF ? REST : b;
        }
        int start = Math.min(len, 2 + n);
        return new FuzzInput(options, plan.length == 0 ? WHOLE : plan, Arrays.copyOfRange(input, start, len));
    }

    /** The bytes of a seed file: options, plan, data. */
    static byte[] encode(int options, int[] plan, byte[] data) {
        byte[] out = new byte[2 + plan.length + data.length];
        out[0] = (byte) options;
        out[1] = (byte) plan.length;
        for (int i = 0; i < plan.length; i++) {
            out[2 + i] = (byte) (plan[i] == REST ? 0xFF : plan[i]);
        }
        System.arraycopy(data, 0, out, 2 + plan.length, data.length);
        return out;
    }

    /** The data repeated (cyclically) to this length. */
    static byte[] repeat(byte[] data, int length) {
        byte[] out = new byte[length];
        for (int i = 0; i < length; i++) {
            out[i] = data[i % data.length];
        }
        return out;
    }

    /** Receives one feed: a range of the segment being split. */
    interface Feed {
        void feed(int off, int len);
    }

    /**
     * Splits segments into feeds by a plan; the position in the plan carries over from one
     * segment to the next. An empty segment gets no feed. Zero-size entries make empty feeds, and
     * a whole round of the plan without progress feeds the rest, so every plan terminates.
     */
    static final class Chunker {
        private final int[] plan;
        private int next;

        Chunker(int[] plan) {
            this.plan = plan;
        }

        void split(int len, Feed feed) {
            int pos = 0;
            int idle = 0;
            while (pos < len) {
                int size = plan[next];
                next = (next + 1) % plan.length;
                if (size == REST) {
                    size = len - pos;
                } else if (size == 0) {
                    feed.feed(pos, 0);
                    if (++idle < plan.length) {
                        continue;
                    }
                    size = len - pos;
                }
                idle = 0;
                size = Math.min(size, len - pos);
                feed.feed(pos, size);
                pos += size;
            }
        }
    }
}
