package io.isolab.backend.linuxns;

import io.isolab.launcher.Launcher;
import io.isolab.launcher.PreparedNetwork;
import java.util.ArrayDeque;
import java.util.Deque;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Network namespaces made ahead of launches by one background thread, so that a sandbox's launch joins a
 * ready one instead of creating it in its clone: the kernel's per-namespace setup (every network
 * subsystem's init under the rtnl lock, 0.5 ms at best, several under load) is then off the launch's path.
 * Each namespace is brand new, with only {@code lo}, up, and serves one sandbox: none is ever reused.
 *
 * <p>Nothing can leak: a ready namespace is only a descriptor of this JVM (no bind mount, no name), so it
 * goes with {@link #close()} or with the JVM, however it dies. The thread starts at the first
 * {@link #take()} and keeps {@code size} ready. If the kernel refuses one (no privilege, the
 * user.max_net_namespaces limit), the pool stops and launches create their own again.
 */
final class NetworkPool implements AutoCloseable, Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(NetworkPool.class);

    private final Launcher launcher;
    private final int size;
    /** Guarded by this. */
    private final Deque<PreparedNetwork> ready = new ArrayDeque<>();
    /** Guarded by this. */
    private Thread filler;
    /** Guarded by this: closed, or the kernel refused. */
    private boolean stopped;

    /** @param size how many to keep ready; 0 disables the pool */
    NetworkPool(Launcher launcher, int size) {
        this.launcher = launcher;
        this.size = size;
        this.stopped = size == 0;
    }

    /** A ready namespace, or {@code null} when none is (the launch then creates its own). */
    synchronized PreparedNetwork take() {
        if (stopped) {
            return null;
        }
        if (filler == null) {
            filler = new Thread(this, "isolab-linux-ns-network-pool");
            filler.setDaemon(true);
            filler.start();
        }
        PreparedNetwork network = ready.poll();
        notifyAll();
        return network;
    }

    @Override
    public void run() {
        launcher.yieldToLaunches(); // a launch waiting for the CPU matters more than a refill
        while (true) {
            synchronized (this) {
                while (!stopped && ready.size() >= size) {
                    try {
                        wait();
                    } catch (InterruptedException e) {
                        return;
                    }
                }
                if (stopped) {
                    return;
                }
            }
            PreparedNetwork network;
            try {
                network = launcher.prepareNetwork();
            } catch (RuntimeException e) {
                LOG.warn("network namespaces are no longer made ahead of launches: {}", e.getMessage());
                synchronized (this) {
                    stopped = true;
                }
                return;
            }
            synchronized (this) {
                if (stopped) {
                    network.close();
                    return;
                }
                ready.add(network);
            }
        }
    }

    /** Releases the ready namespaces and stops the thread. */
    @Override
    public void close() {
        Thread thread;
        synchronized (this) {
            stopped = true;
            ready.forEach(PreparedNetwork::close);
            ready.clear();
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
    }
}
