package io.isolab.launcher;

import io.isolab.api.InvalidSpecException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Resolves {@code process.user} the way the workload itself would: from the rootfs's own
 * {@code /etc/passwd} and {@code /etc/group}, never the host's. Symbolic links in the rootfs are followed
 * inside the rootfs (an absolute link target means the rootfs's root), so a rootfs cannot make isolab
 * read a host file.
 */
public final class RootfsUsers {
    private static final Pattern NUMERIC = Pattern.compile("(\\d{1,10})(?::(\\d{1,10}))?");
    private static final int MAX_LINKS = 40;

    private RootfsUsers() {
    }

    /**
     * A user name from the rootfs's passwd, or {@code uid[:gid]} (a uid without a passwd entry and without
     * a gid runs with gid = uid). Supplementary groups are those of /etc/group that list the user.
     *
     * @throws InvalidSpecException naming {@code process.user}
     */
    public static Credentials resolve(Path rootfs, String user) {
        List<String[]> passwd = read(rootfs, "/etc/passwd");
        Matcher numeric = NUMERIC.matcher(user);
        String name;
        int uid;
        int gid;
        if (numeric.matches()) {
            uid = id(numeric.group(1));
            Optional<String[]> entry = passwd.stream().filter(e -> e.length > 3 && e[2].equals(String.valueOf(uid))).findFirst();
            name = entry.map(e -> e[0]).orElse(null);
            gid = numeric.group(2) != null ? id(numeric.group(2)) : entry.map(e -> id(e[3])).orElse(uid);
        } else {
            if (!Files.exists(inRoot(rootfs, "/etc/passwd"))) {
                throw new InvalidSpecException("process.user", "the rootfs " + rootfs
                        + " has no /etc/passwd to look up '" + user + "' in: give uid[:gid]");
            }
            String[] entry = passwd.stream().filter(e -> e.length > 3 && e[0].equals(user)).findFirst()
                    .orElseThrow(() -> new InvalidSpecException("process.user", "no user '" + user + "' in "
                            + rootfs + "/etc/passwd"));
            name = entry[0];
            uid = id(entry[2]);
            gid = id(entry[3]);
        }
        List<Integer> groups = new ArrayList<>();
        groups.add(gid);
        if (name != null) {
            for (String[] group : read(rootfs, "/etc/group")) {
                if (group.length > 3 && List.of(group[3].split(",")).contains(name)) {
                    int g = id(group[2]);
                    if (!groups.contains(g)) {
                        groups.add(g);
                    }
                }
            }
        }
        return new Credentials(uid, gid, groups);
    }

    private static int id(String text) {
        try {
            long value = Long.parseLong(text.trim());
            if (value < 0 || value > 0xfffffffeL) {
                throw new NumberFormatException();
            }
            return (int) value;
        } catch (NumberFormatException e) {
            throw new InvalidSpecException("process.user", "bad id '" + text + "'");
        }
    }

    /** The lines of a colon-separated file in the rootfs; none when it does not exist. */
    private static List<String[]> read(Path rootfs, String path) {
        Path file = inRoot(rootfs, path);
        if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
            return List.of();
        }
        try {
            return Files.readAllLines(file).stream().filter(l -> !l.isBlank() && !l.startsWith("#"))
                    .map(l -> l.split(":", -1)).toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    /** {@code path} resolved as a process chrooted into {@code rootfs} would resolve it. */
    static Path inRoot(Path rootfs, String path) {
        List<String> todo = new ArrayList<>(List.of(path.split("/")));
        List<String> done = new ArrayList<>();
        int links = 0;
        while (!todo.isEmpty()) {
            String part = todo.remove(0);
            if (part.isEmpty() || part.equals(".")) {
                continue;
            }
            if (part.equals("..")) {
                if (!done.isEmpty()) {
                    done.remove(done.size() - 1);
                }
                continue;
            }
            Path candidate = join(rootfs, done).resolve(part);
            if (Files.isSymbolicLink(candidate)) {
                if (++links > MAX_LINKS) {
                    throw new InvalidSpecException("process.user", "too many symbolic links resolving " + path
                            + " in " + rootfs);
                }
                try {
                    String target = Files.readSymbolicLink(candidate).toString();
                    if (target.startsWith("/")) {
                        done.clear();
                    }
                    todo.addAll(0, List.of(target.split("/")));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            } else {
                done.add(part);
            }
        }
        return join(rootfs, done);
    }

    private static Path join(Path rootfs, List<String> parts) {
        Path p = rootfs;
        for (String part : parts) {
            p = p.resolve(part);
        }
        return p;
    }
}
