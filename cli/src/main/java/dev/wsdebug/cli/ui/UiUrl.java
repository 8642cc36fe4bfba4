package dev.wsdebug.cli.ui;

import dev.wsdebug.ui.UiServer;

import java.io.PrintStream;

/** How a command that starts the web UI tells the user where it is ({@code ui}, and {@code --ui} of proxy and sniff). */
public final class UiUrl {
    private UiUrl() {
    }

    /** Prints the URL (and a warning when others can reach it); opens a browser when asked. */
    public static void announce(UiServer server, String host, boolean open, PrintStream out, PrintStream err) {
        if (!host.equals("127.0.0.1") && !host.equals("localhost") && !host.equals("::1")) {
            err.println("wsdebug: warning: the UI listens on " + host + ", so other machines can reach it; anyone with"
                    + " the URL's token can read every capture it shows and send messages.");
        }
        out.println("UI on " + server.url() + "  (Ctrl-C stops it)");
        out.flush();
        if (open) {
            String why = Browser.open(server.url().toString());
            if (why != null) {
                err.println("wsdebug: cannot open a browser: " + why + " Open the URL above yourself.");
            }
        }
    }
}
