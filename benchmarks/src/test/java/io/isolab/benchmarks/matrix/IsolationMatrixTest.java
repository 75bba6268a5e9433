package io.isolab.benchmarks.matrix;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.isolab.api.Capability;
import java.io.IOException;
import java.io.InputStream;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The matrix logic on inspect JSON recorded on this kind of host: host.json (the probe on the host),
 * chroot.json (chroot(8) into the workload rootfs: no /proc), unshare.json (unshare with six namespaces
 * and a fresh /proc, then chroot). vm-synthetic.json is host.json edited to look like a guest (another
 * boot id and kernel, same fixed initial-namespace inodes), since no VM ran when it was recorded.
 */
class IsolationMatrixTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final IsolationMatrix.Probes NONE = new IsolationMatrix.Probes(null, "not run", null, "not run", null, "not run");

    private static JsonNode recorded(String name) throws IOException {
        try (InputStream in = IsolationMatrixTest.class.getResourceAsStream("/inspect/" + name)) {
            return JSON.readTree(in);
        }
    }

    @Test
    void namespacesThatDifferFromTheHostAreIsolated() throws IOException {
        Set<Capability> declared = EnumSet.of(Capability.FILESYSTEM_ROOT, Capability.PID_ISOLATION, Capability.NETWORK_ISOLATION,
                Capability.IPC_ISOLATION, Capability.UTS_ISOLATION, Capability.CGROUP_ISOLATION, Capability.MOUNT_ISOLATION);
        Map<Property, Finding> f = IsolationMatrix.findings(recorded("host.json"), recorded("unshare.json"), NONE, declared);
        for (Property p : new Property[] {Property.PID, Property.NET, Property.IPC, Property.UTS, Property.CGROUP,
                Property.FILESYSTEM_ROOT, Property.MARKER_HIDDEN}) {
            assertEquals(Boolean.TRUE, f.get(p).isolated(), p + ": " + f.get(p));
            assertFalse(f.get(p).disagrees(), p.toString());
        }
        assertEquals(Boolean.FALSE, f.get(Property.USER).isolated(), "unshare without --user shares the user namespace");
        assertEquals(Boolean.FALSE, f.get(Property.KERNEL).isolated());
        assertNull(f.get(Property.MEMORY_LIMIT).isolated());
    }

    @Test
    void aBackendThatDeclaresWhatItDoesNotDeliverIsFlagged() throws IOException {
        Set<Capability> overclaims = EnumSet.of(Capability.FILESYSTEM_ROOT, Capability.USER_ISOLATION, Capability.SEPARATE_KERNEL);
        Map<Property, Finding> f = IsolationMatrix.findings(recorded("host.json"), recorded("unshare.json"), NONE, overclaims);
        assertTrue(f.get(Property.USER).disagrees());
        assertTrue(f.get(Property.KERNEL).disagrees());
        MatrixRow row = new MatrixRow("liar", true, null, IsolationMatrix.keys(overclaims), f);
        assertEquals(java.util.List.of(Property.USER, Property.KERNEL), row.disagreements());
    }

    @Test
    void deliveringMoreThanDeclaredIsNotADisagreement() throws IOException {
        Map<Property, Finding> f = IsolationMatrix.findings(recorded("host.json"), recorded("unshare.json"), NONE,
                EnumSet.of(Capability.FILESYSTEM_ROOT));
        assertTrue(f.get(Property.PID).undeclared());
        assertFalse(f.get(Property.PID).disagrees());
    }

    @Test
    void aChrootWithoutProcHidesTheMarkerAndSharesTheNetwork() throws IOException {
        Map<Property, Finding> f = IsolationMatrix.findings(recorded("host.json"), recorded("chroot.json"), NONE,
                EnumSet.of(Capability.FILESYSTEM_ROOT));
        assertEquals(Boolean.TRUE, f.get(Property.FILESYSTEM_ROOT).isolated());
        assertEquals(Boolean.TRUE, f.get(Property.MARKER_HIDDEN).isolated());
        assertEquals(Boolean.FALSE, f.get(Property.NET).isolated(), "the host's interfaces are visible: " + f.get(Property.NET));
        assertEquals(Boolean.FALSE, f.get(Property.PID).isolated(), "no /proc, but pid 16616 is the host's: " + f.get(Property.PID));
        assertNull(f.get(Property.IPC).isolated(), "no /proc: no namespace inode to compare");
        assertFalse(f.values().stream().anyMatch(Finding::disagrees));
    }

    @Test
    void aGuestKernelIsolatesEveryNamespaceThoughItsInitialInodesEqualTheHosts() throws IOException {
        JsonNode host = recorded("host.json");
        JsonNode vm = recorded("vm-synthetic.json");
        assertEquals(host.path("ns").path("pid").asLong(), vm.path("ns").path("pid").asLong());
        Map<Property, Finding> f = IsolationMatrix.findings(host, vm, NONE, EnumSet.of(Capability.SEPARATE_KERNEL));
        assertEquals(Boolean.TRUE, f.get(Property.KERNEL).isolated());
        assertEquals(Boolean.TRUE, f.get(Property.PID).isolated());
        assertEquals(Boolean.TRUE, f.get(Property.USER).isolated());
    }

    @Test
    void limitAndEscapeOutcomesBecomeFindings() throws IOException {
        IsolationMatrix.Probes probes = new IsolationMatrix.Probes(false, "alloc succeeded", true, "31 forked", true, "escaped");
        Map<Property, Finding> f = IsolationMatrix.findings(recorded("host.json"), recorded("chroot.json"), probes,
                EnumSet.of(Capability.FILESYSTEM_ROOT, Capability.MEMORY_LIMIT, Capability.PIDS_LIMIT, Capability.MOUNT_ISOLATION));
        assertTrue(f.get(Property.MEMORY_LIMIT).disagrees());
        assertFalse(f.get(Property.PIDS_LIMIT).disagrees());
        assertEquals(Boolean.FALSE, f.get(Property.ESCAPE_BLOCKED).isolated());
        assertTrue(f.get(Property.ESCAPE_BLOCKED).disagrees(), "mount isolation promises a root that cannot be escaped");
    }
}
