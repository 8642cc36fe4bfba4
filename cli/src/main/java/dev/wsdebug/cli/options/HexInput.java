package dev.wsdebug.cli.options;

import java.io.ByteArrayOutputStream;

/**
 * Hex text as typed or pasted: pairs of hex digits, with whitespace, colons and a leading 0x
 * ignored. A bad character stops the parse; the bytes before it are kept.
 *
 * @param problem one sentence about the first bad character, or null
 */
public record HexInput(byte[] bytes, String problem) {

    public static HexInput parse(String text) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(text.length() / 2);
        String s = text.strip();
        int i = s.startsWith("0x") || s.startsWith("0X") ? 2 : 0;
        int high = -1;
        int highAt = -1;
        for (; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isWhitespace(c) || c == ':') {
                continue;
            }
            int d = Character.digit(c, 16);
            if (d < 0) {
                return new HexInput(out.toByteArray(),
                        "--hex: '" + c + "' at position " + (i + 1) + " is not a hex digit.");
            }
            if (high < 0) {
                high = d;
                highAt = i;
            } else {
                out.write((high << 4) | d);
                high = -1;
            }
        }
        if (high >= 0) {
            return new HexInput(out.toByteArray(),
                    "--hex: the digit at position " + (highAt + 1) + " has no partner; hex needs an even number of digits.");
        }
        return new HexInput(out.toByteArray(), null);
    }
}
