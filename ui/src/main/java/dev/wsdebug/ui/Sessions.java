package dev.wsdebug.ui;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.wsdebug.capture.EventSink;
import dev.wsdebug.capture.store.CaptureStore;
import dev.wsdebug.net.client.ClientFailure;
import dev.wsdebug.net.client.ClientOptions;
import dev.wsdebug.net.client.ClientSession;
import dev.wsdebug.net.client.WsClient;
import dev.wsdebug.wire.CloseCodes;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Talking from the page: connections made by wsdebug's own client (the New connection panel),
 * recorded into the UI's {@code client} capture (a temporary store made at the first one) so
 * every frame shows like any other capture's; and injection into live proxied connections.
 */
class Sessions implements AutoCloseable {
    /** One connection opened from the page. */
    private static final class Session {
        final WsClient client;
        volatile ClientSession open;

        Session(WsClient client) {
            this.client = client;
        }
    }

    /** How long POST /api/sessions waits for the connection's first event before it answers. */
    private static final long CONNECT_WAIT_MILLIS = 3_000;

    private final Captures captures;
    private final LiveFeed live;
    private final Map<String, Session> byConn = new ConcurrentHashMap<>();
    /** Connections whose connect attempt has finished (opened or failed, and recorded). */
    private final java.util.Set<String> connected = ConcurrentHashMap.newKeySet();
    private long nextConn = 1;
    private CaptureStore store;
    private Path storeFile;
    private OpenCapture capture;

    Sessions(Captures captures, LiveFeed live) {
        this.captures = captures;
        this.live = live;
    }

    Reply handle(Api.Call c, List<String> path) {
        if (!c.method().equals("POST")) {
            return Reply.error(404, "No such API path.");
        }
        if (path.isEmpty()) {
            return connect(c.body());
        }
        if (path.size() == 3 && path.get(2).equals("send")) {
            if (capture == null || !capture.id().equals(path.get(0))) {
                return Reply.error(404, "Capture " + path.get(0) + " holds no connection made from the page.");
            }
            return send(path.get(1), c.body());
        }
        return Reply.error(404, "No such API path.");
    }

    private Reply connect(byte[] body) {
        JsonNode req = json(body);
        String url = req.path("url").asText("").trim();
        URI u;
        try {
            u = new URI(url);
        } catch (URISyntaxException e) {
            return Reply.error(400, "The URL is not valid: " + e.getReason() + ".");
        }
        if (u.getScheme() == null || !(u.getScheme().equalsIgnoreCase("ws") || u.getScheme().equalsIgnoreCase("wss"))
                || u.getHost() == null) {
            return Reply.error(400, "The URL must be ws:// or wss:// with a host, like ws://127.0.0.1:8765/chat.");
        }
        ClientOptions o = new ClientOptions();
        o.url = u;
        for (JsonNode h : req.path("headers")) {
            String name = h.path(0).asText("").trim();
            if (name.isEmpty() || !name.matches("[!#$%&'*+.^_`|~0-9A-Za-z-]+")) {
                return Reply.error(400, "The header name '" + name + "' is not a valid HTTP token.");
            }
            o.headers.add(name + ": " + h.path(1).asText(""));
        }
        for (JsonNode p : req.path("subprotocols")) {
            o.subprotocols.add(p.asText());
        }
        if (!req.path("compress").asBoolean(true)) {
            o.extensions = null;
        }
        String conn;
        Session s;
        synchronized (this) {
            try {
                openCapture();
            } catch (IllegalArgumentException | IOException e) {
                return Reply.error(500, "Cannot create the capture for the page's connections: " + e.getMessage());
            }
            conn = String.valueOf(nextConn++);
            s = new Session(new WsClient(o, recorder(), notice -> { }).connectionIdsFrom(Long.parseLong(conn)));
            byConn.put(conn, s);
        }
        Thread t = new Thread(() -> {
            try {
                s.open = s.client.connect();
            } catch (ClientFailure e) {
                // recorded in the capture as an error of the connection; the page shows its row
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            live.changed(capture.id(), conn, -1); // the outcome is on the row: a handshake, or an error
            connected.add(conn);
        }, "ui-connect-" + conn);
        t.setDaemon(true);
        t.start();
        // answer once the connection has a row (its handshake or its failure is recorded), so the page
        // can show it at once; a slow server still gets its answer later on the row
        try {
            t.join(CONNECT_WAIT_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (connected.contains(conn)) {
            store.sync();
        }
        ObjectNode out = Reply.JSON.createObjectNode();
        out.put("capture", capture.id());
        out.put("conn", conn);
        return Reply.json(201, out);
    }

    private void openCapture() throws IOException {
        if (capture != null) {
            return;
        }
        storeFile = Files.createTempFile("wsdebug-ui-client-", ".wsdb");
        Files.delete(storeFile);
        store = CaptureStore.create(storeFile);
        capture = captures.live(storeFile, "connections from the page", "client", store::sync);
    }

    /** The store, and the live feed told about each new row. */
    private EventSink recorder() {
        return EventSink.all(store, live.notifier(capture.id()));
    }

    private Reply send(String conn, byte[] body) {
        Session s = byConn.get(conn);
        if (s == null) {
            return Reply.error(404, "There is no connection " + conn + " made from the page.");
        }
        ClientSession open = s.open;
        if (open == null || !open.isOpen()) {
            return Reply.error(409, "Connection " + conn + " is not open.");
        }
        JsonNode req = json(body);
        String type = req.path("type").asText("text");
        String data = req.path("data").asText("");
        switch (type) {
            case "text" -> open.sendText(data);
            case "json" -> {
                try {
                    Reply.JSON.readTree(data);
                } catch (JsonProcessingException e) {
                    return Reply.error(400, "The JSON does not parse: " + e.getOriginalMessage() + ".");
                }
                open.sendText(data);
            }
            case "binary" -> open.sendBinary(bytes(data, req.path("encoding").asText("hex")));
            case "ping" -> {
                byte[] p = bytes(data, req.path("encoding").asText("text"));
                if (p.length > 125) {
                    return Reply.error(400, "A ping carries at most 125 bytes, not " + p.length + ".");
                }
                open.ping(p);
            }
            case "close" -> {
                int code = req.path("code").asInt(CloseCodes.NORMAL);
                if (!CloseCodes.isValidOnWire(code)) {
                    return Reply.error(400, "Close code " + code + " may not be sent in a close frame.");
                }
                String reason = req.path("reason").asText("");
                if (reason.getBytes(StandardCharsets.UTF_8).length > 123) {
                    return Reply.error(400, "A close reason is at most 123 bytes of UTF-8.");
                }
                open.close(code, reason);
            }
            default -> {
                return Reply.error(400, "type is text, json, binary, ping or close, not " + type + ".");
            }
        }
        ObjectNode ok = Reply.JSON.createObjectNode();
        ok.put("ok", true);
        return Reply.json(202, ok);
    }

    static byte[] bytes(String data, String encoding) {
        if (!List.of("hex", "base64", "text").contains(encoding)) {
            throw new Api.BadRequest("encoding is text, hex or base64, not " + encoding + ".");
        }
        try {
            return switch (encoding) {
                case "hex" -> HexFormat.of().parseHex(data.replaceAll("[\\s:]", ""));
                case "base64" -> Base64.getDecoder().decode(data.replaceAll("\\s", ""));
                default -> data.getBytes(StandardCharsets.UTF_8);
            };
        } catch (IllegalArgumentException e) {
            throw new Api.BadRequest("The data is not valid " + encoding + ": " + e.getMessage());
        }
    }

    private static JsonNode json(byte[] body) {
        try {
            JsonNode n = Reply.JSON.readTree(body);
            if (n == null || !n.isObject()) {
                throw new Api.BadRequest("The request body must be a JSON object.");
            }
            return n;
        } catch (IOException e) {
            throw new Api.BadRequest("The request body is not JSON.");
        }
    }

    Reply inject(OpenCapture cap, String conn, byte[] body) {
        Injector injector = cap.injector();
        if (injector == null) {
            return Reply.error(409, "Capture " + cap.id() + " is not a live proxy: there is nothing to inject into.");
        }
        JsonNode req = json(body);
        String to = req.path("to").asText("");
        if (!to.equals("client") && !to.equals("server")) {
            return Reply.error(400, "to is client or server, not '" + to + "'.");
        }
        int opcode;
        byte[] payload;
        if (req.has("resend")) {
            JsonNode item = cap.browser().item(conn, req.path("resend").asLong());
            if (item == null) {
                return Reply.error(404, "Connection " + conn + " has no item " + req.path("resend").asText() + " to resend.");
            }
            opcode = item.path("opcode").asInt();
            payload = java.util.Base64.getDecoder().decode(item.path("base64").asText(""));
            if (opcode == 8) {
                return Reply.error(400, "A close frame cannot be injected (a fault rule can close a connection).");
            }
        } else {
            String type = req.path("type").asText("text");
            String data = req.path("data").asText("");
            switch (type) {
                case "text", "json" -> {
                    opcode = 1;
                    payload = data.getBytes(StandardCharsets.UTF_8);
                }
                case "binary" -> {
                    opcode = 2;
                    payload = bytes(data, req.path("encoding").asText("hex"));
                }
                case "ping", "pong" -> {
                    opcode = type.equals("ping") ? 9 : 10;
                    payload = bytes(data, req.path("encoding").asText("text"));
                    if (payload.length > 125) {
                        return Reply.error(400, "A " + type + " carries at most 125 bytes, not " + payload.length + ".");
                    }
                }
                default -> {
                    return Reply.error(400, "type is text, json, binary, ping or pong, not " + type + ".");
                }
            }
        }
        String why = injector.inject(conn, to.equals("server"), opcode, payload);
        if (why != null) {
            return Reply.error(409, why);
        }
        live.changed(cap.id(), conn, -1);
        ObjectNode ok = Reply.JSON.createObjectNode();
        ok.put("ok", true);
        return Reply.json(202, ok);
    }

    /** Adds what only a live session knows to a connection row. */
    ObjectNode mark(OpenCapture cap, ObjectNode row) {
        Injector injector = cap.injector();
        if (injector != null) {
            row.put("injectable", injector.open(row.path("conn").asText()));
        }
        if (cap == capture) {
            Session s = byConn.get(row.path("conn").asText());
            ClientSession open = s == null ? null : s.open;
            row.put("sendable", open != null && open.isOpen());
        }
        return row;
    }

    @Override
    public synchronized void close() {
        for (Session s : byConn.values()) {
            ClientSession open = s.open;
            if (open != null && open.isOpen()) {
                open.abort();
            }
            s.client.close();
        }
        byConn.clear();
        if (store != null) {
            captures.remove(capture); // its reader first: the store's close needs the database to itself
            store.close();
            Captures.deleteQuietly(storeFile);
        }
    }
}
