package dev.wsdebug.wire;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

class ChunkedBodyTest {
    private static final String BODY = "4\r\nWiki\r\n6;ext=1\r\npedia \r\nE\r\nin \r\n\r\nchunks.\r\n0\r\nX-Trailer: yes\r\n\r\n";

    private static String read(ChunkedBody c, byte[] in, int piece, int[] used) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int off = 0; off < in.length; off += piece) {
            int n = Math.min(piece, in.length - off);
            used[0] += c.feed(in, off, n, out::write);
        }
        return out.toString(StandardCharsets.ISO_8859_1);
    }

    @Test
    void theDataOfEveryChunkWhateverThePieces() {
        byte[] in = (BODY + "NEXT").getBytes(StandardCharsets.ISO_8859_1);
        for (int piece = 1; piece <= in.length; piece++) {
            ChunkedBody c = new ChunkedBody();
            int[] used = {0};
            assertThat(read(c, in, piece, used)).as("pieces of %d", piece).isEqualTo("Wikipedia in \r\n\r\nchunks.");
            assertThat(c.done()).isTrue();
            assertThat(used[0]).as("stops at the end of the body").isEqualTo(BODY.length());
        }
    }

    @Test
    void bareLineFeedsAndNoTrailers() {
        ChunkedBody c = new ChunkedBody();
        byte[] in = "3\nabc\n0\n\n".getBytes(StandardCharsets.ISO_8859_1);
        assertThat(read(c, in, in.length, new int[1])).isEqualTo("abc");
        assertThat(c.done()).isTrue();
    }

    @Test
    void notChunkedIsBroken() {
        ChunkedBody c = new ChunkedBody();
        byte[] in = "zz\r\nabc".getBytes(StandardCharsets.ISO_8859_1);
        assertThat(read(c, in, in.length, new int[1])).isEmpty();
        assertThat(c.broken()).isTrue();
        assertThat(c.done()).isFalse();
    }
}
