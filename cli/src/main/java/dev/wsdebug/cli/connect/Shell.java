package dev.wsdebug.cli.connect;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.wsdebug.cli.options.HexInput;
import dev.wsdebug.net.client.ClientSession;
import dev.wsdebug.wire.CloseCodes;
import org.jline.reader.EndOfFileException;
import org.jline.reader.LineReader;
import org.jline.reader.LineReaderBuilder;
import org.jline.reader.UserInterruptException;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The interactive side of {@code connect}: a prompt with line editing and history; a typed line is
 * sent as a text message, slash commands do the rest. Incoming traffic is printed above the
 * prompt so the line being typed is never garbled.
 */
public final class Shell implements AutoCloseable {
    static final String HELP = String.join("\n",
            "  TEXT                  send TEXT as a text message (start with // to send a leading /)",
            "  /ping [DATA]          send a ping (without DATA: one whose pong reports the round trip)",
            "  /pong [DATA]          send an unsolicited pong",
            "  /close [CODE [REASON]] start the close handshake (default 1000) and quit",
            "  /binary HEX           send a binary message given as hex",
            "  /file PATH            send a file's bytes as a binary message",
            "  /json {...}           check that the text is JSON, then send it",
            "  /stats                messages and bytes so far",
            "  /help                 this list");

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Terminal terminal;
    private final LineReader reader;
    private volatile boolean remoteClosed;

    public Shell() {
        try {
            terminal = TerminalBuilder.builder().system(true).build();
            if (terminal.getWidth() <= 0) {
                // a pseudo-terminal nobody gave a size (script(1) without a parent terminal, some CI
                // runners): line editing in zero columns shows only dots, so assume the classic size
                terminal.setSize(new org.jline.terminal.Size(80, 24));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        reader = LineReaderBuilder.builder().terminal(terminal).appName("wsdebug")
                .variable(LineReader.HISTORY_FILE, historyFile())
                .build();
    }

    private static Path historyFile() {
        String xdg = System.getenv("XDG_DATA_HOME");
        Path dir = xdg != null && !xdg.isBlank() ? Path.of(xdg, "wsdebug")
                : Path.of(System.getProperty("user.home"), ".local", "share", "wsdebug");
        try {
            Files.createDirectories(dir);
        } catch (IOException ignored) {
            // no history file then; editing still works
        }
        return dir.resolve("history");
    }

    /** Prints a line above the prompt (any thread). */
    public void printAbove(String line) {
        reader.printAbove(line);
    }

    /**
     * Reads commands until the user quits or the connection closes.
     *
     * @return true when the user asked to quit
     */
    public boolean run(ClientSession session, int closeCode, String closeReason, java.util.function.Supplier<String> stats) {
        session.closed().whenComplete((c, t) -> {
            remoteClosed = true;
            // wake the prompt: readLine returns through UserInterruptException
            terminal.raise(Terminal.Signal.INT);
        });
        printAbove("connected; type a message, /help for commands, Ctrl-D to close");
        while (true) {
            String line;
            try {
                line = reader.readLine("> ");
            } catch (UserInterruptException | EndOfFileException e) {
                if (!remoteClosed) {
                    session.close(closeCode, closeReason);
                }
                return !remoteClosed;
            }
            if (remoteClosed) {
                return false;
            }
            if (line.isEmpty()) {
                continue;
            }
            if (command(session, line, stats)) {
                return true;
            }
        }
    }

    /** Runs one input line; returns true when it closes the connection. */
    private boolean command(ClientSession session, String line, java.util.function.Supplier<String> stats) {
        if (!line.startsWith("/") || line.startsWith("//")) {
            session.sendText(line.startsWith("//") ? line.substring(1) : line);
            return false;
        }
        String[] parts = line.split("\\s+", 2);
        String arg = parts.length > 1 ? parts[1] : "";
        switch (parts[0]) {
            case "/ping" -> session.ping(arg.isEmpty() ? null : arg.getBytes(StandardCharsets.UTF_8));
            case "/pong" -> session.pong(arg.getBytes(StandardCharsets.UTF_8), true);
            case "/close", "/quit", "/exit" -> {
                String[] c = arg.isEmpty() ? new String[0] : arg.split("\\s+", 2);
                int code = CloseCodes.NORMAL;
                if (c.length > 0) {
                    try {
                        code = Integer.parseInt(c[0]);
                    } catch (NumberFormatException e) {
                        printAbove("/close needs a numeric code, e.g. /close 1000 bye");
                        return false;
                    }
                }
                session.close(code, c.length > 1 ? c[1] : "");
                return true;
            }
            case "/binary" -> {
                HexInput hex = HexInput.parse(arg);
                if (hex.problem() != null) {
                    printAbove(hex.problem().replace("--hex", "/binary"));
                } else {
                    session.sendBinary(hex.bytes());
                }
            }
            case "/file" -> {
                try {
                    session.sendBinary(Files.readAllBytes(Path.of(arg.trim())));
                } catch (IOException | RuntimeException e) {
                    printAbove("cannot read " + arg.trim() + ": " + e.getMessage());
                }
            }
            case "/json" -> {
                try {
                    JSON.readTree(arg);
                    session.sendText(arg);
                } catch (JsonProcessingException e) {
                    String why = e.getOriginalMessage();
                    int cut = why.indexOf(" (start marker");
                    printAbove("not sent, invalid JSON at column " + e.getLocation().getColumnNr() + ": "
                            + (cut > 0 ? why.substring(0, cut) : why));
                }
            }
            case "/stats" -> printAbove(stats.get());
            case "/help" -> printAbove(HELP);
            default -> printAbove("unknown command " + parts[0] + "; /help lists them");
        }
        return false;
    }

    @Override
    public void close() {
        try {
            terminal.close();
        } catch (IOException ignored) {
            // the terminal is going away anyway
        }
    }
}
