package dev.wsdebug.ui;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.wsdebug.capture.store.CaptureBrowser;

import java.nio.file.Path;

/**
 * One capture the UI shows: its id in the API, the name and kind shown, the store it is read from
 * and, for a file converted on opening (pcap, HAR) or a live session's temporary store, the file
 * to delete when the UI stops.
 */
public final class OpenCapture {
    private final String id;
    private final String name;
    private final String kind;
    private final boolean live;
    private final CaptureBrowser browser;
    private final Path temporary;
    private final String notice;
    private final Runnable sync;
    private final DecodedItems decoded;
    private final AppColumn apps;
    private volatile Injector injector;
    private CaptureFindings findings;

    OpenCapture(String id, String name, String kind, boolean live, CaptureBrowser browser, Path temporary,
                String notice, Runnable sync, DecodedItems decoded, AppColumn apps) {
        this.id = id;
        this.name = name;
        this.kind = kind;
        this.live = live;
        this.browser = browser;
        this.temporary = temporary;
        this.notice = notice;
        this.sync = sync;
        this.decoded = decoded;
        this.apps = apps;
    }

    public String id() {
        return id;
    }

    public String name() {
        return name;
    }

    public String kind() {
        return kind;
    }

    public boolean live() {
        return live;
    }

    /** Lets the page inject into this live capture's connections (a proxy's). */
    public void injector(Injector i) {
        injector = i;
    }

    Injector injector() {
        return injector;
    }

    /** The analysis of this capture's connections (started at the first call). */
    synchronized CaptureFindings findings() {
        if (findings == null) {
            findings = new CaptureFindings(browser, !live);
        }
        return findings;
    }

    /** What the application protocol of each message says. */
    DecodedItems decoded() {
        return decoded;
    }

    /** Which application protocol each connection speaks (the grid's App column). */
    AppColumn apps() {
        return apps;
    }

    CaptureBrowser browser() {
        return browser;
    }

    /** Makes what a live source handed to its store visible to readers (no-op for files). */
    void sync() {
        if (sync != null) {
            sync.run();
        }
    }

    ObjectNode entry(int connections) {
        ObjectNode e = CaptureBrowser.JSON_FACTORY.objectNode();
        e.put("id", id);
        e.put("name", name);
        e.put("kind", kind);
        e.put("live", live);
        e.put("connections", connections);
        e.put("notice", notice);
        return e;
    }

    void close() {
        apps.close();
        browser.close();
        Captures.deleteQuietly(temporary);
    }
}
