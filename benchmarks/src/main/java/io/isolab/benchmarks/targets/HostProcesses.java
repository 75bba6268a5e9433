package io.isolab.benchmarks.targets;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.Set;
import java.util.TreeSet;

/**
 * Finds the host processes that belong to one sandbox and sums their memory from
 * {@code /proc/<pid>/smaps_rollup}. A process belongs when its cgroup path, command line or root directory
 * names the sandbox (every isolab resource carries {@code isolab-<backend>-<hex>}; peers' containers are
 * named the same way), or when it descends from a process that does.
 */
public final class HostProcesses {
    private static final Path PROC = Path.of("/proc");

    private HostProcesses() {
    }

    /**
     * @param token     the sandbox id or container name
     * @param rootfs    a root directory whose processes belong too (a chroot's workload), or {@code null}
     * @param roots     pids known to belong (a launched process), with their descendants
     */
    public static Set<Long> find(String token, Path rootfs, Collection<Long> roots) {
        Set<Long> found = new TreeSet<>();
        long self = ProcessHandle.current().pid();
        try (var entries = Files.list(PROC)) {
            for (Path p : (Iterable<Path>) entries::iterator) {
                String name = p.getFileName().toString();
                if (!name.chars().allMatch(Character::isDigit)) {
                    continue;
                }
                long pid = Long.parseLong(name);
                if (pid != self && belongs(p, token, rootfs)) {
                    found.add(pid);
                }
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("cannot list /proc", e);
        }
        found.addAll(roots);
        for (Long pid : Set.copyOf(found)) {
            ProcessHandle.of(pid).ifPresent(h -> h.descendants().forEach(d -> found.add(d.pid())));
        }
        return found;
    }

    private static boolean belongs(Path proc, String token, Path rootfs) {
        String cgroup = read(proc.resolve("cgroup"));
        if (cgroup.contains(token)) {
            return true;
        }
        if (read(proc.resolve("cmdline")).contains(token)) {
            return true;
        }
        try {
            Path root = Files.readSymbolicLink(proc.resolve("root"));
            return root.toString().contains(token) || (rootfs != null && root.equals(rootfs));
        } catch (IOException | UnsupportedOperationException e) {
            return false; // gone, or a kernel thread
        }
    }

    /** Resident and proportional memory, summed over {@code pids}. */
    public record Memory(long rssBytes, long pssBytes, int processes) {
    }

    public static Memory memory(Collection<Long> pids) {
        long rss = 0;
        long pss = 0;
        int n = 0;
        for (long pid : pids) {
            String rollup = read(PROC.resolve(Long.toString(pid)).resolve("smaps_rollup"));
            if (rollup.isEmpty()) {
                continue; // exited, or a kernel thread
            }
            rss += kib(rollup, "Rss:") * 1024;
            pss += kib(rollup, "Pss:") * 1024;
            n++;
        }
        return new Memory(rss, pss, n);
    }

    static long kib(String rollup, String field) {
        for (String line : rollup.split("\n")) {
            if (line.startsWith(field)) {
                String[] parts = line.substring(field.length()).trim().split("\\s+");
                return Long.parseLong(parts[0]);
            }
        }
        return 0;
    }

    private static String read(Path file) {
        try {
            return new String(Files.readAllBytes(file), StandardCharsets.UTF_8).replace('\0', ' ');
        } catch (IOException e) {
            return "";
        }
    }
}
