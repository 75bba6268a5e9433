package io.isolab.benchmarks;

import io.isolab.benchmarks.results.Environment;
import io.isolab.benchmarks.targets.Target;
import io.isolab.benchmarks.targets.Targets;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Reads the host's fingerprint for results.json. */
final class Fingerprint {
    private Fingerprint() {
    }

    static Environment take(List<Target> targets) {
        Map<String, String> versions = new TreeMap<>();
        String domainType = null;
        for (Target t : targets) {
            if (t.kind() == Target.Kind.PEER && t.availability().available()) {
                versions.put(t.id(), t.facts().getOrDefault("version", "unknown"));
            }
            if (t.id().equals("hypervisor")) {
                domainType = t.facts().get("domain-type");
            }
        }
        return new Environment(read("/proc/sys/kernel/osrelease").strip(), osName(), cpuModel(),
                Runtime.getRuntime().availableProcessors(), memTotal(), cgroupMode(), kvm(),
                System.getProperty("java.vm.vendor") + " " + System.getProperty("java.vm.name") + " "
                        + System.getProperty("java.runtime.version"),
                domainType, loadAverage(), Double.NaN, versions);
    }

    static double loadAverage() {
        String[] f = read("/proc/loadavg").split("\\s+");
        try {
            return Double.parseDouble(f[0]);
        } catch (NumberFormatException | ArrayIndexOutOfBoundsException e) {
            return Double.NaN;
        }
    }

    static String cgroupMode() {
        if (Targets.hybridCgroups()) {
            return "hybrid";
        }
        return Files.exists(Path.of("/sys/fs/cgroup/cgroup.controllers")) ? "v2" : "v1";
    }

    private static boolean kvm() {
        try (RandomAccessFile f = new RandomAccessFile("/dev/kvm", "rw")) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static String osName() {
        for (String line : read("/etc/os-release").split("\n")) {
            if (line.startsWith("PRETTY_NAME=")) {
                return line.substring(12).replace("\"", "");
            }
        }
        return System.getProperty("os.name");
    }

    private static String cpuModel() {
        for (String line : read("/proc/cpuinfo").split("\n")) {
            if (line.startsWith("model name")) {
                return line.substring(line.indexOf(':') + 1).strip();
            }
        }
        return System.getProperty("os.arch");
    }

    private static long memTotal() {
        for (String line : read("/proc/meminfo").split("\n")) {
            if (line.startsWith("MemTotal:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
            }
        }
        return -1;
    }

    private static String read(String file) {
        try {
            return Files.readString(Path.of(file));
        } catch (IOException e) {
            return "";
        }
    }
}
