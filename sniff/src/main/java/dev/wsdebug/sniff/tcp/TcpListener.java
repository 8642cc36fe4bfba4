package dev.wsdebug.sniff.tcp;

/** Told of each new TCP connection; returns who receives its bytes. */
@FunctionalInterface
public interface TcpListener {
    TcpStreamHandler opened(TcpFlow flow);
}
