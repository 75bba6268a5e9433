package io.isolab.backend.jail;

import io.isolab.api.Limits;
import io.isolab.api.NetworkMode;
import io.isolab.backend.jail.param.JailParameters;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Every argv the bridge sends to the FreeBSD host, built here and nowhere else so that golden tests pin them
 * down. The lifecycle follows what runj, ocijail, bastille and kleened do: a persistent jail is created with
 * jail(8), processes enter it with jexec(8), rctl(8) rules bound it, jls(8) lists it, and {@code jail -r}
 * removes it, killing whatever still runs inside.
 */
public final class JailCommands {
    /**
     * Runs inside the jail as {@code sh -c RUN isolab-run CWD NAME=VALUE... COMMAND ARGS...}: enters the working
     * directory, then {@code env -i} replaces the environment with exactly the given one (jexec passes the SSH
     * session's environment, and with -U adds the login class's) and execs the command, which keeps the pid.
     * cd comes first because sh exports PWD when it changes directory.
     */
    static final String RUN = "cd \"$1\" || exit 125; shift; exec /usr/bin/env -i \"$@\"";

    /**
     * Runs inside the jail before a process starts, as the user it will run as, as
     * {@code sh -c CHECK isolab-check CWD PATH COMMAND}: exit 10 when the working directory is missing, 11 when the
     * command is not found (on PATH when it has no slash, as execvp looks it up), 12 when it is not an executable
     * file. So a missing command is told apart from a workload that exits 127.
     */
    static final String CHECK = String.join("\n",
            "cd \"$1\" || exit 10",
            "case $3 in",
            "*/*) p=$3 ;;",
            "*) p=; IFS=:",
            "   for d in $2; do",
            "     [ -f \"${d:-.}/$3\" ] || continue",
            "     p=${d:-.}/$3",
            "     [ -x \"$p\" ] && break",
            "   done",
            "   [ -n \"$p\" ] || exit 11 ;;",
            "esac",
            "[ -e \"$p\" ] || exit 11",
            "[ -f \"$p\" ] && [ -x \"$p\" ] || exit 12");

    static final int CHECK_NO_CWD = 10;
    static final int CHECK_NOT_FOUND = 11;
    static final int CHECK_NOT_EXECUTABLE = 12;

    /** Everything the availability probe needs, in one round trip, as key=value lines. */
    static final String FACTS = String.join("\n",
            "printf 'uname_s=%s\\n' \"$(uname -s)\"",
            "printf 'uname_r=%s\\n' \"$(uname -r)\"",
            "printf 'uid=%s\\n' \"$(id -u)\"",
            "for k in security.jail.jailed security.jail.children.max security.jail.children.cur kern.racct.enable \\",
            "    kern.features.vimage kern.features.inet kern.features.inet6 kern.features.linux64; do",
            "  printf '%s=%s\\n' \"$k\" \"$(sysctl -n \"$k\" 2>/dev/null)\"",
            "done");

    private static final JailParameters PARAMETERS = JailParameters.freebsd();

    private JailCommands() {
    }

    /**
     * {@code jail -q -c name=... path=... host.hostname=... persist enforce_statfs=2 <network> <extra>}. Each
     * parameter is checked against FreeBSD's table first.
     */
    public static List<String> create(String name, String path, String hostname, NetworkMode network, HostFacts host,
                                      List<String> extra) {
        List<String> argv = new ArrayList<>(List.of("jail", "-q", "-c"));
        argv.add(PARAMETERS.creationArgument("name", name));
        argv.add(PARAMETERS.creationArgument("path", path));
        argv.add(PARAMETERS.creationArgument("host.hostname", hostname));
        PARAMETERS.creationArgument("persist", "true");
        argv.add("persist");
        argv.add(PARAMETERS.creationArgument("enforce_statfs", "2"));
        if (network == NetworkMode.NONE) {
            argv.add(PARAMETERS.creationArgument("vnet", "new"));
        } else {
            if (host.inet()) {
                argv.add(PARAMETERS.creationArgument("ip4", "inherit"));
            }
            if (host.inet6()) {
                argv.add(PARAMETERS.creationArgument("ip6", "inherit"));
            }
        }
        argv.addAll(extra);
        return argv;
    }

    /** A vnet jail's loopback comes up down and without an address; network none means loopback only, up. */
    public static List<String> loopbackUp(String name) {
        return List.of("jexec", name, "/sbin/ifconfig", "lo0", "inet", "127.0.0.1/8", "up");
    }

    /**
     * The rctl rules of the limits, each {@code jail:<name>:<resource>:deny=<amount>}. Memory is bounded twice:
     * {@code memoryuse} (resident memory, which rctl enforces by paging the jail out, after the fact) and
     * {@code vmemoryuse} (address space, refused at mmap time, so an allocation past the limit fails with
     * ENOMEM). CPU is {@code pcpu}, percent of one CPU; processes are {@code maxproc}.
     */
    public static List<List<String>> limits(String name, Limits limits) {
        List<List<String>> rules = new ArrayList<>();
        if (limits.memoryBytes() != null) {
            rules.add(rctlAdd(name, "memoryuse", limits.memoryBytes()));
            rules.add(rctlAdd(name, "vmemoryuse", limits.memoryBytes()));
        }
        if (limits.cpus() != null) {
            rules.add(rctlAdd(name, "pcpu", Math.max(1, (long) Math.ceil(limits.cpus() * 100))));
        }
        if (limits.maxPids() != null) {
            rules.add(rctlAdd(name, "maxproc", limits.maxPids()));
        }
        return rules;
    }

    static List<String> rctlAdd(String name, String resource, long amount) {
        return List.of("rctl", "-a", "jail:" + name + ":" + resource + ":deny=" + amount);
    }

    /** Removes every rule whose subject is the jail (the filter names no resource). */
    public static List<String> rctlRemoveAll(String name) {
        return List.of("rctl", "-r", "jail:" + name);
    }

    /** Removes one listed rule. */
    public static List<String> rctlRemove(String rule) {
        return List.of("rctl", "-r", rule);
    }

    /** Every rule on the host. */
    public static List<String> rctlRules() {
        return List.of("rctl");
    }

    public static List<String> usage(String name) {
        return List.of("rctl", "-u", "jail:" + name);
    }

    /** CPU time of each process in the jail: rctl's cputime counts whole seconds only. */
    public static List<String> cpuTimes(String name) {
        return List.of("ps", "-J", name, "-o", "time=");
    }

    /** Removes the jail; the kernel kills every process in it. */
    public static List<String> remove(String name) {
        return List.of("jail", "-q", "-r", name);
    }

    /** Every running jail, as JSON. */
    public static List<String> list() {
        return List.of("jls", "--libxo=json", "name", "jid", "path");
    }

    /** Checks, as the user it will run as, that a process can start (see {@link #CHECK}). */
    public static List<String> check(String name, String user, String cwd, String path, String command) {
        List<String> argv = jexec(name, user);
        argv.addAll(List.of("/bin/sh", "-c", CHECK, "isolab-check", cwd, path, command));
        return argv;
    }

    /** Runs a process in the jail with exactly {@code env} in {@code cwd} (see {@link #RUN}). */
    public static List<String> exec(String name, String user, String cwd, Map<String, String> env, List<String> command) {
        List<String> argv = jexec(name, user);
        argv.addAll(List.of("/bin/sh", "-c", RUN, "isolab-run", cwd));
        env.forEach((k, v) -> argv.add(k + "=" + v));
        argv.addAll(command);
        return argv;
    }

    public static List<String> hostFacts() {
        return List.of("/bin/sh", "-c", FACTS);
    }

    public static List<String> isDirectory(String path) {
        return List.of("test", "-d", path);
    }

    public static List<String> read(String path) {
        return List.of("cat", path);
    }

    private static List<String> jexec(String name, String user) {
        List<String> argv = new ArrayList<>(List.of("jexec"));
        if (user != null) {
            argv.add("-U");
            argv.add(user);
        }
        argv.add(name);
        return argv;
    }
}
