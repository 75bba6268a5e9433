package io.isolab.benchmarks.stats;

import io.isolab.benchmarks.results.BenchResults;
import io.isolab.benchmarks.results.Cell;
import io.isolab.benchmarks.workload.Workload;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The launch-latency targets of the backend issues, checked on the startup samples of one run: each is a
 * ratio of medians between two targets measured side by side, judged by its bootstrap interval.
 */
public final class Goals {

    /**
     * @param issue     where the target is set
     * @param target    the target measured
     * @param reference what it is measured against
     * @param max       the ratio it must not exceed
     */
    public record Goal(String issue, String target, String reference, double max) {
        public String text() {
            return target + " startup <= " + max + "x " + reference;
        }
    }

    /** What one run says about a goal. */
    public enum Verdict {
        /** The whole 95% interval is at or below the limit. */
        MET,
        /** The whole interval is above it. */
        MISSED,
        /** The interval straddles the limit: more samples, or a quieter machine. */
        INCONCLUSIVE,
        /** One of the two was not measured in this run. */
        NOT_MEASURED
    }

    /** A goal with its outcome; {@code ratio} is {@code null} when not measured, and {@code why} says why. */
    public record Outcome(Goal goal, Bootstrap.Interval ratio, Verdict verdict, String why) {
    }

    public static final List<Goal> LAUNCH = List.of(
            new Goal("#3", "chroot", "native", 1.1),
            new Goal("#4", "linux-ns", "floor", 1.2),
            new Goal("#4", "linux-ns", "crun", 0.2),
            new Goal("#5", "hypervisor", "qemu", 1.3));

    private Goals() {
    }

    public static List<Outcome> check(BenchResults results) {
        List<Outcome> outcomes = new ArrayList<>();
        for (Goal g : LAUNCH) {
            Optional<Cell> t = results.cell(g.target(), Workload.STARTUP.key());
            Optional<Cell> r = results.cell(g.reference(), Workload.STARTUP.key());
            double[] tv = t.map(c -> Analysis.values(c, Workload.STARTUP.metric())).orElse(new double[0]);
            double[] rv = r.map(c -> Analysis.values(c, Workload.STARTUP.metric())).orElse(new double[0]);
            if (tv.length == 0 || rv.length == 0) {
                String missing = tv.length == 0 ? g.target() : g.reference();
                String why = (tv.length == 0 ? t : r).map(c -> c.status() + (c.reason() == null ? "" : ": " + c.reason()))
                        .orElse("not in this run");
                outcomes.add(new Outcome(g, null, Verdict.NOT_MEASURED, missing + " " + why));
                continue;
            }
            Bootstrap.Interval ratio = Bootstrap.ratioOfMedians(tv, rv, (g.target() + g.reference()).hashCode());
            Verdict v = ratio.high() <= g.max() ? Verdict.MET : ratio.low() > g.max() ? Verdict.MISSED : Verdict.INCONCLUSIVE;
            outcomes.add(new Outcome(g, ratio, v, null));
        }
        return outcomes;
    }
}
