package dev.wsdebug.cli;

import dev.wsdebug.capture.peer.Peer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The interactive side of the packaged {@code connect} on a real terminal: util-linux
 * {@code script} gives it a pseudo-terminal, and the test types into it as a user would (a line,
 * /ping, /stats, /close with a code). Once over HTTP/1.1 against python websockets, once over an
 * HTTP/2 stream (RFC 8441) against Node's http2 server, since the shell must not care which.
 */
@Tag("packaged-jar")
class ConnectShellIT {
    private static final long WAIT_MILLIS = 20_000;

    @Test
    @Timeout(60)
    void typedLinesAndSlashCommandsOverHttp1() throws Exception {
        try (Peer echo = Peer.start(Peer.Kind.PYTHON_WEBSOCKETS)) {
            String screen = session("ws://127.0.0.1:" + echo.port() + "/shell");
            assertThat(screen).doesNotContain("over HTTP/2");
        }
    }

    @Test
    @Timeout(60)
    void typedLinesAndSlashCommandsOverAnHttp2Stream() throws Exception {
        Path script = Peer.repoRoot().resolve("sniff/src/test/resources/live/h2_ws_peer.js");
        Process node = new ProcessBuilder("node", script.toString(), "server").redirectErrorStream(true).start();
        try {
            String first = new java.io.BufferedReader(new java.io.InputStreamReader(node.getInputStream(),
                    StandardCharsets.UTF_8)).readLine();
            assertThat(first).as("the Node server's first line").startsWith("PORT ");
            String screen = session("ws://127.0.0.1:" + first.substring(5).trim() + "/shell", "--http2");
            assertThat(screen).contains("over HTTP/2, stream ");
        } finally {
            node.destroyForcibly();
            node.waitFor(5, TimeUnit.SECONDS);
        }
    }

    /**
     * Runs {@code connect URL EXTRA} on a pseudo-terminal, types a session into it and checks what
     * the screen showed; returns the screen.
     */
    private static String session(String url, String... extra) throws Exception {
        List<String> connect = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", WsdebugProcess.jar().toString(), "connect", url));
        connect.addAll(List.of(extra));
        // script runs the command on a new pseudo-terminal: System.console() is there, as for a user
        ProcessBuilder pb = new ProcessBuilder("script", "-q", "-e", "-c", shellQuote(connect), "/dev/null");
        pb.environment().put("LC_ALL", "C");
        pb.environment().put("TERM", "xterm");
        pb.environment().put("XDG_DATA_HOME", Files.createTempDirectory("wsdebug-shell").toString());
        pb.redirectErrorStream(true);
        Process p = pb.start();
        Screen screen = new Screen(p.getInputStream());
        try (OutputStream keys = p.getOutputStream()) {
            screen.await("type a message, /help for commands");
            type(keys, "hello from a terminal");
            screen.await("<- text 21 B");
            type(keys, "/ping");
            screen.await("pong: round trip");
            type(keys, "/stats");
            screen.await("received: 1 messages");
            type(keys, "/close 4000 bye");
            screen.await("closed 4000");
            assertThat(p.waitFor(WAIT_MILLIS, TimeUnit.MILLISECONDS)).as(screen.text()).isTrue();
        } finally {
            p.destroyForcibly();
        }
        String text = screen.text();
        assertThat(p.exitValue()).as(text).isZero();
        assertThat(text).contains("-> text 21 B", "\"hello from a terminal\"", "<- text 21 B")
                .containsPattern("-> ping 8 B: 00 00 00 00 00 00 00 01")
                .containsPattern("<- pong 8 B: 00 00 00 00 00 00 00 01")
                .contains("-> close 4000 Private Use (4000-4999) \"bye\"")
                .contains("<- close 4000 Private Use (4000-4999) \"bye\"")
                .containsPattern("closed: +4000 Private Use \\(4000-4999\\), initiated by the client \\(clean\\)")
                .as("the line being typed is shown after the prompt (the terminal has no size: 80 columns assumed)")
                .contains("> /close 4000 bye");
        return text;
    }

    private static void type(OutputStream keys, String line) throws IOException {
        keys.write((line + "\r").getBytes(StandardCharsets.UTF_8));
        keys.flush();
    }

    private static String shellQuote(List<String> args) {
        StringBuilder sb = new StringBuilder();
        for (String a : args) {
            sb.append(sb.isEmpty() ? "" : " ").append('\'').append(a.replace("'", "'\\''")).append('\'');
        }
        return sb.toString();
    }

    /** What the terminal showed so far, without colours and cursor movements; read on a thread of its own. */
    private static final class Screen {
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

        Screen(InputStream in) {
            Thread t = new Thread(() -> {
                byte[] buf = new byte[8192];
                try {
                    for (int n = in.read(buf); n >= 0; n = in.read(buf)) {
                        synchronized (bytes) {
                            bytes.write(buf, 0, n);
                        }
                    }
                } catch (IOException ignored) {
                    // the process ended
                }
            }, "terminal output");
            t.setDaemon(true);
            t.start();
        }

        String text() {
            String raw;
            synchronized (bytes) {
                raw = bytes.toString(StandardCharsets.UTF_8);
            }
            return raw.replaceAll("\u001b\\[[?0-9;]*[A-Za-z]", "").replaceAll("\u001b[=>]", "").replace("\r", "");
        }

        void await(String what) throws InterruptedException {
            long deadline = System.nanoTime() + WAIT_MILLIS * 1_000_000;
            while (!text().contains(what)) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("the terminal never showed \"" + what + "\":\n" + text());
                }
                Thread.sleep(20);
            }
        }
    }
}
