package dev.wsdebug.ui;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/** An answer of the API: status, type, body and extra headers. */
record Reply(int status, String type, byte[] body, Map<String, String> headers) {
    static final ObjectMapper JSON = dev.wsdebug.capture.store.CaptureBrowser.JSON;

    static Reply json(int status, JsonNode body) {
        try {
            return new Reply(status, "application/json; charset=utf-8", JSON.writeValueAsBytes(body), Map.of());
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    static Reply ok(JsonNode body) {
        return json(200, body);
    }

    static Reply error(int status, String sentence) {
        ObjectNode o = JSON.createObjectNode();
        o.put("error", sentence);
        return json(status, o);
    }

    static Reply bytes(byte[] body, String type, String downloadName) {
        Map<String, String> h = new LinkedHashMap<>();
        if (downloadName != null) {
            h.put("Content-Disposition", "attachment; filename=\"" + downloadName.replace("\"", "") + "\"");
        }
        return new Reply(200, type, body, h);
    }

    static Reply text(int status, String text) {
        return new Reply(status, "text/plain; charset=utf-8", text.getBytes(StandardCharsets.UTF_8), Map.of());
    }
}
