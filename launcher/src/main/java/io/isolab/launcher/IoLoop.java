package io.isolab.launcher;

import io.isolab.api.ExitStatus;
import io.isolab.api.spi.OutputSink;
import io.isolab.api.spi.ProcessExit;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one thread per {@link Launcher} that serves every process it started, as Netty's epoll event loop
 * serves many channels: an epoll set over each process's pidfd (readable once it exited) and its output
 * pipes. Hundreds of sandboxes cost one thread, not two per sandbox.
 *
 * <p>When a pidfd turns readable the process is reaped, then its pipes are drained: the process's own
 * writes are all in the pipe by then (its descriptors close before its exit is signalled), so draining
 * until the pipe is empty delivers all of them. Output that processes it left behind write later is not
 * waited for; the pipes are closed.
 */
final class IoLoop implements Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(IoLoop.class);
    private static final AtomicInteger THREADS = new AtomicInteger();
    private static final long WAKE = 0;
    private static final int BUFFER = 64 * 1024;
    /** Bounds the drain after exit when a left-behind process keeps writing. */
    private static final int MAX_DRAIN_READS = 256;
    /** Reads per readiness event: enough for throughput, bounded for fairness between processes. */
    private static final int READS_PER_EVENT = 16;
    /** Without pidfds (before Linux 5.3) exits are polled. */
    private static final int POLL_MS = 10;

    private final int epfd;
    private final int wakefd;
    private final Map<Long, Object> channels = new ConcurrentHashMap<>();
    private final Set<Watch> polled = ConcurrentHashMap.newKeySet();
    private final AtomicLong tokens = new AtomicLong(1);
    private final ByteBuffer buffer = ByteBuffer.allocateDirect(BUFFER);
    private final Thread thread;
    private volatile boolean closed;

    /** A process and its open pipes, touched only by the loop thread after registration. */
    private static final class Watch {
        final LaunchedProcess process;
        final List<Pipe> pipes = new ArrayList<>(2);
        long pidToken = -1;

        Watch(LaunchedProcess process) {
            this.process = process;
        }
    }

    private static final class Pipe {
        final Watch watch;
        final int fd;
        final OutputSink sink;
        final long token;
        boolean open = true;

        Pipe(Watch watch, int fd, OutputSink sink, long token) {
            this.watch = watch;
            this.fd = fd;
            this.sink = sink;
            this.token = token;
        }
    }

    IoLoop() {
        epfd = check(LauncherNative.isl_epoll_create(), "epoll_create1");
        wakefd = check(LauncherNative.isl_eventfd(), "eventfd");
        check(LauncherNative.isl_epoll_add(epfd, wakefd, WAKE), "epoll_ctl");
        thread = new Thread(this, "isolab-launcher-io-" + THREADS.incrementAndGet());
        thread.setDaemon(true);
        thread.start();
    }

    /** Starts serving a launched process; its pipes first, so no exit is seen before its output. */
    void register(LaunchedProcess process, int stdoutFd, int stderrFd) {
        Watch watch = new Watch(process);
        addPipe(watch, stdoutFd, process.io().stdout());
        addPipe(watch, stderrFd, process.io().stderr());
        int pidfd = process.pidfd();
        if (pidfd >= 0) {
            watch.pidToken = tokens.getAndIncrement();
            channels.put(watch.pidToken, watch);
            check(LauncherNative.isl_epoll_add(epfd, pidfd, watch.pidToken), "epoll_ctl pidfd");
        } else {
            polled.add(watch);
            LauncherNative.isl_eventfd_signal(wakefd);
        }
    }

    private void addPipe(Watch watch, int fd, OutputSink sink) {
        if (fd < 0) {
            return;
        }
        Pipe pipe = new Pipe(watch, fd, sink, tokens.getAndIncrement());
        synchronized (watch) {
            watch.pipes.add(pipe);
        }
        channels.put(pipe.token, pipe);
        check(LauncherNative.isl_epoll_add(epfd, fd, pipe.token), "epoll_ctl pipe");
    }

    void close() {
        closed = true;
        LauncherNative.isl_eventfd_signal(wakefd);
    }

    @Override
    public void run() {
        long[] ready = new long[64];
        try {
            while (!closed) {
                int n = LauncherNative.isl_epoll_wait(epfd, ready, ready.length, polled.isEmpty() ? -1 : POLL_MS);
                if (n < 0) {
                    throw new IllegalStateException("epoll_wait: errno " + -n);
                }
                for (int i = 0; i < n && !closed; i++) {
                    dispatch(ready[i]);
                }
                for (Watch watch : polled) {
                    exited(watch);
                }
            }
        } catch (RuntimeException | Error e) {
            LOG.error("the launcher's I/O thread failed; its processes are no longer watched", e);
            closed = true;
        } finally {
            abandonAll();
            LauncherNative.isl_close(wakefd);
            LauncherNative.isl_close(epfd);
        }
    }

    private void dispatch(long token) {
        if (token == WAKE) {
            LauncherNative.isl_eventfd_drain(wakefd);
            return;
        }
        Object channel = channels.get(token);
        if (channel instanceof Pipe pipe) {
            read(pipe, READS_PER_EVENT);
        } else if (channel instanceof Watch watch) {
            exited(watch);
        }
    }

    /** Reads up to {@code maxReads} times; false once the pipe is empty or closed. */
    private boolean read(Pipe pipe, int maxReads) {
        for (int i = 0; i < maxReads && pipe.open; i++) {
            int n = LauncherNative.isl_read(pipe.fd, buffer, BUFFER);
            if (n == -LauncherNative.EAGAIN) {
                return false;
            }
            if (n <= 0) {
                closePipe(pipe);
                return false;
            }
            byte[] bytes = new byte[n];
            buffer.get(0, bytes, 0, n);
            try {
                pipe.sink.write(bytes, 0, n);
            } catch (RuntimeException e) {
                LOG.warn("an output sink of {} failed; its output is dropped", pipe.watch.process, e);
            }
        }
        return pipe.open;
    }

    private void exited(Watch watch) {
        ExitStatus status;
        try {
            status = watch.process.reap();
        } catch (IllegalStateException e) {
            finish(watch);
            watch.process.fail(e);
            return;
        }
        if (status == null) {
            return; // still running (a spurious wake-up, or a polled process)
        }
        for (Pipe pipe : pipesOf(watch)) {
            int reads = 0;
            while (read(pipe, 1) && ++reads < MAX_DRAIN_READS) {
                // drain what the process wrote before it exited
            }
        }
        finish(watch);
        watch.process.complete(ProcessExit.of(status));
    }

    private void finish(Watch watch) {
        for (Pipe pipe : pipesOf(watch)) {
            closePipe(pipe);
        }
        if (watch.pidToken >= 0) {
            channels.remove(watch.pidToken);
            int pidfd = watch.process.pidfd();
            if (pidfd >= 0) {
                LauncherNative.isl_epoll_del(epfd, pidfd);
            }
        }
        polled.remove(watch);
        watch.process.closePidfd();
    }

    private void closePipe(Pipe pipe) {
        if (pipe.open) {
            pipe.open = false;
            channels.remove(pipe.token);
            LauncherNative.isl_epoll_del(epfd, pipe.fd);
            LauncherNative.isl_close(pipe.fd);
        }
    }

    private static List<Pipe> pipesOf(Watch watch) {
        synchronized (watch) {
            return List.copyOf(watch.pipes);
        }
    }

    /** The loop stops: whoever waits is told; the processes themselves are left running. */
    private void abandonAll() {
        IllegalStateException stopped = new IllegalStateException("the launcher was closed");
        List<Watch> watches = new ArrayList<>(polled);
        for (Object channel : channels.values()) {
            if (channel instanceof Watch w) {
                watches.add(w);
            } else if (channel instanceof Pipe p && !watches.contains(p.watch)) {
                watches.add(p.watch);
            }
        }
        for (Watch watch : watches) {
            finish(watch);
            watch.process.fail(stopped);
        }
    }

    private static int check(int rc, String what) {
        if (rc < 0) {
            throw new IllegalStateException(what + ": errno " + -rc);
        }
        return rc;
    }
}
