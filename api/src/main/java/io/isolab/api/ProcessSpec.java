package io.isolab.api;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One process to run in a sandbox.
 *
 * @param argv command and arguments; a command without '/' is looked up on the {@code PATH} given in
 *             {@code env}, inside the sandbox
 * @param env  the whole environment, exactly as given: nothing is inherited from the host
 * @param cwd  absolute working directory inside the sandbox
 * @param user {@code null} for the backend's default (root inside the sandbox), else a user name from
 *             the rootfs's {@code /etc/passwd} or {@code uid[:gid]}; needs {@link Capability#RUN_AS_USER}
 */
public record ProcessSpec(List<String> argv, Map<String, String> env, String cwd, String user) {

    /** The environment a process gets when none is given: the {@code PATH} OCI runtimes default to. */
    public static final Map<String, String> DEFAULT_ENV =
            Map.of("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");

    public ProcessSpec {
        if (argv == null || argv.isEmpty()) {
            throw new InvalidSpecException("process.argv", "must name a command");
        }
        for (String arg : argv) {
            if (arg == null || arg.indexOf('\0') >= 0) {
                throw new InvalidSpecException("process.argv", "arguments must be non-null strings without NUL bytes");
            }
        }
        if (argv.get(0).isEmpty()) {
            throw new InvalidSpecException("process.argv", "the command is empty");
        }
        argv = List.copyOf(argv);
        env = Collections.unmodifiableMap(new LinkedHashMap<>(env == null ? DEFAULT_ENV : env));
        for (Map.Entry<String, String> e : env.entrySet()) {
            String name = e.getKey();
            if (name.isEmpty() || name.indexOf('=') >= 0 || name.indexOf('\0') >= 0
                    || e.getValue() == null || e.getValue().indexOf('\0') >= 0) {
                throw new InvalidSpecException("process.env", "bad variable '" + name + "'");
            }
        }
        if (cwd == null) {
            cwd = "/";
        }
        if (!cwd.startsWith("/")) {
            throw new InvalidSpecException("process.cwd", "must be absolute (got '" + cwd + "')");
        }
        if (user != null && (user.isBlank() || user.indexOf('\0') >= 0)) {
            throw new InvalidSpecException("process.user", "must be a name or uid[:gid] (got '" + user + "')");
        }
    }

    public static ProcessSpec of(String... argv) {
        return new ProcessSpec(List.of(argv), null, null, null);
    }

    public static ProcessSpec of(List<String> argv) {
        return new ProcessSpec(argv, null, null, null);
    }

    public ProcessSpec withEnv(Map<String, String> newEnv) {
        return new ProcessSpec(argv, newEnv, cwd, user);
    }

    public ProcessSpec withCwd(String newCwd) {
        return new ProcessSpec(argv, env, newCwd, user);
    }

    public ProcessSpec withUser(String newUser) {
        return new ProcessSpec(argv, env, cwd, newUser);
    }
}
