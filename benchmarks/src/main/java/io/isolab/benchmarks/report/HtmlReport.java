package io.isolab.benchmarks.report;

import io.isolab.api.Units;
import io.isolab.benchmarks.matrix.Finding;
import io.isolab.benchmarks.matrix.MatrixRow;
import io.isolab.benchmarks.matrix.Property;
import io.isolab.benchmarks.results.BenchResults;
import io.isolab.benchmarks.results.Environment;
import io.isolab.benchmarks.results.Sample;
import io.isolab.benchmarks.results.TargetInfo;
import io.isolab.benchmarks.stats.Analysis;
import io.isolab.benchmarks.stats.CellAnalysis;
import io.isolab.benchmarks.stats.Goals;
import io.isolab.benchmarks.stats.Summary;
import io.isolab.benchmarks.workload.Workload;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * {@code report.html}: one self-contained file (inline CSS and SVG, no script, nothing fetched) that a
 * reader understands at a glance: the summary table, a chart per workload, where startup time goes, the
 * isolation matrix and the machine.
 */
public final class HtmlReport {
    private static final String CSS = """
            body{font:14px/1.45 system-ui,-apple-system,'Segoe UI',sans-serif;margin:24px auto;max-width:1100px;color:#222;padding:0 16px}
            h1{font-size:22px;margin-bottom:4px} h2{font-size:18px;margin-top:32px;border-bottom:1px solid #ddd;padding-bottom:4px}
            .sub{color:#666} table{border-collapse:collapse;margin:8px 0;font-size:13px} th,td{border:1px solid #ddd;padding:4px 8px;text-align:left;vertical-align:top}
            th{background:#f4f4f4} td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
            .noisy{background:#fff6d6} .na{color:#999} .bad{background:#fbe0de;font-weight:bold} .yes{color:#1d7a34} .no{color:#b3261e}
            .chart{margin:12px 0} .note{background:#f6f8fa;border-left:3px solid #3b6fb6;padding:6px 10px;margin:6px 0}
            code{font-size:12px} .ci{color:#666;font-size:11px} table.summary td{min-width:70px}
            """;

    private static final List<String> SEQUENTIAL_PHASES = List.of("create", "start", "run", "destroy");

    private HtmlReport() {
    }

    public static String render(BenchResults results) {
        List<CellAnalysis> cells = Analysis.of(results);
        StringBuilder h = new StringBuilder(64 * 1024);
        h.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">")
                .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
                .append("<title>isolab bench: ").append(esc(results.startedAt())).append("</title><style>").append(CSS)
                .append("</style></head><body>\n");
        Environment env = results.environment();
        h.append("<h1>isolab bench</h1><div class=\"sub\">").append(esc(results.startedAt())).append(" · ")
                .append(esc(env.kernel())).append(" · ").append(env.cores()).append(" cores · cgroup ").append(esc(env.cgroup()))
                .append(results.options().quick() ? " · <b>--quick</b>" : "")
                .append(String.format(Locale.ROOT, " · %.0f s", results.seconds())).append("</div>\n");
        for (String note : results.notes()) {
            h.append("<div class=\"note\">").append(esc(note)).append("</div>\n");
        }
        summaryTable(h, results, cells);
        goalsSection(h, results);
        h.append("<h2>Workloads</h2>\n");
        for (String w : results.options().workloads()) {
            workloadSection(h, Workload.fromKey(w), cells);
        }
        phaseSection(h, results, cells);
        matrixSection(h, results.matrix());
        targetsSection(h, results.targets());
        environmentSection(h, env);
        h.append("<p class=\"sub\">Every raw sample is in results.json next to this file; summary.csv has these statistics."
                + " Compare two runs with <code>isolab bench --compare A.json B.json</code>.</p>\n</body></html>\n");
        return h.toString();
    }

    private static void summaryTable(StringBuilder h, BenchResults results, List<CellAnalysis> cells) {
        h.append("<h2>Summary: cost relative to native</h2>\n<p class=\"sub\">Each cell: median cost ÷ native's median, with the"
                + " bootstrap 95% interval (&gt;1 = slower or bigger; rates and bandwidths inverted so that this holds)."
                + " native's row shows its medians. <span class=\"noisy\">&nbsp;~ noisy&nbsp;</span>: coefficient of variation"
                + " above " + (int) (Summary.NOISY_CV * 100) + "% or failed samples.</p>\n<table class=\"summary\"><tr><th>target</th>");
        List<String> workloads = results.options().workloads();
        for (String w : workloads) {
            h.append("<th>").append(esc(w)).append("</th>");
        }
        h.append("</tr>\n");
        for (TargetInfo t : results.targets()) {
            h.append("<tr><th>").append(esc(t.id())).append(" <span class=\"sub\">").append(esc(t.kind())).append("</span></th>");
            for (String w : workloads) {
                CellAnalysis a = cells.stream().filter(c -> c.cell().target().equals(t.id()) && c.cell().workload().equals(w))
                        .findFirst().orElse(null);
                if (a == null || !a.measured()) {
                    String why = a == null ? "not run" : a.cell().status() + ": " + (a.cell().reason() == null ? "" : a.cell().reason());
                    h.append("<td class=\"na\" title=\"").append(esc(why)).append("\">")
                            .append(a == null ? "-" : esc(a.cell().status())).append("</td>");
                } else {
                    h.append("<td class=\"num").append(a.noisy() ? " noisy" : "").append("\" title=\"median ")
                            .append(esc(Format.number(a.summary().median()) + " " + a.metric().unit())).append(", n=")
                            .append(a.summary().n()).append("\">").append(summaryCell(a)).append("</td>");
                }
            }
            h.append("</tr>\n");
        }
        h.append("</table>\n");
    }

    private static void goalsSection(StringBuilder h, BenchResults results) {
        h.append("<h2>Launch-latency targets</h2>\n<p class=\"sub\">The issues' targets, as ratios of startup medians measured"
                + " side by side in this run: met when the whole 95% interval is within the limit.</p>\n"
                + "<table><tr><th>issue</th><th>target</th><th>ratio [95% CI]</th><th>verdict</th></tr>\n");
        for (Goals.Outcome o : Goals.check(results)) {
            String cls = switch (o.verdict()) {
                case MET -> "yes";
                case MISSED -> "no";
                default -> "na";
            };
            h.append("<tr><td>").append(esc(o.goal().issue())).append("</td><td>").append(esc(o.goal().text()))
                    .append("</td><td class=\"num\">").append(o.ratio() == null ? "-" : esc(Format.ratio(o.ratio())))
                    .append("</td><td class=\"").append(cls).append("\">").append(esc(o.verdict().name().toLowerCase(Locale.ROOT)
                            .replace('_', ' '))).append(o.why() == null ? "" : ": " + esc(o.why())).append("</td></tr>\n");
            List<Goals.PhaseMedians> rows = o.ratio() == null ? List.of() : Goals.breakdown(results, o.goal());
            if (!rows.isEmpty()) {
                h.append("<tr><td></td><td colspan=\"3\">").append(breakdownTable(o.goal(), rows)).append("</td></tr>\n");
            }
        }
        h.append("</table>\n");
    }

    /** Where the target's startup goes next to its reference's, phase by phase, medians of this run. */
    private static String breakdownTable(Goals.Goal g, List<Goals.PhaseMedians> rows) {
        StringBuilder t = new StringBuilder("<table class=\"breakdown\"><tr><th>median ms</th><th>").append(esc(g.target()))
                .append("</th><th>").append(esc(g.reference())).append("</th><th>difference</th></tr>");
        for (Goals.PhaseMedians r : rows) {
            t.append("<tr><td>").append(esc(r.phase())).append("</td><td class=\"num\">").append(ms(r.targetMs()))
                    .append("</td><td class=\"num\">").append(ms(r.referenceMs())).append("</td><td class=\"num\">")
                    .append(r.targetMs() == null || r.referenceMs() == null ? "" : esc(String.format(Locale.ROOT, "%+.0f",
                            r.targetMs() - r.referenceMs()))).append("</td></tr>");
        }
        return t.append("</table>").toString();
    }

    private static String ms(Double v) {
        return v == null ? "-" : esc(String.format(Locale.ROOT, "%.0f", v));
    }

    /** The ratio in bold with its interval small beneath it; native's median with its unit. */
    private static String summaryCell(CellAnalysis a) {
        String noisy = a.noisy() ? " ~" : "";
        if (a.ratio() == null) {
            return esc(Format.number(a.summary().median()) + " " + a.metric().unit()) + noisy;
        }
        return String.format(Locale.ROOT, "<b>%.2f×</b>%s<br><span class=\"ci\">[%.2f–%.2f]</span>", a.ratio().ratio(), noisy,
                a.ratio().low(), a.ratio().high());
    }

    private static void workloadSection(StringBuilder h, Workload w, List<CellAnalysis> all) {
        List<CellAnalysis> cells = all.stream().filter(c -> c.cell().workload().equals(w.key()) && c.measured()).toList();
        h.append("<h3>").append(esc(w.key())).append("</h3><p class=\"sub\">").append(esc(w.description()));
        if (!cells.isEmpty()) {
            CellAnalysis first = cells.get(0);
            h.append(" · metric: <code>").append(esc(first.metric().key())).append("</code> (")
                    .append(esc(first.metric().source().name().toLowerCase(Locale.ROOT))).append(", ")
                    .append(first.metric().lowerIsBetter() ? "lower is better" : "higher is better").append(")");
            if (first.metric().key().equals("wall_ns") && w != Workload.STARTUP) {
                h.append(" — the probe's JSON gave no <code>").append(esc(w.metric().key())).append("</code>, so the wall clock is used");
            }
        }
        h.append("</p>\n");
        if (cells.isEmpty()) {
            h.append("<p class=\"na\">no target measured it</p>\n");
            return;
        }
        List<CellAnalysis> sameMetric = cells.stream().filter(c -> c.metric().equals(cells.get(0).metric())).toList();
        h.append("<div class=\"chart\">");
        if (w == Workload.STARTUP) {
            h.append(Charts.distribution("chart-" + w.key(), "startup: distribution of every sample", sameMetric));
        } else {
            h.append(Charts.bars("chart-" + w.key(), w.key() + ": mean ± 1 sd", sameMetric));
        }
        h.append("</div>\n<table><tr><th>target</th><th>n</th><th>median</th><th>p95</th><th>p99</th><th>cv</th>"
                + "<th>× native [95% CI]</th></tr>\n");
        for (CellAnalysis a : cells) {
            Summary s = a.summary();
            h.append("<tr").append(a.noisy() ? " class=\"noisy\"" : "").append("><td>").append(esc(a.cell().target()))
                    .append("</td><td class=\"num\">").append(s.n()).append(a.failures() > 0 ? " (+" + a.failures() + " failed)" : "")
                    .append("</td><td class=\"num\">").append(Format.number(s.median())).append(' ').append(esc(a.metric().unit()))
                    .append("</td><td class=\"num\">").append(Format.number(s.p95())).append("</td><td class=\"num\">")
                    .append(Format.number(s.p99())).append("</td><td class=\"num\">")
                    .append(String.format(Locale.ROOT, "%.1f%%", s.cv() * 100)).append("</td><td class=\"num\">")
                    .append(a.ratio() == null ? "-" : esc(Format.ratio(a.ratio()))).append("</td></tr>\n");
            if (w == Workload.FOOTPRINT || w == Workload.DENSITY) {
                extraHostRow(h, a, w);
            }
        }
        h.append("</table>\n");
    }

    /** Footprint: RSS, processes and the backend's own figure; density: failures and rate. */
    private static void extraHostRow(StringBuilder h, CellAnalysis a, Workload w) {
        List<Sample> ok = a.cell().okSamples();
        StringBuilder detail = new StringBuilder();
        if (w == Workload.FOOTPRINT) {
            detail.append("RSS ").append(Units.formatBytes((long) median(ok, "host_rss_bytes"))).append(", ")
                    .append((long) median(ok, "processes")).append(" process(es)");
            double reported = median(ok, "reported_overhead_bytes");
            if (!Double.isNaN(reported)) {
                detail.append(", backend reports host overhead ").append(Units.formatBytes((long) reported));
            }
        } else {
            detail.append(String.format(Locale.ROOT, "%.0f launched at once, %.1f sandboxes/s, %d failed of all runs",
                    median(ok, "launched"), median(ok, "per_second"),
                    (long) a.cell().samples().stream().mapToDouble(s -> s.host().getOrDefault("failed", 0.0)).sum()));
        }
        h.append("<tr><td></td><td colspan=\"6\" class=\"sub\">").append(esc(detail.toString())).append("</td></tr>\n");
    }

    private static double median(List<Sample> samples, String key) {
        double[] v = samples.stream().map(s -> s.host().get(key)).filter(x -> x != null).mapToDouble(Double::doubleValue).toArray();
        return v.length == 0 ? Double.NaN : Summary.percentile(v, 50);
    }

    private static void phaseSection(StringBuilder h, BenchResults results, List<CellAnalysis> cells) {
        h.append("<h2>Where startup time goes</h2>\n<p class=\"sub\">Median of each phase a backend (or the raw QEMU peer,"
                + " from its guest's console) reports:"
                + " io.isolab.api.Timings' create, start, run and destroy, one after another (the chart), and the"
                + " backend's own phases within them, such as a VM's boot (the table).</p>\n");
        Map<String, Map<String, Double>> byTarget = new LinkedHashMap<>();
        for (CellAnalysis a : cells) {
            if (!a.cell().workload().equals(Workload.STARTUP.key()) || !a.measured()) {
                continue;
            }
            Set<String> names = new LinkedHashSet<>();
            a.cell().okSamples().forEach(s -> names.addAll(s.phases().keySet()));
            if (names.isEmpty()) {
                continue;
            }
            Map<String, Double> medians = new LinkedHashMap<>();
            for (String phase : names) {
                double[] v = a.cell().okSamples().stream().map(s -> s.phases().get(phase)).filter(x -> x != null)
                        .mapToDouble(x -> x / 1e6).toArray();
                if (v.length > 0) {
                    medians.put(phase, Summary.percentile(v, 50));
                }
            }
            byTarget.put(a.cell().target(), medians);
        }
        if (byTarget.isEmpty()) {
            h.append("<p class=\"na\">no target reported phases in this run (isolab backends and the raw QEMU peer do;"
                    + " the other peers are timed whole)</p>\n");
            return;
        }
        // The api's four phases follow one another; a backend's own (boot, workload, shutdown, boot.guest-kernel)
        // lie within them, so only the four are stacked and the rest are listed in the table.
        Map<String, Map<String, Double>> sequential = new LinkedHashMap<>();
        byTarget.forEach((t, m) -> {
            Map<String, Double> four = new LinkedHashMap<>();
            m.forEach((phase, ms) -> {
                if (SEQUENTIAL_PHASES.contains(phase)) {
                    four.put(phase, ms);
                }
            });
            sequential.put(t, four);
        });
        h.append("<div class=\"chart\">").append(Charts.phases("chart-phases", "startup phases (median ms)", sequential))
                .append("</div>\n<table><tr><th>target</th><th>phases (median ms)</th></tr>\n");
        byTarget.forEach((t, m) -> {
            List<String> four = new ArrayList<>();
            List<String> own = new ArrayList<>();
            m.forEach((phase, ms) -> (SEQUENTIAL_PHASES.contains(phase) ? four : own).add(phase + " " + Format.number(ms)));
            h.append("<tr><td>").append(esc(t)).append("</td><td>").append(esc(String.join(" · ", four)))
                    .append(own.isEmpty() ? "" : "<br><span class=\"sub\">within them: " + esc(String.join(" · ", own)) + "</span>")
                    .append("</td></tr>\n");
        });
        h.append("</table>\n");
    }

    private static void matrixSection(StringBuilder h, List<MatrixRow> rows) {
        h.append("<h2>Isolation matrix (measured)</h2>\n");
        if (rows.isEmpty()) {
            h.append("<p class=\"na\">not measured in this run (isolab probe measures it)</p>\n");
            return;
        }
        h.append(matrixTable(rows));
    }

    /** The matrix as an HTML table: ✓ isolated/enforced, ✗ not, – not measured; red where it contradicts the declaration. */
    public static String matrixTable(List<MatrixRow> rows) {
        StringBuilder h = new StringBuilder();
        h.append("<p class=\"sub\">✓ isolated / enforced, ✗ not, – not measured (hover for the evidence);"
                + " a <span class=\"bad\">&nbsp;red&nbsp;</span> cell is declared but measured not to hold (a bug);"
                + " + marks what holds without being declared."
                + " The small mark says what is declared: (d) declared, (·) not declared.</p>\n<table><tr><th>target</th>");
        for (Property p : Property.values()) {
            h.append("<th title=\"").append(esc(p.meaning())).append("\">").append(esc(p.label())).append("</th>");
        }
        h.append("</tr>\n");
        for (MatrixRow r : rows) {
            h.append("<tr><th>").append(esc(r.target())).append("</th>");
            if (!r.available()) {
                h.append("<td colspan=\"").append(Property.values().length).append("\" class=\"na\">")
                        .append(esc(r.reason())).append("</td></tr>\n");
                continue;
            }
            for (Property p : Property.values()) {
                Finding f = r.findings().get(p);
                if (f == null) {
                    h.append("<td class=\"na\">-</td>");
                    continue;
                }
                String mark = f.isolated() == null ? "–" : f.isolated() ? "✓" : "✗";
                String cls = f.disagrees() ? "bad" : f.isolated() == null ? "na" : f.isolated() ? "yes" : "no";
                h.append("<td class=\"").append(cls).append("\" title=\"").append(esc(f.detail() == null ? "" : f.detail()))
                        .append("\">").append(mark).append(" <span class=\"sub\">").append(f.promised() ? "(d)" : "(·)").append(f.undeclared() ? "+" : "")
                        .append("</span></td>");
            }
            h.append("</tr>\n");
        }
        h.append("</table>\n");
        return h.toString();
    }

    private static void targetsSection(StringBuilder h, List<TargetInfo> targets) {
        h.append("<h2>Targets</h2>\n<table><tr><th>target</th><th>kind</th><th>how it runs</th><th>available</th><th>facts</th></tr>\n");
        for (TargetInfo t : targets) {
            h.append("<tr><td>").append(esc(t.id())).append("</td><td>").append(esc(t.kind())).append("</td><td><code>")
                    .append(esc(t.description())).append("</code></td><td>")
                    .append(t.available() ? "<span class=\"yes\">yes</span>" : "<span class=\"no\">no</span>: " + esc(t.reason())
                            + (t.remedy().isEmpty() ? "" : " <br>fix: <code>" + esc(t.remedy()) + "</code>"))
                    .append("</td><td class=\"sub\">");
            List<String> facts = new ArrayList<>();
            t.facts().forEach((k, v) -> facts.add(k + "=" + v));
            h.append(esc(String.join("; ", facts))).append("</td></tr>\n");
        }
        h.append("</table>\n");
    }

    private static void environmentSection(StringBuilder h, Environment env) {
        h.append("<h2>Environment</h2>\n<table>");
        row(h, "kernel", env.kernel());
        row(h, "OS", env.os());
        row(h, "CPU", env.cpuModel() + " × " + env.cores());
        row(h, "memory", Units.formatBytes(env.memoryBytes()));
        row(h, "cgroup", env.cgroup());
        row(h, "/dev/kvm", env.kvm() ? "usable" : "absent or not usable");
        row(h, "libvirt domain type", env.domainType() == null ? "(not reported)" : env.domainType());
        row(h, "JVM", env.jvm());
        row(h, "load average (1 min)", String.format(Locale.ROOT, "%.2f before, %.2f after", env.loadBefore(), env.loadAfter()));
        env.peerVersions().forEach((k, v) -> row(h, k, v));
        h.append("</table>\n");
    }

    private static void row(StringBuilder h, String k, String v) {
        h.append("<tr><th>").append(esc(k)).append("</th><td>").append(esc(v)).append("</td></tr>");
    }

    static String esc(String s) {
        if (s == null) {
            return "";
        }
        StringBuilder b = new StringBuilder(s.length());
        for (char c : s.toCharArray()) {
            switch (c) {
                case '&' -> b.append("&amp;");
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '"' -> b.append("&quot;");
                case '\'' -> b.append("&#39;");
                default -> b.append(c);
            }
        }
        return b.toString();
    }
}
