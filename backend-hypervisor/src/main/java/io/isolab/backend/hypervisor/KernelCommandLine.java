package io.isolab.backend.hypervisor;

/**
 * The guest kernel's command line, for a sandbox (the guest init talks to isolab over its channel) and for a
 * console run (the command on the command line itself; see {@code src/main/c/console.c}).
 *
 * <p>Besides the console and init: no ACPI (the ACPI interpreter is the slowest initcall under TCG; see
 * {@link DomainXml}), a reboot that is a triple fault, an immediate reboot on panic (so a crashed guest ends
 * its domain), and no crypto self-tests (half a second of TCG time, for algorithms the guest never uses).
 *
 * <p>Under TCG the guest is also told its TSC rate: QEMU gives a TCG guest the host's TSC, whose rate the
 * host measures ({@link HostTsc}). Left to itself the guest calibrates the TSC against the emulated PIT, and
 * on a busy host that fails (the vCPU thread is preempted mid-calibration): the guest then runs on jiffies,
 * and every clock the workload reads ticks in 4 ms steps. {@code tsc=reliable} keeps the kernel from
 * distrusting the TSC later, for want of another clocksource to check it against (there is no HPET or ACPI
 * PM timer without ACPI); the TSC is the host's, as steady as the host's own clock.
 *
 * @param tscKhz the guest's TSC rate in kHz, or {@code null} to let it calibrate (KVM, where the guest uses
 *               kvm-clock, or a host whose TSC rate is unknown)
 */
record KernelCommandLine(Long tscKhz) {
    /** Stands for the base64 of the NUL-separated argv of a console run. */
    static final String ARGV = "{argv}";
    /** Stands for the token that marks a console run's status line. */
    static final String NONCE = "{nonce}";
    private static final String BASE = "console=ttyS0 quiet panic=-1 reboot=t acpi=off cryptomgr.notests";

    /** For a sandbox of the backend. */
    String sandbox() {
        StringBuilder b = new StringBuilder(BASE);
        if (tscKhz != null) {
            b.append(" tsc_early_khz=").append(tscKhz).append(" tsc=reliable");
        }
        return b.append(" rdinit=").append(Initramfs.INIT_PATH).toString();
    }

    /** For a console run, with {@link #ARGV} and {@link #NONCE} to be replaced. */
    String consoleRun() {
        return sandbox() + " isolab.argv=" + ARGV + " isolab.nonce=" + NONCE;
    }
}
