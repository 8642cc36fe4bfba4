package dev.wsdebug.cli.ui;

import java.io.File;

/** Opens a URL in the user's default browser, where the system has a way to. */
final class Browser {
    private Browser() {
    }

    /** Null when a browser was started, else why not (one sentence). */
    static String open(String url) {
        String os = System.getProperty("os.name", "").toLowerCase(java.util.Locale.ROOT);
        String[] cmd;
        if (os.contains("mac")) {
            cmd = new String[]{"open", url};
        } else if (os.contains("win")) {
            cmd = new String[]{"rundll32", "url.dll,FileProtocolHandler", url};
        } else if (onPath("xdg-open")) {
            cmd = new String[]{"xdg-open", url};
        } else {
            return "there is no xdg-open on this system.";
        }
        if (!os.contains("mac") && !os.contains("win") && System.getenv("DISPLAY") == null
                && System.getenv("WAYLAND_DISPLAY") == null) {
            return "there is no graphical display (DISPLAY is not set).";
        }
        try {
            new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            return null;
        } catch (java.io.IOException e) {
            return e.getMessage() + ".";
        }
    }

    private static boolean onPath(String name) {
        String path = System.getenv("PATH");
        if (path == null) {
            return false;
        }
        for (String dir : path.split(File.pathSeparator)) {
            if (new File(dir, name).canExecute()) {
                return true;
            }
        }
        return false;
    }
}
