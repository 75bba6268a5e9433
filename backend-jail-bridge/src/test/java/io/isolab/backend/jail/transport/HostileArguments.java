package io.isolab.backend.jail.transport;

import java.util.List;

/** Arguments a careless quoting would let the remote shell interpret. */
final class HostileArguments {
    static final List<String> ALL = List.of(
            "two words",
            "it's",
            "'single quoted'",
            "\"double quoted\"",
            "$HOME",
            "${PATH}",
            "$(id -u)",
            "`id -u`",
            "a;b",
            "a && b || c",
            "line one\nline two",
            "",
            " ",
            "tab\there",
            "back\\slash",
            "trailing backslash\\",
            "*",
            "~",
            "-n",
            "--",
            "#not a comment",
            "{a,b}",
            "!history",
            "%s %d",
            "a|b>c<d",
            "ünïcödé ✓ 日本 🚀",
            "'\"'\"'",
            "ends with newline\n");

    private HostileArguments() {
    }

    /** What {@code printf '%s\n' ALL...} prints. */
    static String printed() {
        StringBuilder s = new StringBuilder();
        ALL.forEach(a -> s.append(a).append('\n'));
        return s.toString();
    }
}
