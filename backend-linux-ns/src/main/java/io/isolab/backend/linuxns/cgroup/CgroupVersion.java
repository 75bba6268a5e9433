package io.isolab.backend.linuxns.cgroup;

/** The two cgroup interfaces: one hierarchy per controller (v1, 2008) or the unified hierarchy (v2, 2016). */
public enum CgroupVersion {
    V1, V2
}
