package io.isolab.backend.jail.param;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.isolab.backend.jail.Fixtures;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Re-derives the kern_jail.c rows of the data file from the declarations themselves (kept verbatim as a
 * fixture), so a row that does not say what the kernel says fails here.
 */
class JailParameterTableTest {
    /** SYSCTL_JAIL_PARAM*(parent, name, flags ...); declarations joined onto one line each. */
    private static final Pattern DECLARATION = Pattern.compile(
            "SYSCTL_JAIL_PARAM(|_STRING|_STRUCT|_SYS_NODE)\\(\\s*(_?\\w*)\\s*,\\s*(\\w*)\\s*,\\s*([^;]*)\\);");

    @Test
    void kernJailRowsAreWhatTheDeclarationsSay() {
        Map<String, String> derived = new TreeMap<>();
        for (String declaration : declarations(Fixtures.load("kern_jail.c-params.txt"))) {
            Matcher m = DECLARATION.matcher(declaration);
            if (!m.matches()) {
                continue; // _NODE and _SUBNODE declare groups, not parameters
            }
            String kind = m.group(1);
            String name;
            String flags;
            if (kind.equals("_SYS_NODE")) {
                name = m.group(2);
                flags = m.group(3) + "," + m.group(4);
            } else {
                String parent = m.group(2).replaceFirst("^_", "").replace('_', '.');
                name = parent.isEmpty() ? m.group(3) : m.group(3).isEmpty() ? parent : parent + "." + m.group(3);
                flags = m.group(4);
            }
            derived.put(name, type(kind, flags) + " " + access(flags));
        }
        Map<String, String> table = JailParameters.freebsd().all().stream()
                .filter(p -> p.source().equals("kern_jail.c"))
                .collect(Collectors.toMap(JailParameter::name, p -> p.type().key() + " " + p.access().key(),
                        (a, b) -> a, TreeMap::new));
        assertEquals(derived, table);
    }

    private static String type(String kind, String flags) {
        if (kind.equals("_SYS_NODE") || flags.contains("\"E,jailsys\"")) {
            return "jailsys";
        }
        if (kind.equals("_STRING")) {
            return "string";
        }
        if (kind.equals("_STRUCT")) {
            return flags.contains("in6_addr") ? "ip6-list" : "ip4-list";
        }
        if (flags.contains("\"B\"")) {
            return "bool";
        }
        if (flags.contains("\"LU\"")) {
            return "ulong";
        }
        return "int";
    }

    private static String access(String flags) {
        if (flags.contains("CTLFLAG_RDTUN")) {
            return "create";
        }
        return flags.contains("CTLFLAG_RW") ? "modify" : "read";
    }

    /** The declarations of the fixture, each joined onto one line. */
    private static Iterable<String> declarations(String text) {
        String joined = text.lines().filter(l -> !l.startsWith("#")).collect(Collectors.joining(" "));
        return Pattern.compile("(?=SYSCTL_JAIL_PARAM)").splitAsStream(joined).map(String::strip)
                .filter(s -> s.startsWith("SYSCTL_JAIL_PARAM")).toList();
    }
}
