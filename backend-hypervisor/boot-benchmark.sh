#!/usr/bin/env bash
# Boot-to-exit of `isolab-probe true` through the hypervisor backend (libvirt) next to a raw
# qemu-system-x86_64 with the same kernel, initramfs and devices: medians of RUNS runs each (default 7),
# alternating, for every domain type available here (qemu/TCG, kvm). Needs what the backend needs
# (./isolab setup hypervisor) and root. A benchmark, not a test: absolute times depend on the machine's load.
#
#   backend-hypervisor/boot-benchmark.sh [RUNS]
set -euo pipefail
root=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)
cd "$root"
echo "boot-benchmark: building (mvn package -pl backend-hypervisor -am)" >&2
mvn -B -q -o -pl backend-hypervisor -am package dependency:build-classpath -DskipTests \
  -Dmdep.includeScope=test -Dmdep.outputFile=target/test-classpath.txt >&2
module="$root/backend-hypervisor"
exec java -cp "$module/target/test-classes:$module/target/classes:$(cat "$module/target/test-classpath.txt")" \
  io.isolab.backend.hypervisor.BootBenchmark "$@"
