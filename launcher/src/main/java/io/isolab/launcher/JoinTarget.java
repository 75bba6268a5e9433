package io.isolab.launcher;

import java.util.Collections;
import java.util.EnumSet;
import java.util.Set;

/**
 * For exec into a running sandbox: the process whose namespaces the new process joins with
 * {@code setns(2)}. The pid namespace is joined by the launching thread for the duration of the clone;
 * joining a user or time namespace makes the launcher clone without sharing memory (the kernel requires
 * a single-threaded caller), which costs a page-table copy of the JVM.
 *
 * @param pid        a process of the sandbox (its main process)
 * @param namespaces which of its namespaces to join
 */
public record JoinTarget(int pid, Set<Namespace> namespaces) {

    public JoinTarget {
        if (pid < 1) {
            throw new IllegalArgumentException("bad pid " + pid);
        }
        namespaces = namespaces.isEmpty() ? Set.of() : Collections.unmodifiableSet(EnumSet.copyOf(namespaces));
    }
}
