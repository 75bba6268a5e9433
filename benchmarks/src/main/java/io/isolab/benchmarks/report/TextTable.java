package io.isolab.benchmarks.report;

import io.isolab.benchmarks.matrix.Finding;
import io.isolab.benchmarks.matrix.MatrixRow;
import io.isolab.benchmarks.matrix.Property;
import io.isolab.benchmarks.results.BenchResults;
import io.isolab.benchmarks.results.Cell;
import io.isolab.benchmarks.results.TargetInfo;
import io.isolab.benchmarks.stats.Analysis;
import io.isolab.benchmarks.stats.CellAnalysis;
import io.isolab.benchmarks.stats.Comparison;
import io.isolab.benchmarks.stats.Goals;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** The summary as plain text for the terminal: one line per target and workload. */
public final class TextTable {
    private TextTable() {
    }

    public static String summary(BenchResults results) {
        List<CellAnalysis> cells = Analysis.of(results);
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"WORKLOAD", "TARGET", "N", "MEDIAN", "P95", "P99", "CV", "x NATIVE [95% CI]", "NOTE"});
        String lastWorkload = null;
        for (CellAnalysis a : cells) {
            String w = a.cell().workload();
            String wl = w.equals(lastWorkload) ? "" : w;
            lastWorkload = w;
            if (!a.measured()) {
                if (a.cell().status().equals(Cell.FAILED)) {
                    rows.add(new String[] {wl, a.cell().target(), "0", "-", "-", "-", "-", "-", "FAILED: " + shorten(a.cell().reason())});
                } else {
                    lastWorkload = wl.isEmpty() ? lastWorkload : null; // unavailable rows are listed once, below
                }
                continue;
            }
            String unit = " " + a.metric().unit();
            List<String> notes = new ArrayList<>();
            if (a.noisy()) {
                notes.add("noisy");
            }
            if (a.failures() > 0) {
                notes.add(a.failures() + " failed");
            }
            if (a.metric().key().equals("wall_ns") && !w.equals("startup")) {
                notes.add("wall clock (probe gave no " + io.isolab.benchmarks.workload.Workload.fromKey(w).metric().key() + ")");
            }
            if (a.summary().median() == 0) {
                notes.add("median 0: the clock inside is coarser than what it measures");
            }
            String note = String.join(", ", notes);
            rows.add(new String[] {wl, a.cell().target(), Integer.toString(a.summary().n()),
                    Format.number(a.summary().median()) + unit, Format.number(a.summary().p95()),
                    Format.number(a.summary().p99()), String.format(Locale.ROOT, "%.1f%%", a.summary().cv() * 100),
                    a.ratio() == null ? (a.cell().target().equals(Analysis.NATIVE) ? "1 (reference)" : "-") : Format.ratio(a.ratio()),
                    note});
        }
        StringBuilder sb = new StringBuilder(render(rows));
        sb.append("\nlaunch-latency targets (startup medians, this run):\n");
        for (Goals.Outcome o : Goals.check(results)) {
            sb.append("  ").append(o.goal().issue()).append(' ').append(o.goal().text()).append(": ")
                    .append(o.ratio() == null ? "" : Format.ratio(o.ratio()) + " ")
                    .append(o.verdict().name().toLowerCase(Locale.ROOT).replace('_', ' '))
                    .append(o.why() == null ? "" : " (" + shorten(o.why()) + ")").append('\n');
            List<Goals.PhaseMedians> phases = o.ratio() == null ? List.of() : Goals.breakdown(results, o.goal());
            if (!phases.isEmpty()) {
                List<String[]> b = new ArrayList<>();
                b.add(new String[] {"    median ms", o.goal().target(), o.goal().reference(), "difference"});
                for (Goals.PhaseMedians p : phases) {
                    b.add(new String[] {"    " + p.phase(), ms(p.targetMs()), ms(p.referenceMs()),
                            p.targetMs() == null || p.referenceMs() == null ? ""
                                    : String.format(Locale.ROOT, "%+.0f", p.targetMs() - p.referenceMs())});
                }
                sb.append(render(b));
            }
        }
        List<TargetInfo> missing = results.targets().stream().filter(t -> !t.available()).toList();
        if (!missing.isEmpty()) {
            sb.append("\nnot run here:\n");
            for (TargetInfo t : missing) {
                sb.append("  ").append(t.id()).append(": ").append(t.reason())
                        .append(t.remedy().isEmpty() ? "" : " (fix: " + t.remedy() + ")").append('\n');
            }
        }
        return sb.toString();
    }

    private static String ms(Double v) {
        return v == null ? "-" : String.format(Locale.ROOT, "%.0f", v);
    }

    public static String comparison(List<Comparison.Change> changes) {
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"WORKLOAD", "TARGET", "MEDIAN A", "MEDIAN B", "CHANGE", "P (MANN-WHITNEY)", "VERDICT"});
        for (Comparison.Change c : changes) {
            String verdict = !c.significant() ? "no significant change" : c.worse() ? "WORSE" : "better";
            rows.add(new String[] {c.workload(), c.target(), Format.number(c.medianA()) + " " + c.unit(),
                    Format.number(c.medianB()) + " " + c.unit(), String.format(Locale.ROOT, "%+.1f%%", c.change() * 100),
                    String.format(Locale.ROOT, "%.3g", c.p()), verdict});
        }
        return render(rows) + "significance: two-sided Mann-Whitney U, Holm-corrected over " + changes.size()
                + " cells, alpha 0.05\n";
    }

    /** The isolation matrix: Y isolated/enforced, n not, - not measured; "!" marks a contradiction of the declaration. */
    public static String matrix(List<MatrixRow> rows) {
        List<String[]> table = new ArrayList<>();
        String[] head = new String[Property.values().length + 1];
        head[0] = "TARGET";
        for (Property p : Property.values()) {
            head[p.ordinal() + 1] = p.label().toUpperCase(Locale.ROOT);
        }
        table.add(head);
        StringBuilder problems = new StringBuilder();
        StringBuilder undersold = new StringBuilder();
        StringBuilder unmeasured = new StringBuilder();
        for (MatrixRow r : rows) {
            String[] line = new String[head.length];
            line[0] = r.target();
            for (Property p : Property.values()) {
                Finding f = r.findings().get(p);
                String mark = !r.available() ? "" : f == null || f.isolated() == null ? "-" : f.isolated() ? "Y" : "n";
                String declared = !r.available() || f == null ? "" : f.promised() ? "(d)" : "";
                line[p.ordinal() + 1] = mark + declared + (f == null ? "" : f.disagrees() ? "!" : f.undeclared() ? "+" : "");
                if (f != null && f.disagrees()) {
                    problems.append("  ").append(r.target()).append(": ").append(p.label())
                            .append(" is declared but not delivered (").append(f.detail()).append(")\n");
                } else if (f != null && f.promised() && f.isolated() == null) {
                    unmeasured.append("  ").append(r.target()).append(": ").append(p.label())
                            .append(" is declared but could not be measured: ").append(f.detail()).append("\n");
                } else if (f != null && f.undeclared() && !r.target().equals("host")) {
                    undersold.append("  ").append(r.target()).append(": ").append(p.label())
                            .append(" holds without being declared (").append(f.detail()).append(")\n");
                }
            }
            table.add(line);
        }
        StringBuilder sb = new StringBuilder(render(table));
        sb.append("Y isolated/enforced, n not, - not measured, (d) declared by the target;"
                + " ! declared but measured not to hold, + holds without being declared\n");
        for (MatrixRow r : rows) {
            if (!r.available()) {
                sb.append("  ").append(r.target()).append(": not measured: ").append(r.reason()).append('\n');
            }
        }
        if (unmeasured.length() > 0) {
            sb.append("not measured:\n").append(unmeasured);
        }
        if (undersold.length() > 0) {
            sb.append("more than declared (not a bug):\n").append(undersold);
        }
        if (problems.length() > 0) {
            sb.append("DISAGREEMENTS:\n").append(problems);
        } else {
            sb.append("every measured property agrees with what each target declares\n");
        }
        return sb.toString();
    }

    private static String shorten(String s) {
        if (s == null) {
            return "";
        }
        return s.length() > 90 ? s.substring(0, 87) + "..." : s;
    }

    static String render(List<String[]> rows) {
        int cols = rows.get(0).length;
        int[] width = new int[cols];
        for (String[] r : rows) {
            for (int i = 0; i < cols; i++) {
                width[i] = Math.max(width[i], r[i].length());
            }
        }
        StringBuilder sb = new StringBuilder();
        for (String[] r : rows) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < cols; i++) {
                line.append(i == cols - 1 ? r[i] : String.format("%-" + width[i] + "s  ", r[i]));
            }
            sb.append(line.toString().stripTrailing()).append('\n');
        }
        return sb.toString();
    }
}
