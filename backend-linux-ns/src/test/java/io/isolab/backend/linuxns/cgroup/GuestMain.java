package io.isolab.backend.linuxns.cgroup;

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import java.io.PrintWriter;
import java.util.Map;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;
import org.junit.platform.launcher.listeners.TestExecutionSummary;

/**
 * Runs test classes inside the pure-v2 guest of {@link PureV2GuestTest} and prints one summary line per
 * class, which the host parses. The guest has no Maven, only a JVM and this classpath.
 */
public final class GuestMain {
    static final String RESULT = "ISOLAB-GUEST-RESULT";

    private GuestMain() {
    }

    public static void main(String[] args) throws Exception {
        try (Cgroups cgroups = Cgroups.open(CgroupLayout.ofThisProcess(), "isolab-guest")) {
            Map<String, String> facts = cgroups.facts();
            System.out.println("ISOLAB-GUEST-FACTS " + facts + " kernel " + System.getProperty("os.version"));
        }
        Launcher launcher = LauncherFactory.create();
        for (String name : args) {
            LauncherDiscoveryRequest request = LauncherDiscoveryRequestBuilder.request()
                    .selectors(selectClass(Class.forName(name))).build();
            SummaryGeneratingListener listener = new SummaryGeneratingListener();
            launcher.execute(request, listener);
            TestExecutionSummary summary = listener.getSummary();
            summary.printFailuresTo(new PrintWriter(System.out, true), 30);
            System.out.printf("%s %s found=%d succeeded=%d failed=%d skipped=%d aborted=%d%n", RESULT,
                    Class.forName(name).getSimpleName(), summary.getTestsFoundCount(), summary.getTestsSucceededCount(),
                    summary.getTestsFailedCount(), summary.getTestsSkippedCount(), summary.getTestsAbortedCount());
        }
    }
}
