package dev.wsdebug.net;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A guard in front of the proxy for clients with traffic of their own (a browser's update, time
 * and account requests, whatever its flags say): it reads the first request head of each
 * connection and passes the connection on to the proxy, bytes unchanged, only when that request
 * is for a loopback host; anything else gets 403 and never reaches the proxy, which would
 * otherwise look the name up and connect out. Blocking sockets, a thread per direction, all
 * daemons, all closed by {@link #close}.
 */
final class LoopbackOnlyGate implements AutoCloseable {
    private static final Set<String> LOOPBACK = Set.of("localhost", "127.0.0.1", "[::1]", "::1");
    private static final int MAX_HEAD = 16 * 1024;
    private static final int SO_TIMEOUT_MILLIS = 60_000;

    private final int proxyPort;
    private final ServerSocket listener;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private final List<String> refused = new CopyOnWriteArrayList<>();

    LoopbackOnlyGate(int proxyPort) throws IOException {
        this.proxyPort = proxyPort;
        this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread t = new Thread(this::acceptLoop, "loopback-gate-accept");
        t.setDaemon(true);
        t.start();
    }

    int port() {
        return listener.getLocalPort();
    }

    /** The request lines turned away, for failure messages. */
    List<String> refused() {
        return List.copyOf(refused);
    }

    private void acceptLoop() {
        while (!listener.isClosed()) {
            try {
                Socket s = listener.accept();
                sockets.add(s);
                Thread t = new Thread(() -> serve(s), "loopback-gate-" + s.getPort());
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    private void serve(Socket client) {
        try {
            client.setSoTimeout(SO_TIMEOUT_MILLIS);
            InputStream in = client.getInputStream();
            ByteArrayOutputStream head = new ByteArrayOutputStream();
            while (!endsHead(head.toByteArray())) {
                int b = in.read();
                if (b < 0 || head.size() >= MAX_HEAD) {
                    client.close();
                    return;
                }
                head.write(b);
            }
            String requestLine = head.toString(StandardCharsets.ISO_8859_1).lines().findFirst().orElse("");
            if (!LOOPBACK.contains(host(requestLine))) {
                refused.add(requestLine);
                client.getOutputStream().write(("HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
                        .getBytes(StandardCharsets.ISO_8859_1));
                client.close();
                return;
            }
            Socket proxy = new Socket();
            sockets.add(proxy);
            proxy.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), proxyPort), SO_TIMEOUT_MILLIS);
            proxy.getOutputStream().write(head.toByteArray());
            pump(proxy, client, "loopback-gate-down-" + client.getPort());
            pump(client, proxy, "loopback-gate-up-" + client.getPort());
        } catch (IOException e) {
            closeQuietly(client);
        }
    }

    private static boolean endsHead(byte[] b) {
        int n = b.length;
        return n >= 4 && b[n - 4] == '\r' && b[n - 3] == '\n' && b[n - 2] == '\r' && b[n - 1] == '\n';
    }

    /** The host a proxy request line names: CONNECT host:port, or an absolute URL's host. */
    static String host(String requestLine) {
        String[] parts = requestLine.split(" ");
        if (parts.length < 3) {
            return "";
        }
        String target = parts[1];
        if (parts[0].equals("CONNECT")) {
            int colon = target.lastIndexOf(':');
            return colon < 0 ? "" : target.substring(0, colon).toLowerCase(Locale.ROOT);
        }
        try {
            String h = URI.create(target).getHost();
            return h == null ? "" : h.toLowerCase(Locale.ROOT);
        } catch (IllegalArgumentException e) {
            return "";
        }
    }

    /** Copies from → to until from ends, then half-closes to (and closes both when to is done). */
    private void pump(Socket from, Socket to, String name) {
        Thread t = new Thread(() -> {
            byte[] buf = new byte[16 * 1024];
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
                closeQuietly(from);
                closeQuietly(to);
            }
        }, name);
        t.setDaemon(true);
        t.start();
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException e) {
            // already gone
        }
    }

    @Override
    public void close() {
        try {
            listener.close();
        } catch (IOException e) {
            // already closed
        }
        for (Socket s : sockets) {
            closeQuietly(s);
        }
    }
}
