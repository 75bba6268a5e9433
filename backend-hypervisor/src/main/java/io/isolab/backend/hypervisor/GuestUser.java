package io.isolab.backend.hypervisor;

import io.isolab.api.InvalidSpecException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The user a workload runs as, resolved on the host from the rootfs's own {@code /etc/passwd} and
 * {@code /etc/group} (the guest has no NSS): the guest init only calls setgroups, setgid and setuid.
 *
 * @param uid    user id
 * @param gid    primary group id
 * @param groups supplementary groups: every group of {@code /etc/group} that lists the user
 */
record GuestUser(int uid, int gid, List<Integer> groups) {

    /**
     * Resolves {@code process.user}: a name from the rootfs's {@code /etc/passwd}, or {@code uid[:gid]}.
     *
     * @throws InvalidSpecException {@code process.user} when the name is unknown in the rootfs
     */
    static GuestUser resolve(Path rootfs, String user) {
        String[] numeric = user.split(":", -1);
        if (numeric.length <= 2 && numeric[0].chars().allMatch(Character::isDigit) && !numeric[0].isEmpty()) {
            int uid = parseId(numeric[0], user);
            Optional<String[]> entry = passwd(rootfs).stream().filter(f -> f[2].equals(numeric[0])).findFirst();
            int gid = numeric.length == 2 ? parseId(numeric[1], user)
                    : entry.map(f -> parseId(f[3], user)).orElse(uid);
            return new GuestUser(uid, gid, entry.map(f -> groupsOf(rootfs, f[0], gid)).orElse(List.of(gid)));
        }
        String[] entry = passwd(rootfs).stream().filter(f -> f[0].equals(user)).findFirst()
                .orElseThrow(() -> new InvalidSpecException("process.user",
                        "no user '" + user + "' in " + rootfs.resolve("etc/passwd")));
        int gid = parseId(entry[3], user);
        return new GuestUser(parseId(entry[2], user), gid, groupsOf(rootfs, user, gid));
    }

    private static List<Integer> groupsOf(Path rootfs, String name, int gid) {
        List<Integer> groups = new ArrayList<>(List.of(gid));
        for (String[] g : lines(rootfs.resolve("etc/group"), 4)) {
            int id = parseId(g[2], name);
            if (List.of(g[3].split(",")).contains(name) && !groups.contains(id)) {
                groups.add(id);
            }
        }
        return groups;
    }

    private static List<String[]> passwd(Path rootfs) {
        return lines(rootfs.resolve("etc/passwd"), 7);
    }

    private static List<String[]> lines(Path file, int fields) {
        try {
            return Files.readAllLines(file).stream().filter(l -> !l.isBlank() && !l.startsWith("#"))
                    .map(l -> l.split(":", -1)).filter(f -> f.length >= fields).toList();
        } catch (NoSuchFileException e) {
            return List.of();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    private static int parseId(String text, String user) {
        try {
            long id = Long.parseLong(text);
            if (id < 0 || id > 0xfffffffeL) {
                throw new NumberFormatException();
            }
            return (int) id;
        } catch (NumberFormatException e) {
            throw new InvalidSpecException("process.user", "'" + text + "' is not a user or group id (in '" + user + "')");
        }
    }
}
