package dev.wsdebug.sniff.tcp;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A listener that writes down everything the reassembler says, in order, as short lines
 * ({@code "1 A data #3 @30 hello"}), and each side's bytes, for exact assertions.
 */
final class Recorder implements TcpListener {
    final List<String> events = new ArrayList<>();
    final Map<Long, Stream> streams = new LinkedHashMap<>();
    /** Whether data events show the bytes (else their count): the property tests feed megabytes. */
    private final boolean showBytes;

    Recorder() {
        this(true);
    }

    Recorder(boolean showBytes) {
        this.showBytes = showBytes;
    }

    @Override
    public TcpStreamHandler opened(TcpFlow flow) {
        Stream s = new Stream(flow);
        streams.put(flow.id(), s);
        events.add(flow.id() + " opened " + flow.a() + " " + flow.b() + " client=" + flow.client());
        return s;
    }

    Stream stream(long id) {
        return streams.get(id);
    }

    /** The events of one connection. */
    List<String> of(long id) {
        String prefix = id + " ";
        return events.stream().filter(e -> e.startsWith(prefix)).toList();
    }

    final class Stream implements TcpStreamHandler {
        final TcpFlow flow;
        final ByteArrayOutputStream a = new ByteArrayOutputStream();
        final ByteArrayOutputStream b = new ByteArrayOutputStream();
        long gapA;
        long gapB;
        /** Stream offsets reported missing, per side. */
        final BitSet gapBitsA = new BitSet();
        final BitSet gapBitsB = new BitSet();
        int closes;
        final List<String> conflicts = new ArrayList<>();

        Stream(TcpFlow flow) {
            this.flow = flow;
        }

        ByteArrayOutputStream out(Side side) {
            return side == Side.A ? a : b;
        }

        String text(Side side) {
            return out(side).toString(StandardCharsets.ISO_8859_1);
        }

        BitSet gapBits(Side side) {
            return side == Side.A ? gapBitsA : gapBitsB;
        }

        long gaps(Side side) {
            return side == Side.A ? gapA : gapB;
        }

        @Override
        public void data(Side from, long packet, long timeNanos, byte[] bytes, int off, int len) {
            if (closes > 0) {
                throw new AssertionError("data after close");
            }
            out(from).write(bytes, off, len);
            events.add(flow.id() + " " + from + " data #" + packet + " @" + timeNanos + " "
                    + (showBytes ? new String(bytes, off, len, StandardCharsets.ISO_8859_1) : len));
        }

        @Override
        public void gap(Side from, long timeNanos, long missing) {
            if (closes > 0) {
                throw new AssertionError("gap after close");
            }
            if (missing <= 0) {
                throw new AssertionError("empty gap");
            }
            if (from == Side.A) {
                gapA += missing;
            } else {
                gapB += missing;
            }
            int at = out(from).size();
            gapBits(from).set(at, (int) Math.min(at + missing, Integer.MAX_VALUE));
            // Keeps the byte positions of what follows, so offsets can be checked against the original.
            out(from).write(new byte[(int) Math.min(missing, 1 << 20)], 0, (int) Math.min(missing, 1 << 20));
            events.add(flow.id() + " " + from + " gap " + missing + " @" + timeNanos);
        }

        @Override
        public void conflict(Side from, long timeNanos, long streamOffset, int length) {
            String c = flow.id() + " " + from + " conflict " + streamOffset + "+" + length + " @" + timeNanos;
            conflicts.add(c);
            events.add(c);
        }

        @Override
        public void flow(Side from, long timeNanos, FlowKind kind, long bytes, long micros) {
            events.add(flow.id() + " " + from + " flow " + kind + " bytes=" + bytes + " us=" + micros + " @" + timeNanos);
        }

        @Override
        public void closed(long timeNanos, boolean reset, boolean atEnd) {
            closes++;
            events.add(flow.id() + " closed @" + timeNanos + (reset ? " reset" : "") + (atEnd ? " atEnd" : ""));
        }
    }
}
