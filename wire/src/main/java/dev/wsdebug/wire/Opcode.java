package dev.wsdebug.wire;

/** RFC 6455 section 5.2 opcodes and their schema names. */
public final class Opcode {
    public static final int CONTINUATION = 0x0;
    public static final int TEXT = 0x1;
    public static final int BINARY = 0x2;
    public static final int CLOSE = 0x8;
    public static final int PING = 0x9;
    public static final int PONG = 0xA;

    private static final String[] NAMES = new String[16];

    static {
        for (int i = 0; i < 16; i++) {
            NAMES[i] = String.format("reserved-0x%x", i);
        }
        NAMES[CONTINUATION] = "continuation";
        NAMES[TEXT] = "text";
        NAMES[BINARY] = "binary";
        NAMES[CLOSE] = "close";
        NAMES[PING] = "ping";
        NAMES[PONG] = "pong";
    }

    private Opcode() {
    }

    /** The schema name: continuation, text, binary, close, ping, pong or reserved-0xN. */
    public static String name(int opcode) {
        return NAMES[opcode & 0xF];
    }

    /** Control frames have the high bit of the opcode set (0x8 to 0xF). */
    public static boolean isControl(int opcode) {
        return (opcode & 0x8) != 0;
    }

    public static boolean isData(int opcode) {
        return opcode == TEXT || opcode == BINARY;
    }

    /** Opcodes 0x3-0x7 and 0xB-0xF have no meaning in RFC 6455. */
    public static boolean isReserved(int opcode) {
        return (opcode >= 0x3 && opcode <= 0x7) || opcode >= 0xB;
    }

    /** Reverse of {@link #name}; -1 when the name is unknown. */
    public static int fromName(String name) {
        for (int i = 0; i < 16; i++) {
            if (NAMES[i].equalsIgnoreCase(name)) {
                return i;
            }
        }
        return -1;
    }
}
