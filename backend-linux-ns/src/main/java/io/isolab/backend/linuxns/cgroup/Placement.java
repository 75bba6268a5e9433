package io.isolab.backend.linuxns.cgroup;

import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Which hierarchy serves which purpose on this host, decided once the parent cgroup exists (a v2
 * controller counts only once it is enabled down to the parent; the v2 freezer needs Linux 5.2).
 *
 * @param roles       for each controller isolab uses, the hierarchy that provides it
 * @param unified     the cgroup2 hierarchy, if mounted: every sandbox joins it, even when it holds no
 *                    controller (a hybrid host), because its core gives what v1 lacks: atomic
 *                    {@code cgroup.kill}, {@code cgroup.events} "populated", per-cgroup cpu time
 * @param unifiedKill whether the kernel has {@code cgroup.kill} (Linux 5.14)
 * @param files       which optional interface files the sandbox cgroups have, learnt at first use: what
 *                    decides it is what decides the placement
 */
record Placement(Map<Controller, Hierarchy> roles, Optional<Hierarchy> unified, boolean unifiedKill,
                 InterfaceFiles files) {

    Placement {
        roles = Collections.unmodifiableMap(roles.isEmpty() ? new EnumMap<>(Controller.class) : new EnumMap<>(roles));
    }

    Optional<Hierarchy> of(Controller controller) {
        return Optional.ofNullable(roles.get(controller));
    }

    /**
     * The hierarchies a sandbox joins: the unified one; those that account memory, pids and cpu time and
     * that freeze, for stats, OOM detection and kill-all; and those its limits need. Nothing else, since
     * every hierarchy costs a mkdir, a join and an rmdir per sandbox.
     */
    Set<Hierarchy> forLimits(CgroupLimits limits) {
        Set<Hierarchy> joined = new LinkedHashSet<>();
        unified.ifPresent(joined::add);
        for (Controller c : new Controller[] {Controller.MEMORY, Controller.PIDS, Controller.CPUACCT, Controller.FREEZER}) {
            of(c).ifPresent(joined::add);
        }
        for (Controller c : limits.controllers()) {
            of(c).ifPresent(joined::add);
        }
        return joined;
    }

    /** Every hierarchy a sandbox may have joined: where leftovers are looked for. */
    Set<Hierarchy> all() {
        Set<Hierarchy> all = new LinkedHashSet<>();
        unified.ifPresent(all::add);
        all.addAll(roles.values());
        return all;
    }
}
