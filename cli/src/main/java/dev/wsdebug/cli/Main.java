package dev.wsdebug.cli;

import dev.wsdebug.cli.output.Terminal;
import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.io.PrintWriter;

/** The {@code wsdebug} command: dispatches to subcommands and maps failures to exit codes. */
@Command(name = "wsdebug",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        description = {"A WebSocket debugger: every frame, exactly as it crossed the wire.", ""},
        subcommands = {DemoCommand.class, ConnectCommand.class, ServeCommand.class, ProxyCommand.class, CaCommand.class,
                DecodeCommand.class, ReadCommand.class, SniffCommand.class, ExportCommand.class, DiagnoseCommand.class, ReplayCommand.class, UiCommand.class, CommandLine.HelpCommand.class},
        footer = {"", "Exit codes: 0 success or clean close, 1 the connection failed or closed abnormally,"
                + " 2 bad usage or input.", "Run 'wsdebug COMMAND --help' for a command's options."})
public final class Main implements Runnable {
    /** Exit code for bad usage or bad input. */
    public static final int USAGE = 2;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    public static void main(String[] args) {
        int code;
        try {
            code = run(args);
        } catch (Throwable t) { // an Error escapes picocli's handler; still one line, no stack trace
            Terminal.stderr().println("wsdebug: internal error: " + t);
            code = 1;
        }
        Terminal.stdout().flush();
        System.exit(code);
    }

    /** Runs the command line and returns the exit code (tests call this directly). */
    public static int run(String... args) {
        CommandLine cl = commandLine();
        return cl.execute(args);
    }

    static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new Main()).setCaseInsensitiveEnumValuesAllowed(true);
        cl.setOut(new PrintWriter(Terminal.stdout(), true));
        cl.setErr(new PrintWriter(Terminal.stderr(), true));
        cl.setParameterExceptionHandler((ex, args) -> {
            CommandLine c = ex.getCommandLine();
            PrintWriter err = c.getErr();
            err.println("wsdebug " + c.getCommandName() + ": " + ex.getMessage().replaceFirst("^Error: ", ""));
            err.println("Try 'wsdebug " + (c.getParent() == null ? "" : c.getCommandName() + " ") + "--help'.");
            return USAGE;
        });
        cl.setExecutionExceptionHandler((ex, c, parsed) -> {
            c.getErr().println("wsdebug: internal error: " + ex);
            if (System.getenv("WSDEBUG_DEBUG") != null) {
                ex.printStackTrace(c.getErr());
            }
            return 1;
        });
        return cl;
    }

    /** Version from the jar manifest. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Main.class.getPackage().getImplementationVersion();
            return new String[] {"wsdebug " + (v == null ? "(development build)" : v),
                    "Java " + System.getProperty("java.version")};
        }
    }
}
