package io.isolab.backend.jail;

import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

/**
 * What the availability probe learnt about the host from one script ({@link JailCommands#hostFacts()}), as
 * {@code key=value} lines read with {@link Properties}.
 *
 * @param system        {@code uname -s}
 * @param release       {@code uname -r}
 * @param uid           {@code id -u} of the login
 * @param jailed        {@code security.jail.jailed}: the host is itself a jail
 * @param childrenMax   {@code security.jail.children.max}, the jails it may create when jailed
 * @param childrenCur   {@code security.jail.children.cur}
 * @param racct         {@code kern.racct.enable}; null when the kernel has no RACCT
 * @param vimage        {@code kern.features.vimage}: vnet jails are possible
 * @param inet          {@code kern.features.inet}
 * @param inet6         {@code kern.features.inet6}
 * @param linux64       {@code kern.features.linux64}: linux64.ko is loaded
 */
public record HostFacts(String system, String release, int uid, boolean jailed, int childrenMax, int childrenCur,
                        Boolean racct, boolean vimage, boolean inet, boolean inet6, boolean linux64) {

    public static HostFacts parse(String text) {
        Properties p = new Properties();
        try {
            p.load(new StringReader(text));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        String racct = p.getProperty("kern.racct.enable", "").strip();
        return new HostFacts(p.getProperty("uname_s", "").strip(), p.getProperty("uname_r", "").strip(),
                number(p, "uid", -1), number(p, "security.jail.jailed", 0) == 1,
                number(p, "security.jail.children.max", 0), number(p, "security.jail.children.cur", 0),
                racct.isEmpty() ? null : racct.equals("1"), number(p, "kern.features.vimage", 0) == 1,
                number(p, "kern.features.inet", 0) == 1, number(p, "kern.features.inet6", 0) == 1,
                number(p, "kern.features.linux64", 0) == 1);
    }

    /** Why jails cannot be created there, or empty when they can. */
    public Optional<String> problem(String where) {
        if (!system.equals("FreeBSD")) {
            return Optional.of(where + " runs " + (system.isEmpty() ? "an unknown system" : system) + ", not FreeBSD");
        }
        if (uid != 0) {
            return Optional.of("the login on " + where + " is uid " + uid + ", not root: jail(8) needs root");
        }
        if (jailed && childrenMax <= childrenCur) {
            return Optional.of(where + " is itself a jail that may not create jails (children.max=" + childrenMax
                    + ", children.cur=" + childrenCur + ")");
        }
        return Optional.empty();
    }

    public boolean racctEnabled() {
        return Boolean.TRUE.equals(racct);
    }

    /** For the backend table and results. */
    public Map<String, String> asFacts() {
        Map<String, String> facts = new LinkedHashMap<>();
        facts.put("freebsd", release);
        facts.put("racct", racct == null ? "absent from the kernel" : racct ? "enabled" : "disabled");
        facts.put("vnet", vimage ? "yes" : "no (kernel without VIMAGE)");
        facts.put("linux64", linux64 ? "loaded" : "not loaded");
        return facts;
    }

    private static int number(Properties p, String key, int otherwise) {
        try {
            return Integer.parseInt(p.getProperty(key, "").strip());
        } catch (NumberFormatException e) {
            return otherwise;
        }
    }
}
