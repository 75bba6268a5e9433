package io.isolab.backend.jail.transport;

import io.isolab.api.spi.OutputSink;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/** A sink that keeps everything written to it. */
public final class CollectingSink implements OutputSink {
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

    @Override
    public synchronized void write(byte[] buffer, int offset, int length) {
        bytes.write(buffer, offset, length);
    }

    public synchronized byte[] bytes() {
        return bytes.toByteArray();
    }

    public String text() {
        return new String(bytes(), StandardCharsets.UTF_8);
    }
}
