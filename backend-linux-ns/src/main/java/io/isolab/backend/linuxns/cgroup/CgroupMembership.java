package io.isolab.backend.linuxns.cgroup;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * One line of {@code /proc/<pid>/cgroup} (cgroups(7)): {@code hierarchy-ID:controller-list:cgroup-path}.
 * The v2 line is {@code 0::/path}; a v1 line lists its controllers ({@code 4:memory:/a}) or names a
 * controller-less hierarchy ({@code 1:name=systemd:/}). The path may itself contain ':'.
 *
 * @param controllers empty for the v2 line
 * @param path        from the root of the hierarchy as the reading process's cgroup namespace sees it
 */
public record CgroupMembership(int hierarchyId, List<String> controllers, String path) {

    public static final Path SELF = Path.of("/proc/self/cgroup");
    private static final String DELETED = " (deleted)";

    /** @throws IllegalArgumentException naming the malformed line */
    public static CgroupMembership parse(String line) {
        String[] f = line.split(":", 3);
        if (f.length != 3 || !f[2].startsWith("/")) {
            throw new IllegalArgumentException("not a /proc/pid/cgroup line: '" + line + "'");
        }
        try {
            String path = f[2].endsWith(DELETED) ? f[2].substring(0, f[2].length() - DELETED.length()) : f[2];
            return new CgroupMembership(Integer.parseInt(f[0]), f[1].isEmpty() ? List.of() : List.of(f[1].split(",")),
                    path);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not a /proc/pid/cgroup line: '" + line + "'", e);
        }
    }

    public static List<CgroupMembership> parseAll(String text) {
        List<CgroupMembership> entries = new ArrayList<>();
        for (String line : text.split("\n")) {
            if (!line.isBlank()) {
                entries.add(parse(line));
            }
        }
        return entries;
    }

    public static List<CgroupMembership> read(Path file) {
        try {
            return parseAll(Files.readString(file));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    public boolean unified() {
        return hierarchyId == 0 && controllers.isEmpty();
    }

    /** The entry of the v1 hierarchy holding {@code controller}, or the v2 entry when asked for {@code null}. */
    public static Optional<CgroupMembership> find(List<CgroupMembership> entries, String controller) {
        return entries.stream()
                .filter(e -> controller == null ? e.unified() : e.controllers().contains(controller))
                .findFirst();
    }
}
