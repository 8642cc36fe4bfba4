package dev.wsdebug.net.probe;

import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** What {@link EndpointProbe} probes and how long it may take. */
public final class ProbeOptions {
    /** The ws:// or wss:// endpoint. */
    public URI url;
    /** Extra request headers as "Name: value", as {@code connect -H} takes them. */
    public List<String> headers = new ArrayList<>();
    /** Subprotocols to offer on the connections that test the upgrade. */
    public List<String> subprotocols = new ArrayList<>();
    public String origin;
    public Path ca;
    public boolean insecure;
    /** Seconds to stay silent on one connection to find an idle timeout; 0 skips that check. */
    public double idleSeconds;
    /** Pings whose round trips are measured. */
    public int pings = 5;
    /** How long one ping may wait for its pong before the server counts as not answering. */
    public long pingTimeoutMillis = 2_000;
    /** How long the server may take to answer a close frame with its own. */
    public long closeTimeoutMillis = 5_000;
    public int connectTimeoutMillis = 5_000;
    /** A certificate that expires within this many days is a warning. */
    public int certificateWarningDays = 14;
}
