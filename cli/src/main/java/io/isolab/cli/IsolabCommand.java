package io.isolab.cli;

import ch.qos.logback.classic.Level;
import io.isolab.api.InvalidSpecException;
import io.isolab.api.IsolabException;
import io.isolab.api.SandboxStartException;
import io.isolab.api.UnsupportedCapabilityException;
import io.isolab.api.config.ConfigException;
import io.isolab.api.config.ConfigLoader;
import io.isolab.api.config.IsolabConfig;
import io.isolab.api.host.UnknownBackendException;
import java.io.PrintWriter;
import java.nio.file.Path;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "isolab",
        mixinStandardHelpOptions = true,
        versionProvider = IsolabCommand.Version.class,
        description = "Runs the same workload under chroot, FreeBSD jails, Linux namespaces + cgroups and a hypervisor,"
                + " and measures what each costs and what each really isolates.",
        subcommands = {BackendsCommand.class, RunCommand.class, GcCommand.class, SetupCommand.class, BenchCommand.class, ProbeCommand.class,
                CommandLine.HelpCommand.class},
        footerHeading = "%nExit codes:%n",
        footer = {
                "  0        success (run: the workload exited 0)",
                "  1-255    run: the workload's own exit code; 128+N when it was killed by signal N",
                "  2        bad command line, config file or spec (the message names the option, key or field)",
                "  123      run: the workload was killed by its memory limit",
                "  124      run: the workload ran past --timeout and was killed",
                "  125      isolab failed: no backend available, or a sandbox setup step failed",
                "  126      run: the command exists in the sandbox but cannot be executed",
                "  127      run: the command does not exist in the sandbox"})
public final class IsolabCommand {

    @Option(names = {"-v", "--verbose"}, description = "Debug output, and stack traces for errors.", scope = CommandLine.ScopeType.INHERIT)
    void verbose(boolean on) {
        verbose = on;
        ((ch.qos.logback.classic.Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME))
                .setLevel(on ? Level.DEBUG : Level.WARN);
    }

    @Option(names = {"-c", "--config"}, paramLabel = "FILE", scope = CommandLine.ScopeType.INHERIT,
            description = "isolab's YAML config file (backend choice, defaults, per-backend settings).")
    Path configFile;

    static boolean verbose;

    /** The config file's settings, or the defaults. */
    IsolabConfig config() {
        return configFile == null ? IsolabConfig.standard() : ConfigLoader.load(configFile);
    }

    static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new IsolabCommand());
        cli.setExecutionExceptionHandler(IsolabCommand::handle);
        cli.setExitCodeExceptionMapper(e -> ExitCodes.USAGE);
        return cli;
    }

    /** User errors get one line, no stack trace; anything else says how to see more. */
    private static int handle(Exception e, CommandLine cli, CommandLine.ParseResult parsed) {
        PrintWriter err = cli.getErr();
        if (verbose) {
            e.printStackTrace(err);
        }
        int code;
        if (e instanceof ConfigException || e instanceof InvalidSpecException || e instanceof UnknownBackendException
                || e instanceof UnsupportedCapabilityException || e instanceof CommandLine.ParameterException) {
            code = ExitCodes.USAGE;
        } else if (e instanceof SandboxStartException s) {
            code = ExitCodes.of(s);
        } else if (e instanceof IsolabException) {
            code = ExitCodes.ISOLAB_ERROR;
        } else {
            err.println("isolab: internal error: " + e + (verbose ? "" : " (run with -v for the stack trace)"));
            return ExitCodes.ISOLAB_ERROR;
        }
        err.println("isolab: " + e.getMessage());
        return code;
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String version = IsolabCommand.class.getPackage().getImplementationVersion();
            return new String[] {"isolab " + (version == null ? "(development build)" : version)};
        }
    }
}
