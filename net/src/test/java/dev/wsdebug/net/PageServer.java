package dev.wsdebug.net;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import dev.wsdebug.net.tls.Tls;

import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.KeyStore;
import java.security.cert.Certificate;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/** https://localhost:PORT/ serving one HTML page with a given identity (the JDK's HTTP/1.1 server); 404 for anything else. */
final class PageServer {
    private PageServer() {
    }

    /** @param chunked send the page without a length (chunked), else with Content-Length */
    static HttpsServer serve(Tls.Identity id, String html, boolean chunked) throws Exception {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        char[] pw = "page".toCharArray();
        ks.setKeyEntry("page", id.key(), pw, new Certificate[] {id.certificate()});
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, pw);
        SSLContext ssl = SSLContext.getInstance("TLS");
        ssl.init(kmf.getKeyManagers(), null, null);
        HttpsServer s = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
        s.setHttpsConfigurator(new HttpsConfigurator(ssl));
        byte[] body = html.getBytes(StandardCharsets.UTF_8);
        s.createContext("/", ex -> {
            try (ex) {
                ex.getRequestBody().readAllBytes();
                if (!ex.getRequestURI().getPath().equals("/")) {
                    ex.sendResponseHeaders(404, -1);
                    return;
                }
                ex.getResponseHeaders().set("Content-Type", "text/html; charset=utf-8");
                ex.getResponseHeaders().set("Cache-Control", "no-store");
                ex.sendResponseHeaders(200, chunked ? 0 : body.length);
                try (OutputStream out = ex.getResponseBody()) {
                    out.write(body);
                }
            }
        });
        s.start();
        return s;
    }
}
