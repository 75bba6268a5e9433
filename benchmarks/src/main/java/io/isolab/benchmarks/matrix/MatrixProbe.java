package io.isolab.benchmarks.matrix;

import com.fasterxml.jackson.databind.JsonNode;
import io.isolab.api.Capability;
import io.isolab.benchmarks.targets.Execution;
import io.isolab.benchmarks.targets.Invocation;
import io.isolab.benchmarks.targets.ProbeOutput;
import io.isolab.benchmarks.targets.Target;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Runs the probe's isolation checks on the host and on every target: {@code inspect --marker M} with a
 * marker file that exists only on the host, {@code escape-chroot}, {@code alloc} past a memory limit and
 * {@code forkbomb} under a pids limit (the last two only where the target declares the limit: a limit
 * that is not declared cannot be asked for).
 */
public final class MatrixProbe {
    /** Enough for a VM's guest kernel and init to boot in (64 MiB was not), far below what alloc asks. */
    static final long MEMORY_LIMIT = 256L << 20;
    static final int ALLOC_MB = 1024;
    static final int PIDS_LIMIT = 32;
    static final int FORKBOMB_MAX = 200;
    /** Who runs a probe whose limit does not bind root, where the target can run as another user. */
    static final String UNPRIVILEGED = "nobody";

    private final Duration timeout;
    private final Consumer<String> log;

    public MatrixProbe(Duration timeout, Consumer<String> log) {
        this.timeout = timeout;
        this.log = log;
    }

    /**
     * @param host    the native target: the reference row
     * @param targets the rest; unavailable ones become rows with their reason
     */
    public List<MatrixRow> measure(Target host, List<Target> targets) throws IOException, InterruptedException {
        Path marker = Files.createTempFile("isolab-marker-", ".host-only");
        try {
            List<MatrixRow> rows = new ArrayList<>();
            log.accept("isolation probes on the host");
            JsonNode hostInspect = inspect(host, marker);
            if (hostInspect == null) {
                rows.add(new MatrixRow("host", false, "isolab-probe inspect failed on the host", List.of(), Map.of()));
                return rows;
            }
            rows.add(row("host", host, hostInspect, hostInspect, null));
            for (Target t : targets) {
                if (t == host || t.id().equals("floor")) {
                    continue; // the floor has no /proc: it is a launch-cost baseline only
                }
                List<String> declared = IsolationMatrix.keys(t.declared());
                if (!t.availability().available()) {
                    rows.add(new MatrixRow(t.id(), false, t.availability().reason(), declared, Map.of()));
                    continue;
                }
                log.accept("isolation probes on " + t.id());
                JsonNode inside;
                try {
                    inside = inspect(t, marker);
                } catch (Exception e) {
                    rows.add(new MatrixRow(t.id(), false, "inspect failed: " + e.getMessage(), declared, Map.of()));
                    continue;
                }
                if (inside == null) {
                    rows.add(new MatrixRow(t.id(), false, "inspect printed no JSON", declared, Map.of()));
                    continue;
                }
                rows.add(row(t.id(), t, hostInspect, inside, marker));
            }
            return rows;
        } finally {
            Files.deleteIfExists(marker);
        }
    }

    private MatrixRow row(String name, Target t, JsonNode host, JsonNode inside, Path marker) throws InterruptedException {
        Set<Capability> declared = t.declared();
        Outcome memory = memory(t, declared);
        Outcome pids = pids(t, declared);
        Outcome escape = escape(t, marker);
        IsolationMatrix.Probes probes = new IsolationMatrix.Probes(memory.enforced(), memory.detail(),
                pids.enforced(), pids.detail(), escape.enforced(), escape.detail());
        return new MatrixRow(name, true, null, IsolationMatrix.keys(declared),
                IsolationMatrix.findings(host, inside, probes, declared));
    }

    private record Outcome(Boolean enforced, String detail) {
    }

    private JsonNode inspect(Target t, Path marker) throws InterruptedException {
        Execution e = run(t, Invocation.strict(List.of("inspect", "--marker", marker.toString()), null, null, timeout));
        return e == null ? null : ProbeOutput.json(e.stdout());
    }

    private Outcome memory(Target t, Set<Capability> declared) throws InterruptedException {
        if (!declared.contains(Capability.MEMORY_LIMIT)) {
            return new Outcome(null, "no memory limit declared: it cannot be asked for");
        }
        Execution e = run(t, Invocation.strict(List.of("alloc", Integer.toString(ALLOC_MB)), MEMORY_LIMIT, null, timeout));
        if (e == null) {
            return new Outcome(null, "alloc did not run: " + lastError);
        }
        String what = "alloc " + ALLOC_MB + " MiB under a " + (MEMORY_LIMIT >> 20) + " MiB limit: ";
        if (e.oomKilled()) {
            return new Outcome(true, what + "OOM-killed (the backend's own accounting)");
        }
        if (e.status() == 3) {
            return new Outcome(true, what + "allocation refused (exit 3)");
        }
        if (e.status() == 137) {
            return new Outcome(true, what + "killed by SIGKILL (status 137)");
        }
        if (e.status() == 0) {
            return new Outcome(false, what + "succeeded: the limit did not hold");
        }
        return new Outcome(null, what + e.failure());
    }

    private Outcome pids(Target t, Set<Capability> declared) throws InterruptedException {
        if (!declared.contains(Capability.PIDS_LIMIT)) {
            return new Outcome(null, "no pids limit declared: it cannot be asked for");
        }
        Invocation forkbomb = Invocation.strict(List.of("forkbomb", Integer.toString(FORKBOMB_MAX)), null, PIDS_LIMIT, timeout);
        Execution e = run(t, forkbomb);
        String as = "";
        if (e == null && lastError.startsWith("limits.pids") && declared.contains(Capability.RUN_AS_USER)) {
            // a limit the backend can only hold for another user (RLIMIT_NPROC, which root is exempt from)
            e = run(t, forkbomb.asUser(UNPRIVILEGED));
            as = " as " + UNPRIVILEGED;
        }
        if (e == null) {
            return new Outcome(null, "forkbomb did not run: " + lastError);
        }
        JsonNode j = ProbeOutput.json(e.stdout());
        String what = "forkbomb (at most " + FORKBOMB_MAX + ")" + as + " under a limit of " + PIDS_LIMIT + ": ";
        if (j != null && j.path("forked").isNumber()) {
            long forked = j.path("forked").asLong();
            boolean held = j.path("limit_hit").asBoolean(false) || forked < FORKBOMB_MAX;
            return new Outcome(held, what + forked + " forked" + (held ? ", then " + j.path("errno").asText("refused")
                    : ": the limit did not hold"));
        }
        return new Outcome(null, what + "the probe reported no process count (" + e.failure() + ")");
    }

    private Outcome escape(Target t, Path marker) throws InterruptedException {
        if (marker == null) {
            return new Outcome(null, "the host is in no chroot to escape from");
        }
        Execution e = run(t, Invocation.strict(List.of("escape-chroot", "--marker", marker.toString()), null, null, timeout));
        if (e == null) {
            return new Outcome(null, "escape-chroot did not run: " + lastError);
        }
        JsonNode j = ProbeOutput.json(e.stdout());
        if (j == null) {
            return new Outcome(null, "escape-chroot printed no JSON (" + e.failure() + ")");
        }
        if (!j.path("escaped").isBoolean()) {
            return new Outcome(null, "escape-chroot's JSON has no 'escaped'");
        }
        boolean escaped = j.path("escaped").asBoolean();
        return new Outcome(escaped, escaped ? "escape-chroot reached the host's root via " + j.path("via").asText("?")
                : "escape-chroot stayed inside (" + j.path("failed_step").asText("no way out") + ")");
    }

    /** Why the last run threw instead of running, for the finding's detail. */
    private String lastError = "";

    private Execution run(Target t, Invocation invocation) throws InterruptedException {
        try {
            return t.run(invocation);
        } catch (InterruptedException e) {
            throw e;
        } catch (Exception e) {
            // Not logged here: the caller may retry (as another user), and an outcome it cannot measure
            // carries this reason into the matrix's "not measured" list.
            lastError = e.getMessage();
            return null;
        }
    }
}
