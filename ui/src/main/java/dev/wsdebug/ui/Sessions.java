package dev.wsdebug.ui;

import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.List;

/**
 * Talking from the page: connections made by wsdebug's own client for the New connection panel,
 * and messages injected into live proxied connections.
 */
class Sessions implements AutoCloseable {
    Reply handle(Api.Call c, List<String> path) {
        return Reply.error(501, "Connecting from the page is not available in this version.");
    }

    Reply inject(OpenCapture cap, String conn, byte[] body) {
        return Reply.error(409, "Capture " + cap.id() + " is not a live proxy: there is nothing to inject into.");
    }

    /** Adds what only a live session knows to a connection row (whether it can be injected into). */
    ObjectNode mark(OpenCapture cap, ObjectNode row) {
        return row;
    }

    @Override
    public void close() {
    }
}
