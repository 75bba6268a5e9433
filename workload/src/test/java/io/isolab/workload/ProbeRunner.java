package io.isolab.workload;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/** Runs commands (the probe, natively or through host tools) and checks the probe's output contract. */
final class ProbeRunner {
    static final ObjectMapper JSON = new ObjectMapper();
    private static final long TIMEOUT_SECONDS = 120;

    /** How a command ended and what it wrote. */
    record Result(long pid, int exit, byte[] stdoutBytes, String stderr) {
        String stdout() {
            return new String(stdoutBytes, StandardCharsets.UTF_8);
        }

        String describe() {
            return "exit " + exit + ", stdout: " + abbreviate(stdout()) + ", stderr: " + abbreviate(stderr);
        }

        private static String abbreviate(String s) {
            return s.length() > 2000 ? s.substring(0, 2000) + "..." : s;
        }
    }

    private final Path work;

    ProbeRunner(Path work) {
        this.work = work;
    }

    /** Runs {@code command} to completion, stdout and stderr captured to files (no pipe can fill up). */
    Result exec(List<String> command, Path cwd) {
        try {
            Path out = Files.createTempFile(work, "stdout-", "");
            Path err = Files.createTempFile(work, "stderr-", "");
            ProcessBuilder pb = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile());
            if (cwd != null) {
                pb.directory(cwd.toFile());
            }
            Process p = pb.start();
            if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor();
                fail(command + " did not finish in " + TIMEOUT_SECONDS + " s");
            }
            Result r = new Result(p.pid(), p.exitValue(), Files.readAllBytes(out), Files.readString(err));
            Files.delete(out);
            Files.delete(err);
            return r;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    Result exec(String... command) {
        return exec(List.of(command), null);
    }

    /** The probe's single JSON line, checked: exit 0, exactly one line, valid JSON naming {@code probe}. */
    static JsonNode jsonLine(Result r, String probe) {
        assertEquals(0, r.exit(), r::describe);
        String out = r.stdout();
        assertTrue(out.endsWith("\n") && out.indexOf('\n') == out.length() - 1, () -> "not exactly one line: " + r.describe());
        try {
            JsonNode node = JSON.readTree(out);
            assertTrue(node.isObject(), out);
            assertEquals(probe, node.path("probe").asText(), out);
            return node;
        } catch (IOException e) {
            throw new AssertionError("not JSON: " + out, e);
        }
    }

    static List<String> concat(List<String> head, String... tail) {
        List<String> all = new ArrayList<>(head);
        all.addAll(Arrays.asList(tail));
        return all;
    }

    // ---------------------------------------------------------------- the host

    static boolean isRoot() {
        try {
            return ((Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid")) == 0;
        } catch (IOException e) {
            return false;
        }
    }

    /** A host tool on PATH. */
    static Optional<Path> tool(String name) {
        String path = System.getenv().getOrDefault("PATH", "/usr/sbin:/usr/bin:/sbin:/bin");
        return Stream.of(path.split(":")).map(d -> Path.of(d, name)).filter(Files::isExecutable).findFirst();
    }

    /** Processes on the host whose executable is {@code exe}: the probe's leftovers, if any. */
    static List<Long> processesRunning(Path exe) {
        List<Long> found = new ArrayList<>();
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            for (Path p : procs.filter(p -> p.getFileName().toString().matches("\\d+")).toList()) {
                try {
                    if (Files.readSymbolicLink(p.resolve("exe")).equals(exe)) {
                        found.add(Long.parseLong(p.getFileName().toString()));
                    }
                } catch (IOException gone) {
                    // exited meanwhile, or a kernel thread
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return found;
    }

    static void deleteTree(Path dir) {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
