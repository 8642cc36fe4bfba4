package dev.wsdebug.cli.output;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

/** An output stream that hands over whole lines, e.g. to print them above an input prompt. */
public final class LineOutput extends OutputStream {
    private final Consumer<String> lines;
    private final ByteArrayOutputStream buf = new ByteArrayOutputStream();

    public LineOutput(Consumer<String> lines) {
        this.lines = lines;
    }

    @Override
    public synchronized void write(int b) {
        if (b == '\n') {
            lines.accept(buf.toString(StandardCharsets.UTF_8));
            buf.reset();
        } else {
            buf.write(b);
        }
    }

    @Override
    public synchronized void write(byte[] b, int off, int len) {
        for (int i = 0; i < len; i++) {
            write(b[off + i]);
        }
    }
}
