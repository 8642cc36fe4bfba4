package dev.wsdebug.wire;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The four permessage-deflate parameters of RFC 7692 section 7.1, as written in one offer or
 * response.
 *
 * @param clientMaxWindowBits 8-15, {@link #ABSENT}, or {@link #NO_VALUE} (allowed in an offer only:
 *                            "the client supports any window size you ask for")
 * @param serverMaxWindowBits 8-15 or {@link #ABSENT}
 */
public record DeflateParams(boolean clientNoContextTakeover, boolean serverNoContextTakeover,
                            int clientMaxWindowBits, int serverMaxWindowBits) {
    public static final String NAME = "permessage-deflate";
    public static final int ABSENT = 0;
    public static final int NO_VALUE = -1;

    /** permessage-deflate with no parameters: context takeover both ways, 15-bit windows. */
    public static final DeflateParams DEFAULT = new DeflateParams(false, false, ABSENT, ABSENT);

    /**
     * Reads the parameters of one {@code permessage-deflate} extension entry.
     *
     * @throws IllegalArgumentException naming the bad parameter: unknown, repeated, or out of range
     */
    public static DeflateParams from(Extension e) {
        if (!NAME.equalsIgnoreCase(e.name())) {
            throw new IllegalArgumentException("Extension " + e.name() + " is not " + NAME + ".");
        }
        boolean cnct = false;
        boolean snct = false;
        int cmwb = ABSENT;
        int smwb = ABSENT;
        Set<String> seen = new HashSet<>();
        for (Extension.Param p : e.params()) {
            String n = p.name().toLowerCase(java.util.Locale.ROOT);
            if (!seen.add(n)) {
                throw new IllegalArgumentException("Parameter " + n + " appears twice.");
            }
            switch (n) {
                case "client_no_context_takeover" -> cnct = noValue(p);
                case "server_no_context_takeover" -> snct = noValue(p);
                case "client_max_window_bits" -> cmwb = p.value() == null ? NO_VALUE : bits(p);
                case "server_max_window_bits" -> {
                    if (p.value() == null) {
                        throw new IllegalArgumentException("server_max_window_bits needs a value from 8 to 15.");
                    }
                    smwb = bits(p);
                }
                default -> throw new IllegalArgumentException("Unknown permessage-deflate parameter " + p.name() + ".");
            }
        }
        return new DeflateParams(cnct, snct, cmwb, smwb);
    }

    /**
     * Parses a header value and returns the first permessage-deflate entry, or null if there is none.
     *
     * @throws IllegalArgumentException when the header or that entry is malformed
     */
    public static DeflateParams fromHeader(String headerValue) {
        for (Extension e : Extension.parseHeader(headerValue)) {
            if (NAME.equalsIgnoreCase(e.name())) {
                return from(e);
            }
        }
        return null;
    }

    /** Every permessage-deflate entry of a header value, in order (a client may offer several). */
    public static List<DeflateParams> allFromHeader(String headerValue) {
        List<DeflateParams> out = new ArrayList<>();
        for (Extension e : Extension.parseHeader(headerValue)) {
            if (NAME.equalsIgnoreCase(e.name())) {
                out.add(from(e));
            }
        }
        return out;
    }

    private static boolean noValue(Extension.Param p) {
        if (p.value() != null) {
            throw new IllegalArgumentException(p.name() + " takes no value.");
        }
        return true;
    }

    private static int bits(Extension.Param p) {
        try {
            int v = Integer.parseInt(p.value());
            if (v >= 8 && v <= 15 && p.value().matches("[1-9][0-9]?")) {
                return v;
            }
        } catch (NumberFormatException ignored) {
            // falls through to the sentence below
        }
        throw new IllegalArgumentException(p.name() + "=" + p.value() + " is not a window size from 8 to 15.");
    }

    /** LZ77 window bits the client's compressor uses (15 when not limited). */
    public int clientWindowBits() {
        return clientMaxWindowBits > 0 ? clientMaxWindowBits : 15;
    }

    /** LZ77 window bits the server's compressor uses (15 when not limited). */
    public int serverWindowBits() {
        return serverMaxWindowBits > 0 ? serverMaxWindowBits : 15;
    }

    /**
     * Whether the compressor sending in this direction resets its context after each message: the
     * client's parameters govern client-to-server frames, the server's govern server-to-client ones.
     */
    public boolean noContextTakeover(Direction dir) {
        return dir == Direction.C2S ? clientNoContextTakeover : serverNoContextTakeover;
    }

    /** Window bits of the compressor sending in this direction. */
    public int windowBits(Direction dir) {
        return dir == Direction.C2S ? clientWindowBits() : serverWindowBits();
    }

    /** The header form, e.g. {@code permessage-deflate; client_max_window_bits}. */
    public String format() {
        StringBuilder sb = new StringBuilder(NAME);
        if (clientNoContextTakeover) {
            sb.append("; client_no_context_takeover");
        }
        if (serverNoContextTakeover) {
            sb.append("; server_no_context_takeover");
        }
        if (clientMaxWindowBits == NO_VALUE) {
            sb.append("; client_max_window_bits");
        } else if (clientMaxWindowBits != ABSENT) {
            sb.append("; client_max_window_bits=").append(clientMaxWindowBits);
        }
        if (serverMaxWindowBits != ABSENT) {
            sb.append("; server_max_window_bits=").append(serverMaxWindowBits);
        }
        return sb.toString();
    }

    /**
     * Checks a server's response against one offer (RFC 7692 7.1).
     *
     * @return what makes the response unacceptable for this offer, one sentence each; empty if it fits
     */
    public List<String> problemsAsResponseTo(DeflateParams offer) {
        List<String> problems = new ArrayList<>();
        if (clientMaxWindowBits == NO_VALUE) {
            problems.add("The response has client_max_window_bits without a value; a server must give one.");
        } else if (clientMaxWindowBits != ABSENT) {
            if (offer.clientMaxWindowBits == ABSENT) {
                problems.add("The response sets client_max_window_bits, which the client did not offer.");
            } else if (offer.clientMaxWindowBits > 0 && clientMaxWindowBits > offer.clientMaxWindowBits) {
                problems.add("The response sets client_max_window_bits=" + clientMaxWindowBits
                        + ", above the " + offer.clientMaxWindowBits + " the client offered.");
            }
        }
        if (offer.serverMaxWindowBits != ABSENT) {
            if (serverMaxWindowBits == ABSENT) {
                problems.add("The client offered server_max_window_bits=" + offer.serverMaxWindowBits
                        + " but the response does not accept it.");
            } else if (serverMaxWindowBits > offer.serverMaxWindowBits) {
                problems.add("The response sets server_max_window_bits=" + serverMaxWindowBits
                        + ", above the " + offer.serverMaxWindowBits + " the client offered.");
            }
        }
        if (offer.serverNoContextTakeover && !serverNoContextTakeover) {
            problems.add("The client offered server_no_context_takeover but the response does not accept it.");
        }
        return problems;
    }

    /**
     * Checks a response against all offers: it is acceptable when it fits any one of them.
     *
     * @return empty if acceptable; otherwise the problems against the first offer
     */
    public List<String> problemsAsResponseTo(List<DeflateParams> offers) {
        if (offers.isEmpty()) {
            return List.of("The response accepts permessage-deflate, which the client did not offer.");
        }
        List<String> first = null;
        for (DeflateParams offer : offers) {
            List<String> p = problemsAsResponseTo(offer);
            if (p.isEmpty()) {
                return p;
            }
            if (first == null) {
                first = p;
            }
        }
        return first;
    }
}
