package dev.wsdebug.cli;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** `wsdebug ca` end to end: the packaged jar with WSDEBUG_HOME in a temporary directory. */
@Tag("packaged-jar")
class CaCommandIT {
    private static WsdebugProcess.Result ca(Path home, String... args) throws Exception {
        String[] all = new String[args.length + 1];
        all[0] = "ca";
        System.arraycopy(args, 0, all, 1, args.length);
        WsdebugProcess.Result r = WsdebugProcess.run(null, Map.of("WSDEBUG_HOME", home.toString()), all);
        assertThat(r.out() + r.err()).as("never the key").doesNotContain("PRIVATE KEY");
        assertThat(r.err()).doesNotContain("Exception");
        return r;
    }

    private static X509Certificate parse(String pem) throws Exception {
        return (X509Certificate) CertificateFactory.getInstance("X.509")
                .generateCertificate(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)));
    }

    @Test
    void pathCreatesTheCaOnceAndPrintsOnlyThePath(@TempDir Path home) throws Exception {
        Path cert = home.resolve("ca").resolve("ca.pem");
        Path key = home.resolve("ca").resolve("ca-key.pem");
        WsdebugProcess.Result first = ca(home, "--path");
        assertThat(first.exit()).as(first.err()).isZero();
        assertThat(first.out()).isEqualTo(cert + "\n");
        assertThat(first.err()).contains("created a new local CA");
        assertThat(cert).isRegularFile();
        assertThat(key).isRegularFile();
        assertThat(Files.getPosixFilePermissions(key)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
        assertThat(Files.getPosixFilePermissions(key.getParent())).isEqualTo(PosixFilePermissions.fromString("rwx------"));
        assertThat(parse(Files.readString(cert)).getSubjectX500Principal().getName()).startsWith("CN=wsdebug local CA (");
        byte[] bytes = Files.readAllBytes(cert);

        WsdebugProcess.Result again = ca(home, "--path");
        assertThat(again.out()).isEqualTo(first.out());
        assertThat(again.err()).isEmpty();
        assertThat(Files.readAllBytes(cert)).isEqualTo(bytes);
    }

    @Test
    void exportWritesTheCertificatePemToStdoutOrAFile(@TempDir Path home) throws Exception {
        WsdebugProcess.Result stdout = ca(home, "--export", "-");
        assertThat(stdout.exit()).as(stdout.err()).isZero();
        assertThat(stdout.out()).startsWith("-----BEGIN CERTIFICATE-----\n").endsWith("-----END CERTIFICATE-----\n");
        X509Certificate cert = parse(stdout.out());
        assertThat(cert.getBasicConstraints()).isGreaterThanOrEqualTo(0);
        assertThat(stdout.out()).isEqualTo(Files.readString(home.resolve("ca").resolve("ca.pem")));

        Path file = home.resolve("exported.pem");
        WsdebugProcess.Result toFile = ca(home, "--export", file.toString());
        assertThat(toFile.exit()).as(toFile.err()).isZero();
        assertThat(toFile.out()).contains("wrote the CA certificate").contains(file.toString());
        assertThat(Files.readString(file)).isEqualTo(stdout.out());
    }

    @Test
    void regenerateReplacesTheCertificateAndSaysSo(@TempDir Path home) throws Exception {
        String before = ca(home, "--export", "-").out();
        WsdebugProcess.Result r = ca(home, "--regenerate");
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).contains("Made a new local CA: " + home.resolve("ca").resolve("ca.pem"))
                .contains("It replaces the CA with SHA-256").contains("replace them with the new certificate");
        String after = ca(home, "--export", "-").out();
        assertThat(after).isNotEqualTo(before);
        assertThat(parse(after)).isNotEqualTo(parse(before));
        assertThat(Files.getPosixFilePermissions(home.resolve("ca").resolve("ca-key.pem")))
                .isEqualTo(PosixFilePermissions.fromString("rw-------"));
    }

    @Test
    void noOptionPrintsThePathAndHowToTrustIt(@TempDir Path home) throws Exception {
        WsdebugProcess.Result r = ca(home);
        assertThat(r.exit()).as(r.err()).isZero();
        String path = home.resolve("ca").resolve("ca.pem").toString();
        assertThat(r.out()).contains("Local CA certificate: " + path).contains("SHA-256 ")
                .contains("certutil -d sql:$HOME/.pki/nssdb -A -t C,, -n wsdebug -i " + path)
                .contains("Firefox").contains("Manage certificates")
                .contains("curl --cacert " + path)
                .contains("NODE_EXTRA_CA_CERTS=" + path)
                .contains("SSL_CERT_FILE=" + path).contains("REQUESTS_CA_BUNDLE=" + path)
                .contains("ssl.create_default_context(cafile=\"" + path + "\")")
                .contains("keytool -importcert -cacerts").contains("-Djavax.net.ssl.trustStore")
                .doesNotContain("CA.pem");
    }

    @Test
    void aPathWithSpacesIsQuotedForTheShell(@TempDir Path tmp) throws Exception {
        Path home = tmp.resolve("my home");
        WsdebugProcess.Result r = ca(home);
        assertThat(r.exit()).as(r.err()).isZero();
        String path = home.resolve("ca").resolve("ca.pem").toString();
        assertThat(r.out()).contains("NODE_EXTRA_CA_CERTS='" + path + "'").contains("cafile=\"" + path + "\"");
    }

    @Test
    void helpExplainsHowToTrustTheCa() throws Exception {
        WsdebugProcess.Result r = WsdebugProcess.run("ca", "--help");
        assertThat(r.exit()).isZero();
        assertThat(r.out()).contains("--path").contains("--export").contains("--regenerate")
                .contains("certutil").contains("NODE_EXTRA_CA_CERTS=CA.pem").contains("REQUESTS_CA_BUNDLE")
                .contains("keytool").contains("WSDEBUG_HOME").doesNotContain("PRIVATE KEY");
        assertThat(WsdebugProcess.run("--help").out()).contains("ca");
    }

    @Test
    void problemsExitWith2AndOneSentence(@TempDir Path tmp) throws Exception {
        // WSDEBUG_HOME is a file: the CA's directory cannot be made
        Path file = Files.writeString(tmp.resolve("plain-file"), "x");
        WsdebugProcess.Result blocked = ca(file, "--path");
        assertThat(blocked.exit()).isEqualTo(2);
        assertThat(blocked.out()).isEmpty();
        assertThat(blocked.err().lines()).singleElement().asString().startsWith("wsdebug ca: cannot create the local CA in ");

        Path home = tmp.resolve("home");
        WsdebugProcess.Result missingDir = ca(home, "--export", tmp.resolve("no/such/dir/ca.pem").toString());
        assertThat(missingDir.exit()).isEqualTo(2);
        assertThat(missingDir.err().lines().filter(l -> !l.contains("created a new local CA"))).singleElement().asString()
                .startsWith("wsdebug ca: cannot write ").contains("no such file or directory");

        WsdebugProcess.Result intoDir = ca(home, "--export", tmp.toString());
        assertThat(intoDir.exit()).isEqualTo(2);
        assertThat(intoDir.err().lines()).singleElement().asString().startsWith("wsdebug ca: cannot write " + tmp);

        WsdebugProcess.Result both = ca(home, "--path", "--regenerate");
        assertThat(both.exit()).isEqualTo(2);
        assertThat(both.err()).contains("mutually exclusive").contains("wsdebug ca --help");

        WsdebugProcess.Result noFile = ca(home, "--export");
        assertThat(noFile.exit()).isEqualTo(2);
    }

    @Test
    void aBrokenCaIsReportedAndRegenerateRepairsIt(@TempDir Path home) throws Exception {
        assertThat(ca(home, "--path").exit()).isZero();
        Files.writeString(home.resolve("ca").resolve("ca-key.pem"), "garbage\n");
        WsdebugProcess.Result broken = ca(home, "--path");
        assertThat(broken.exit()).isEqualTo(2);
        assertThat(broken.err().lines()).singleElement().asString()
                .contains("ca-key.pem is not an unencrypted PEM private key").contains("wsdebug ca --regenerate");

        assertThat(ca(home, "--regenerate").exit()).isZero();
        WsdebugProcess.Result fixed = ca(home, "--path");
        assertThat(fixed.exit()).isZero();
        assertThat(fixed.out().strip()).isEqualTo(home.resolve("ca").resolve("ca.pem").toString());
    }
}
