package dev.wsdebug.sniff.live;

import dev.wsdebug.capture.peer.Peer;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** The two peer scripts of live/: python websockets (py_peer.py) and Node ws (node_peer.js). */
enum LivePeer {
    PYTHON("python websockets", Peer.Kind.PYTHON_WEBSOCKETS, "py_peer.py"),
    NODE("node ws", Peer.Kind.NODE_WS, "node_peer.js");

    static final long START_MILLIS = Peer.START_TIMEOUT_MILLIS;
    static final long CLIENT_MILLIS = 30_000;

    private final String label;
    private final Peer.Kind kind;
    private final String script;

    LivePeer(String label, Peer.Kind kind, String script) {
        this.label = label;
        this.kind = kind;
        this.script = script;
    }

    @Override
    public String toString() {
        return label;
    }

    /**
     * The command running the script with these arguments; {@code nodeFlags} go before the script
     * (node's --tls-keylog). Skips (or under CI=true fails) the test when the peer is not installed.
     */
    List<String> command(List<String> nodeFlags, List<String> args) {
        Peer.requireInstalled(kind);
        List<String> cmd = new ArrayList<>();
        if (this == PYTHON) {
            cmd.add("/usr/bin/python3");
        } else {
            cmd.add("node");
            cmd.addAll(nodeFlags);
        }
        cmd.add(Live.script(script).toString());
        cmd.addAll(args);
        return cmd;
    }

    Map<String, String> environment(Map<String, String> extra) {
        Map<String, String> env = new HashMap<>(extra);
        if (this == PYTHON) {
            env.put("PYTHONDONTWRITEBYTECODE", "1");
            env.put("PYTHONUNBUFFERED", "1");
        } else {
            env.put("NODE_PATH", Peer.repoRoot().resolve("test-peers/node/node_modules").toString());
        }
        return env;
    }

    /** Starts the server with these options and waits (bounded) until it prints its port. */
    Server server(List<String> nodeFlags, Map<String, String> env, String... options) throws InterruptedException {
        List<String> args = new ArrayList<>(List.of("server"));
        args.addAll(List.of(options));
        LiveProcess p = LiveProcess.start(label + " server", command(nodeFlags, args), environment(env));
        try {
            String line = p.awaitLine(l -> l.matches("PORT \\d+"), START_MILLIS);
            return new Server(p, Integer.parseInt(line.substring(5)));
        } catch (AssertionError | InterruptedException e) {
            p.close();
            throw e;
        }
    }

    /** Runs a client to its end (bounded); fails unless it exits 0. Returns its output lines. */
    List<String> client(List<String> nodeFlags, Map<String, String> env, String url, String plan, String... options)
            throws InterruptedException {
        List<String> args = new ArrayList<>(List.of("client", url, plan));
        args.addAll(List.of(options));
        try (LiveProcess p = LiveProcess.start(label + " client", command(nodeFlags, args), environment(env))) {
            p.closeStdin();
            int exit = p.waitFor(CLIENT_MILLIS);
            if (exit != 0) {
                throw new AssertionError(label + " client exited with " + exit + "\n" + p.describe());
            }
            return p.lines();
        }
    }

    /** A running server: its port, and its output (what it received on each connection). */
    record Server(LiveProcess process, int port) implements AutoCloseable {
        /** Waits (bounded) until the server has reported connection {@code conn} closed, and returns its log. */
        PeerLog closedLog(int conn) throws InterruptedException {
            process.awaitLine(l -> PeerLog.isClosed(l, conn), 10_000);
            return PeerLog.of(process.lines(), conn);
        }

        @Override
        public void close() {
            process.close();
        }
    }
}
