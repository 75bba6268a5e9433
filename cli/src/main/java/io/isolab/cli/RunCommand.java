package io.isolab.cli;

import io.isolab.api.host.Backend;
import io.isolab.api.Capability;
import io.isolab.api.Json;
import io.isolab.api.Limits;
import io.isolab.api.NetworkMode;
import io.isolab.api.OutputListener;
import io.isolab.api.RunResult;
import io.isolab.api.SandboxSpec;
import io.isolab.api.Units;
import io.isolab.api.config.IsolabConfig;
import io.isolab.api.host.Backends;
import io.isolab.workload.OciBundle;
import io.isolab.workload.WorkloadRootfs;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

@Command(name = "run", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Runs one workload in a fresh sandbox, streams its output, and exits with its status.",
                "Without --rootfs it runs in isolab's workload rootfs: the probe as /usr/bin/isolab-probe, and busybox.",
                "Example: isolab run --backend linux-ns --memory 64m -- isolab-probe inspect"})
final class RunCommand implements Callable<Integer> {

    @ParentCommand
    IsolabCommand parent;

    @Spec
    CommandSpec spec;

    @Option(names = {"-b", "--backend"}, paramLabel = "ID", description = "Backend to use (default: by --config, else the first available).")
    String backend;

    @Option(names = "--memory", paramLabel = "SIZE", description = "Memory limit, e.g. 64m.")
    String memory;

    @Option(names = "--cpus", paramLabel = "N", description = "CPU limit in cores, e.g. 0.5.")
    Double cpus;

    @Option(names = "--pids", paramLabel = "N", description = "Most processes at once.")
    Integer pids;

    @Option(names = "--timeout", paramLabel = "DURATION", description = "Wall-clock limit, e.g. 10s; then the sandbox is killed (exit 124).")
    String timeout;

    @Option(names = "--network", paramLabel = "MODE", description = "none (only loopback) or host (default: the backend's).")
    String network;

    @Option(names = "--rootfs", paramLabel = "DIR", description = "Root filesystem directory, or an OCI bundle (config.json + rootfs/).")
    Path rootfs;

    @Option(names = "--hostname", paramLabel = "NAME")
    String hostname;

    @Option(names = {"-u", "--user"}, paramLabel = "USER", description = "User inside the sandbox: a name from its /etc/passwd, or uid[:gid].")
    String user;

    @Option(names = {"-e", "--env"}, paramLabel = "NAME=VALUE", description = "Environment variable (repeatable). Nothing is inherited from the host; PATH has a default.")
    List<String> env = new ArrayList<>();

    @Option(names = {"-w", "--cwd"}, paramLabel = "DIR", description = "Working directory inside the sandbox (default /).")
    String cwd;

    @Option(names = "--read-only", description = "Mount the root filesystem read-only.")
    boolean readOnly;

    @Option(names = "--require", paramLabel = "CAPABILITY", split = ",", description = "Capabilities the backend must have, e.g. pid-isolation,memory-limit.")
    List<String> require = new ArrayList<>();

    @Option(names = "--output-limit", paramLabel = "SIZE", description = "How much of stdout and of stderr the --json result keeps (default 1m).")
    String outputLimit;

    @Option(names = "--json", description = "Print the result record as JSON instead of streaming the output.")
    boolean json;

    @Parameters(paramLabel = "COMMAND", arity = "0..*", description = "The command and its arguments, after --.")
    List<String> command = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        IsolabConfig config = parent.config();
        if (backend != null) {
            config = config.withBackend(backend);
        }
        if (!require.isEmpty()) {
            java.util.Set<Capability> caps = java.util.EnumSet.noneOf(Capability.class);
            caps.addAll(config.require());
            for (String key : require) {
                caps.add(parse("--require", key, Capability::fromKey));
            }
            config = config.withRequire(caps);
        }
        Limits limits = parseLimits(config.defaults().limits());
        if (command.isEmpty() && (rootfs == null || OciBundle.detect(rootfs.toAbsolutePath()).isEmpty())) {
            throw noCommand();
        }
        try (Backends backends = Backends.load(config); Backend chosen = backends.select()) {
            SandboxSpec sandboxSpec = buildSpec(config, chosen, limits);
            RunResult result;
            if (json) {
                result = chosen.run(sandboxSpec);
                PrintWriter out = spec.commandLine().getOut();
                out.println(Json.write(result));
                out.flush();
            } else {
                result = chosen.run(sandboxSpec, new Streaming());
                PrintWriter err = spec.commandLine().getErr();
                if (result.timedOut()) {
                    err.println("isolab: timed out after " + sandboxSpec.limits().timeout().toMillis() + " ms; killed");
                } else if (result.oomKilled()) {
                    err.println("isolab: killed by the memory limit (" + Units.formatBytes(sandboxSpec.limits().memoryBytes()) + ")");
                }
                err.flush();
            }
            return ExitCodes.of(result);
        }
    }

    /** The limits from the options over the config's defaults, checked before any backend is opened. */
    private Limits parseLimits(Limits defaults) {
        Limits limits = defaults;
        if (memory != null) {
            limits = limits.withMemoryBytes(parse("--memory", memory, Units::parseBytes));
        }
        if (cpus != null) {
            limits = limits.withCpus(cpus);
        }
        if (pids != null) {
            limits = limits.withMaxPids(pids);
        }
        if (timeout != null) {
            limits = limits.withTimeout(parse("--timeout", timeout, Units::parseDuration));
        }
        if (network != null) {
            parse("--network", network, NetworkMode::fromKey);
        }
        if (outputLimit != null) {
            long limit = parse("--output-limit", outputLimit, Units::parseBytes);
            if (limit > Integer.MAX_VALUE - 8) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--output-limit: at most 2g");
            }
        }
        return limits;
    }

    private SandboxSpec buildSpec(IsolabConfig config, Backend backend, Limits limits) {
        Path root = rootfs != null ? rootfs.toAbsolutePath() : config.defaults().rootfs();
        List<String> argv = command;
        Map<String, String> environment = new LinkedHashMap<>(io.isolab.api.ProcessSpec.DEFAULT_ENV);
        String workdir = cwd;
        if (root == null) {
            root = backend.workloadRootfs(() -> WorkloadRootfs.ensure(config.cacheDir()));
        } else {
            Optional<OciBundle> bundle = OciBundle.detect(root);
            if (bundle.isPresent()) {
                root = bundle.get().rootfs();
                if (argv.isEmpty()) {
                    argv = bundle.get().args();
                    environment = new LinkedHashMap<>(bundle.get().env());
                    workdir = workdir != null ? workdir : bundle.get().cwd();
                }
            }
        }
        if (argv.isEmpty()) {
            throw noCommand();
        }
        for (String pair : env) {
            int eq = pair.indexOf('=');
            if (eq <= 0) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--env: expected NAME=VALUE, got '" + pair + "'");
            }
            environment.put(pair.substring(0, eq), pair.substring(eq + 1));
        }
        SandboxSpec.Builder b = config.defaults().applyTo(SandboxSpec.builder(root))
                .command(argv).env(environment).hostname(hostname).user(user).readOnlyRoot(readOnly);
        if (workdir != null) {
            b.cwd(workdir);
        }
        b.limits(limits);
        if (network != null) {
            b.network(NetworkMode.fromKey(network));
        }
        if (outputLimit != null) {
            b.outputLimitBytes((int) Units.parseBytes(outputLimit));
        }
        return b.build();
    }

    private CommandLine.ParameterException noCommand() {
        return new CommandLine.ParameterException(spec.commandLine(),
                "no command given (put it after --, e.g. isolab run -- isolab-probe inspect)");
    }

    private <T> T parse(String option, String value, java.util.function.Function<String, T> parser) {
        try {
            return parser.apply(value);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), option + ": " + e.getMessage());
        }
    }

    /** Copies the workload's bytes straight to isolab's own stdout and stderr. */
    private static final class Streaming implements OutputListener {
        private final OutputStream out = new FileOutputStream(FileDescriptor.out);
        private final OutputStream err = new FileOutputStream(FileDescriptor.err);

        @Override
        public void stdout(byte[] buffer, int offset, int length) {
            write(out, buffer, offset, length);
        }

        @Override
        public void stderr(byte[] buffer, int offset, int length) {
            write(err, buffer, offset, length);
        }

        private static void write(OutputStream stream, byte[] buffer, int offset, int length) {
            try {
                stream.write(buffer, offset, length);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

}
