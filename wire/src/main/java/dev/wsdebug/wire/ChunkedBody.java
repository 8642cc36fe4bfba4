package dev.wsdebug.wire;

/**
 * Reads an HTTP/1.1 chunked body (RFC 9112 7.1) fed in pieces of any size, handing on the data of
 * each chunk: chunk sizes, extensions, the CRLF after each chunk and the trailer section are
 * consumed. A proxy that turns an HTTP/1.1 response into HTTP/2 DATA needs the data alone, since
 * HTTP/2 frames the body itself.
 */
public final class ChunkedBody {
    /** Receives the body's data, in order. */
    public interface Data {
        void data(byte[] b, int off, int len);
    }

    private enum State { SIZE, EXTENSION, SIZE_LF, DATA, DATA_CR, DATA_LF, TRAILER, TRAILER_LINE, DONE, BROKEN }

    private State state = State.SIZE;
    private long size;
    private int sizeDigits;
    /** Bytes of the current trailer line (0: the empty line that ends the body). */
    private int trailerLine;

    /**
     * Feeds bytes of the body.
     *
     * @return how many were part of it: fewer than {@code len} once the body has ended
     */
    public int feed(byte[] b, int off, int len, Data out) {
        int i = off;
        int end = off + len;
        while (i < end && state != State.DONE && state != State.BROKEN) {
            byte c = b[i];
            switch (state) {
                case SIZE -> {
                    int d = Character.digit(c, 16);
                    if (d >= 0 && sizeDigits < 15) {
                        size = size * 16 + d;
                        sizeDigits++;
                    } else if (sizeDigits > 0 && (c == ';' || c == ' ' || c == '\t')) {
                        state = State.EXTENSION;
                    } else if (sizeDigits > 0 && c == '\r') {
                        state = State.SIZE_LF;
                    } else if (sizeDigits > 0 && c == '\n') {
                        sizeDone();
                    } else {
                        state = State.BROKEN;
                    }
                    i++;
                }
                case EXTENSION -> {
                    if (c == '\n') {
                        sizeDone();
                    }
                    i++;
                }
                case SIZE_LF -> {
                    if (c == '\n') {
                        sizeDone();
                    } else {
                        state = State.BROKEN;
                    }
                    i++;
                }
                case DATA -> {
                    int n = (int) Math.min(size, end - i);
                    out.data(b, i, n);
                    i += n;
                    size -= n;
                    if (size == 0) {
                        state = State.DATA_CR;
                    }
                }
                case DATA_CR -> {
                    state = c == '\r' ? State.DATA_LF : c == '\n' ? State.SIZE : State.BROKEN;
                    i++;
                }
                case DATA_LF -> {
                    state = c == '\n' ? State.SIZE : State.BROKEN;
                    i++;
                }
                case TRAILER, TRAILER_LINE -> {
                    if (c == '\n') {
                        state = trailerLine == 0 ? State.DONE : State.TRAILER;
                        trailerLine = 0;
                    } else if (c != '\r') {
                        trailerLine++;
                    }
                    i++;
                }
                default -> i++;
            }
        }
        return i - off;
    }

    private void sizeDone() {
        sizeDigits = 0;
        if (size == 0) {
            state = State.TRAILER;
            trailerLine = 0;
        } else {
            state = State.DATA;
        }
    }

    /** The last chunk and the trailer section have been read. */
    public boolean done() {
        return state == State.DONE;
    }

    /** The bytes were not chunked encoding; nothing more is read. */
    public boolean broken() {
        return state == State.BROKEN;
    }
}
