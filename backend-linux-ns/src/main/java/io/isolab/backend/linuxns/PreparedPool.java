package io.isolab.backend.linuxns;

import io.isolab.launcher.Launcher;
import io.isolab.launcher.PreparedNetwork;
import io.isolab.launcher.PreparedRoot;
import io.isolab.launcher.RootSetup;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Objects;
import java.util.function.BiFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sandboxes' namespaces made ahead of their launches by one background thread, for sandboxes that own a
 * network namespace and have no user namespace (which would own neither): a network namespace (only
 * {@code lo}, up) and, when the copy-on-write layer is in memory, the pivot root on it (see
 * {@link PreparedRoot}: overlay, /dev, /sys, masks, old root detached). The launch then joins them and does
 * only what is its own; creating a network namespace (every network subsystem's init under the rtnl lock)
 * and assembling a root (an RCU grace period to detach the old one) are off its path.
 *
 * <p>Each is brand new and serves one sandbox: nothing is ever reused. Nothing can leak: a ready entry is
 * only descriptors of this JVM (no bind mount, no name, layers in memory), released by {@link #close()} or
 * with the JVM however it dies. Roots are prepared for the rootfs the last launch used; a launch with
 * another one retargets the pool and assembles its own. The thread starts at the first {@link #take}, keeps
 * {@code size} ready at nice 19, and stops if the kernel refuses (launches then make their own).
 */
final class PreparedPool implements AutoCloseable, Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(PreparedPool.class);

    /** What a launch gets: a root with its network, or a network alone (the root is then the launch's). */
    record Ready(PreparedRoot root, PreparedNetwork network) {
    }

    private final Launcher launcher;
    private final int size;
    /** The root a rootfs gets, made at a mount point: null when only networks are prepared. */
    private final BiFunction<Path, Path, RootSetup.Pivot> rootOf;
    private final Path mountPoint;
    /** Guarded by this. */
    private final Deque<Ready> ready = new ArrayDeque<>();
    /** Entries for another rootfs, released by the thread (a root's teardown waits for RCU). Guarded by this. */
    private final List<Ready> stale = new ArrayList<>();
    /** The rootfs roots are prepared for; null until a launch names one. Guarded by this. */
    private Path rootfs;
    /** Guarded by this. */
    private Thread filler;
    /** Guarded by this: closed, or the kernel refused. */
    private boolean stopped;

    /**
     * @param size       how many to keep ready; 0 disables the pool
     * @param rootOf     the pivot root for (rootfs, mount point) to prepare, or {@code null} for networks only
     * @param mountPoint an existing directory the prepared layers' tmpfs covers, in their namespace only
     */
    PreparedPool(Launcher launcher, int size, BiFunction<Path, Path, RootSetup.Pivot> rootOf, Path mountPoint) {
        this.launcher = launcher;
        this.size = size;
        this.rootOf = rootOf;
        this.mountPoint = mountPoint;
        this.stopped = size == 0;
    }

    /**
     * What is ready for a launch on {@code forRootfs}, or {@code null} when nothing is (the launch then makes
     * its own). A root prepared for another rootfs is not given; the pool turns to {@code forRootfs}.
     */
    synchronized Ready take(Path forRootfs) {
        if (stopped) {
            return null;
        }
        if (filler == null) {
            filler = new Thread(this, "isolab-linux-ns-prepared-pool");
            filler.setDaemon(true);
            filler.start();
        }
        if (rootOf != null && !forRootfs.equals(rootfs)) {
            rootfs = forRootfs;
            stale.addAll(ready);
            ready.clear();
        }
        Ready next = ready.poll();
        notifyAll();
        return next;
    }

    @Override
    public void run() {
        launcher.yieldToLaunches(); // a launch waiting for the CPU matters more than a refill
        while (true) {
            Path target;
            List<Ready> release;
            synchronized (this) {
                while (!stopped && stale.isEmpty() && ready.size() >= size) {
                    try {
                        wait();
                    } catch (InterruptedException e) {
                        return;
                    }
                }
                if (stopped) {
                    return;
                }
                target = rootfs;
                release = new ArrayList<>(stale);
                stale.clear();
            }
            release.forEach(PreparedPool::release);
            Ready made;
            try {
                made = make(target);
            } catch (RuntimeException e) {
                LOG.warn("sandboxes' namespaces are no longer made ahead of launches: {}", e.getMessage());
                synchronized (this) {
                    stopped = true;
                }
                return;
            }
            synchronized (this) {
                if (stopped || (rootOf != null && !Objects.equals(target, rootfs))) {
                    release(made);
                    if (stopped) {
                        return;
                    }
                } else {
                    ready.add(made);
                }
            }
        }
    }

    /** A network, and the root on it when roots are prepared and a rootfs is known. */
    private Ready make(Path target) {
        PreparedNetwork network = launcher.prepareNetwork();
        if (rootOf == null || target == null) {
            return new Ready(null, network);
        }
        try {
            return new Ready(launcher.prepareRoot(rootOf.apply(target, mountPoint), network), null);
        } catch (RuntimeException e) {
            network.close();
            throw e;
        }
    }

    private static void release(Ready ready) {
        if (ready.root() != null) {
            ready.root().close();
        } else {
            ready.network().close();
        }
    }

    /** Releases what is ready and stops the thread. */
    @Override
    public void close() {
        Thread thread;
        List<Ready> release;
        synchronized (this) {
            stopped = true;
            release = new ArrayList<>(ready);
            release.addAll(stale);
            ready.clear();
            stale.clear();
            notifyAll();
            thread = filler;
        }
        if (thread != null) {
            try {
                thread.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        release.forEach(PreparedPool::release);
    }
}
