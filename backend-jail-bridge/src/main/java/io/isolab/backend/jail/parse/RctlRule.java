package io.isolab.backend.jail.parse;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One rule as {@code rctl} lists it: {@code subject:subject-id:resource:action=amount/per} (rctl.8, RULE
 * SYNTAX); the kernel writes the amount as a plain number, rctl.c prints one rule per line.
 *
 * @param subject   {@code jail}, {@code user}, {@code process} or {@code loginclass}
 * @param subjectId for jails, the jail name
 * @param resource  e.g. {@code memoryuse} (kern_rctl.c {@code resourcenames[]})
 * @param action    e.g. {@code deny}
 * @param amount    the limit
 * @param text      the rule as listed, usable as an {@code rctl -r} filter
 */
public record RctlRule(String subject, String subjectId, String resource, String action, long amount, String text) {
    private static final Pattern RULE = Pattern.compile("([a-z]+):([^:]*):([a-z]+):([a-z0-9]+)=(\\d+)(?:/[a-z]+)?");

    /** Parses one listed rule, or returns null for a line that is not one. */
    public static RctlRule parse(String line) {
        Matcher m = RULE.matcher(line.strip());
        if (!m.matches()) {
            return null;
        }
        return new RctlRule(m.group(1), m.group(2), m.group(3), m.group(4), Long.parseLong(m.group(5)), line.strip());
    }
}
