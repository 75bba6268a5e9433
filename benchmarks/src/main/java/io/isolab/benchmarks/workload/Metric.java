package io.isolab.benchmarks.workload;

/**
 * The number a workload is judged by.
 *
 * @param key           where it comes from: a key of the probe's JSON line, a host-side measurement, or
 *                      {@code wall_ns} for the wall clock around the whole sandbox
 * @param unit          the unit shown after scaling
 * @param scale         multiplies the raw value into {@code unit}
 * @param lowerIsBetter true for times and sizes, false for rates and bandwidths
 * @param source        who measures it
 */
public record Metric(String key, String unit, double scale, boolean lowerIsBetter, Source source) {

    /** Who measures a metric. */
    public enum Source {
        /** The harness's clock around the whole sandbox: create, run, destroy. */
        WALL,
        /** The workload itself, inside the sandbox, in its JSON line. */
        PROBE,
        /** The harness, from the host's side (memory of processes, launch rate). */
        HOST
    }

    public static final String WALL_KEY = "wall_ns";

    static Metric wall() {
        return new Metric(WALL_KEY, "ms", 1e-6, true, Source.WALL);
    }

    static Metric probe(String key, String unit, double scale, boolean lowerIsBetter) {
        return new Metric(key, unit, scale, lowerIsBetter, Source.PROBE);
    }

    /** The wall clock, used when the probe's JSON lacks this metric's key. */
    public Metric fallbackToWall() {
        return wall();
    }
}
