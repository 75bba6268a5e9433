package io.isolab.benchmarks.targets;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.isolab.api.ProcessSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes an OCI runtime bundle ({@code config.json}, root pointing at the workload rootfs) for the peers:
 * the defaults of {@code runc spec} (namespaces, masked paths, capabilities), non-interactive, with the
 * benchmark's memory and pids limits, so crun, runc and runsc isolate and limit what linux-ns does.
 */
public final class OciBundleWriter {
    private static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final List<String> CAPS = List.of("CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE");

    private OciBundleWriter() {
    }

    /** The bundle's {@code config.json} as a tree, ready for Jackson. */
    public static Map<String, Object> config(Path rootfs, List<String> args, Long memoryBytes, Integer maxPids) {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("ociVersion", "1.0.2");
        Map<String, Object> process = new LinkedHashMap<>();
        process.put("terminal", false);
        process.put("user", Map.of("uid", 0, "gid", 0));
        process.put("args", args);
        List<String> env = new ArrayList<>();
        ProcessSpec.DEFAULT_ENV.forEach((k, v) -> env.add(k + "=" + v));
        process.put("env", env);
        process.put("cwd", "/");
        process.put("capabilities", Map.of("bounding", CAPS, "effective", CAPS, "permitted", CAPS, "ambient", CAPS));
        process.put("rlimits", List.of(Map.of("type", "RLIMIT_NOFILE", "hard", 1024, "soft", 1024)));
        process.put("noNewPrivileges", true);
        c.put("process", process);
        c.put("root", Map.of("path", rootfs.toString(), "readonly", false));
        c.put("hostname", "isolab");
        List<Object> mounts = new ArrayList<>();
        mounts.add(mount("/proc", "proc", "proc", List.of()));
        mounts.add(mount("/dev", "tmpfs", "tmpfs", List.of("nosuid", "strictatime", "mode=755", "size=65536k")));
        mounts.add(mount("/dev/pts", "devpts", "devpts",
                List.of("nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620")));
        mounts.add(mount("/dev/shm", "tmpfs", "shm", List.of("nosuid", "noexec", "nodev", "mode=1777", "size=65536k")));
        mounts.add(mount("/dev/mqueue", "mqueue", "mqueue", List.of("nosuid", "noexec", "nodev")));
        mounts.add(mount("/sys", "sysfs", "sysfs", List.of("nosuid", "noexec", "nodev", "ro")));
        c.put("mounts", mounts);
        Map<String, Object> linux = new LinkedHashMap<>();
        Map<String, Object> resources = new LinkedHashMap<>();
        resources.put("devices", List.of(Map.of("allow", false, "access", "rwm")));
        if (memoryBytes != null) {
            resources.put("memory", Map.of("limit", memoryBytes));
        }
        if (maxPids != null) {
            resources.put("pids", Map.of("limit", maxPids));
        }
        linux.put("resources", resources);
        linux.put("namespaces", List.of(Map.of("type", "pid"), Map.of("type", "network"), Map.of("type", "ipc"),
                Map.of("type", "uts"), Map.of("type", "mount"), Map.of("type", "cgroup")));
        linux.put("maskedPaths", List.of("/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys", "/proc/latency_stats",
                "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug", "/sys/firmware", "/proc/scsi"));
        linux.put("readonlyPaths", List.of("/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"));
        c.put("linux", linux);
        return c;
    }

    /** Writes {@code dir/config.json}; the root stays where it is (an absolute {@code root.path}). */
    public static Path write(Path dir, Path rootfs, List<String> args, Long memoryBytes, Integer maxPids) throws IOException {
        Files.createDirectories(dir);
        Path file = dir.resolve("config.json");
        MAPPER.writeValue(file.toFile(), config(rootfs, args, memoryBytes, maxPids));
        return file;
    }

    private static Map<String, Object> mount(String destination, String type, String source, List<String> options) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("destination", destination);
        m.put("type", type);
        m.put("source", source);
        if (!options.isEmpty()) {
            m.put("options", options);
        }
        return m;
    }
}
