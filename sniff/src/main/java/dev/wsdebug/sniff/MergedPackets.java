package dev.wsdebug.sniff;

import dev.wsdebug.sniff.pcap.Packet;
import dev.wsdebug.sniff.pcap.PacketReader;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Several captures read as one, packets merged by time (as {@code mergecap} would), each file still
 * streamed: one packet of each is held at a time. Packet numbers become positions in the merged
 * sequence when there is more than one file, so frame events can still name them.
 */
public final class MergedPackets {
    private final List<PacketReader> readers;
    private final Packet[] heads;
    private final boolean[] done;
    private final String[] names;
    private long number;

    /** @param names each reader's file name, for the sentence of a capture that breaks off */
    public MergedPackets(List<PacketReader> readers, List<String> names) {
        this.readers = new ArrayList<>(readers);
        this.heads = new Packet[readers.size()];
        this.done = new boolean[readers.size()];
        this.names = names.toArray(String[]::new);
    }

    /**
     * The earliest next packet of all files, or null when all are read.
     *
     * @throws NamedCaptureException when a file breaks off: the packets before were returned
     */
    public Packet next() throws IOException {
        int best = -1;
        for (int i = 0; i < heads.length; i++) {
            if (heads[i] == null && !done[i]) {
                try {
                    heads[i] = readers.get(i).next();
                } catch (IOException e) {
                    done[i] = true;
                    throw new NamedCaptureException(names[i], e);
                }
                done[i] = heads[i] == null;
            }
            if (heads[i] != null && (best < 0 || heads[i].timeNanos() < heads[best].timeNanos())) {
                best = i;
            }
        }
        if (best < 0) {
            return null;
        }
        Packet p = heads[best];
        heads[best] = null;
        number++;
        return heads.length == 1 ? p
                : new Packet(number, p.timeNanos(), p.linkType(), p.data(), p.originalLength(), p.interfaceId());
    }

    /** A capture file that broke off, with its name. */
    public static final class NamedCaptureException extends IOException {
        private final String file;

        NamedCaptureException(String file, IOException cause) {
            super(cause.getMessage(), cause);
            this.file = file;
        }

        public String file() {
            return file;
        }
    }
}
