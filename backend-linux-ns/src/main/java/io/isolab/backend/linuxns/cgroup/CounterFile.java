package io.isolab.backend.linuxns.cgroup;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A flat-keyed cgroup file read again and again through one open descriptor: the kernel regenerates its
 * text at every read from offset 0, so a positional read is a fresh reading, without the open and close
 * of a path lookup through cgroupfs each time. For the counter read at every exit (oom_kill).
 */
final class CounterFile implements AutoCloseable {
    private final Path file;
    private final FileChannel channel;
    /** Guarded by this. */
    private final ByteBuffer buffer = ByteBuffer.allocate(4096);

    CounterFile(Path file) {
        this.file = file;
        try {
            this.channel = FileChannel.open(file, StandardOpenOption.READ);
        } catch (IOException e) {
            throw new CgroupException("cannot open " + file + ": " + CgroupDir.reason(e), e);
        }
    }

    /** The value of {@code key} now, 0 when the file does not list it. */
    synchronized long value(String key) {
        buffer.clear();
        try {
            while (buffer.hasRemaining() && channel.read(buffer, buffer.position()) > 0) {
                // a cgroup file is generated whole; loop only in case the read came short
            }
        } catch (IOException e) {
            throw new CgroupException("cannot read " + file + ": " + CgroupDir.reason(e), e);
        }
        String text = new String(buffer.array(), 0, buffer.position(), StandardCharsets.US_ASCII);
        for (int line = 0; line < text.length(); ) {
            int end = text.indexOf('\n', line);
            end = end < 0 ? text.length() : end;
            if (text.startsWith(key, line) && line + key.length() < end && text.charAt(line + key.length()) == ' ') {
                return CgroupFiles.value(text.substring(line + key.length() + 1, end));
            }
            line = end + 1;
        }
        return 0;
    }

    @Override
    public synchronized void close() {
        try {
            channel.close();
        } catch (IOException e) {
            // read-only: nothing to lose
        }
    }
}
