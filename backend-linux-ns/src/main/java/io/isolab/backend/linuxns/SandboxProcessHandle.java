package io.isolab.backend.linuxns;

import io.isolab.api.spi.ExecHandle;
import io.isolab.api.spi.ProcessExit;
import io.isolab.backend.linuxns.cgroup.SandboxCgroup;
import io.isolab.launcher.LaunchedProcess;
import java.time.Duration;

/**
 * A process of a sandbox, whose exit says whether the memory limit killed: from the cgroup's own
 * oom_kill counter, counted from when this process started (as Docker's OOMKilled, any process of the
 * sandbox killed by the OOM killer meanwhile counts), never guessed from a SIGKILL.
 */
final class SandboxProcessHandle implements ExecHandle {
    private final LaunchedProcess process;
    private final SandboxCgroup cgroup;
    private final long oomKillsBefore;

    /** @param oomKillsBefore the counter read before the launch: a quick victim must not be missed */
    SandboxProcessHandle(LaunchedProcess process, SandboxCgroup cgroup, long oomKillsBefore) {
        this.process = process;
        this.cgroup = cgroup;
        this.oomKillsBefore = oomKillsBefore;
    }

    @Override
    public ProcessExit awaitExit(Duration timeout) throws InterruptedException {
        ProcessExit exit = process.awaitExit(timeout);
        if (exit == null || cgroup == null) {
            return exit;
        }
        return new ProcessExit(exit.status(), cgroup.oomKills() > oomKillsBefore, exit.phases());
    }

    @Override
    public void kill(int signal) {
        process.kill(signal);
    }
}
