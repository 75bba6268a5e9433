package io.isolab.benchmarks.targets;

import io.isolab.api.Availability;
import io.isolab.api.Capability;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
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
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Raw {@code qemu-system-x86_64} booting the hypervisor backend's own guest without libvirt or isolab's
 * channel: what the backend's VM costs before any management layer. Everything it needs comes from the
 * hypervisor backend's availability facts (its {@code HostCheck} describes them), so the two boot the same
 * kernel, initramfs, machine, CPU, RAM and devices:
 * <ul>
 *   <li>{@code kernel}, {@code initramfs}: paths on the host;</li>
 *   <li>{@code kernel-cmdline}: a console run's command line, where {@code {argv}} stands for the base64 of
 *       the NUL-separated argv and {@code {nonce}} for a token only the host knows;</li>
 *   <li>{@code domain-type} ({@code kvm} or {@code qemu}: TCG), {@code machine}, {@code acpi}, {@code cpu},
 *       {@code vcpus}, {@code memory} and {@code memory-minimum} (bytes), {@code devices} (space-separated
 *       {@code -device} options).</li>
 * </ul>
 *
 * <p>The guest's init runs the command as it runs a sandbox's, copies its output to the serial console
 * (QEMU's stdout), then writes one status line with the nonce, the exit code or signal, and its own clock's
 * times of boot, exec and exit, and powers off. The console is read as it comes, so that the status line's
 * arrival splits QEMU's wall time into phases as the backend reports them: {@code start} (QEMU's exec to the
 * workload's), {@code run} (to the status line: the launch-to-exit figure ends there, as a backend's ends at
 * its exit) and {@code destroy} (QEMU's exit after it), and within them {@code boot.before-kernel} (QEMU,
 * firmware, decompression), {@code boot.guest-kernel}, {@code boot.guest-init} and {@code workload}.
 */
public final class QemuTarget extends ProcessTarget {
    /** The facts the hypervisor backend must report for this peer to run. */
    public static final List<String> REQUIRED_FACTS = List.of("kernel", "initramfs", "kernel-cmdline", "domain-type",
            "machine", "acpi", "cpu", "vcpus", "memory", "memory-minimum", "devices");
    /** The guest init's status line (backend-hypervisor/src/main/c/protocol.h, CONSOLE_STATUS). */
    private static final Pattern EXIT = Pattern.compile("isolab-exit (\\S+) exit code=(-?\\d+) signal=(\\d+) oom_kills=(\\d+)"
            + " init_ns=(\\d+) ready_ns=(\\d+) exec_ns=(\\d+) exit_ns=(\\d+)");
    private static final Pattern FAILED = Pattern.compile("isolab-exit (\\S+) failed (.*)");
    private static final int OUTPUT_LIMIT = 1 << 20;
    private static final int CONSOLE_TAIL = 12;

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
        return executable + " -machine " + facts.getOrDefault("machine", "?") + " -accel " + accel()
                + " -kernel KERNEL -initrd INITRAMFS -append CMDLINE: the hypervisor backend's guest without libvirt";
    }

    /** Unavailable, naming each missing fact, until the hypervisor backend reports them. */
    @Override
    public Availability availability() {
        if (!facts.containsKey("initramfs") && facts.containsKey("initramfs-unavailable")) {
            return Availability.unavailable(facts.get("initramfs-unavailable"), "isolab setup hypervisor");
        }
        List<String> missing = REQUIRED_FACTS.stream().filter(k -> !facts.containsKey(k)).toList();
        if (!missing.isEmpty()) {
            return Availability.unavailable("the hypervisor backend does not report the fact(s) " + String.join(", ", missing)
                    + " that a raw QEMU run of its guest needs", "isolab backends (is hypervisor available?)");
        }
        for (String file : List.of("kernel", "initramfs")) {
            if (!Files.isRegularFile(Path.of(facts.get(file)))) {
                return Availability.unavailable("the hypervisor backend's " + file + " " + facts.get(file) + " does not exist",
                        "isolab setup hypervisor");
            }
        }
        return Availability.available(facts());
    }

    private String accel() {
        return "kvm".equals(facts.get("domain-type")) ? "kvm" : "tcg";
    }

    /**
     * The guest's RAM: the invocation's limit, as the backend takes it. A benchmark's limit below the guest's
     * minimum gives way to the backend's default, as the backend's does; where the limit is the point, it fails.
     */
    private long memoryMiB(Invocation invocation) {
        Long limit = invocation.memoryBytes();
        long minimum = Long.parseLong(facts.get("memory-minimum"));
        if (limit != null && limit < minimum && !invocation.limitsOptional()) {
            throw new IllegalArgumentException("a " + (limit >> 20) + " MiB limit: the guest needs at least "
                    + (minimum >> 20) + " MiB");
        }
        long bytes = limit != null && limit >= minimum ? limit : Long.parseLong(facts.get("memory"));
        return (bytes + (1 << 20) - 1) >> 20;
    }

    /** The instance name is the status line's nonce: only the host knows it (the guest masks its /proc/cmdline). */
    @Override
    protected List<String> argv(Invocation invocation, String name) {
        String encoded = Base64.getEncoder().encodeToString(
                String.join("\0", invocation.argvInSandbox()).getBytes(StandardCharsets.UTF_8));
        String cmdline = facts.get("kernel-cmdline").replace("{argv}", encoded).replace("{nonce}", name);
        List<String> argv = new ArrayList<>(List.of(executable.toString(), "-name", name,
                "-machine", facts.get("machine") + ",usb=off,acpi=" + facts.get("acpi"), "-accel", accel(),
                "-cpu", facts.get("cpu"), "-smp", facts.get("vcpus"), "-m", memoryMiB(invocation) + "M",
                "-nodefaults", "-no-user-config", "-no-reboot", "-display", "none", "-serial", "stdio"));
        for (String device : facts.get("devices").split(" ")) {
            if (!device.isBlank()) {
                argv.add("-device");
                argv.add(device);
            }
        }
        argv.addAll(List.of("-kernel", facts.get("kernel"), "-initrd", facts.get("initramfs"), "-append", cmdline));
        return argv;
    }

    /** Boots the guest, reading its console as it comes; the result and phases come from the status line. */
    @Override
    public Execution run(Invocation invocation) throws IOException, InterruptedException {
        String name = newName();
        List<String> argv = argv(invocation, name);
        Path err = scratch().resolve(id() + ".err");
        long t0 = System.nanoTime();
        Process qemu = builder(argv).redirectError(err.toFile()).start();
        Console console = new Console(qemu.getInputStream(), name);
        boolean exited = qemu.waitFor(invocation.timeout().toMillis(), TimeUnit.MILLISECONDS);
        long end = System.nanoTime();
        if (!exited) {
            kill(qemu);
        }
        console.join();
        ended(name);
        String stderr = Files.readString(err, StandardCharsets.UTF_8);
        return execution(t0, end, exited ? qemu.exitValue() : 137, !exited, console, stderr);
    }

    /** What one boot did, from QEMU's exit, the console and the status line on it. */
    static Execution execution(long t0, long end, int qemuStatus, boolean timedOut, Console console, String qemuStderr) {
        String out = console.text();
        Matcher exit = EXIT.matcher(console.statusLine());
        Matcher failed = FAILED.matcher(console.statusLine());
        if (timedOut || !exit.lookingAt()) {
            String why = timedOut ? "" : failed.lookingAt() ? "the guest could not start the workload: " + failed.group(2) + "\n"
                    : "the guest ended without a status line (QEMU exit status " + qemuStatus + "); its console ended with:\n"
                    + console.tail() + "\n";
            return new Execution(end - t0, timedOut ? 137 : failed.lookingAt() ? 127 : 255, false, timedOut, out,
                    qemuStderr + why, null, null);
        }
        int code = Integer.parseInt(exit.group(2));
        int signal = Integer.parseInt(exit.group(3));
        long initNs = Long.parseLong(exit.group(5));
        long readyNs = Long.parseLong(exit.group(6));
        long execNs = Long.parseLong(exit.group(7));
        long exitNs = Long.parseLong(exit.group(8));
        // The status line leaves the guest right after exit_ns: its arrival puts the guest's clock on the host's.
        long guestZero = console.statusArrival() - exitNs;
        Map<String, Long> phases = new LinkedHashMap<>();
        // As for a backend, the run ends when the host knows the workload's exit; QEMU's exit after it is the
        // teardown (destroy), outside the launch-to-exit figure.
        long exitSeen = console.statusArrival();
        phases.put("start", guestZero + execNs - t0);
        phases.put("run", exitSeen - (guestZero + execNs));
        phases.put("boot", guestZero + readyNs - t0);
        phases.put("boot.before-kernel", guestZero - t0);
        phases.put("boot.guest-kernel", initNs);
        phases.put("boot.guest-init", readyNs - initNs);
        phases.put("workload", exitNs - readyNs);
        phases.put("destroy", end - exitSeen);
        return new Execution(exitSeen - t0, code >= 0 ? code : 128 + signal, Long.parseLong(exit.group(4)) > 0, false, out,
                qemuStderr, phases, null);
    }

    /** A line of the workload's, not of the guest kernel's ({@code [ time] ...}) or init's. */
    @Override
    protected boolean runningLine(String line) {
        String l = line.strip();
        return !l.isEmpty() && !l.startsWith("[") && !l.startsWith("isolab-");
    }

    @Override
    public Set<Capability> declared() {
        return EnumSet.of(Capability.FILESYSTEM_ROOT, Capability.MOUNT_ISOLATION, Capability.PID_ISOLATION,
                Capability.NETWORK_ISOLATION, Capability.IPC_ISOLATION, Capability.UTS_ISOLATION,
                Capability.USER_ISOLATION, Capability.CGROUP_ISOLATION, Capability.TIME_ISOLATION,
                Capability.SEPARATE_KERNEL, Capability.MEMORY_LIMIT);
    }

    @Override
    public Map<String, String> facts() {
        Map<String, String> all = new LinkedHashMap<>(facts);
        all.put("version", version);
        return all;
    }

    /**
     * The guest's serial console, read line by line as QEMU writes it: the workload's output (up to 1 MiB), the
     * status line with this boot's nonce, and when that line arrived.
     */
    static final class Console {
        private final String nonce;
        private final StringBuilder text = new StringBuilder();
        private final List<String> tail = new ArrayList<>();
        private final Thread reader;
        private volatile String statusLine = "";
        private volatile long statusArrival;

        Console(InputStream in, String nonce) {
            this.nonce = nonce;
            this.reader = new Thread(() -> read(in), "isolab-bench-console-" + nonce);
            reader.setDaemon(true);
            reader.start();
        }

        private void read(InputStream in) {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    line(line, System.nanoTime());
                }
            } catch (IOException e) {
                // QEMU is gone: what arrived is all there is
            }
        }

        /** One line of the console, seen at {@code nanoTime}. */
        synchronized void line(String raw, long nanoTime) {
            String line = raw.replace("\r", "");
            int at = line.indexOf("isolab-exit " + nonce + " ");
            if (at >= 0 && statusLine.isEmpty()) {
                statusArrival = nanoTime;
                statusLine = line.substring(at);
                return;
            }
            if (statusLine.isEmpty() && text.length() < OUTPUT_LIMIT) {
                text.append(line, 0, Math.min(line.length(), OUTPUT_LIMIT - text.length())).append('\n');
            }
            tail.add(line);
            if (tail.size() > CONSOLE_TAIL) {
                tail.remove(0);
            }
        }

        void join() throws InterruptedException {
            reader.join(TimeUnit.SECONDS.toMillis(10));
        }

        synchronized String text() {
            return text.toString();
        }

        String statusLine() {
            return statusLine;
        }

        long statusArrival() {
            return statusArrival;
        }

        synchronized String tail() {
            return "  " + String.join("\n  ", tail);
        }
    }
}
