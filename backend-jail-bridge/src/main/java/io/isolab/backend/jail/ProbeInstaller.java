package io.isolab.backend.jail;

import io.isolab.api.IsolabException;
import io.isolab.backend.jail.transport.CommandResult;
import io.isolab.backend.jail.transport.Transport;
import io.isolab.workload.Probe;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Puts the workload probe at {@code /usr/bin/isolab-probe} (and {@code /isolab-probe}) in the jail's root
 * filesystem on the host: built there from its C sources with the host's cc, or the static Linux binary for
 * FreeBSD's Linux ABI. A marker ({@code /usr/share/isolab/probe.sha256}) records what was installed, so an
 * unchanged probe is not rebuilt.
 */
final class ProbeInstaller {
    static final String PROBE = "/usr/bin/isolab-probe";
    private static final String MARKER = "/usr/share/isolab/probe.sha256";
    private static final Duration STEP = Duration.ofSeconds(60);
    private static final Duration BUILD = Duration.ofMinutes(5);

    private final Transport transport;
    private final String rootfs;
    private final Consumer<String> progress;

    ProbeInstaller(Transport transport, String rootfs, Consumer<String> progress) {
        this.transport = transport;
        this.rootfs = rootfs;
        this.progress = progress;
    }

    void install(ProbeMode mode, HostFacts host) {
        require(JailCommands.isDirectory(rootfs), rootfs + " is not a directory on " + transport.target()
                + ": prepare the rootfs first (backend-jail-bridge/README.md)");
        switch (mode) {
            case SOURCE -> buildFromSource();
            case LINUX -> copyLinuxBinary(host);
            case NONE -> require(List.of("test", "-x", rootfs + PROBE), "probe: none, and " + rootfs + PROBE
                    + " is missing: install it, or use probe: source");
        }
    }

    private void buildFromSource() {
        Map<String, String> sources = Probe.sources();
        String marker = "source " + sha256(String.join("\0", sources.entrySet().stream()
                .map(e -> e.getKey() + "\0" + e.getValue()).toList()).getBytes(StandardCharsets.UTF_8));
        if (upToDate(marker)) {
            return;
        }
        String build = "/tmp/isolab-probe-build-" + marker.substring(7, 19);
        progress.accept("copying the probe's " + sources.size() + " source files to " + transport.target() + ":" + build);
        require(List.of("mkdir", "-p", build), "cannot create " + build);
        try {
            List<String> cc = new ArrayList<>(List.of("cc", "-O2", "-std=gnu11", "-Wall", "-static", "-o",
                    rootfs + PROBE + ".new"));
            for (Map.Entry<String, String> file : sources.entrySet()) {
                write(build + "/" + file.getKey(), file.getValue().getBytes(StandardCharsets.UTF_8));
                if (file.getKey().endsWith(".c")) {
                    cc.add(build + "/" + file.getKey());
                }
            }
            cc.add("-lm");
            progress.accept("building the probe with the host's cc (static)");
            CommandResult compiled = transport.run(cc, BUILD);
            if (!compiled.success()) {
                throw new IsolabException("building the probe on " + transport.target() + " failed: " + compiled.describe()
                        + "\n" + compiled.stderrText());
            }
            finish(marker);
        } finally {
            transport.run(List.of("rm", "-rf", build), STEP);
        }
    }

    private void copyLinuxBinary(HostFacts host) {
        if (!host.linux64()) {
            throw new IsolabException("probe: linux needs FreeBSD's Linux ABI on " + transport.target()
                    + ": kldload linux64 (or linux_enable=\"YES\" in /etc/rc.conf)");
        }
        byte[] binary = Probe.bytes();
        String marker = "linux " + sha256(binary);
        if (upToDate(marker)) {
            return;
        }
        progress.accept("copying the static Linux probe (" + binary.length + " bytes) to " + transport.target());
        write(rootfs + PROBE + ".new", binary);
        require(List.of("chmod", "755", rootfs + PROBE + ".new"), "cannot make the probe executable");
        finish(marker);
    }

    private boolean upToDate(String marker) {
        CommandResult installed = transport.run(JailCommands.read(rootfs + MARKER), STEP);
        if (installed.success() && installed.stdoutText().strip().equals(marker)
                && transport.run(List.of("test", "-x", rootfs + PROBE), STEP).success()) {
            progress.accept("the probe in " + rootfs + " is up to date");
            return true;
        }
        return false;
    }

    private void finish(String marker) {
        require(List.of("mv", "-f", rootfs + PROBE + ".new", rootfs + PROBE), "cannot install " + rootfs + PROBE);
        require(List.of("ln", "-sf", "usr/bin/isolab-probe", rootfs + "/isolab-probe"), "cannot link /isolab-probe");
        require(List.of("mkdir", "-p", rootfs + "/usr/share/isolab"), "cannot create /usr/share/isolab");
        write(rootfs + MARKER, (marker + "\n").getBytes(StandardCharsets.UTF_8));
        progress.accept("installed " + rootfs + PROBE + " (" + marker.substring(0, marker.indexOf(' ')) + ")");
    }

    private void write(String path, byte[] content) {
        CommandResult copied = transport.run(List.of("/bin/sh", "-c", "cat > \"$1\"", "isolab-copy", path), content, STEP);
        if (!copied.success()) {
            throw new IsolabException("cannot write " + path + " on " + transport.target() + ": " + copied.describe());
        }
    }

    private void require(List<String> argv, String otherwise) {
        CommandResult result = transport.run(argv, STEP);
        if (!result.success()) {
            throw new IsolabException(otherwise + " (" + result.describe() + ")");
        }
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
