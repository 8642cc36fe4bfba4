package dev.wsdebug.net;

import io.netty.util.NetUtil;

import java.net.InetSocketAddress;
import java.net.SocketAddress;

/** Socket addresses as people write them: host:port, [v6]:port. */
public final class Addresses {
    private Addresses() {
    }

    public static String hostPort(SocketAddress a) {
        if (a instanceof InetSocketAddress i) {
            String host = i.getAddress() != null ? NetUtil.toAddressString(i.getAddress()) : i.getHostString();
            return (host.contains(":") ? "[" + host + "]" : host) + ":" + i.getPort();
        }
        return a == null ? null : a.toString();
    }
}
