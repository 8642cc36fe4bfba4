package dev.wsdebug.capture.decode;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.wsdebug.wire.Message;

/** JSON helpers shared by the text decoders. */
final class Json {
    /** Jackson's fast double parser: a message full of prices is decoded in half the time. */
    static final ObjectMapper MAPPER = com.fasterxml.jackson.databind.json.JsonMapper.builder()
            .enable(com.fasterxml.jackson.core.StreamReadFeature.USE_FAST_DOUBLE_PARSER)
            .enable(com.fasterxml.jackson.core.StreamReadFeature.USE_FAST_BIG_NUMBER_PARSER)
            .enable(com.fasterxml.jackson.core.StreamWriteFeature.USE_FAST_DOUBLE_WRITER).build();

    private Json() {
    }

    /** Whether a text message starts (after white space) with one of these characters. */
    static boolean startsWith(Message m, String chars) {
        if (!m.isText()) {
            return false;
        }
        byte[] p = m.payload();
        for (byte b : p) {
            if (b == ' ' || b == '\t' || b == '\r' || b == '\n') {
                continue;
            }
            return chars.indexOf(b) >= 0;
        }
        return false;
    }

    /** The parsed text, or a sentence (as a {@link Decoded#failed}) saying why it is not JSON. */
    static Object parse(String protocol, Message m, String text) {
        if (m.truncated()) {
            return Decoded.failed(protocol, "Only the first " + m.payload().length + " of " + m.length()
                    + " bytes of this message were kept, so it cannot be read as " + protocol + ".");
        }
        try {
            return MAPPER.readTree(text);
        } catch (JsonProcessingException e) {
            String why = e.getOriginalMessage();
            int nl = why.indexOf('\n');
            return Decoded.failed(protocol, "Not valid JSON at character " + (e.getLocation() == null ? "?"
                    : e.getLocation().getCharOffset()) + ": " + (nl < 0 ? why : why.substring(0, nl)) + ".");
        }
    }

    /** A short quoted form of a text value for summaries. */
    static String quote(String s) {
        String t = s.length() > 40 ? s.substring(0, 40) + "…" : s;
        return "\"" + t.replace("\"", "\\\"") + "\"";
    }

    /** A scalar for a summary: strings quoted, the rest as JSON. */
    static String scalar(JsonNode n) {
        return n == null || n.isMissingNode() ? "?" : n.isTextual() ? quote(n.asText()) : n.toString();
    }
}
