package dev.wsdebug.capture.replay;

import dev.wsdebug.capture.CloseEvent;
import dev.wsdebug.capture.Event;
import dev.wsdebug.capture.EventSink;
import dev.wsdebug.capture.FrameEvent;
import dev.wsdebug.capture.HandshakeEvent;
import dev.wsdebug.capture.MessageEvent;
import dev.wsdebug.wire.Frame;
import dev.wsdebug.wire.Opcode;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The WebSocket connections of a capture as a replay reads them, collected from its events (fed
 * like any other sink, so every source `read` takes works): per connection the handshake, the data
 * messages, pings and close frames both ways with their timing, and the close. Pongs are left out:
 * a replaying client answers pings itself, and a server's pongs follow whatever pings it got.
 */
public final class Recording implements EventSink {
    private final Map<String, RecordedConnection> connections = new LinkedHashMap<>();

    @Override
    public void accept(Event e) {
        if (e instanceof HandshakeEvent h) {
            conn(h.conn(), h.timeMicros()).handshake(h);
        } else if (e instanceof MessageEvent m) {
            RecordedConnection c = conn(m.conn(), m.timeMicros());
            c.add(new Step(m.dir(), m.timeMicros() - c.base(), m.message().opcode(), m.message().payload(),
                    !m.message().truncated() && m.message().missing() == 0, -1, null));
        } else if (e instanceof FrameEvent f) {
            RecordedConnection c = conn(f.conn(), f.timeMicros());
            c.frameSeen();
            Frame fr = f.frame();
            if (fr.opcode() != Opcode.PING && fr.opcode() != Opcode.CLOSE) {
                return;
            }
            byte[] control = fr.controlPayload() == null ? new byte[0] : fr.controlPayload();
            if (fr.opcode() == Opcode.PING) {
                c.add(new Step(f.dir(), f.timeMicros() - c.base(), Opcode.PING, control, true, -1, null));
            } else {
                c.add(new Step(f.dir(), f.timeMicros() - c.base(), Opcode.CLOSE, new byte[0], true, fr.closeCode(),
                        fr.closeReason()));
            }
        } else if (e instanceof CloseEvent c) {
            conn(c.conn(), c.timeMicros()).close(c);
        }
    }

    private RecordedConnection conn(String id, long micros) {
        return connections.computeIfAbsent(id, k -> new RecordedConnection(k, micros));
    }

    /** The connections in the order they started; those without a handshake or any step are left out. */
    public List<RecordedConnection> connections() {
        List<RecordedConnection> out = new ArrayList<>();
        for (RecordedConnection c : connections.values()) {
            if (c.handshake() != null || !c.steps().isEmpty()) {
                out.add(c);
            }
        }
        return out;
    }
}
