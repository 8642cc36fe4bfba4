package dev.wsdebug.sniff.tls;

/**
 * Reassembles one direction's handshake messages from the plaintext of its handshake records
 * (a message may span records, a record may hold several). Only the messages whose content is
 * used are kept, up to {@link #MAX_KEPT} bytes; the others (certificates above all) are counted
 * through, so memory stays bounded.
 */
final class HandshakeReader {
    static final int MAX_KEPT = 1 << 16;

    static final int CLIENT_HELLO = 1;
    static final int SERVER_HELLO = 2;
    static final int END_OF_EARLY_DATA = 5;
    static final int ENCRYPTED_EXTENSIONS = 8;
    static final int FINISHED = 20;
    static final int KEY_UPDATE = 24;

    interface Sink {
        /** A complete message; body is null when its content was not kept (not needed, or too long). */
        void message(int type, byte[] body, int len);
    }

    private final Sink sink;
    private final byte[] header = new byte[4];
    private int headerHave;
    private int type;
    private int remaining;
    private byte[] body;
    private int bodyHave;
    private boolean keeping;

    HandshakeReader(Sink sink) {
        this.sink = sink;
    }

    void feed(byte[] b, int off, int len) {
        int end = off + len;
        int i = off;
        while (i < end) {
            if (headerHave < 4) {
                header[headerHave++] = b[i++];
                if (headerHave == 4) {
                    start();
                }
                continue;
            }
            int n = Math.min(remaining, end - i);
            if (keeping) {
                System.arraycopy(b, i, body, bodyHave, n);
                bodyHave += n;
            }
            remaining -= n;
            i += n;
            if (remaining == 0) {
                finish();
            }
        }
    }

    private void start() {
        type = header[0] & 0xFF;
        remaining = (header[1] & 0xFF) << 16 | (header[2] & 0xFF) << 8 | (header[3] & 0xFF);
        boolean wanted = type == CLIENT_HELLO || type == SERVER_HELLO || type == ENCRYPTED_EXTENSIONS || type == KEY_UPDATE;
        keeping = wanted && remaining <= MAX_KEPT;
        bodyHave = 0;
        if (keeping && (body == null || body.length < remaining)) {
            body = new byte[Math.max(remaining, 256)];
        }
        if (remaining == 0) {
            finish();
        }
    }

    private void finish() {
        headerHave = 0;
        sink.message(type, keeping ? body : null, keeping ? bodyHave : 0);
    }
}
