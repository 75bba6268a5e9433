package io.isolab.benchmarks.matrix;

import com.fasterxml.jackson.databind.JsonNode;
import io.isolab.api.Capability;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Turns what the probe saw inside a target into the matrix's findings, against what it saw on the host.
 * Pure: it reads recorded JSON, so it is tested on recorded output.
 */
public final class IsolationMatrix {
    private static final Map<Property, String> NAMESPACES = Map.of(Property.PID, "pid", Property.NET, "net",
            Property.IPC, "ipc", Property.UTS, "uts", Property.USER, "user", Property.CGROUP, "cgroup");

    private IsolationMatrix() {
    }

    /**
     * What the limit and escape probes gave; each {@code null} when not run, with the reason in {@code why*}.
     *
     * @param memoryEnforced whether alloc past the memory limit was stopped
     * @param memoryDetail   the evidence or why not run
     * @param pidsEnforced   whether the fork bomb was stopped at the pids limit
     * @param pidsDetail     the evidence or why not run
     * @param escaped        whether {@code escape-chroot} reached the host's root
     * @param escapeDetail   the evidence or why not run
     */
    public record Probes(Boolean memoryEnforced, String memoryDetail, Boolean pidsEnforced, String pidsDetail,
                         Boolean escaped, String escapeDetail) {
    }

    /**
     * @param host     {@code isolab-probe inspect} on the host
     * @param inside   the same inside the target
     * @param probes   the limit and escape probes' outcomes
     * @param declared what the target declares
     */
    public static Map<Property, Finding> findings(JsonNode host, JsonNode inside, Probes probes, Set<Capability> declared) {
        Map<Property, Finding> f = new EnumMap<>(Property.class);
        String hostBoot = host.path("boot_id").asText("");
        String boot = inside.path("boot_id").asText("");
        String hostKernel = host.path("sysname").asText("") + " " + host.path("kernel").asText("");
        String kernel = inside.path("sysname").asText("") + " " + inside.path("kernel").asText("");
        // Another boot id is another kernel; so is another release, for a kernel that passes the host's boot
        // id through (gVisor's Sentry does).
        boolean otherBoot = !boot.isEmpty() && !boot.equals(hostBoot);
        boolean otherRelease = !kernel.isBlank() && !kernel.equals(hostKernel);
        boolean otherKernel = otherBoot || otherRelease;
        f.put(Property.KERNEL, Finding.measured(otherKernel, Property.KERNEL.promised(declared),
                otherBoot ? "boot_id " + abbreviate(boot) + " (host " + abbreviate(hostBoot) + ")"
                        : otherRelease ? "kernel " + kernel.strip() + " (host " + hostKernel.strip() + ")"
                        : "the host's boot_id and kernel " + hostKernel.strip()));
        for (Map.Entry<Property, String> ns : NAMESPACES.entrySet()) {
            Property p = ns.getKey();
            JsonNode hostInode = host.path("ns").path(ns.getValue());
            JsonNode inode = inside.path("ns").path(ns.getValue());
            if (otherKernel) {
                // a guest kernel's initial namespaces carry the same fixed inode numbers as the host's
                f.put(p, Finding.measured(true, p.promised(declared), "another kernel"));
            } else if (p == Property.NET && (inode.isMissingNode() || inode.isNull()) && inside.path("interfaces").isArray()) {
                // without /proc there are no namespace inodes, but the interfaces still tell
                Set<String> ifs = new TreeSet<>();
                inside.path("interfaces").forEach(n -> ifs.add(n.asText()));
                boolean onlyLoopback = ifs.stream().allMatch(i -> i.equals("lo"));
                f.put(p, Finding.measured(onlyLoopback, p.promised(declared), "interfaces " + ifs));
            } else if (p == Property.PID && (inode.isMissingNode() || inode.isNull()) && inside.path("ppid").isNumber()) {
                f.put(p, pidWithoutProc(inside, p.promised(declared)));
            } else if (inode.isMissingNode() || inode.isNull() || hostInode.isMissingNode()) {
                f.put(p, Finding.notMeasured(p.promised(declared), "the probe did not report ns." + ns.getValue()));
            } else {
                boolean differs = !inode.asText().equals(hostInode.asText());
                f.put(p, Finding.measured(differs, p.promised(declared),
                        "ns." + ns.getValue() + " " + inode.asText() + (differs ? " (host " + hostInode.asText() + ")" : ", as the host")));
            }
        }
        Set<String> hostRoot = listing(host);
        Set<String> root = listing(inside);
        if (root.isEmpty() && hostRoot.isEmpty()) {
            f.put(Property.FILESYSTEM_ROOT, Finding.notMeasured(Property.FILESYSTEM_ROOT.promised(declared),
                    "the probe did not report root_listing"));
        } else {
            boolean differs = !root.equals(hostRoot);
            f.put(Property.FILESYSTEM_ROOT, Finding.measured(differs, Property.FILESYSTEM_ROOT.promised(declared),
                    "/ has " + root.size() + " entries" + (differs ? "" : ", the host's")));
        }
        JsonNode marker = inside.path("marker_visible");
        f.put(Property.MARKER_HIDDEN, marker.isBoolean()
                ? Finding.measured(!marker.asBoolean(), Property.MARKER_HIDDEN.promised(declared),
                        marker.asBoolean() ? "the host-only marker file is visible" : "the host-only marker file is not visible")
                : Finding.notMeasured(Property.MARKER_HIDDEN.promised(declared), "the probe did not report marker_visible"));
        f.put(Property.MEMORY_LIMIT, limit(probes.memoryEnforced(), probes.memoryDetail(), Property.MEMORY_LIMIT, declared));
        f.put(Property.PIDS_LIMIT, limit(probes.pidsEnforced(), probes.pidsDetail(), Property.PIDS_LIMIT, declared));
        f.put(Property.ESCAPE_BLOCKED, probes.escaped() == null
                ? Finding.notMeasured(Property.ESCAPE_BLOCKED.promised(declared), probes.escapeDetail())
                : Finding.measured(!probes.escaped(), Property.ESCAPE_BLOCKED.promised(declared), probes.escapeDetail()));
        return f;
    }

    /**
     * Without /proc there is no namespace inode, but the process still sees its own pid and its parent's.
     * The first process of a new pid namespace has parent 0 (its parent is outside); a pid of 300 or more
     * is one only the initial namespace hands out once it wraps (RESERVED_PIDS), far beyond what a fresh
     * sandbox's namespace reaches. Between the two it cannot tell.
     */
    private static Finding pidWithoutProc(JsonNode inside, boolean promised) {
        long pid = inside.path("pid").asLong();
        long ppid = inside.path("ppid").asLong();
        String seen = "no /proc; pid " + pid + ", parent " + ppid;
        if (ppid == 0) {
            return Finding.measured(true, promised, seen + ": the parent is outside its pid namespace");
        }
        if (pid >= 300) {
            return Finding.measured(false, promised, seen + ": a pid of the host's namespace");
        }
        return Finding.notMeasured(promised, seen + ": cannot tell without /proc");
    }

    private static Finding limit(Boolean enforced, String detail, Property p, Set<Capability> declared) {
        return enforced == null ? Finding.notMeasured(p.promised(declared), detail)
                : Finding.measured(enforced, p.promised(declared), detail);
    }

    private static Set<String> listing(JsonNode inspect) {
        Set<String> names = new TreeSet<>();
        inspect.path("root_listing").forEach(n -> names.add(n.asText()));
        return names;
    }

    private static String abbreviate(String id) {
        return id.length() > 8 ? id.substring(0, 8) : id;
    }

    /** Declared capability keys, as the rows carry them. */
    public static List<String> keys(Set<Capability> declared) {
        return new TreeSet<>(new HashSet<>(declared.stream().map(Capability::key).toList())).stream().toList();
    }
}
