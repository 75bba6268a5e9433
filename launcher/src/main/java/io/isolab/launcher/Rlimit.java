package io.isolab.launcher;

import java.util.Objects;

/**
 * A POSIX resource limit set in the child before exec.
 *
 * @param resource which limit
 * @param soft     the soft limit, {@link #UNLIMITED} for none
 * @param hard     the hard limit, {@link #UNLIMITED} for none; not below {@code soft}
 */
public record Rlimit(Resource resource, long soft, long hard) {

    /** {@code RLIM_INFINITY}. */
    public static final long UNLIMITED = -1L;

    /** The resources of {@code setrlimit(2)}, numbered as on Linux. */
    public enum Resource { CPU, FSIZE, DATA, STACK, CORE, RSS, NPROC, NOFILE, MEMLOCK, AS, LOCKS, SIGPENDING, MSGQUEUE, NICE, RTPRIO, RTTIME }

    public Rlimit {
        Objects.requireNonNull(resource, "resource");
        if ((soft < 0 && soft != UNLIMITED) || (hard < 0 && hard != UNLIMITED)) {
            throw new IllegalArgumentException(resource + ": limits are non-negative or UNLIMITED");
        }
        if (hard != UNLIMITED && (soft == UNLIMITED || soft > hard)) {
            throw new IllegalArgumentException(resource + ": soft limit " + soft + " above hard limit " + hard);
        }
    }

    /** Soft and hard limit both {@code value}. */
    public static Rlimit of(Resource resource, long value) {
        return new Rlimit(resource, value, value);
    }
}
