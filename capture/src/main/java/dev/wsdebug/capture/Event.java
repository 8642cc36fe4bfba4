package dev.wsdebug.capture;

/**
 * One thing that happened on a connection, as schema v1 of the JSON Lines stream describes it.
 * Every source (client, server, proxy, capture file) produces these through {@link Conversation}.
 */
public sealed interface Event permits HandshakeEvent, FrameEvent, MessageEvent, CloseEvent, ErrorEvent, HttpEvent,
        FindingEvent, FlowEvent {
    /** Connection id, unique within a run or capture; null only for errors not tied to a connection. */
    String conn();

    /** When it happened: microseconds since the epoch. */
    long timeMicros();

    /** The schema's event name. */
    String name();
}
