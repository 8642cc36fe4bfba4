package dev.wsdebug.sniff.tls;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;

/** A listener that keeps what a {@link TlsConnection} reports, for assertions. */
final class Recorder implements TlsPlaintextListener {
    final List<TlsInfo> infos = new ArrayList<>();
    final List<String> problems = new ArrayList<>();
    final ByteArrayOutputStream fromClient = new ByteArrayOutputStream();
    final ByteArrayOutputStream fromServer = new ByteArrayOutputStream();
    /** Packet number of each plaintext call, per side. */
    final List<Long> clientPackets = new ArrayList<>();
    final List<Long> serverPackets = new ArrayList<>();

    @Override
    public void info(TlsInfo info) {
        infos.add(info);
    }

    @Override
    public void plaintext(boolean client, long packet, long timeNanos, byte[] b, int off, int len) {
        (client ? fromClient : fromServer).write(b, off, len);
        (client ? clientPackets : serverPackets).add(packet);
    }

    @Override
    public void problem(long timeNanos, String sentence) {
        problems.add(sentence);
    }

    TlsInfo lastInfo() {
        return infos.isEmpty() ? null : infos.get(infos.size() - 1);
    }
}
