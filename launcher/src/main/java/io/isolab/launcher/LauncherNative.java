package io.isolab.launcher;

import com.sun.jna.Native;
import java.nio.ByteBuffer;
import java.nio.file.Path;

/**
 * The C functions of {@code libisolab-launcher.so}, bound with JNA's direct mapping (a JNI stub per
 * method, no reflection per call). Negative results are {@code -errno}.
 */
final class LauncherNative {
    static final int EAGAIN = 11;
    static final int ESRCH = 3;
    static final int ECHILD = 10;

    private LauncherNative() {
    }

    static void register(Path library) {
        Native.register(LauncherNative.class, com.sun.jna.NativeLibrary.getInstance(library.toString()));
    }

    static native int isl_spawn(byte[] request, int length, long[] out, byte[] error, int errorLength);

    static native long isl_park(byte[] request, int length, long[] out, byte[] error, int errorLength);

    static native int isl_unpark(long parked, byte[] request, int length, long[] out, byte[] error, int errorLength);

    static native void isl_park_cancel(long parked);

    static native int isl_wait(int pidfd, int pid, int[] status);

    static native int isl_kill(int pidfd, int pid, int signal);

    static native int isl_features();

    static native int isl_netns_new();

    static native int isl_nice_thread(int nice);

    static native int isl_epoll_create();

    static native int isl_eventfd();

    static native int isl_epoll_add(int epfd, int fd, long token);

    static native int isl_epoll_del(int epfd, int fd);

    static native int isl_epoll_wait(int epfd, long[] tokens, int max, int timeoutMs);

    static native int isl_eventfd_signal(int fd);

    static native int isl_eventfd_drain(int fd);

    static native int isl_read(int fd, ByteBuffer buffer, int length);

    static native int isl_close(int fd);

    static native int isl_poll_in(int fd, int timeoutMs);

    static native int isl_dup(int fd);

    static native int isl_session_scan(int sid, long minStart, int signal, int[] pids, int max);
}
