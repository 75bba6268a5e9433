package io.isolab.backend.linuxns.cgroup;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The formats of cgroup interface files (Documentation/admin-guide/cgroup-v2.rst, "Interface Files";
 * v1 files use the same ones): single values where {@code max} means no limit, new-line separated values
 * ({@code cgroup.procs}), flat keyed ({@code KEY VALUE} per line: {@code cpu.stat}, {@code memory.events},
 * v1 {@code memory.oom_control}), and {@code cpu.max}'s {@code $MAX $PERIOD}.
 */
public final class CgroupFiles {
    /** What {@code max} parses to. */
    public static final long MAX = Long.MAX_VALUE;
    /** Compiled once: {@code String.split("\\s+")} compiles it at every call, and stats read several files per sandbox. */
    private static final Pattern WHITESPACE = Pattern.compile("\\s+");

    private CgroupFiles() {
    }

    /** A single value: a decimal number or {@code max}. */
    public static long value(String text) {
        String v = text.trim();
        return v.equals("max") ? MAX : Long.parseLong(v);
    }

    /** A flat keyed file; lines whose value is not a number (a newer kernel's additions) are skipped. */
    public static Map<String, Long> flatKeyed(String text) {
        Map<String, Long> values = new LinkedHashMap<>();
        for (String line : text.split("\n")) {
            String[] kv = WHITESPACE.split(line.trim());
            if (kv.length == 2) {
                try {
                    values.put(kv[0], value(kv[1]));
                } catch (NumberFormatException e) {
                    // not a counter: not ours to read
                }
            }
        }
        return values;
    }

    /** A new-line separated list of ids ({@code cgroup.procs}, {@code cgroup.threads}, v1 {@code tasks}). */
    public static List<Long> ids(String text) {
        List<Long> ids = new ArrayList<>();
        for (String line : text.split("\n")) {
            String v = line.trim();
            if (!v.isEmpty()) {
                ids.add(Long.parseLong(v));
            }
        }
        return ids;
    }

    /**
     * v2 {@code cpu.max}: {@code $MAX $PERIOD}, {@code $MAX} being {@code max} for no limit.
     *
     * @param quotaMicros {@link #MAX} for no limit
     */
    public record CpuMax(long quotaMicros, long periodMicros) {

        public static CpuMax parse(String text) {
            String[] f = WHITESPACE.split(text.trim());
            if (f.length != 2) {
                throw new IllegalArgumentException("not a cpu.max value: '" + text.trim() + "'");
            }
            return new CpuMax(value(f[0]), Long.parseLong(f[1]));
        }

        public String format() {
            return (quotaMicros == MAX ? "max" : Long.toString(quotaMicros)) + " " + periodMicros;
        }
    }
}
