package dev.wsdebug.sniff.live;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A client's plan (the peers' plan language) together with what it must put on the wire: how many
 * frames carry each data message in each direction, the pings of each side, and how it closes.
 */
final class Plan {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final List<Map<String, Object>> steps = new ArrayList<>();
    /** Frames per data message, client to server and back, in order. */
    final List<Integer> c2sFrames = new ArrayList<>();
    final List<Integer> s2cFrames = new ArrayList<>();
    /** Ping payloads (hex) the client sends, and those the server sends. */
    final List<String> clientPings = new ArrayList<>();
    final List<String> serverPings = new ArrayList<>();
    int closeCode;
    String closeReason;
    /** "client" or "server". */
    String initiator;

    /** Who runs the plan and who answers: python websockets ends a fragmented message with an empty frame. */
    private final LivePeer client;
    private final LivePeer server;

    Plan(LivePeer client, LivePeer server) {
        this.client = client;
        this.server = server;
    }

    /** Frames that carry a message sent in {@code fragments} pieces by this library. */
    private static int frames(LivePeer sender, int fragments) {
        // websockets (legacy send of an iterable) sends each piece with FIN clear, then an empty
        // frame with FIN set; ws sends the last piece with FIN set
        return sender == LivePeer.PYTHON && fragments > 1 ? fragments + 1 : fragments;
    }

    private Map<String, Object> step(String op) {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("op", op);
        steps.add(s);
        return s;
    }

    private void recv() {
        step("recv");
    }

    /** A text message, echoed. */
    Plan text(String text) {
        Map<String, Object> s = step("send");
        s.put("kind", "text");
        s.put("text", text);
        recv();
        c2sFrames.add(1);
        s2cFrames.add(1);
        return this;
    }

    /** A text message in {@code fragments} frames, echoed in one. */
    Plan fragmented(String text, int fragments) {
        Map<String, Object> s = step("send");
        s.put("kind", "text");
        s.put("text", text);
        s.put("fragments", fragments);
        recv();
        c2sFrames.add(frames(client, fragments));
        s2cFrames.add(1);
        return this;
    }

    /** The test pattern (text: letters; binary: a byte pattern) or random bytes, echoed. */
    Plan sized(String kind, int size, boolean random) {
        Map<String, Object> s = step("send");
        s.put("kind", kind);
        s.put("size", size);
        if (random) {
            s.put("random", true);
        }
        recv();
        c2sFrames.add(1);
        s2cFrames.add(1);
        return this;
    }

    /** The server sends the test pattern of {@code size} bytes in {@code fragments} frames. */
    Plan serverFragments(int fragments, int size, String kind) {
        Map<String, Object> s = step("send");
        s.put("kind", "text");
        s.put("text", "wsdebug:frag " + fragments + " " + size + " " + kind);
        recv();
        c2sFrames.add(1);
        s2cFrames.add(frames(server, fragments));
        return this;
    }

    /** The client pings and waits for the pong. */
    Plan ping(String hex) {
        step("ping").put("hex", hex);
        clientPings.add(hex);
        return this;
    }

    /** The server pings (the client answers by itself); an echoed text after it makes sure the pong went out. */
    Plan serverPing(String hex) {
        Map<String, Object> s = step("send");
        s.put("kind", "text");
        s.put("text", "wsdebug:ping " + hex);
        c2sFrames.add(1);
        serverPings.add(hex);
        return text("after the server's ping");
    }

    Plan clientClose(int code, String reason) {
        Map<String, Object> s = step("close");
        s.put("code", code);
        s.put("reason", reason);
        closeCode = code;
        closeReason = reason;
        initiator = "client";
        return this;
    }

    Plan serverClose(int code, String reason) {
        Map<String, Object> s = step("send");
        s.put("kind", "text");
        s.put("text", "wsdebug:close " + code + " " + reason);
        step("wait_closed");
        c2sFrames.add(1);
        closeCode = code;
        closeReason = reason;
        initiator = "server";
        return this;
    }

    String json() {
        try {
            return JSON.writeValueAsString(steps);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
