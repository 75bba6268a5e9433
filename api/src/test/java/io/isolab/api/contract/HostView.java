package io.isolab.api.contract;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** What the host itself sees, to compare a sandbox's view against. */
final class HostView {
    private static final Pattern NS_LINK = Pattern.compile("\\w+:\\[(\\d+)]");

    private HostView() {
    }

    static String bootId() {
        return read(Path.of("/proc/sys/kernel/random/boot_id")).strip();
    }

    static long namespaceInode(String ns) {
        try {
            Matcher m = NS_LINK.matcher(Files.readSymbolicLink(Path.of("/proc/self/ns", ns)).toString());
            return m.matches() ? Long.parseLong(m.group(1)) : -1;
        } catch (IOException e) {
            return -1;
        }
    }

    static int processes() {
        try (var entries = Files.list(Path.of("/proc"))) {
            return (int) entries.filter(p -> p.getFileName().toString().chars().allMatch(Character::isDigit)).count();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every interface, with or without an address (Java's NetworkInterface leaves out those without). */
    static Set<String> interfaces() {
        try (var entries = Files.list(Path.of("/sys/class/net"))) {
            Set<String> names = new TreeSet<>();
            entries.forEach(p -> names.add(p.getFileName().toString()));
            return names;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
