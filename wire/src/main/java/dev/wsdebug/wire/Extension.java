package dev.wsdebug.wire;

import java.util.ArrayList;
import java.util.List;

/**
 * One entry of a {@code Sec-WebSocket-Extensions} header (RFC 6455 9.1): a name and its
 * parameters in order, values unquoted.
 */
public record Extension(String name, List<Param> params) {

    /** A parameter; {@code value} is null when the parameter has no value. */
    public record Param(String name, String value) {
    }

    /**
     * Parses a whole header value (several header lines joined with commas are fine).
     *
     * @throws IllegalArgumentException with one sentence when the value does not follow the grammar
     */
    public static List<Extension> parseHeader(String value) {
        List<Extension> out = new ArrayList<>();
        if (value == null || value.isBlank()) {
            return out;
        }
        for (String item : split(value, ',')) {
            if (item.isBlank()) {
                continue;
            }
            List<String> parts = split(item, ';');
            String name = parts.get(0).trim();
            if (!isToken(name)) {
                throw new IllegalArgumentException("\"" + name + "\" is not a valid extension name.");
            }
            List<Param> params = new ArrayList<>();
            for (int i = 1; i < parts.size(); i++) {
                String p = parts.get(i).trim();
                int eq = p.indexOf('=');
                String pname = (eq < 0 ? p : p.substring(0, eq)).trim();
                if (!isToken(pname)) {
                    throw new IllegalArgumentException("\"" + p + "\" is not a valid parameter of extension " + name + ".");
                }
                String pvalue = null;
                if (eq >= 0) {
                    pvalue = p.substring(eq + 1).trim();
                    if (pvalue.length() >= 2 && pvalue.startsWith("\"") && pvalue.endsWith("\"")) {
                        pvalue = pvalue.substring(1, pvalue.length() - 1);
                    }
                    if (!isToken(pvalue)) {
                        throw new IllegalArgumentException("\"" + p + "\" has a value that is not a token.");
                    }
                }
                params.add(new Param(pname, pvalue));
            }
            out.add(new Extension(name, params));
        }
        return out;
    }

    /** The header form: {@code name; p1; p2=v}. */
    public String format() {
        StringBuilder sb = new StringBuilder(name);
        for (Param p : params) {
            sb.append("; ").append(p.name());
            if (p.value() != null) {
                sb.append('=').append(p.value());
            }
        }
        return sb.toString();
    }

    /** Splits on a separator outside double quotes. */
    private static List<String> split(String s, char sep) {
        List<String> out = new ArrayList<>();
        boolean quoted = false;
        int start = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"') {
                quoted = !quoted;
            } else if (c == sep && !quoted) {
                out.add(s.substring(start, i));
                start = i + 1;
            }
        }
        out.add(s.substring(start));
        return out;
    }

    /** True if the name is an RFC 7230 token, as header field names must be. */
    public static boolean isTokenName(String s) {
        return isToken(s);
    }

    /** RFC 7230 token characters. */
    static boolean isToken(String s) {
        if (s.isEmpty()) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
            if (!ok) {
                return false;
            }
        }
        return true;
    }
}
