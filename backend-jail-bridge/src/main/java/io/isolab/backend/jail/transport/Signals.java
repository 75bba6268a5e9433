package io.isolab.backend.jail.transport;

import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Signal numbers as FreeBSD numbers them ({@code sys/sys/signal.h}), by the names SSH uses for them
 * (RFC 4254 section 6.10: the name without {@code SIG}). The workload runs on FreeBSD, so a number a user
 * gives ({@code kill(9)}) and a name the SSH server reports are translated with FreeBSD's table; the numbers
 * 1-6, 8, 9, 11, 13-15 are the same on Linux, the others differ (FreeBSD's SIGUSR1 is 30, Linux's 10).
 */
public final class Signals {
    private static final Map<String, Integer> NUMBERS = Map.ofEntries(
            Map.entry("HUP", 1), Map.entry("INT", 2), Map.entry("QUIT", 3), Map.entry("ILL", 4),
            Map.entry("TRAP", 5), Map.entry("ABRT", 6), Map.entry("EMT", 7), Map.entry("FPE", 8),
            Map.entry("KILL", 9), Map.entry("BUS", 10), Map.entry("SEGV", 11), Map.entry("SYS", 12),
            Map.entry("PIPE", 13), Map.entry("ALRM", 14), Map.entry("TERM", 15), Map.entry("URG", 16),
            Map.entry("STOP", 17), Map.entry("TSTP", 18), Map.entry("CONT", 19), Map.entry("CHLD", 20),
            Map.entry("TTIN", 21), Map.entry("TTOU", 22), Map.entry("IO", 23), Map.entry("XCPU", 24),
            Map.entry("XFSZ", 25), Map.entry("VTALRM", 26), Map.entry("PROF", 27), Map.entry("WINCH", 28),
            Map.entry("INFO", 29), Map.entry("USR1", 30), Map.entry("USR2", 31));
    private static final Map<Integer, String> NAMES = new TreeMap<>();

    static {
        NUMBERS.forEach((name, number) -> NAMES.put(number, name));
    }

    private Signals() {
    }

    /** FreeBSD's number for a signal name ({@code SEGV} or {@code SIGSEGV}). */
    public static Optional<Integer> number(String name) {
        String bare = name.startsWith("SIG") ? name.substring(3) : name;
        return Optional.ofNullable(NUMBERS.get(bare));
    }

    /** The name (without {@code SIG}) of FreeBSD's signal {@code number}. */
    public static Optional<String> name(int number) {
        return Optional.ofNullable(NAMES.get(number));
    }
}
