package dev.wsdebug.capture.replay;

import dev.wsdebug.capture.HandshakeEvent;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * What {@code serve --mock} plays: the server side of recorded connections. With one recorded
 * connection (or {@code --conn ID}) every client gets that one; with several, a client gets the
 * first recorded connection whose upgrade asked for the same path and query, else the first, so
 * that an app opening sockets on several paths finds each one's server.
 */
public final class MockScript {
    private final List<MockPlan> plans;
    private final List<JsonPath> ignore;

    private MockScript(List<MockPlan> plans, List<JsonPath> ignore) {
        this.plans = plans;
        this.ignore = List.copyOf(ignore);
    }

    /**
     * The script of this connection ({@code conn}), or of every upgraded one (null).
     *
     * @throws IllegalArgumentException with one sentence when there is no connection to play, or no such one
     */
    public static MockScript of(List<RecordedConnection> recorded, String conn, List<JsonPath> ignore) {
        if (recorded.isEmpty()) {
            throw new IllegalArgumentException("it holds no WebSocket connection.");
        }
        List<MockPlan> plans = new ArrayList<>();
        if (conn != null) {
            for (RecordedConnection c : recorded) {
                if (c.conn().equals(conn)) {
                    plans.add(MockPlan.of(c));
                }
            }
            if (plans.isEmpty()) {
                throw new IllegalArgumentException("it has no connection " + conn + "; its connections are "
                        + String.join(", ", recorded.stream().map(RecordedConnection::conn).toList()) + ".");
            }
        } else {
            for (RecordedConnection c : recorded) {
                if (upgraded(c.handshake())) {
                    plans.add(MockPlan.of(c));
                }
            }
            if (plans.isEmpty()) {
                // a capture that began after the handshakes: its first connection is all there is
                plans.add(MockPlan.of(recorded.get(0)));
            }
        }
        return new MockScript(List.copyOf(plans), ignore);
    }

    private static boolean upgraded(HandshakeEvent h) {
        return h != null && h.result() != null && h.result().upgraded();
    }

    /** A new client's conversation: the recorded connection for its request target (see the class). */
    public MockSession session(String target) {
        MockPlan chosen = plans.get(0);
        if (plans.size() > 1 && target != null) {
            for (MockPlan p : plans) {
                if (target.equals(p.target())) {
                    chosen = p;
                    break;
                }
            }
        }
        return new MockSession(chosen, ignore);
    }

    /** The subprotocols the recorded server chose, in order, each once. */
    public List<String> subprotocols() {
        Set<String> out = new LinkedHashSet<>();
        for (MockPlan p : plans) {
            HandshakeEvent h = p.source().handshake();
            if (h != null && h.result() != null && h.result().subprotocol() != null) {
                out.add(h.result().subprotocol());
            }
        }
        return List.copyOf(out);
    }

    /** Whether the recorded server accepted permessage-deflate (on any of the connections played). */
    public boolean deflate() {
        for (MockPlan p : plans) {
            HandshakeEvent h = p.source().handshake();
            if (h != null && h.result() != null && h.result().deflate() != null) {
                return true;
            }
        }
        return false;
    }

    /** One line for the start-up: which connections are played and what they hold. */
    public String summary() {
        if (plans.size() > 1) {
            return "mocking " + plans.size() + " recorded connections (" + String.join(", ",
                    plans.stream().map(p -> p.source().conn() + " " + (p.target() == null ? "?" : p.target())).toList())
                    + "): each client gets the first one to its path";
        }
        MockPlan p = plans.get(0);
        int replies = p.prompts().stream().mapToInt(q -> q.replies().size()).sum();
        return "mocking recorded connection " + p.source().conn() + (p.target() == null ? "" : " (" + p.target() + ")")
                + ": " + count(p.prompts().size(), "client message") + " with " + count(replies, "server step")
                + " after them, " + count(p.opening().size(), "unprompted server step");
    }

    private static String count(int n, String what) {
        return n + " " + what + (n == 1 ? "" : "s");
    }
}
