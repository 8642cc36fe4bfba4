package dev.wsdebug.cli;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * A tiny HTTP CONNECT proxy for tests, on 127.0.0.1: it records the request line of every CONNECT
 * it receives and either tunnels to 127.0.0.1 (and nowhere else) or refuses with a status.
 * Bounded: a few connections, socket timeouts, and {@link #close} ends every thread.
 */
final class ConnectProxy implements AutoCloseable {
    private static final int MAX_CONNECTIONS = 8;
    private static final int MAX_HEAD = 8 * 1024;
    private static final int TIMEOUT_MS = 30_000;

    private final ServerSocket listener;
    private final int refuseStatus;
    private final List<String> requestLines = new CopyOnWriteArrayList<>();
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "connect-proxy");
        t.setDaemon(true);
        return t;
    });

    private ConnectProxy(int refuseStatus) throws IOException {
        this.refuseStatus = refuseStatus;
        listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        threads.execute(this::acceptLoop);
    }

    /** A proxy that opens the tunnels it is asked for (to 127.0.0.1 only). */
    static ConnectProxy tunnelling() throws IOException {
        return new ConnectProxy(0);
    }

    /** A proxy that answers every CONNECT with this status and closes. */
    static ConnectProxy refusing(int status) throws IOException {
        return new ConnectProxy(status);
    }

    int port() {
        return listener.getLocalPort();
    }

    /** The request lines received, such as "CONNECT 127.0.0.1:8765 HTTP/1.1". */
    List<String> requestLines() {
        return List.copyOf(requestLines);
    }

    private void acceptLoop() {
        try {
            for (int n = 0; n < MAX_CONNECTIONS; n++) {
                Socket client = listener.accept();
                sockets.add(client);
                threads.execute(() -> handle(client));
            }
        } catch (IOException e) {
            // closed
        }
    }

    private void handle(Socket client) {
        try {
            client.setSoTimeout(TIMEOUT_MS);
            InputStream in = client.getInputStream();
            OutputStream out = client.getOutputStream();
            String head = readHead(in);
            String line = head.lines().findFirst().orElse("");
            requestLines.add(line);
            String[] parts = line.split(" ");
            if (refuseStatus != 0) {
                respond(out, refuseStatus + " Refused by the test proxy");
                return;
            }
            if (parts.length != 3 || !parts[0].equals("CONNECT")) {
                respond(out, "405 Method Not Allowed");
                return;
            }
            int colon = parts[1].lastIndexOf(':');
            String host = parts[1].substring(0, colon);
            if (!host.equals("127.0.0.1") && !host.equals("localhost")) {
                respond(out, "403 Only 127.0.0.1");
                return;
            }
            Socket upstream = new Socket();
            sockets.add(upstream);
            upstream.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(),
                    Integer.parseInt(parts[1].substring(colon + 1))), 5_000);
            upstream.setSoTimeout(TIMEOUT_MS);
            out.write("HTTP/1.1 200 Connection established\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            threads.execute(() -> pump(upstream, client));
            pump(client, upstream);
        } catch (IOException | RuntimeException e) {
            close(client);
        }
    }

    private static void respond(OutputStream out, String status) throws IOException {
        out.write(("HTTP/1.1 " + status + "\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        out.flush();
        out.close();
    }

    /** Reads up to the empty line, byte by byte so that nothing after it is consumed. */
    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int last4 = 0;
        while (head.size() < MAX_HEAD) {
            int b = in.read();
            if (b < 0) {
                break;
            }
            head.write(b);
            last4 = (last4 << 8) | b;
            if (last4 == 0x0d0a0d0a) {
                break;
            }
        }
        return head.toString(StandardCharsets.ISO_8859_1);
    }

    /** Copies one direction until its end, then half-closes the other side. */
    private static void pump(Socket from, Socket to) {
        byte[] buf = new byte[8192];
        try {
            InputStream in = from.getInputStream();
            OutputStream out = to.getOutputStream();
            int n;
            while ((n = in.read(buf)) >= 0) {
                out.write(buf, 0, n);
                out.flush();
            }
            to.shutdownOutput();
        } catch (IOException e) {
            close(from);
            close(to);
        }
    }

    private static void close(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // already gone
        }
    }

    @Override
    public void close() throws IOException {
        listener.close();
        for (Socket s : sockets) {
            close(s);
        }
        threads.shutdownNow();
        try {
            threads.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
