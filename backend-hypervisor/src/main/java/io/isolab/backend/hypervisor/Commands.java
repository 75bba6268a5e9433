package io.isolab.backend.hypervisor;

import io.isolab.api.IsolabException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/** The host tools setup runs (apt-get, dpkg-deb, the libvirt daemons). */
final class Commands {
    private Commands() {
    }

    /**
     * Runs a command to completion and returns its output (stdout and stderr together).
     *
     * @throws IsolabException naming the command, its exit status and the end of its output
     */
    static String run(Path dir, List<String> command) {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
        if (dir != null) {
            pb.directory(dir.toFile());
        }
        try {
            Process p = pb.start();
            String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            int status = p.waitFor();
            if (status != 0) {
                List<String> lines = output.lines().toList();
                throw new IsolabException(String.join(" ", command) + " failed (exit " + status + "):\n  "
                        + String.join("\n  ", lines.subList(Math.max(0, lines.size() - 10), lines.size())));
            }
            return output;
        } catch (IOException e) {
            throw new IsolabException("cannot run " + command.get(0) + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IsolabException("interrupted while running " + command.get(0), e);
        }
    }

    /** Starts a daemon that outlives this JVM: its own session, no stdin, output appended to {@code log}. */
    static void startDetached(List<String> command, Path log) {
        try {
            Files.createDirectories(log.getParent());
            new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new IsolabException("cannot start " + String.join(" ", command) + ": " + e.getMessage(), e);
        }
    }

    /** The command's path on {@code PATH} (and the sbin directories, which root's PATH has but others' may not). */
    static Optional<Path> which(String name) {
        String path = System.getenv().getOrDefault("PATH", "") + ":/usr/sbin:/sbin:/usr/bin:/bin";
        return Stream.of(path.split(":")).filter(d -> !d.isEmpty()).map(d -> Path.of(d, name))
                .filter(Files::isExecutable).findFirst();
    }
}
