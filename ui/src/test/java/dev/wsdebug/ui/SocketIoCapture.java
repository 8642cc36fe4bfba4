package dev.wsdebug.ui;

import dev.wsdebug.capture.EventSink;
import dev.wsdebug.capture.peer.Peer;
import dev.wsdebug.capture.store.CaptureStore;
import dev.wsdebug.net.proxy.ProxyOptions;
import dev.wsdebug.net.proxy.WsProxy;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A capture of real Socket.IO traffic for the UI's decoding tests: the socket.io 4 server and
 * socket.io-client of test-peers/node (the scripts the cli's DecodeSocketIoIT runs) talk through
 * wsdebug's proxy into a capture store. What the client is told to do: emit "chat" ("hello",
 * {n:1}); emit "add" (2, 3) with an ack (the server acks 5); emit "upload" ("file.bin", bytes 1..7)
 * with an ack (the server acks 7 and emits "thumb" ("file.bin", bytes ca fe)); then on /admin emit
 * "stats" with an ack ({users:1}).
 */
public final class SocketIoCapture {
    /** What the client prints once every answer came back (the library's own account). */
    public static final String CLIENT_SAYS = "{\"sum\":5,\"len\":7,\"thumb\":2,\"stats\":{\"users\":1}}";
    /** The bytes the client uploads. */
    public static final byte[] UPLOAD = {1, 2, 3, 4, 5, 6, 7};

    private SocketIoCapture() {
    }

    private static String script(String name) throws IOException {
        return Files.readString(Peer.repoRoot().resolve("cli/src/test/resources/decode").resolve(name));
    }

    /** Records one session into {@code wsdb}; skips (fails with CI=true) without node and the packages. */
    public static Path record(Path wsdb) throws Exception {
        Peer.requireNode(List.of("socket.io", "socket.io-client"), false);
        String modules = Peer.repoRoot().resolve("test-peers/node/node_modules").toString();
        Process server = node(modules, script("socketio-server.js"));
        try {
            BufferedReader serverOut = new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8));
            String ready = CompletableFuture.supplyAsync(() -> {
                try {
                    return serverOut.readLine();
                } catch (IOException e) {
                    return null;
                }
            }).get(20, TimeUnit.SECONDS);
            Matcher m = Pattern.compile("\\{\"port\":(\\d+)}").matcher(String.valueOf(ready));
            if (!m.matches()) {
                throw new AssertionError("the socket.io server said " + ready);
            }
            ProxyOptions o = new ProxyOptions();
            o.port = 0;
            o.upstream = URI.create("ws://127.0.0.1:" + m.group(1));
            try (CaptureStore store = CaptureStore.create(wsdb);
                 WsProxy proxy = new WsProxy(o, EventSink.all(store))) {
                int port = proxy.start().getPort();
                Process client = node(modules, script("socketio-client.js"), "http://127.0.0.1:" + port + "/");
                CompletableFuture<String> said = CompletableFuture.supplyAsync(() -> {
                    try {
                        return new String(client.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                    } catch (IOException e) {
                        return e.toString();
                    }
                });
                try {
                    if (!client.waitFor(30, TimeUnit.SECONDS)) {
                        throw new AssertionError("the socket.io client did not finish");
                    }
                    String out = said.get(5, TimeUnit.SECONDS);
                    if (client.exitValue() != 0 || !out.contains(CLIENT_SAYS)) {
                        throw new AssertionError("the socket.io client said " + out);
                    }
                } finally {
                    client.destroyForcibly();
                }
                Thread.sleep(300); // the last close frames through the proxy into the store
            }
        } finally {
            server.destroyForcibly();
            server.waitFor(5, TimeUnit.SECONDS);
        }
        return wsdb;
    }

    /** {@code node -e SCRIPT ARGS}: the scripts read their argument as argv[1], as the cli's IT runs them. */
    private static Process node(String modules, String script, String... args) throws IOException {
        List<String> cmd = new java.util.ArrayList<>(List.of("node", "-e", script));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD);
        pb.environment().put("NODE_PATH", modules);
        return pb.start();
    }
}
