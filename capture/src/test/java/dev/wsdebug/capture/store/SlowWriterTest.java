package dev.wsdebug.capture.store;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.wsdebug.capture.Conversation;
import dev.wsdebug.capture.EventSink;
import dev.wsdebug.wire.Direction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A disk slower than the traffic: callers of the store wait for room only so long, and what did
 * not fit is missing from the capture in a way a reader shows.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class SlowWriterTest {
    private static final long T0 = 1_700_000_000_000_000L;
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private static int end(byte[] head) {
        return new String(head, StandardCharsets.ISO_8859_1).indexOf("\r\n\r\n") + 4;
    }

    @Test
    void aStalledWriterNeverHoldsTheTrafficUpAndTheReplaySaysWhatIsMissing() throws Exception {
        Path file = dir.resolve("stalled.wsdb");
        long wait = TimeUnit.MILLISECONDS.toNanos(300);
        byte[][] s = Sessions.full("stall");
        Sessions.Json live = new Sessions.Json();
        CaptureStore store = new CaptureStore(file, CaptureStore.DEFAULT_PAYLOAD_CAP, CaptureStore.DEFAULT_RAW_CAP, 4,
                1 << 20, wait);
        CaptureStore.Stall stall;
        int phase3Start;
        try {
            Conversation c = new Conversation("1", EventSink.all(live, store));
            long t = T0;
            // 1: the upgrade, with a writer that keeps up
            c.feed(Direction.C2S, t++, s[0], 0, end(s[0]));
            c.feed(Direction.S2C, t++, s[1], 0, end(s[1]));
            store.sync();
            // 2: the writer stops before its next transaction; the client's frames, 5 bytes a read
            stall = store.stallWriterForTest();
            long longest = 0;
            for (int pos = end(s[0]); pos < s[0].length; pos += 5) {
                long start = System.nanoTime();
                c.feed(Direction.C2S, t++, s[0], pos, Math.min(5, s[0].length - pos));
                longest = Math.max(longest, System.nanoTime() - start);
            }
            assertThat(stall.reached().await(10, TimeUnit.SECONDS)).as("the writer stalled").isTrue();
            assertThat(longest).as("the longest a read waited for the store").isLessThan(wait + TimeUnit.SECONDS.toNanos(5));
            assertThat(store.notRecorded()).startsWith("The capture store could not keep up (the disk was slower than"
                    + " the traffic): ").contains(" raw bytes of 1 connection and ").endsWith(" events were not recorded.");
            // 3: the disk is back; the server's frames are recorded as events
            stall.release().countDown();
            store.sync();
            phase3Start = live.text().lines().toList().size();
            c.feed(Direction.S2C, t++, s[1], end(s[1]), s[1].length - end(s[1]));
            c.end(t);
        } finally {
            store.close();
        }

        List<String> lived = live.text().lines().toList();
        Sessions.Json replayed = new Sessions.Json();
        CaptureReader.ConnectionInfo info;
        try (CaptureReader reader = CaptureReader.open(file)) {
            info = reader.connections().get(0);
            reader.replay(replayed);
        }
        assertThat(info.rawBytes() + info.rawDropped()).isEqualTo(s[0].length + s[1].length);
        assertThat(info.rawBytes()).isGreaterThan(end(s[0]) + end(s[1]));
        assertThat(info.rawDropped()).isPositive();

        List<String> lines = replayed.text().lines().toList();
        int notice = -1;
        for (int i = 0; i < lines.size() && notice < 0; i++) {
            if (lines.get(i).contains("\"kind\":\"input\"") && lines.get(i).contains("could not keep up")) {
                notice = i;
            }
        }
        assertThat(notice).as("the notice in %s", lines).isPositive();
        assertThat(field(lines.get(notice), "message")).isEqualTo("The capture store could not keep up with connection 1"
                + " (the disk was slower than the traffic), so its last " + info.rawDropped() + " raw bytes were not"
                + " recorded: what follows is shown as recorded, not decoded again.");
        // the bytes before the gap decode as they did live
        assertThat(lines.subList(0, notice)).isEqualTo(lived.subList(0, notice));
        assertThat(lines.get(0)).contains("\"event\":\"handshake\"");
        assertThat(lines.subList(0, notice)).anySatisfy(l -> assertThat(l).contains("\"event\":\"message\""));
        // the events of the stall after the gap are lost, and counted; what came after the stall is there
        int lost = phase3Start - notice;
        assertThat(lost).as("events the stall cost").isPositive();
        assertThat(lines.subList(notice + 1, lines.size() - 1)).isEqualTo(lived.subList(phase3Start, lived.size()));
        assertThat(lived.subList(phase3Start, lived.size())).anySatisfy(l -> assertThat(l).contains("\"event\":\"message\""));
        JsonNode report = JSON.readTree(lines.get(lines.size() - 1));
        assertThat(report.get("conn").isNull()).isTrue();
        assertThat(report.get("kind").asText()).isEqualTo("capture");
        assertThat(report.get("message").asText()).isEqualTo("The capture store could not keep up (the disk was slower"
                + " than the traffic): " + lost + " events were not recorded.");
    }

    private static String field(String line, String name) throws Exception {
        return JSON.readTree(line).get(name).asText();
    }

    /** A small queue makes callers wait for room all the time; a writer that keeps up loses nothing. */
    @Test
    void aWriterThatKeepsUpLosesNothing() throws Exception {
        Path file = dir.resolve("kept.wsdb");
        Sessions.Json live = new Sessions.Json();
        CaptureStore store = new CaptureStore(file, CaptureStore.DEFAULT_PAYLOAD_CAP, CaptureStore.DEFAULT_RAW_CAP, 4,
                1 << 20);
        try {
            long t = T0;
            for (int i = 0; i < 20; i++) {
                t = Sessions.feed(new Conversation("k" + i, EventSink.all(live, store)), Sessions.full("k" + i), 3 + i, t);
            }
        } finally {
            store.close();
        }
        assertThat(store.queueHighWater()).as("the queue was full").isGreaterThanOrEqualTo(4);
        assertThat(store.notRecorded()).isNull();
        Sessions.Json replayed = new Sessions.Json();
        try (CaptureReader reader = CaptureReader.open(file)) {
            reader.replay(replayed);
            assertThat(reader.connections()).hasSize(20).allSatisfy(c -> assertThat(c.rawDropped()).isZero());
        }
        assertThat(replayed.text()).isEqualTo(live.text());
        try (Connection db = DriverManager.getConnection("jdbc:sqlite:" + file); Statement st = db.createStatement();
             ResultSet rs = st.executeQuery("SELECT count(*) FROM errors WHERE kind = 'capture'")) {
            assertThat(rs.getInt(1)).isZero();
        }
    }
}
