package io.isolab.api.host;

import io.isolab.api.CapturedOutput;
import io.isolab.api.spi.OutputSink;
import java.util.Arrays;

/** Keeps the first {@code limit} bytes of a stream and counts the rest. */
final class BoundedCapture implements OutputSink {
    private final int limit;
    private final OutputSink forward;
    private byte[] kept = new byte[0];
    private int size;
    private long total;

    BoundedCapture(int limit, OutputSink forward) {
        this.limit = limit;
        this.forward = forward;
    }

    @Override
    public void write(byte[] buffer, int offset, int length) {
        synchronized (this) {
            total += length;
            int keep = Math.min(length, limit - size);
            if (keep > 0) {
                if (size + keep > kept.length) {
                    kept = Arrays.copyOf(kept, Math.min(limit, Math.max(size + keep, kept.length * 2 + 256)));
                }
                System.arraycopy(buffer, offset, kept, size, keep);
                size += keep;
            }
        }
        forward.write(buffer, offset, length);
    }

    synchronized CapturedOutput result() {
        return new CapturedOutput(Arrays.copyOf(kept, size), total, total > size);
    }
}
