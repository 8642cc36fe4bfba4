package dev.wsdebug.cli;

import dev.wsdebug.cli.output.Terminal;
import dev.wsdebug.net.tls.LocalCa;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;

/** {@code wsdebug ca}: the local CA whose certificates the intercepting proxy presents. */
@Command(name = "ca",
        sortOptions = false,
        mixinStandardHelpOptions = true,
        description = {"Show, export or replace the local certificate authority of the intercepting proxy.", "",
                "The proxy presents certificates signed by this CA for the wss:// hosts it intercepts.",
                "It is created on first use, in $WSDEBUG_HOME/ca when WSDEBUG_HOME is set,",
                "else in $XDG_DATA_HOME/wsdebug/ca, else in ~/.local/share/wsdebug/ca.",
                "Its private key (ca-key.pem, mode 0600) never leaves that directory.", "",
                "Without an option: where the CA certificate is, and how to trust it.", ""},
        footer = {"",
                "Trusting the CA (CA.pem stands for the file 'wsdebug ca --path' prints):",
                "  Chrome, Chromium, Edge: Settings > Privacy and security > Security >",
                "    Manage certificates > Authorities > Import CA.pem, and tick",
                "    'Trust this certificate for identifying websites'. On Linux, from a shell",
                "    instead (Chromium's NSS database; restart the browser):",
                "      certutil -d sql:$HOME/.pki/nssdb -A -t C,, -n wsdebug -i CA.pem",
                "  Firefox: Settings > Privacy & Security > Certificates > View Certificates >",
                "    Authorities > Import CA.pem, tick 'Trust this CA to identify websites'.",
                "  curl:    curl --cacert CA.pem https://...",
                "  Node:    NODE_EXTRA_CA_CERTS=CA.pem node app.js",
                "  Python:  SSL_CERT_FILE=CA.pem python3 app.py",
                "           requests: REQUESTS_CA_BUNDLE=CA.pem python3 app.py",
                "           in code:  ssl.create_default_context(cafile=\"CA.pem\")",
                "  Java:    keytool -importcert -cacerts -storepass changeit -alias wsdebug \\",
                "             -file CA.pem                 (into the JDK's own trust store)",
                "           or a trust store of its own:",
                "           keytool -importcert -noprompt -keystore wsdebug.p12 \\",
                "             -storepass changeit -alias wsdebug -file CA.pem",
                "           java -Djavax.net.ssl.trustStore=wsdebug.p12 \\",
                "             -Djavax.net.ssl.trustStorePassword=changeit ...",
                "  curl --cacert, SSL_CERT_FILE and REQUESTS_CA_BUNDLE trust the CA alone; the",
                "  others add it to the usual roots. Trust it only where you use wsdebug:",
                "  whoever has its key can impersonate any site to you. After",
                "  'wsdebug ca --regenerate', replace every entry made for the old CA.",
                "",
                "Examples:",
                "  wsdebug ca",
                "  wsdebug ca --export wsdebug-ca.pem",
                "  curl --cacert \"$(wsdebug ca --path)\" --proxy http://127.0.0.1:8888 \\",
                "    https://example.com/",
                "",
                "Exit codes: 0 done, 2 bad usage, or the CA cannot be created, read or written."})
final class CaCommand implements Callable<Integer> {
    /** What the footer calls the CA certificate's file. */
    static final String PLACEHOLDER = "CA.pem";
    private static final Pattern SHELL_SAFE = Pattern.compile("[A-Za-z0-9_@%+=:,./-]+");

    static final class Action {
        @Option(names = "--path", description = "Print the CA certificate's path (creating the CA if needed).")
        boolean path;

        @Option(names = "--export", paramLabel = "FILE",
                description = "Write the CA certificate (PEM) to FILE, or '-' for standard output.")
        String export;

        @Option(names = "--regenerate", description = "Replace the CA with a new one. Clients that trusted the old"
                + " one must trust the new one instead.")
        boolean regenerate;
    }

    @ArgGroup(exclusive = true, multiplicity = "0..1")
    Action action;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        PrintStream out = Terminal.stdout();
        PrintStream err = Terminal.stderr();
        try {
            return run(out, err);
        } finally {
            out.flush();
        }
    }

    private int run(PrintStream out, PrintStream err) {
        Path dir = LocalCa.defaultDir();
        if (action != null && action.regenerate) {
            return regenerate(dir, out, err);
        }
        LocalCa ca;
        try {
            ca = LocalCa.loadOrCreate(dir);
        } catch (LocalCa.UnusableCaException e) {
            return usage(err, e.getMessage() + "; 'wsdebug ca --regenerate' replaces it with a new CA.");
        } catch (IOException e) {
            return usage(err, "cannot create the local CA in " + dir + ": " + reason(e, dir) + ".");
        }
        if (ca.created()) {
            err.println("wsdebug ca: created a new local CA in " + ca.dir());
        }
        if (action == null) {
            describe(ca, out);
            return 0;
        }
        if (action.path) {
            out.println(ca.certificatePath());
            return 0;
        }
        return export(ca, action.export, out, err);
    }

    private int export(LocalCa ca, String file, PrintStream out, PrintStream err) {
        String pem = ca.certificatePem();
        if (file.equals("-")) {
            out.print(pem);
            return 0;
        }
        Path target;
        try {
            target = Path.of(file);
        } catch (InvalidPathException e) {
            return usage(err, "--export: '" + file + "' is not a valid path.");
        }
        try {
            Files.writeString(target, pem, java.nio.charset.StandardCharsets.US_ASCII);
        } catch (IOException e) {
            return usage(err, "cannot write " + file + ": " + reason(e, target) + ".");
        }
        out.println("wrote the CA certificate (SHA-256 " + ca.fingerprint() + ") to " + target);
        return 0;
    }

    private int regenerate(Path dir, PrintStream out, PrintStream err) {
        String previous = previousFingerprint(dir.resolve(LocalCa.CERT_FILE));
        LocalCa ca;
        try {
            ca = LocalCa.createNew(dir);
        } catch (IOException e) {
            return usage(err, "cannot create a new local CA in " + dir + ": " + reason(e, dir) + ".");
        }
        out.println("Made a new local CA: " + ca.certificatePath());
        out.println("  SHA-256 " + ca.fingerprint());
        if (previous != null) {
            out.println("It replaces the CA with SHA-256 " + previous + ".");
        }
        out.println("Trust entries made for the old CA (browsers, NSS, keytool, files given to curl, Node or Python)"
                + " no longer work: replace them with the new certificate ('wsdebug ca' says how).");
        out.println("A wsdebug proxy that is already running keeps the old CA until it is restarted.");
        return 0;
    }

    /** The fingerprint of the certificate in the file, or null when there is none or it does not parse. */
    private static String previousFingerprint(Path certFile) {
        try {
            byte[] bytes = Files.readAllBytes(certFile);
            X509Certificate cert = (X509Certificate) CertificateFactory.getInstance("X.509")
                    .generateCertificate(new ByteArrayInputStream(bytes));
            return LocalCa.fingerprint(cert);
        } catch (Exception e) {
            return null;
        }
    }

    private void describe(LocalCa ca, PrintStream out) {
        X509Certificate cert = ca.certificate();
        out.println("Local CA certificate: " + ca.certificatePath());
        out.println("  " + cert.getSubjectX500Principal().getName());
        out.println("  SHA-256 " + ca.fingerprint());
        out.println("  valid until " + cert.getNotAfter().toInstant().atOffset(ZoneOffset.UTC).toLocalDate());
        out.println();
        out.println("The intercepting proxy presents certificates signed by this CA; clients that should accept them"
                + " must trust it:");
        for (String line : trustInstructions(ca.certificatePath())) {
            out.println(line);
        }
    }

    /**
     * The footer's trust instructions (from "Chrome" to the regenerate note), with the placeholder
     * replaced by the path: quoted for a shell where needed, as a string literal in Python code.
     */
    List<String> trustInstructions(Path certificate) {
        String path = certificate.toString();
        String shell = SHELL_SAFE.matcher(path).matches() ? path : "'" + path.replace("'", "'\\''") + "'";
        String literal = "\"" + path.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
        List<String> lines = new ArrayList<>();
        boolean in = false;
        for (String line : spec.usageMessage().footer()) {
            if (line.startsWith("Trusting the CA")) {
                in = true;
                continue;
            }
            if (in && line.isEmpty()) {
                break;
            }
            if (in) {
                lines.add(line.replace("\"" + PLACEHOLDER + "\"", literal)
                        .replace(PLACEHOLDER, shell));
            }
        }
        return lines;
    }

    /**
     * Why a file operation on {@code subject} failed, in a few lower-case words (naming the file
     * concerned when it is another one, a parent directory say).
     */
    static String reason(IOException e, Path subject) {
        if (!(e instanceof FileSystemException f)) {
            String m = e.getMessage();
            return m == null ? e.getClass().getSimpleName() : m;
        }
        String file = f.getFile() == null || Path.of(f.getFile()).toAbsolutePath().equals(subject.toAbsolutePath())
                ? "" : " (" + f.getFile() + ")";
        if (e instanceof AccessDeniedException) {
            return "permission denied" + file;
        }
        if (e instanceof NoSuchFileException) {
            return "no such file or directory" + file;
        }
        if (e instanceof FileAlreadyExistsException) {
            return "a file is in the way" + file;
        }
        String r = f.getReason();
        if (r == null || r.isEmpty()) {
            return "it failed" + file;
        }
        return r.substring(0, 1).toLowerCase(Locale.ROOT) + r.substring(1) + file;
    }

    private static int usage(PrintStream err, String sentence) {
        err.println("wsdebug ca: " + sentence);
        return Main.USAGE;
    }
}
