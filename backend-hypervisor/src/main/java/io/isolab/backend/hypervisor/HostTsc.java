package io.isolab.backend.hypervisor;

import io.isolab.workload.PackagedExecutable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.TimeUnit;

/**
 * The rate of the host's TSC, which is the rate of a TCG guest's TSC (QEMU reads the host's with
 * {@code rdtsc}): measured once per JVM by {@code isolab-tsc-khz} (src/main/c/tsc-khz.c), against
 * {@code CLOCK_MONOTONIC_RAW}, and kept under the cache directory for the rest of the host's boot (a
 * constant TSC's rate does not change while it runs). Only where the TSC's rate is constant
 * ({@code constant_tsc}); elsewhere there is no one rate to tell a guest.
 */
final class HostTsc {
    private static final String HELPER_RESOURCE = "/META-INF/native/linux-x86_64/isolab-tsc-khz";
    private static final Path CPUINFO = Path.of("/proc/cpuinfo");
    private static final Path BOOT_ID = Path.of("/proc/sys/kernel/random/boot_id");

    /** The rate in kHz, or why there is none. */
    record Rate(Long khz, String why) {
    }

    private static Rate measured;

    private HostTsc() {
    }

    static synchronized Rate rate(Path cacheDir) {
        if (measured == null) {
            measured = remembered(cacheDir);
        }
        return measured;
    }

    /** The rate measured earlier in this boot of the host, else measured now and kept: {@code <boot id> <kHz>}. */
    private static Rate remembered(Path cacheDir) {
        Path file = cacheDir.resolve("hypervisor").resolve("tsc-khz");
        String bootId;
        try {
            bootId = Files.readString(BOOT_ID).strip();
            String[] kept = Files.isRegularFile(file) ? Files.readString(file).strip().split(" ") : new String[0];
            if (kept.length == 2 && kept[0].equals(bootId) && kept[1].matches("[1-9][0-9]{3,8}")) {
                return new Rate(Long.parseLong(kept[1]), null);
            }
        } catch (IOException e) {
            return measure(cacheDir);
        }
        Rate rate = measure(cacheDir);
        if (rate.khz() != null) {
            try {
                Path tmp = Files.createTempFile(file.getParent(), ".tsc-khz", ".tmp");
                try {
                    Files.writeString(tmp, bootId + " " + rate.khz() + "\n");
                    Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                } finally {
                    Files.deleteIfExists(tmp);
                }
            } catch (IOException e) {
                // not kept: measured again by the next JVM
            }
        }
        return rate;
    }

    private static Rate measure(Path cacheDir) {
        try {
            if (!constantRate(Files.readString(CPUINFO))) {
                return new Rate(null, "the host's TSC has no constant rate (no constant_tsc in /proc/cpuinfo)");
            }
            Process p = new ProcessBuilder(helper(cacheDir).toString()).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).strip();
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return new Rate(null, "isolab-tsc-khz did not finish");
            }
            if (p.exitValue() != 0 || !out.matches("[1-9][0-9]{3,8}")) {
                return new Rate(null, "isolab-tsc-khz failed: " + out);
            }
            return new Rate(Long.parseLong(out), null);
        } catch (IOException | UncheckedIOException | IllegalStateException e) {
            return new Rate(null, "cannot measure the host's TSC rate: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Rate(null, "interrupted while measuring the host's TSC rate");
        }
    }

    /** Whether every CPU's flags in {@code /proc/cpuinfo} include {@code constant_tsc}. */
    static boolean constantRate(String cpuinfo) {
        long cpus = cpuinfo.lines().filter(l -> l.startsWith("flags")).count();
        long constant = cpuinfo.lines().filter(l -> l.startsWith("flags"))
                .filter(l -> (" " + l.substring(l.indexOf(':') + 1) + " ").contains(" constant_tsc ")).count();
        return cpus > 0 && cpus == constant;
    }

    /** The helper under the cache directory, named by its digest, extracted when missing. */
    private static Path helper(Path cacheDir) {
        byte[] bytes = PackagedExecutable.read(HostTsc.class, HELPER_RESOURCE, "was the backend built with gcc?");
        return PackagedExecutable.extract(cacheDir.resolve("hypervisor").resolve("bin"), "isolab-tsc-khz", bytes,
                PackagedExecutable.sha256(bytes));
    }
}
