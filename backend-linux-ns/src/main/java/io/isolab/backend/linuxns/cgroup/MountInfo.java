package io.isolab.backend.linuxns.cgroup;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * One line of {@code /proc/<pid>/mountinfo} (proc(5)):
 * <pre>
 * 36 35 98:0 /mnt1 /mnt/parent rw,noatime master:1 - ext3 /dev/root rw,errors=continue
 * (1)(2)(3)   (4)   (5)         (6)      (7)      (8) (9)   (10)      (11)
 * </pre>
 * The optional fields (7) are zero or more, ended by a lone {@code -}; paths escape space, tab, newline
 * and backslash as octal ({@code \040}).
 *
 * @param device       major:minor of the filesystem: the same for every mount of one cgroup hierarchy
 * @param root         the directory of the filesystem this mount shows (not {@code /} for a bind mount,
 *                     or for a cgroup mount made inside a cgroup namespace)
 * @param superOptions per-superblock options: for a v1 cgroup mount, its controllers
 */
public record MountInfo(int mountId, int parentId, String device, String root, String mountPoint,
                        String mountOptions, String fsType, String source, String superOptions) {

    public static final Path SELF = Path.of("/proc/self/mountinfo");

    /** @throws IllegalArgumentException naming the malformed line */
    public static MountInfo parse(String line) {
        String[] f = line.split(" ");
        int dash = -1;
        for (int i = 6; i < f.length; i++) {
            if (f[i].equals("-")) {
                dash = i;
                break;
            }
        }
        if (dash < 0 || f.length < dash + 3) {
            throw new IllegalArgumentException("not a mountinfo line: '" + line + "'");
        }
        try {
            return new MountInfo(Integer.parseInt(f[0]), Integer.parseInt(f[1]), f[2], unescape(f[3]),
                    unescape(f[4]), f[5], f[dash + 1], unescape(f[dash + 2]),
                    f.length > dash + 3 ? f[dash + 3] : "");
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not a mountinfo line: '" + line + "'", e);
        }
    }

    public static List<MountInfo> parseAll(String text) {
        List<MountInfo> mounts = new ArrayList<>();
        for (String line : text.split("\n")) {
            if (!line.isBlank()) {
                mounts.add(parse(line));
            }
        }
        return mounts;
    }

    public static List<MountInfo> read(Path file) {
        try {
            return parseAll(Files.readString(file));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    /** The kernel's escaping (fs/proc_namespace.c, mangle()): {@code \ooo} for space, tab, newline, backslash. */
    static String unescape(String s) {
        if (s.indexOf('\\') < 0) {
            return s;
        }
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && isOctal(s, i + 1)) {
                b.append((char) Integer.parseInt(s.substring(i + 1, i + 4), 8));
                i += 3;
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }

    private static boolean isOctal(String s, int from) {
        if (from + 3 > s.length()) {
            return false;
        }
        for (int i = from; i < from + 3; i++) {
            if (s.charAt(i) < '0' || s.charAt(i) > '7') {
                return false;
            }
        }
        return true;
    }
}
