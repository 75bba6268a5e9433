package io.isolab.backend.linuxns.cgroup;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;

/**
 * One cgroup: a directory in one hierarchy. Every read and write is one system call on a small kernel
 * file; failures become {@link CgroupException}s naming the file, the value and the kernel's reason.
 */
public record CgroupDir(Hierarchy hierarchy, Path path) {

    public CgroupVersion version() {
        return hierarchy.version();
    }

    public Path file(String name) {
        return path.resolve(name);
    }

    public boolean has(String name) {
        return Files.exists(path.resolve(name));
    }

    public boolean exists() {
        return Files.isDirectory(path);
    }

    /** Writes {@code value} in one write(2), without O_CREAT: a missing file is an error, not a new file. */
    public void write(String name, String value) {
        Path file = path.resolve(name);
        // through the channel itself, as read: Files.write wraps it in an output stream, per limit of every sandbox
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ByteBuffer bytes = ByteBuffer.wrap(value.getBytes(StandardCharsets.US_ASCII));
            while (bytes.hasRemaining()) {
                channel.write(bytes);
            }
        } catch (IOException e) {
            throw new CgroupException("cannot write '" + value + "' to " + file + ": " + reason(e), e);
        }
    }

    /**
     * The file's text, read to its end through one channel: {@code Files.readString} adds an fstat for a size
     * cgroupfs does not know (0) and an input stream over the channel, and it runs several times per sandbox.
     */
    public String read(String name) {
        Path file = path.resolve(name);
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer text = ByteBuffer.allocate(512);
            while (channel.read(text) >= 0) {
                if (!text.hasRemaining()) {
                    text = ByteBuffer.allocate(text.capacity() * 2).put(text.flip());
                }
            }
            return new String(text.array(), 0, text.position(), StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new CgroupException("cannot read " + file + ": " + reason(e), e);
        }
    }

    public long readValue(String name) {
        String text = read(name);
        try {
            return CgroupFiles.value(text);
        } catch (NumberFormatException e) {
            throw new CgroupException(path.resolve(name) + " holds '" + text.trim() + "', not a number", e);
        }
    }

    public Map<String, Long> readKeyed(String name) {
        return CgroupFiles.flatKeyed(read(name));
    }

    @Override
    public String toString() {
        return path.toString();
    }

    /** The kernel's errno text ("Device or resource busy"), which is what the user needs to see. */
    static String reason(IOException e) {
        if (e instanceof NoSuchFileException) {
            return "No such file or directory";
        }
        if (e instanceof FileSystemException fse && fse.getReason() != null) {
            return fse.getReason();
        }
        // a failed write(2) surfaces as a plain IOException whose message is the errno text
        return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
    }
}
