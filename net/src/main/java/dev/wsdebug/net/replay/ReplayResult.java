package dev.wsdebug.net.replay;

import dev.wsdebug.capture.replay.Comparison;

import java.util.List;

/**
 * How one recorded connection replayed.
 *
 * @param recordedConn the connection's id in the capture
 * @param url          where it was replayed
 * @param failure      one sentence when the connection could not be opened (then {@code comparison} is null)
 * @param comparison   the server's answers against the recording
 * @param notes        what the replay had to do differently (a reply that never came, a truncated message)
 */
public record ReplayResult(String recordedConn, String url, String failure, Comparison.Result comparison,
                           List<String> notes) {
    public boolean equal() {
        return failure == null && comparison.equal();
    }
}
