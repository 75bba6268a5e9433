package io.isolab.benchmarks.report;

import io.isolab.benchmarks.stats.Bootstrap;
import java.util.Locale;

/** Numbers as the tables show them: three significant digits, ratios with their interval. */
final class Format {
    private Format() {
    }

    static String number(double v) {
        if (Double.isNaN(v) || Double.isInfinite(v)) {
            return "-";
        }
        double a = Math.abs(v);
        if (a >= 1000) {
            return String.format(Locale.ROOT, "%.0f", v);
        }
        if (a >= 100) {
            return String.format(Locale.ROOT, "%.1f", v);
        }
        if (a >= 10) {
            return String.format(Locale.ROOT, "%.2f", v);
        }
        if (a >= 0.01) {
            return String.format(Locale.ROOT, "%.3f", v);
        }
        return String.format(Locale.ROOT, "%.2g", v);
    }

    static String ratio(Bootstrap.Interval r) {
        return String.format(Locale.ROOT, "%.2fx [%.2f-%.2f]", r.ratio(), r.low(), r.high());
    }
}
