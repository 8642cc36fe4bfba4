package dev.wsdebug.ui;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.wsdebug.capture.decode.Decoded;
import dev.wsdebug.capture.store.CaptureBrowser;

/**
 * A message's {@code decoded} field in the API, shaped as in the JSON Lines (schema v1): protocol,
 * summary, value, problem, reply {seq, name, latencyMs}.
 */
final class DecodedJson {
    private DecodedJson() {
    }

    /**
     * @param withValue false for a page of rows: the value is left out (it may be as large as the
     *                  payload), the item has it
     */
    static ObjectNode of(Decoded d, boolean withValue) {
        ObjectNode o = CaptureBrowser.JSON_FACTORY.objectNode();
        o.put("protocol", d.protocol());
        if (d.summary() != null) {
            o.put("summary", d.summary());
        }
        if (withValue) {
            JsonNode v = value(d);
            if (v != null) {
                o.set("value", v);
            }
        }
        if (d.problem() != null) {
            o.put("problem", d.problem());
        }
        if (d.reply() != null) {
            ObjectNode r = o.putObject("reply");
            r.put("seq", d.reply().seq());
            if (d.reply().name() != null) {
                r.put("name", d.reply().name());
            }
            r.put("latencyMs", d.reply().latencyMicros() / 1000.0);
        }
        return o;
    }

    /** A value kept as text is parsed here, not in the kept reading (whose size the cache counts without it). */
    private static JsonNode value(Decoded d) {
        if (d.rawValue() == null) {
            return d.value();
        }
        try {
            return CaptureBrowser.JSON.readTree(d.rawValue());
        } catch (JsonProcessingException e) {
            return d.value();
        }
    }
}
