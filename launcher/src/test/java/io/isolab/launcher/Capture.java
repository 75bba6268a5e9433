package io.isolab.launcher;

import io.isolab.api.spi.OutputSink;
import io.isolab.api.spi.ProcessIo;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/** Collects a process's two streams, for tests. */
final class Capture {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    ProcessIo io() {
        return new ProcessIo(sink(out), sink(err));
    }

    synchronized String out() {
        return out.toString(StandardCharsets.UTF_8);
    }

    synchronized String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    synchronized long outBytes() {
        return out.size();
    }

    private OutputSink sink(ByteArrayOutputStream to) {
        return (b, off, len) -> {
            synchronized (this) {
                to.write(b, off, len);
            }
        };
    }
}
