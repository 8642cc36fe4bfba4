package dev.wsdebug.net.probe;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.ArrayList;
import java.util.List;

/**
 * A plain TCP connect to every resolved address, timed: one dead address among several makes
 * clients that try them in order slow or flaky, which the WebSocket checks alone would not show.
 */
final class TcpStep {
    private TcpStep() {
    }

    /** @return the addresses that accepted a connection, in the order tried */
    static List<InetAddress> run(List<InetAddress> addresses, int port, int timeoutMillis, ProbeListener out) {
        List<InetAddress> reachable = new ArrayList<>();
        List<String> errors = new ArrayList<>();
        for (InetAddress a : addresses) {
            String where = hostPort(a, port);
            long start = System.nanoTime();
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(a, port), timeoutMillis);
                double ms = Millis.since(start);
                reachable.add(a);
                out.check(ProbeCheck.ok("tcp", "TCP connect " + where, Millis.format(ms), ms));
            } catch (IOException e) {
                double ms = Millis.since(start);
                String why = reason(e, timeoutMillis);
                errors.add(where + ": " + why);
                out.check(ProbeCheck.fail("tcp", "TCP connect " + where, why, ms));
            }
        }
        if (!errors.isEmpty()) {
            boolean none = reachable.isEmpty();
            out.finding(Finding.error(null, "tcp-connect-failed", none
                            ? "No address of the endpoint accepts a TCP connection."
                            : errors.size() + " of " + addresses.size() + " addresses of the endpoint do not accept a TCP connection.")
                    .evidence(String.join("; ", errors))
                    .cause(none ? "Nothing listens on that port, or a firewall drops or refuses the connection."
                            : "Clients that pick a dead address fail or wait for a timeout before trying the next one.")
                    .fix(none ? "Check the port and that the server runs; from this machine, try another client."
                            : "Remove the dead addresses from DNS, or fix the servers behind them.")
                    .build());
        }
        return reachable;
    }

    static String hostPort(InetAddress a, int port) {
        String h = a.getHostAddress();
        return (h.contains(":") ? "[" + h + "]" : h) + ":" + port;
    }

    private static String reason(IOException e, int timeoutMillis) {
        if (e instanceof ConnectException) {
            return "refused: nothing listens on that port";
        }
        if (e instanceof SocketTimeoutException) {
            return "no answer within " + Millis.seconds(timeoutMillis / 1000.0) + " (a firewall dropping packets?)";
        }
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }
}
