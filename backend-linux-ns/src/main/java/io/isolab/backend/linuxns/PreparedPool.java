package io.isolab.backend.linuxns;

import io.isolab.launcher.Launcher;
import io.isolab.launcher.Namespace;
import io.isolab.launcher.ParkedLaunch;
import io.isolab.launcher.PreparedNetwork;
import io.isolab.launcher.PreparedRoot;
import io.isolab.launcher.RootSetup;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.function.BiFunction;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sandboxes' namespaces made ahead of their launches by one background thread, for sandboxes that own a
 * network namespace and have no user namespace (which would own neither): a network namespace (only
 * {@code lo}, up) and, when the copy-on-write layer is in memory, the pivot root on it (see
 * {@link PreparedRoot}: overlay, /dev, /sys, masks, old root detached). The launch then joins them and does
 * only what is its own; creating a network namespace (every network subsystem's init under the rtnl lock)
 * and assembling a root (an RCU grace period to detach the old one) are off its path. Where the launch
 * has nothing of its own in its root (no bind mounts, not read-only) the pool goes one step further and
 * parks a launch in it ({@link ParkedLaunch}): the clone of the remaining namespaces and the root's /proc
 * are then off the launch's path too.
 *
 * <p>Each is brand new and serves one sandbox: nothing is ever reused. Nothing can leak: a ready entry is
 * only descriptors of this JVM (no bind mount, no name, layers in memory), released by {@link #close()} or
 * with the JVM however it dies (a parked child exits when the JVM's end of its socket closes). Roots are
 * prepared for the rootfs the last launch used, and parked in its namespaces if it could use a parked
 * launch; a launch that differs retargets the pool and assembles its own. The thread starts at the first {@link #take}, keeps
 * {@code size} ready at nice 19, and stops if the kernel refuses (launches then make their own).
 */
final class PreparedPool implements AutoCloseable, Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(PreparedPool.class);

    /**
     * What a launch gets: a launch parked in a root, a root with its network, or a network alone (the root
     * is then the launch's). Closing releases what the launch did not take.
     */
    record Ready(ParkedLaunch parked, PreparedRoot root, PreparedNetwork network) implements AutoCloseable {
        @Override
        public void close() {
            if (parked != null) {
                parked.close();
            } else if (root != null) {
                root.close();
            } else {
                network.close();
            }
        }
    }

    /** What the pool prepares: roots of this rootfs (or none), parked in these namespaces (or not). */
    private record Target(Path rootfs, Set<Namespace> parkIn) {
        Target {
            parkIn = parkIn == null ? null : Set.copyOf(parkIn);
        }
    }

    private final Launcher launcher;
    private final int size;
    /** The root a rootfs gets, made at a mount point: null when only networks are prepared. */
    private final BiFunction<Path, Path, RootSetup.Pivot> rootOf;
    /** The root a launch parked in a prepared root asks for. */
    private final Function<PreparedRoot, RootSetup.Pivot> parkedRootOf;
    private final Path mountPoint;
    /** Guarded by this. */
    private final Deque<Ready> ready = new ArrayDeque<>();
    /** Entries for another rootfs, released by the thread (a root's teardown waits for RCU). Guarded by this. */
    private final List<Ready> stale = new ArrayList<>();
    /** What is prepared; null until a launch says. Guarded by this. */
    private Target target;
    /** Guarded by this. */
    private Thread filler;
    /** Guarded by this: closed, or the kernel refused. */
    private boolean stopped;

    /**
     * @param size       how many to keep ready; 0 disables the pool
     * @param rootOf       the pivot root for (rootfs, mount point) to prepare, or {@code null} for networks only
     * @param parkedRootOf the root of a launch parked in a prepared root
     * @param mountPoint   an existing directory the prepared layers' tmpfs covers, in their namespace only
     */
    PreparedPool(Launcher launcher, int size, BiFunction<Path, Path, RootSetup.Pivot> rootOf,
                 Function<PreparedRoot, RootSetup.Pivot> parkedRootOf, Path mountPoint) {
        this.launcher = launcher;
        this.size = size;
        this.rootOf = rootOf;
        this.parkedRootOf = parkedRootOf;
        this.mountPoint = mountPoint;
        this.stopped = size == 0;
    }

    /**
     * What is ready for a launch on {@code forRootfs}, parked in {@code parkIn} if that is not null, or
     * {@code null} when nothing is (the launch then makes its own). What was prepared for another launch is
     * not given; the pool turns to this one's.
     */
    synchronized Ready take(Path forRootfs, Set<Namespace> parkIn) {
        if (stopped) {
            return null;
        }
        if (filler == null) {
            filler = new Thread(this, "isolab-linux-ns-prepared-pool");
            filler.setDaemon(true);
            filler.start();
        }
        Target wanted = new Target(rootOf != null ? forRootfs : null, rootOf != null ? parkIn : null);
        if (!wanted.equals(target)) {
            if (target != null) {
                stale.addAll(ready);
                ready.clear();
            }
            target = wanted;
        }
        Ready next = ready.poll();
        if (next == null || !stale.isEmpty()) {
            notifyAll();
        }
        return next;
    }

    /**
     * Lets the thread make up for what launches took, once they have launched: woken at the take, it
     * would create a network namespace (every network subsystem's init) on the other CPU while the launch
     * that took one still runs its own steps.
     */
    synchronized void refill() {
        if (!stopped && (ready.size() < size || !stale.isEmpty())) {
            notifyAll();
        }
    }

    @Override
    public void run() {
        launcher.yieldToLaunches(); // a launch waiting for the CPU matters more than a refill
        while (true) {
            Target making;
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
                making = target;
                release = new ArrayList<>(stale);
                stale.clear();
            }
            release.forEach(Ready::close);
            Ready made;
            try {
                made = make(making);
            } catch (RuntimeException e) {
                LOG.warn("sandboxes' namespaces are no longer made ahead of launches: {}", e.getMessage());
                synchronized (this) {
                    stopped = true;
                }
                return;
            }
            synchronized (this) {
                if (stopped || !Objects.equals(making, target)) {
                    made.close();
                    if (stopped) {
                        return;
                    }
                } else {
                    ready.add(made);
                }
            }
        }
    }

    /** A network, the root on it when roots are prepared, and a launch parked in it when launches are. */
    private Ready make(Target making) {
        PreparedNetwork network = launcher.prepareNetwork();
        if (making == null || making.rootfs() == null) {
            return new Ready(null, null, network);
        }
        PreparedRoot root;
        try {
            root = launcher.prepareRoot(rootOf.apply(making.rootfs(), mountPoint), network);
        } catch (RuntimeException e) {
            network.close();
            throw e;
        }
        if (making.parkIn() == null) {
            return new Ready(null, root, null);
        }
        try {
            return new Ready(launcher.park(making.parkIn(), parkedRootOf.apply(root)), null, null);
        } catch (RuntimeException e) {
            root.close();
            throw e;
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
        release.forEach(Ready::close);
    }
}
