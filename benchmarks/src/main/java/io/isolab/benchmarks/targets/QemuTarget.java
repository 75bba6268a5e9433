package io.isolab.benchmarks.targets;

import io.isolab.api.Availability;
import io.isolab.api.Capability;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Raw {@code qemu-system-x86_64} booting the hypervisor backend's own guest kernel and initramfs, without
 * libvirt: what the backend's VM costs before any management layer. Everything it needs comes from the
 * hypervisor backend's availability facts, so the two always boot the same guest:
 * <ul>
 *   <li>{@code kernel}, {@code initramfs}: paths on the host;</li>
 *   <li>{@code kernel-cmdline}: the command line the backend boots with, where {@code {argv}} stands for the
 *       command to run (base64 of its NUL-separated argv); without the placeholder,
 *       {@code isolab.argv=<base64>} is appended;</li>
 *   <li>{@code domain-type}: {@code kvm} or {@code qemu} (TCG), and optionally {@code machine} (as the backend reports it).</li>
 * </ul>
 */
public final class QemuTarget extends ProcessTarget {
    /** The facts the hypervisor backend must report for this peer to run. */
    public static final List<String> REQUIRED_FACTS = List.of("kernel", "initramfs", "kernel-cmdline", "domain-type");

    private final Path executable;
    private final Map<String, String> facts;
    private final String version;

    public QemuTarget(Path executable, Path scratch, Map<String, String> hypervisorFacts, String version) {
        super(scratch);
        this.executable = executable;
        this.facts = Map.copyOf(hypervisorFacts);
        this.version = version;
    }

    @Override
    public String id() {
        return "qemu";
    }

    @Override
    public Kind kind() {
        return Kind.PEER;
    }

    @Override
    public String description() {
        return executable + " -M " + machine() + " -accel " + accel() + " -kernel KERNEL -initrd INITRAMFS -append CMDLINE";
    }

    /** Unavailable, naming each missing fact, until the hypervisor backend reports them. */
    @Override
    public Availability availability() {
        List<String> missing = REQUIRED_FACTS.stream().filter(k -> !facts.containsKey(k)).toList();
        if (!missing.isEmpty()) {
            return Availability.unavailable("the hypervisor backend does not report the fact(s) " + String.join(", ", missing)
                    + " that a raw QEMU run of its guest needs");
        }
        for (String file : List.of("kernel", "initramfs")) {
            if (!Files.isRegularFile(Path.of(facts.get(file)))) {
                return Availability.unavailable("the hypervisor backend's " + file + " " + facts.get(file) + " does not exist",
                        "isolab setup hypervisor");
            }
        }
        return Availability.available(facts());
    }

    private String machine() {
        return facts.getOrDefault("machine", "pc");
    }

    private String accel() {
        return "kvm".equals(facts.get("domain-type")) ? "kvm" : "tcg";
    }

    @Override
    protected List<String> argv(Invocation invocation, String name) {
        String encoded = Base64.getEncoder().encodeToString(
                String.join("\0", invocation.argvInSandbox()).getBytes(StandardCharsets.UTF_8));
        String cmdline = facts.get("kernel-cmdline");
        cmdline = cmdline.contains("{argv}") ? cmdline.replace("{argv}", encoded) : cmdline + " isolab.argv=" + encoded;
        long memMiB = invocation.memoryBytes() == null ? 256 : Math.max(128, invocation.memoryBytes() >> 20);
        return new ArrayList<>(List.of(executable.toString(), "-name", name, "-M", machine(), "-accel", accel(),
                "-cpu", "max", "-smp", "1", "-m", memMiB + "M", "-nodefaults", "-no-user-config", "-no-reboot",
                "-display", "none", "-serial", "stdio", "-kernel", facts.get("kernel"), "-initrd", facts.get("initramfs"),
                "-append", cmdline));
    }

    @Override
    public Set<Capability> declared() {
        return EnumSet.of(Capability.FILESYSTEM_ROOT, Capability.MOUNT_ISOLATION, Capability.PID_ISOLATION,
                Capability.NETWORK_ISOLATION, Capability.IPC_ISOLATION, Capability.UTS_ISOLATION,
                Capability.USER_ISOLATION, Capability.CGROUP_ISOLATION, Capability.SEPARATE_KERNEL,
                Capability.MEMORY_LIMIT);
    }

    @Override
    public Map<String, String> facts() {
        Map<String, String> all = new LinkedHashMap<>(facts);
        all.put("version", version);
        return all;
    }
}
