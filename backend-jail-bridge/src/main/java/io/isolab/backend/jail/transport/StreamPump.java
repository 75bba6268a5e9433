package io.isolab.backend.jail.transport;

import io.isolab.api.spi.OutputSink;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * Copies a stream to a sink on a thread of its own until end of file, so that a command's stdout and stderr
 * are drained independently and neither can block the other.
 */
final class StreamPump {
    private final Thread thread;
    private volatile IOException failure;

    private StreamPump(String name, InputStream in, OutputSink sink) {
        this.thread = new Thread(() -> copy(in, sink), name);
        this.thread.setDaemon(true);
    }

    static StreamPump start(String name, InputStream in, OutputSink sink) {
        StreamPump pump = new StreamPump(name, in, sink);
        pump.thread.start();
        return pump;
    }

    /** Waits for end of file; false when {@code millis} passed first. */
    boolean join(long millis) throws InterruptedException {
        thread.join(Math.max(1, millis));
        return !thread.isAlive();
    }

    void join() throws InterruptedException {
        thread.join();
    }

    IOException failure() {
        return failure;
    }

    private void copy(InputStream in, OutputSink sink) {
        byte[] buffer = new byte[16 * 1024];
        try (in) {
            for (int n; (n = in.read(buffer)) >= 0; ) {
                if (n > 0) {
                    sink.write(buffer, 0, n);
                }
            }
        } catch (IOException e) {
            failure = e;
        }
    }

    /** A sink that keeps the first {@link Transport#CAPTURE_LIMIT} bytes. */
    static final class Capture implements OutputSink {
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

        @Override
        public synchronized void write(byte[] buffer, int offset, int length) {
            int keep = Math.min(length, Transport.CAPTURE_LIMIT - bytes.size());
            if (keep > 0) {
                bytes.write(buffer, offset, keep);
            }
        }

        synchronized byte[] bytes() {
            return bytes.toByteArray();
        }
    }
}
