package dev.wsdebug.net.probe;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** A close frame (1000) and how fast the server answers it with its own, then closes TCP. */
final class CloseStep {
    private CloseStep() {
    }

    static boolean run(ProbeConnection c, ProbeOptions o, ProbeListener out) throws InterruptedException {
        if (!c.isOpen()) {
            out.check(ProbeCheck.fail("close", "close answered", "the connection was already gone", null));
            return false;
        }
        long sent = System.nanoTime();
        c.session.close(1000, "wsdebug probe");
        Integer code;
        try {
            code = c.serverClose().get(o.closeTimeoutMillis, TimeUnit.MILLISECONDS);
        } catch (TimeoutException | ExecutionException e) {
            code = null;
        }
        if (code == null) {
            boolean gone = !c.isOpen();
            String detail = gone ? "the server closed TCP without a close frame" : "no close frame within "
                    + Millis.seconds(o.closeTimeoutMillis / 1000.0);
            out.check(ProbeCheck.fail("close", "close answered", detail, Millis.since(sent)));
            out.finding(Finding.error(c.conn, "close-handshake-incomplete", "The server did not answer the client's close frame.")
                    .evidence(detail)
                    .cause("RFC 6455 5.5.1: an endpoint that receives a close frame must send one back. Without it the client"
                            + " waits for a timeout and reports an abnormal close (1006).")
                    .fix("Make the server echo the close frame (most libraries do), and close TCP after it.")
                    .build());
            return false;
        }
        double ms = (c.serverCloseNanos() - sent) / 1e6;
        // the server should close TCP once it has answered; waiting tells whether it does
        String tcp;
        try {
            c.session.closed().get(o.closeTimeoutMillis, TimeUnit.MILLISECONDS);
            tcp = ", TCP closed after " + Millis.format(Millis.since(sent));
        } catch (TimeoutException | ExecutionException e) {
            tcp = ", TCP still open after " + Millis.seconds(o.closeTimeoutMillis / 1000.0);
        }
        out.check(ProbeCheck.ok("close", "close answered", "with " + (code < 0 ? "no code (1005)" : code) + " in "
                + Millis.format(ms) + tcp, ms));
        return true;
    }
}
