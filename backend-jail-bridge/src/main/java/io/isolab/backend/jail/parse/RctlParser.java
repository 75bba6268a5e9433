package io.isolab.backend.jail.parse;

import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/**
 * Reads rctl(8)'s two outputs the bridge uses.
 *
 * <ul>
 *   <li>{@code rctl -u jail:NAME}: {@code resource=amount}, one per line (rctl.c {@code show_usage} splits the
 *       kernel's comma-separated list). The kernel (kern_rctl.c {@code rctl_racct_to_sbuf}) writes every
 *       resource of {@code resourcenames[]}; {@code cputime}, {@code pcpu} and {@code wallclock} are kept in
 *       millionths and printed divided by 1000000: seconds, percent, seconds.</li>
 *   <li>{@code rctl} without arguments: every rule, one per line ({@link RctlRule}).</li>
 * </ul>
 */
public final class RctlParser {

    private RctlParser() {
    }

    /** {@code rctl -u} output as resource name to amount. */
    public static Map<String, Long> usage(String text) {
        Properties lines = new Properties();
        try {
            lines.load(new StringReader(text));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Map<String, Long> usage = new TreeMap<>();
        for (String resource : lines.stringPropertyNames()) {
            String amount = lines.getProperty(resource).strip();
            try {
                usage.put(resource, Long.parseLong(amount));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("rctl -u: '" + resource + "=" + amount + "' is not resource=number", e);
            }
        }
        return usage;
    }

    /** The rules of an {@code rctl} listing; lines that are not rules are ignored. */
    public static List<RctlRule> rules(String text) {
        List<RctlRule> rules = new ArrayList<>();
        for (String line : text.lines().toList()) {
            RctlRule rule = RctlRule.parse(line);
            if (rule != null) {
                rules.add(rule);
            }
        }
        return rules;
    }
}
