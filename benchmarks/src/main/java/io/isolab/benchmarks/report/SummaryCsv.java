package io.isolab.benchmarks.report;

import io.isolab.benchmarks.results.BenchResults;
import io.isolab.benchmarks.stats.Analysis;
import io.isolab.benchmarks.stats.CellAnalysis;
import java.util.Locale;

/** {@code summary.csv}: one row per target × workload, RFC 4180 quoting. */
public final class SummaryCsv {
    private SummaryCsv() {
    }

    public static String of(BenchResults results) {
        StringBuilder sb = new StringBuilder(
                "workload,target,status,metric,unit,n,failed,median,p95,p99,mean,stdev,cv,ratio_to_native,ratio_ci_low,ratio_ci_high,noisy,reason\n");
        for (CellAnalysis a : Analysis.of(results)) {
            sb.append(field(a.cell().workload())).append(',').append(field(a.cell().target())).append(',')
                    .append(a.cell().status()).append(',').append(a.metric().key()).append(',').append(field(a.metric().unit()))
                    .append(',');
            if (a.measured()) {
                var s = a.summary();
                sb.append(s.n()).append(',').append(a.failures()).append(',').append(num(s.median())).append(',')
                        .append(num(s.p95())).append(',').append(num(s.p99())).append(',').append(num(s.mean())).append(',')
                        .append(num(s.stdev())).append(',').append(num(s.cv())).append(',');
                if (a.ratio() != null) {
                    sb.append(num(a.ratio().ratio())).append(',').append(num(a.ratio().low())).append(',')
                            .append(num(a.ratio().high()));
                } else {
                    sb.append(",,");
                }
                sb.append(',').append(a.noisy()).append(',');
            } else {
                sb.append("0,").append(a.failures()).append(",,,,,,,,,,,");
            }
            sb.append(field(a.cell().reason() == null ? "" : a.cell().reason())).append('\n');
        }
        return sb.toString();
    }

    private static String num(double v) {
        return String.format(Locale.ROOT, "%.6g", v);
    }

    private static String field(String s) {
        if (s.contains(",") || s.contains("\"") || s.contains("\n")) {
            return "\"" + s.replace("\"", "\"\"") + "\"";
        }
        return s;
    }
}
