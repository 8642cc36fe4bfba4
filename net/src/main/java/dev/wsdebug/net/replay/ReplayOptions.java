package dev.wsdebug.net.replay;

import dev.wsdebug.capture.replay.JsonPath;
import dev.wsdebug.net.client.ClientOptions;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;

/** How a recorded connection is played again: where to, how fast, with which headers. */
public final class ReplayOptions {
    /** The server to replay against. Without a path of its own, the recorded request's path and query are used. */
    public URI to;
    /** Recorded time is divided by this; {@link Double#POSITIVE_INFINITY} sends as fast as possible. */
    public double speed = 1;
    /** Send each client message only once the server has sent as many messages as it had by then in the recording. */
    public boolean waitReplies;
    /** JSON paths left out of both sides when server messages are compared. */
    public List<JsonPath> ignore = new ArrayList<>();
    /** Headers ("Name: value") that replace recorded ones of the same name, or are added. */
    public List<String> headers = new ArrayList<>();
    /** Leave out the recorded request's own headers (subprotocols and extensions offered are kept). */
    public boolean noHeaders;
    /** The longest wait for the server at any one point (a reply, its close). */
    public long timeoutMillis = 10_000;
    /**
     * How the WebSocket opens: null as recorded (an extended CONNECT over HTTP/2 when the recorded
     * handshake was one, else the HTTP/1.1 upgrade), or this.
     */
    public ClientOptions.Transport transport;
    /** TLS and the rest of the client's settings (url, headers, subprotocols and extensions are filled per connection). */
    public ClientOptions client = new ClientOptions();
}
