package dev.wsdebug.capture.store;

import dev.wsdebug.capture.Conversation;
import dev.wsdebug.capture.ErrorEvent;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A capture its writer did not close (killed, or still writing) says so when it is read, with or
 * without its -wal file, and reading it changes nothing and leaves nothing beside it.
 */
class UncleanCaptureTest {
    private static final int CHECKPOINTED = 10;
    private static final int COMMITTED = 18;

    @TempDir
    Path dir;

    /** Runs a WriterMain that checkpoints after CHECKPOINTED connections, commits COMMITTED, then is killed. */
    private Path killedCapture() throws Exception {
        Path file = dir.resolve("killed.wsdb");
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        ProcessBuilder pb = new ProcessBuilder(java.toString(), "-Xmx128m", "-cp", System.getProperty("java.class.path"),
                WriterMain.class.getName(), file.toString(), Integer.toString(CHECKPOINTED), Integer.toString(COMMITTED));
        pb.redirectError(dir.resolve("writer.err").toFile());
        Process p = pb.start();
        boolean checkpointed = false;
        boolean committed = false;
        try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while (!committed && (line = out.readLine()) != null) {
                checkpointed |= line.equals("checkpointed " + CHECKPOINTED);
                committed = line.equals("committed " + COMMITTED);
            }
            p.toHandle().destroyForcibly(); // SIGKILL: no shutdown hook, no close
            assertThat(p.waitFor(20, TimeUnit.SECONDS)).isTrue();
        } finally {
            p.destroyForcibly();
        }
        assertThat(checkpointed && committed).as("the writer got there; its stderr: %s",
                Files.readString(dir.resolve("writer.err"))).isTrue();
        assertThat(p.exitValue()).as("killed by signal 9").isEqualTo(128 + 9);
        assertThat(Path.of(file + "-wal")).exists();
        assertThat(Path.of(file + "-shm")).exists();
        return file;
    }

    /** Every file in the directory with a hash of its content. */
    private static Map<String, String> contents(Path d) throws Exception {
        Map<String, String> out = new TreeMap<>();
        try (var files = Files.list(d)) {
            for (Path f : files.toList()) {
                if (Files.isRegularFile(f) && !f.getFileName().toString().equals("writer.err")) {
                    out.put(f.getFileName().toString(), HexFormat.of().formatHex(
                            MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(f))));
                }
            }
        }
        return out;
    }

    private record Read(String warning, ErrorEvent event, List<CaptureReader.ConnectionInfo> conns, String json) {
    }

    private static Read read(Path file) {
        try (CaptureReader r = CaptureReader.open(file)) {
            Sessions.Json json = new Sessions.Json();
            r.replay(json);
            return new Read(r.warning(), r.warningEvent(), r.connections(), json.text());
        }
    }

    private static long messages(Read r) {
        return r.json().lines().filter(l -> l.contains("\"event\":\"message\"")).count();
    }

    @Test
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void aKilledCaptureSaysSoWithItsWalAndWithoutIt() throws Exception {
        Path file = killedCapture();
        Map<String, String> before = contents(dir);

        // 1: in place, with its -wal (and -shm) file
        Read full = read(file);
        assertThat(full.warning()).isEqualTo(file + " is still being written (or its writer stopped without closing"
                + " it): showing what was committed so far.");
        assertThat(full.event().conn()).isNull();
        assertThat(full.event().kind()).isEqualTo("capture");
        assertThat(full.event().message()).isEqualTo(full.warning());
        assertThat(full.conns()).hasSize(COMMITTED);
        // the -shm file is SQLite's index of the -wal file, shared by whoever has it open: a reader may rebuild it
        Map<String, String> after = contents(dir);
        assertThat(after.keySet()).as("nothing new").isEqualTo(before.keySet());
        assertThat(after.get("killed.wsdb")).as("the file unchanged").isEqualTo(before.get("killed.wsdb"));
        assertThat(after.get("killed.wsdb-wal")).as("its -wal file unchanged").isEqualTo(before.get("killed.wsdb-wal"));

        // 2: the main file alone, copied elsewhere: what the last checkpoint put in it
        Path alone = Files.createDirectory(dir.resolve("alone #1 %20")).resolve("copy ?.wsdb"); // characters a URI escapes
        Files.copy(file, alone);
        Read part = read(alone);
        assertThat(part.warning()).isEqualTo(alone + " was not closed cleanly and its -wal file is missing: whatever"
                + " its writer committed after its last checkpoint is not in this copy, so some traffic may be missing.");
        assertThat(part.conns()).hasSize(CHECKPOINTED);
        assertThat(messages(part)).isLessThan(messages(full)).isPositive();
        assertThat(contents(alone.getParent())).as("nothing beside the copy, which is unchanged")
                .isEqualTo(Map.of("copy ?.wsdb", before.get("killed.wsdb")));

        // 3: the main file and its -wal, without the -shm
        Path pair = Files.createDirectory(dir.resolve("pair")).resolve("copy.wsdb");
        Files.copy(file, pair);
        Files.copy(Path.of(file + "-wal"), Path.of(pair + "-wal"));
        Read again = read(pair);
        assertThat(again.warning()).startsWith(pair + " is still being written");
        assertThat(again.conns()).hasSize(COMMITTED);
        assertThat(again.json()).isEqualTo(full.json());
        assertThat(contents(pair.getParent())).as("no -shm created, nothing changed")
                .isEqualTo(Map.of("copy.wsdb", before.get("killed.wsdb"), "copy.wsdb-wal", before.get("killed.wsdb-wal")));

        // the connection cut by the checkpoint-less copy is whole in the full read, as written
        Sessions.Json live = new Sessions.Json();
        Sessions.feed(new Conversation("c" + COMMITTED, live), Sessions.full("c" + COMMITTED), 50,
                WriterMain.T0 + COMMITTED * 1_000_000L);
        Sessions.Json replayed = new Sessions.Json();
        try (CaptureReader r = CaptureReader.open(file)) {
            r.replay("c" + COMMITTED, replayed);
        }
        assertThat(replayed.text()).isEqualTo(live.text());
    }

    @Test
    void aCaptureStillBeingWrittenSaysSoAndACleanOneDoesNot() throws Exception {
        Path file = dir.resolve("open.wsdb");
        try (CaptureStore store = CaptureStore.create(file)) {
            Sessions.feed(new Conversation("1", store), Sessions.full("one"), 100, WriterMain.T0);
            store.sync();
            Read open = read(file);
            assertThat(open.warning()).startsWith(file + " is still being written");
            assertThat(open.conns()).hasSize(1);

            // a copy taken now without the -wal file holds the tables, not the traffic
            Path alone = Files.createDirectory(dir.resolve("alone")).resolve("early.wsdb");
            Files.copy(file, alone);
            Read empty = read(alone);
            assertThat(empty.warning()).startsWith(alone + " was not closed cleanly and its -wal file is missing");
            assertThat(empty.conns()).isEmpty();
            assertThat(alone.getParent().toFile().list()).containsExactly("early.wsdb");
        }
        Map<String, String> closed = contents(dir);
        assertThat(closed).containsOnlyKeys("open.wsdb");
        Read clean = read(file);
        assertThat(clean.warning()).isNull();
        assertThat(clean.event()).isNull();
        assertThat(clean.conns()).hasSize(1);
        assertThat(clean.json()).doesNotContain("\"kind\":\"capture\"");
        assertThat(contents(dir)).as("reading a closed capture leaves nothing beside it").isEqualTo(closed);
    }

    /** A copy from before the writer's first checkpoint (older writers did not make one): one sentence. */
    @Test
    void aCopyWithoutTablesOrWalIsRefusedWithOneSentence() throws Exception {
        Path file = dir.resolve("bare.wsdb");
        Path copy = dir.resolve("bare-copy.wsdb");
        try (var c = java.sql.DriverManager.getConnection("jdbc:sqlite:" + file); var s = c.createStatement()) {
            s.execute("PRAGMA application_id = " + Schema.APPLICATION_ID);
            s.executeQuery("PRAGMA journal_mode = WAL").close();
            s.execute(Schema.TABLES.get(0)); // into the -wal file only
            Files.copy(file, copy);
        }
        byte[] head = Files.readAllBytes(copy);
        assertThat(new byte[] {head[18], head[19]}).as("a WAL-mode header").containsExactly(2, 2);
        assertThatThrownBy(() -> CaptureReader.open(copy)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage(copy + " was not closed cleanly and its -wal file is missing, which holds all of it: copy"
                        + " the -wal file along with it.");
    }
}
