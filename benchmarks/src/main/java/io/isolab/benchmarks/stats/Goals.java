package io.isolab.benchmarks.stats;

import io.isolab.benchmarks.results.BenchResults;
import io.isolab.benchmarks.results.Cell;
import io.isolab.benchmarks.workload.Workload;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

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

    /**
     * One row of where a target's startup time goes next to its reference's: the median wall clock, or the
     * median of one phase, in ms; {@code null} where that one does not report the phase. Phases nest (a VM's
     * {@code boot} lies within the API's {@code start}), so the rows do not add up to the wall clock.
     */
    public record PhaseMedians(String phase, Double targetMs, Double referenceMs) {
        public static final String WALL = "wall";
    }

    public static final List<Goal> LAUNCH = List.of(
            new Goal("#3", "chroot", "native", 1.1),
            new Goal("#4", "linux-ns", "floor", 1.2),
            new Goal("#4", "linux-ns", "crun", 0.2),
            new Goal("#5", "hypervisor", "qemu", 1.3));

    private Goals() {
    }

    /**
     * The wall clock and every phase either of the two reports, target's first, when both report phases (a
     * backend and the raw QEMU peer do); empty otherwise.
     */
    public static List<PhaseMedians> breakdown(BenchResults results, Goal g) {
        Optional<Cell> t = results.cell(g.target(), Workload.STARTUP.key());
        Optional<Cell> r = results.cell(g.reference(), Workload.STARTUP.key());
        if (t.isEmpty() || r.isEmpty() || t.get().okSamples().isEmpty() || r.get().okSamples().isEmpty()) {
            return List.of();
        }
        Set<String> phases = new LinkedHashSet<>();
        t.get().okSamples().forEach(s -> phases.addAll(s.phases().keySet()));
        Set<String> referencePhases = new LinkedHashSet<>();
        r.get().okSamples().forEach(s -> referencePhases.addAll(s.phases().keySet()));
        if (phases.isEmpty() || referencePhases.isEmpty()) {
            return List.of();
        }
        phases.addAll(referencePhases);
        List<PhaseMedians> rows = new ArrayList<>();
        rows.add(new PhaseMedians(PhaseMedians.WALL, medianMs(t.get(), null), medianMs(r.get(), null)));
        for (String phase : phases) {
            rows.add(new PhaseMedians(phase, medianMs(t.get(), phase), medianMs(r.get(), phase)));
        }
        return rows;
    }

    /** The median of a phase (or, for {@code null}, of the wall clock) over a cell's good samples, in ms. */
    private static Double medianMs(Cell cell, String phase) {
        double[] v = cell.okSamples().stream()
                .map(s -> phase == null ? Long.valueOf(s.wallNanos()) : s.phases().get(phase))
                .filter(x -> x != null).mapToDouble(x -> x / 1e6).toArray();
        return v.length == 0 ? null : Summary.percentile(v, 50);
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
