package io.isolab.backend.chroot;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;

/**
 * How a chroot sandbox's processes are found again, by this JVM or by {@code gc} after it died: the
 * workload leads a session of its own, so the session id (the leader's pid), the leader's start time (a
 * session with the same id but older processes is someone else's) and the boot (a pid of an earlier boot
 * means nothing) name its processes. Kept in the sandbox's private directory.
 *
 * @param sid       session id: the pid of the workload's main process
 * @param startTime the leader's start time, clock ticks since boot
 * @param bootId    {@code /proc/sys/kernel/random/boot_id} when it started
 */
record SessionRecord(int sid, long startTime, String bootId) {
    static final String FILE = "session";
    private static final Path BOOT_ID = Path.of("/proc/sys/kernel/random/boot_id");

    static String currentBootId() {
        try {
            return Files.readString(BOOT_ID).strip();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + BOOT_ID, e);
        }
    }

    /**
     * One create and one write, no temporary file and rename: gc reads the records of dead owners only
     * (a live one holds its lease), and an owner that died mid-write is no worse off than one that died
     * before writing; an unreadable record counts as none.
     */
    void write(Path sandboxDir) {
        try {
            Files.writeString(sandboxDir.resolve(FILE), sid + " " + startTime + " " + bootId + "\n",
                    StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot record the session of sandbox " + sandboxDir.getFileName(), e);
        }
    }

    /** The record in a sandbox directory, if the sandbox got as far as starting. */
    static Optional<SessionRecord> read(Path sandboxDir) {
        try {
            String[] f = Files.readString(sandboxDir.resolve(FILE)).trim().split(" ");
            return Optional.of(new SessionRecord(Integer.parseInt(f[0]), Long.parseLong(f[1]), f[2]));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException | RuntimeException e) {
            return Optional.empty(); // unreadable or half-written: nothing can be attributed to it
        }
    }

    /** Whether its processes could still exist: same boot. */
    boolean thisBoot() {
        return bootId.equals(currentBootId());
    }
}
