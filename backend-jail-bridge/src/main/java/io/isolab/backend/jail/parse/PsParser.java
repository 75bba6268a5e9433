package io.isolab.backend.jail.parse;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads {@code ps -J NAME -o time=}: the CPU time of each process, one per line. FreeBSD's ps (bin/ps/print.c,
 * {@code cputime}) prints minutes, seconds and hundredths as {@code M:SS.hh}; a long-running process shows
 * more minutes ({@code 1234:05.67}). Days or hours prefixes are accepted too, for other ps formats.
 */
public final class PsParser {
    private static final Pattern TIME = Pattern.compile("(?:(\\d+)-)?(?:(\\d+):)?(\\d+):(\\d{2})[.,](\\d{1,2})");

    private PsParser() {
    }

    /** The summed CPU time of every listed process, in nanoseconds. */
    public static long cpuNanos(String text) {
        long total = 0;
        for (String line : text.lines().map(String::strip).filter(l -> !l.isEmpty()).toList()) {
            Matcher m = TIME.matcher(line);
            if (!m.matches()) {
                throw new IllegalArgumentException("ps: '" + line + "' is not a CPU time");
            }
            long days = m.group(1) == null ? 0 : Long.parseLong(m.group(1));
            long hours = m.group(2) == null ? 0 : Long.parseLong(m.group(2));
            long minutes = Long.parseLong(m.group(3));
            long seconds = Long.parseLong(m.group(4));
            String fraction = (m.group(5) + "0").substring(0, 2);
            long hundredths = Long.parseLong(fraction);
            long centis = ((((days * 24 + hours) * 60 + minutes) * 60) + seconds) * 100 + hundredths;
            total += centis * 10_000_000L;
        }
        return total;
    }
}
