package io.isolab.launcher;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Everything one launch does between clone and execve, for both the chroot and the linux-ns backends.
 * The child applies it in this order: join namespaces ({@link #join}), join cgroups, unshare what must
 * follow the cgroup join, {@code setsid}, stdio, root ({@link #root}), hostname, loopback, rlimits,
 * capabilities, user, working directory, {@code no_new_privs}, exec. A failing step is thrown by
 * {@link Launcher#launch} as a {@link LaunchException} naming it.
 *
 * @param argv            command and arguments; a command without '/' is searched on the {@code PATH} of
 *                        {@code env} inside the new root
 * @param env             the whole environment, exactly as given (nothing is inherited)
 * @param cwd             absolute working directory inside the new root
 * @param credentials     user and groups to switch to, or {@code null} to keep the caller's
 * @param rlimits         resource limits
 * @param root            the root the workload sees
 * @param namespaces      namespaces created with the process ({@link Namespace#USER} makes the parent
 *                        write {@code uidMap}/{@code gidMap} while the child waits)
 * @param hostname        set in the new UTS namespace, or {@code null}
 * @param cgroups         cgroup directories the process is in before its first instruction: one per v1
 *                        hierarchy, or one v2 directory (then {@code CLONE_INTO_CGROUP} where the kernel
 *                        has it)
 * @param uidMap          the new user namespace's uid map
 * @param gidMap          its gid map
 * @param denySetgroups   write {@code deny} to {@code /proc/PID/setgroups} first (needed for unprivileged
 *                        gid maps; the child then skips {@code setgroups})
 * @param capabilities    capabilities kept (all others dropped, bounding set included), or {@code null} to
 *                        leave them as the kernel's exec rules make them
 * @param noNewPrivileges {@code PR_SET_NO_NEW_PRIVS}
 * @param newSession      {@code setsid()}: the workload leads a session (and process group) of its own, so
 *                        the whole of it can be found and killed
 * @param loopbackUp      bring {@code lo} up in the new network namespace
 * @param join            namespaces of a running sandbox to join (exec), or {@code null}
 */
public record LaunchRequest(
        List<String> argv,
        Map<String, String> env,
        String cwd,
        Credentials credentials,
        List<Rlimit> rlimits,
        RootSetup root,
        Set<Namespace> namespaces,
        String hostname,
        List<Path> cgroups,
        List<IdMapping> uidMap,
        List<IdMapping> gidMap,
        boolean denySetgroups,
        Set<LinuxCapability> capabilities,
        boolean noNewPrivileges,
        boolean newSession,
        boolean loopbackUp,
        JoinTarget join) {

    public LaunchRequest {
        if (argv == null || argv.isEmpty() || argv.get(0).isEmpty()) {
            throw new IllegalArgumentException("a command is required");
        }
        argv = List.copyOf(argv);
        env = Collections.unmodifiableMap(new LinkedHashMap<>(env));
        for (String arg : argv) {
            requireNoNul(arg, "argument");
        }
        for (Map.Entry<String, String> e : env.entrySet()) {
            requireNoNul(e.getKey() + e.getValue(), "environment variable");
            if (e.getKey().isEmpty() || e.getKey().indexOf('=') >= 0) {
                throw new IllegalArgumentException("bad environment variable name '" + e.getKey() + "'");
            }
        }
        Objects.requireNonNull(cwd, "cwd");
        if (!cwd.startsWith("/")) {
            throw new IllegalArgumentException("cwd must be absolute: " + cwd);
        }
        rlimits = List.copyOf(rlimits);
        Objects.requireNonNull(root, "root");
        namespaces = namespaces.isEmpty() ? Set.of() : Collections.unmodifiableSet(EnumSet.copyOf(namespaces));
        cgroups = List.copyOf(cgroups);
        uidMap = List.copyOf(uidMap);
        gidMap = List.copyOf(gidMap);
        capabilities = capabilities == null ? null
                : capabilities.isEmpty() ? Set.of() : Collections.unmodifiableSet(EnumSet.copyOf(capabilities));
        need(hostname == null || namespaces.contains(Namespace.UTS), "a hostname needs a new UTS namespace");
        need(!(root instanceof RootSetup.Pivot) || namespaces.contains(Namespace.MOUNT),
                "pivot_root needs a new mount namespace");
        need((uidMap.isEmpty() && gidMap.isEmpty() && !denySetgroups) || namespaces.contains(Namespace.USER),
                "id maps need a new user namespace");
        need(!loopbackUp || namespaces.contains(Namespace.NET), "loopback up needs a new network namespace");
        need(join == null || namespaces.isEmpty(), "a launch either joins a sandbox's namespaces or creates new ones");
        for (Path cgroup : cgroups) {
            need(cgroup.isAbsolute(), "cgroup directories must be absolute: " + cgroup);
        }
    }

    public static Builder builder(List<String> argv) {
        return new Builder(argv);
    }

    public static Builder builder(String... argv) {
        return new Builder(List.of(argv));
    }

    private static void requireNoNul(String s, String what) {
        if (s == null || s.indexOf('\0') >= 0) {
            throw new IllegalArgumentException(what + " must be a string without NUL bytes");
        }
    }

    private static void need(boolean condition, String problem) {
        if (!condition) {
            throw new IllegalArgumentException(problem);
        }
    }

    /** Defaults: empty environment, cwd {@code /}, root inherited, nothing else. */
    public static final class Builder {
        private final List<String> argv;
        private Map<String, String> env = new LinkedHashMap<>();
        private String cwd = "/";
        private Credentials credentials;
        private final List<Rlimit> rlimits = new ArrayList<>();
        private RootSetup root = RootSetup.inherit();
        private final Set<Namespace> namespaces = EnumSet.noneOf(Namespace.class);
        private String hostname;
        private final List<Path> cgroups = new ArrayList<>();
        private List<IdMapping> uidMap = List.of();
        private List<IdMapping> gidMap = List.of();
        private boolean denySetgroups;
        private Set<LinuxCapability> capabilities;
        private boolean noNewPrivileges;
        private boolean newSession;
        private boolean loopbackUp;
        private JoinTarget join;

        private Builder(List<String> argv) {
            this.argv = new ArrayList<>(argv);
        }

        public Builder env(Map<String, String> value) {
            this.env = new LinkedHashMap<>(value);
            return this;
        }

        public Builder cwd(String value) {
            this.cwd = value;
            return this;
        }

        public Builder credentials(Credentials value) {
            this.credentials = value;
            return this;
        }

        public Builder rlimit(Rlimit value) {
            this.rlimits.add(value);
            return this;
        }

        public Builder root(RootSetup value) {
            this.root = value;
            return this;
        }

        public Builder namespaces(Set<Namespace> value) {
            this.namespaces.addAll(value);
            return this;
        }

        public Builder hostname(String value) {
            this.hostname = value;
            return this;
        }

        public Builder cgroup(Path dir) {
            this.cgroups.add(dir);
            return this;
        }

        public Builder idMaps(List<IdMapping> uids, List<IdMapping> gids, boolean denySetgroupsFirst) {
            this.uidMap = uids;
            this.gidMap = gids;
            this.denySetgroups = denySetgroupsFirst;
            return this;
        }

        public Builder capabilities(Set<LinuxCapability> keep) {
            this.capabilities = keep;
            return this;
        }

        public Builder noNewPrivileges(boolean value) {
            this.noNewPrivileges = value;
            return this;
        }

        public Builder newSession(boolean value) {
            this.newSession = value;
            return this;
        }

        public Builder loopbackUp(boolean value) {
            this.loopbackUp = value;
            return this;
        }

        public Builder join(JoinTarget value) {
            this.join = value;
            return this;
        }

        public LaunchRequest build() {
            return new LaunchRequest(argv, env, cwd, credentials, rlimits, root, namespaces, hostname, cgroups,
                    uidMap, gidMap, denySetgroups, capabilities, noNewPrivileges, newSession, loopbackUp, join);
        }
    }
}
