package io.isolab.api.host;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * Proof that a sandbox's owner is alive: a lock file per sandbox under {@code <stateDir>/leases}, locked
 * for as long as the owning JVM holds the sandbox. The kernel drops the lock when the JVM dies, however
 * it dies, which is what lets {@code gc} tell an orphan from a sandbox another JVM is still running.
 *
 * <p>A lease file is locked before it gets its name (it is created under a temporary name and renamed),
 * so a lease that can be seen and locked by {@code gc} is always a dead one.
 */
final class Leases {
    private static final String PENDING = ".pending-";
    private final Path dir;

    Leases(Path stateDir) {
        this.dir = stateDir.resolve("leases");
    }

    /** Takes the lease of a new sandbox. */
    Lease acquire(String sandboxId) {
        try {
            Path file = dir.resolve(sandboxId);
            while (true) {
                Path pending = dir.resolve(PENDING + sandboxId);
                FileChannel channel = createPending(pending);
                try {
                    FileLock lock = channel.lock();
                    Files.move(pending, file, StandardCopyOption.ATOMIC_MOVE);
                    return new Lease(file, channel, lock);
                } catch (NoSuchFileException raceWithGc) {
                    channel.close(); // gc removed the pending file before we locked it: start again
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot take the lease of " + sandboxId + " under " + dir, e);
        }
    }

    /**
     * The directory is made when missing, not before every lease: on an existing directory
     * {@code Files.createDirectories} throws and catches an exception inside the JDK, at every sandbox.
     */
    private FileChannel createPending(Path pending) throws IOException {
        try {
            return FileChannel.open(pending, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        } catch (NoSuchFileException noDirectory) {
            Files.createDirectories(dir);
            return FileChannel.open(pending, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        }
    }

    /**
     * Whether a live owner holds the sandbox's lease. When nobody does, the stale lease file is removed
     * (under its lock) and {@code false} returned: the caller may reclaim the sandbox's resources.
     */
    boolean isHeld(String sandboxId) {
        return tryBreak(dir.resolve(sandboxId)) == State.HELD;
    }

    /** Removes lease files whose owner died, including ones that died before naming theirs. */
    void breakStale() {
        if (!Files.isDirectory(dir)) {
            return;
        }
        try (var files = Files.list(dir)) {
            files.forEach(Leases::tryBreak);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir, e);
        }
    }

    private enum State { HELD, ABSENT, BROKEN }

    private static State tryBreak(Path file) {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            FileLock lock = channel.tryLock();
            if (lock == null) {
                return State.HELD;
            }
            Files.deleteIfExists(file);
            lock.release();
            return State.BROKEN;
        } catch (OverlappingFileLockException e) {
            return State.HELD; // held by this JVM
        } catch (NoSuchFileException e) {
            return State.ABSENT;
        } catch (IOException e) {
            return State.HELD; // when in doubt, it is not an orphan
        }
    }

    /** A held lease; {@link #release()} ends it and removes its file. */
    static final class Lease {
        private final Path file;
        private final FileChannel channel;
        private final FileLock lock;

        private Lease(Path file, FileChannel channel, FileLock lock) {
            this.file = file;
            this.channel = channel;
            this.lock = lock;
        }

        void release() {
            try (channel) {
                Files.deleteIfExists(file);
                lock.release();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot release lease " + file, e);
            }
        }
    }
}
