package dev.wsdebug.ui;

import java.io.IOException;
import java.io.InputStream;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The web app and its vendored library, served from the jar: {@code /} and {@code /app/…} from
 * {@code dev/wsdebug/ui/app/}, {@code /vendor/uplot/…} from uPlot's WebJar. Files are read once and
 * kept (a few hundred KiB in all).
 */
final class StaticFiles {
    private static final String APP = "dev/wsdebug/ui/app/";
    private static final String UPLOT = "META-INF/resources/webjars/uplot/" + webJarVersion("uplot") + "/dist/";
    private static final Map<String, String> TYPES = Map.of(
            "html", "text/html; charset=utf-8",
            "js", "text/javascript; charset=utf-8",
            "css", "text/css; charset=utf-8",
            "svg", "image/svg+xml",
            "png", "image/png",
            "ico", "image/x-icon",
            "json", "application/json");

    record File(byte[] bytes, String type) {
    }

    private final Map<String, File> cache = new ConcurrentHashMap<>();

    /** The file for a request path, or null. */
    File get(String path) {
        String resource;
        if (path.equals("/") || path.equals("/index.html")) {
            resource = APP + "index.html";
        } else if (path.startsWith("/app/")) {
            resource = APP + path.substring("/app/".length());
        } else if (path.startsWith("/vendor/uplot/")) {
            resource = UPLOT + path.substring("/vendor/uplot/".length());
        } else {
            return null;
        }
        if (resource.contains("..") || resource.contains("//") || resource.endsWith("/")) {
            return null;
        }
        return cache.computeIfAbsent(resource, StaticFiles::load);
    }

    /** The version of a WebJar on the class path, from its Maven metadata (so the pom alone names it). */
    private static String webJarVersion(String artifact) {
        String props = "META-INF/maven/org.webjars.npm/" + artifact + "/pom.properties";
        try (InputStream in = StaticFiles.class.getClassLoader().getResourceAsStream(props)) {
            java.util.Properties p = new java.util.Properties();
            if (in != null) {
                p.load(in);
            }
            return p.getProperty("version", "missing");
        } catch (IOException e) {
            return "missing";
        }
    }

    private static File load(String resource) {
        try (InputStream in = StaticFiles.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                return null;
            }
            String ext = resource.substring(resource.lastIndexOf('.') + 1);
            return new File(in.readAllBytes(), TYPES.getOrDefault(ext, "application/octet-stream"));
        } catch (IOException e) {
            return null;
        }
    }
}
