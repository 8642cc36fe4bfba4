package dev.wsdebug.sniff.tls;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/** The RFC 8448 section 3 trace (test resource tls/rfc8448-simple-1rtt.txt): named byte strings. */
final class Rfc8448 {
    private static final Map<String, byte[]> BLOCKS = load();

    private Rfc8448() {
    }

    static byte[] get(String name) {
        byte[] b = BLOCKS.get(name);
        if (b == null) {
            throw new IllegalArgumentException("no block " + name);
        }
        return b.clone();
    }

    /** The client random, from the ClientHello record (after 5 bytes of record header, 4 of message header, 2 of version). */
    static byte[] clientRandom() {
        return java.util.Arrays.copyOfRange(get("client_hello_record"), 11, 43);
    }

    /** The four traffic secrets as an NSS key log. */
    static String keyLog() {
        String random = Hex.of(clientRandom());
        return "CLIENT_HANDSHAKE_TRAFFIC_SECRET " + random + " " + Hex.of(get("client_handshake_traffic_secret")) + "\n"
                + "SERVER_HANDSHAKE_TRAFFIC_SECRET " + random + " " + Hex.of(get("server_handshake_traffic_secret")) + "\n"
                + "CLIENT_TRAFFIC_SECRET_0 " + random + " " + Hex.of(get("client_application_traffic_secret_0")) + "\n"
                + "SERVER_TRAFFIC_SECRET_0 " + random + " " + Hex.of(get("server_application_traffic_secret_0")) + "\n";
    }

    /** The 50 bytes both sides send: 00 01 02 ... 31. */
    static byte[] payload() {
        byte[] b = new byte[50];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) i;
        }
        return b;
    }

    private static Map<String, byte[]> load() {
        try (InputStream in = Rfc8448.class.getResourceAsStream("/tls/rfc8448-simple-1rtt.txt")) {
            String text = new String(in.readAllBytes(), StandardCharsets.US_ASCII);
            Map<String, byte[]> blocks = new LinkedHashMap<>();
            String name = null;
            StringBuilder hex = new StringBuilder();
            for (String line : (text + "\n\n").split("\n", -1)) {
                if (line.isBlank() || line.startsWith("#")) {
                    if (name != null) {
                        blocks.put(name, Hex.decode(hex.toString()));
                        name = null;
                    }
                } else if (line.endsWith(":")) {
                    name = line.substring(0, line.length() - 1);
                    hex.setLength(0);
                } else {
                    hex.append(line);
                }
            }
            return blocks;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
