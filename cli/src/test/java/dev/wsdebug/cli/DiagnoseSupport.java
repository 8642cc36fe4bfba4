package dev.wsdebug.cli;

import com.fasterxml.jackson.databind.JsonNode;

import java.nio.file.Path;
import java.util.List;

import static dev.wsdebug.cli.ConnectSupport.jsonLines;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * What the {@code wsdebug diagnose} tests share: recording clients through {@code wsdebug proxy
 * --save}, running the packaged diagnose over the capture, and picking findings out of its JSON.
 */
final class DiagnoseSupport {
    private DiagnoseSupport() {
    }

    /** Clients talking to the proxy listening on {@code proxyPort}. */
    interface ThroughProxy {
        void run(int proxyPort) throws Exception;
    }

    /** Records into {@code wsdb} what {@code clients} do through {@code wsdebug proxy --save} in front of this port. */
    static Path throughProxy(Path wsdb, int upstreamPort, List<String> proxyArgs, ThroughProxy clients) throws Exception {
        List<String> args = new java.util.ArrayList<>(List.of("--to", "ws://127.0.0.1:" + upstreamPort, "--save",
                wsdb.toString()));
        args.addAll(proxyArgs);
        try (ProxyProcess proxy = ProxyProcess.start(args.toArray(new String[0]))) {
            clients.run(proxy.port);
            proxy.close(); // SIGTERM: the capture is completed and closed
        }
        return wsdb;
    }

    /** {@code wsdebug diagnose FILE --json}: its findings, once its exit status is {@code exit}. */
    static List<JsonNode> diagnose(Path wsdb, int exit) throws Exception {
        WsdebugProcess.Result r = WsdebugProcess.run("diagnose", wsdb.toString(), "--json");
        assertThat(r.exit()).as(r.err() + r.out()).isEqualTo(exit);
        return jsonLines(r.out());
    }

    /** The finding of this rule, which must be the only rule among the error-level findings. */
    static JsonNode only(List<JsonNode> findings, String rule) {
        assertThat(findings).allSatisfy(f -> assertThat(f.path("event").asText()).isEqualTo("finding"));
        assertThat(findings).filteredOn(f -> f.path("severity").asText().equals("error"))
                .extracting(f -> f.path("rule").asText()).containsOnly(rule);
        return finding(findings, rule);
    }

    /** The first finding of this rule. */
    static JsonNode finding(List<JsonNode> findings, String rule) {
        return findings.stream().filter(x -> x.path("rule").asText().equals(rule)).findFirst()
                .orElseThrow(() -> new AssertionError("no " + rule + " in " + findings));
    }
}
