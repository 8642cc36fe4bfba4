package dev.wsdebug.sniff;

import dev.wsdebug.sniff.tls.KeyLog;
import dev.wsdebug.wire.DecodeLimits;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;

/** How a capture is decoded: keys, ports forced to WebSocket, stream files, retention. */
public final class DecodeOptions {
    /**
     * TLS secrets (--keylog, and those a pcapng carries in Decryption Secrets Blocks, which come
     * before the packets they decrypt). A complete log by default: a connection without a key is
     * said at once instead of its records being held in case the key comes later.
     */
    public KeyLog keys = KeyLog.parse(new byte[0]);
    /** Ports whose connections are WebSocket from the first byte when no upgrade is seen (--assume-ws). */
    public Set<Integer> assumeWebSocketPorts = new HashSet<>();
    /** Where each TCP connection's reassembled (and decrypted) bytes go, one file per direction; null: nowhere. */
    public Path streamsDir;
    /** What each message's assembly keeps and decodes. */
    public DecodeLimits limits = DecodeLimits.retaining(DecodeLimits.DEFAULT_RETAIN);
}
