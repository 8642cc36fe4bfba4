package dev.wsdebug.cli.output;

import dev.wsdebug.capture.TranscriptStyle;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/** What the terminal can show: colour only on a terminal, non-ASCII only in a UTF-8 locale. */
public final class Terminal {
    private static final PrintStream STDOUT = new PrintStream(new FileOutputStream(FileDescriptor.out), false, StandardCharsets.UTF_8);
    private static final PrintStream STDERR = new PrintStream(new FileOutputStream(FileDescriptor.err), true, StandardCharsets.UTF_8);

    private Terminal() {
    }

    /** Standard output as UTF-8, buffered; flush before exit. */
    public static PrintStream stdout() {
        return STDOUT;
    }

    public static PrintStream stderr() {
        return STDERR;
    }

    /** True when stdin and stdout are a terminal. */
    public static boolean isTerminal() {
        return System.console() != null;
    }

    public static boolean colorFor(ColorMode mode) {
        return switch (mode) {
            case ALWAYS -> true;
            case NEVER -> false;
            case AUTO -> isTerminal() && System.getenv("NO_COLOR") == null && !"dumb".equals(System.getenv("TERM"));
        };
    }

    public static boolean utf8Locale() {
        for (String var : new String[] {"LC_ALL", "LC_CTYPE", "LANG"}) {
            String v = System.getenv(var);
            if (v != null && !v.isEmpty()) {
                String l = v.toLowerCase(Locale.ROOT);
                return l.contains("utf-8") || l.contains("utf8");
            }
        }
        return false;
    }

    /** The default transcript style for this terminal. */
    public static TranscriptStyle style(ColorMode mode) {
        return TranscriptStyle.plain().withColor(colorFor(mode)).withUnicode(utf8Locale());
    }

    /** --color values. */
    public enum ColorMode { AUTO, ALWAYS, NEVER }
}
