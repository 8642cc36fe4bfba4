package dev.wsdebug.capture.store;

import dev.wsdebug.capture.Conversation;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** A writer killed with SIGKILL in the middle of writing leaves a file that opens and holds every commit. */
class KilledWriterTest {
    @TempDir
    Path dir;

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void aKilledWriterLeavesEveryCommittedConnection() throws Exception {
        Path file = dir.resolve("killed.wsdb");
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        ProcessBuilder pb = new ProcessBuilder(java.toString(), "-Xmx128m", "-cp", System.getProperty("java.class.path"),
                WriterMain.class.getName(), file.toString());
        pb.redirectError(dir.resolve("writer.err").toFile());
        Process p = pb.start();
        int committed = 0;
        try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while (committed < 40 && (line = out.readLine()) != null) {
                if (line.startsWith("committed ")) {
                    committed = Integer.parseInt(line.substring("committed ".length()));
                }
            }
            p.toHandle().destroyForcibly(); // SIGKILL: no shutdown hook, no close, mid-transaction
            assertThat(p.waitFor(20, TimeUnit.SECONDS)).isTrue();
        } finally {
            p.destroyForcibly();
        }
        assertThat(committed).as("the writer got going; its stderr: %s", Files.readString(dir.resolve("writer.err")))
                .isGreaterThanOrEqualTo(40);
        assertThat(p.exitValue()).as("killed by signal 9").isEqualTo(128 + 9);

        try (CaptureReader reader = CaptureReader.open(file)) {
            List<CaptureReader.ConnectionInfo> conns = reader.connections();
            assertThat(conns.size()).isGreaterThanOrEqualTo(committed);
            for (int i = 1; i <= committed; i++) {
                CaptureReader.ConnectionInfo c = conns.get(i - 1);
                assertThat(c.conn()).isEqualTo(WriterMain.conn(i));
                assertThat(c.frames()).as(c.conn()).isEqualTo(Sessions.FULL_FRAMES);
                assertThat(c.ended()).as(c.conn()).isTrue();
            }
            Sessions.Json live = new Sessions.Json();
            Sessions.feed(new Conversation("c7", live), Sessions.full("c7"), 50, WriterMain.T0 + 7 * 1_000_000L);
            Sessions.Json replayed = new Sessions.Json();
            reader.replay("c7", replayed);
            assertThat(replayed.text()).isEqualTo(live.text());
        }
        try (Connection db = DriverManager.getConnection("jdbc:sqlite:" + file); Statement s = db.createStatement();
             ResultSet rs = s.executeQuery("PRAGMA integrity_check")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString(1)).isEqualTo("ok");
        }
    }
}
