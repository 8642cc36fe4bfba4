package dev.wsdebug.sniff.packet;

import java.net.InetAddress;

/** An IP address and TCP port: one end of a connection. */
public record Endpoint(InetAddress address, int port) {

    /** {@code 10.0.0.1:80} or {@code [::1]:80}, as people write them. */
    @Override
    public String toString() {
        String host = address.getHostAddress();
        int pct = host.indexOf('%');
        if (pct >= 0) {
            host = host.substring(0, pct);
        }
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }
}
