package dev.wsdebug.capture.store;

import dev.wsdebug.capture.Conversation;
import dev.wsdebug.capture.ErrorEvent;
import dev.wsdebug.capture.Event;
import dev.wsdebug.capture.EventSink;
import dev.wsdebug.capture.FlowEvent;
import dev.wsdebug.wire.Direction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Flow facts (schema 4): stored as they happen, replayed in their place among the connection's other events. */
class FlowRowsTest {
    private static final long T0 = 1_700_000_000_000_000L;
    private static final String[] KINDS = {FlowEvent.ZERO_WINDOW, FlowEvent.WINDOW_OPEN, FlowEvent.ACK_WAIT,
            FlowEvent.HELD, FlowEvent.DRAINED};

    @TempDir
    Path dir;

    /**
     * Each way a connection can be read back: decoded again from its raw bytes (no cap), decoded up
     * to the raw cap then from its rows (400), only from its rows (0); and a connection whose source
     * handed over events without raw bytes. The replay, less the notices it adds, is the live view.
     */
    @Test
    void aReplayHasTheFlowFactsWhereTheLiveViewHadThem() throws Exception {
        for (long cap : new long[] {CaptureStore.DEFAULT_RAW_CAP, 400, 0}) {
            Path file = dir.resolve("flow-" + cap + ".wsdb");
            Sessions.Json liveJson = new Sessions.Json();
            List<Event> live = new ArrayList<>();
            try (CaptureStore store = new CaptureStore(file, CaptureStore.DEFAULT_PAYLOAD_CAP, cap)) {
                EventSink sinks = EventSink.all(liveJson, live::add, store);
                long t = session(new Conversation("1", sinks), sinks, T0);
                EventSink eventsOnly = e -> sinks.accept(e); // no chunks: the store keeps the events themselves
                session(new Conversation("2", eventsOnly), eventsOnly, t + 10_000);
            }
            Sessions.Json replayedJson = new Sessions.Json();
            List<Event> replayed = new ArrayList<>();
            try (CaptureReader reader = CaptureReader.open(file)) {
                assertThat(reader.schemaVersion()).isEqualTo(Schema.VERSION);
                reader.replay(EventSink.all(replayedJson, replayed::add));
            }
            assertThat(flows(live)).as("cap %d", cap).hasSizeGreaterThan(2 * 8);
            assertThat(flows(replayed)).as("cap %d", cap).isEqualTo(flows(live));
            assertThat(flowLines(replayedJson.text())).as("cap %d", cap).isEqualTo(flowLines(liveJson.text()));
            assertThat(withoutNotices(replayedJson.text())).as("cap %d", cap).isEqualTo(liveJson.text());
        }
    }

    @Test
    void aFlowRowHoldsEveryField() throws Exception {
        Path file = dir.resolve("row.wsdb");
        try (CaptureStore store = CaptureStore.create(file)) {
            store.accept(new FlowEvent("7", T0, Direction.S2C, FlowEvent.ZERO_WINDOW, -1, 0));
            store.accept(new FlowEvent("7", T0 + 5, Direction.C2S, FlowEvent.ACK_WAIT, 36, 40_000));
            store.accept(new FlowEvent(null, T0 + 6, Direction.C2S, FlowEvent.HELD, 1, 1)); // no row can hold it
        }
        try (Connection db = DriverManager.getConnection("jdbc:sqlite:" + file); Statement s = db.createStatement();
             ResultSet rs = s.executeQuery("SELECT conn, t, dir, kind, bytes, duration_us FROM flow ORDER BY ord")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString(1)).isEqualTo("7");
            assertThat(rs.getLong(2)).isEqualTo(T0);
            assertThat(rs.getString(3)).isEqualTo("s2c");
            assertThat(rs.getString(4)).isEqualTo("zero-window");
            assertThat(rs.getLong(5)).isEqualTo(-1);
            assertThat(rs.getLong(6)).isZero();
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString(3)).isEqualTo("c2s");
            assertThat(rs.getLong(5)).isEqualTo(36);
            assertThat(rs.getLong(6)).isEqualTo(40_000);
            assertThat(rs.next()).isFalse();
        }
    }

    /**
     * A session with flow facts before its first byte, after every fourth read (between reads, so
     * that times tell their place), beside an error its source reported, and after its end.
     *
     * @return the time after the session
     */
    private static long session(Conversation conv, EventSink sinks, long t0) {
        conv.flow(t0 - 10, Direction.S2C, FlowEvent.ZERO_WINDOW, -1, 0);
        int[] reads = {0};
        long t = Sessions.feedOnly(conv, Sessions.full("flow"), 16, t0, readAt -> {
            int n = reads[0]++;
            if (n % 4 == 3) {
                conv.flow(readAt + 500, n % 8 == 3 ? Direction.C2S : Direction.S2C, KINDS[n / 4 % KINDS.length],
                        n % 3 == 0 ? -1 : n * 100L, n * 7L);
            }
        });
        sinks.accept(new ErrorEvent(conv.conn(), t + 100, "io", "Connection reset by peer."));
        conv.flow(t + 200, Direction.S2C, FlowEvent.HELD, 4096, 1_500);
        conv.end(t + 300);
        conv.flow(t + 400, Direction.S2C, FlowEvent.DRAINED, 4096, 2_500);
        return t + 1_000;
    }

    private static List<FlowEvent> flows(List<Event> events) {
        return events.stream().filter(FlowEvent.class::isInstance).map(FlowEvent.class::cast).toList();
    }

    private static List<String> flowLines(String json) {
        return json.lines().filter(l -> l.contains("\"event\":\"flow\"")).toList();
    }

    /** The replay's own {@code input} notices (raw cap, no raw bytes), which the live view never had. */
    private static String withoutNotices(String json) {
        return json.lines().filter(l -> !l.contains("\"kind\":\"input\"")).map(l -> l + "\n")
                .reduce("", String::concat);
    }
}
