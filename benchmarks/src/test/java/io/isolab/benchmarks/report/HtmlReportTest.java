package io.isolab.benchmarks.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.isolab.benchmarks.Synthetic;
import io.isolab.benchmarks.results.BenchResults;
import io.isolab.benchmarks.workload.Workload;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The renderer, on synthetic results (made up, not measured: see {@link Synthetic}). */
class HtmlReportTest {

    private static int count(String text, String regex) {
        Matcher m = Pattern.compile(regex).matcher(text);
        int n = 0;
        while (m.find()) {
            n++;
        }
        return n;
    }

    @Test
    void oneChartPerWorkloadPlusThePhasesAllInlineSvg() {
        String html = HtmlReport.render(Synthetic.results(1, 1.0));
        assertEquals(Workload.values().length + 1, count(html, "<svg "), "a chart per workload and the phase breakdown");
        for (Workload w : Workload.values()) {
            assertTrue(html.contains("id='chart-" + w.key() + "'"), w.key());
        }
        assertTrue(html.contains("id='chart-phases'"));
    }

    @Test
    void selfContainedNothingIsFetched() {
        String html = HtmlReport.render(Synthetic.results(1, 1.0));
        assertFalse(html.contains("<script"), "no script");
        assertFalse(Pattern.compile("(src|href)\\s*=\\s*[\"'](https?:)?//").matcher(html).find(), "no external resource");
        assertFalse(html.contains("<link"), "no stylesheet link");
        assertFalse(html.contains("@import"));
    }

    @Test
    void summaryMatrixEnvironmentAndReasonsAreShown() {
        String html = HtmlReport.render(Synthetic.results(1, 1.0));
        assertTrue(html.contains("Summary: cost relative to native"));
        assertTrue(Pattern.compile("<b>15\\.\\d\\d×</b>").matcher(html).find(), "crun's startup ratio with its interval");
        assertTrue(html.contains("libvirtd not reachable"), "an unavailable target says why");
        assertTrue(html.contains("class=\"bad\""), "the matrix's disagreement is marked");
        assertTrue(html.contains("Synthetic CPU"));
        assertTrue(html.contains("1.0 &lt;test&gt;"), "text is escaped");
        assertTrue(html.contains("kvm"));
        assertTrue(html.contains("within them: boot"), "a backend's own phases are listed, not stacked");
    }

    @Test
    void csvHasOneRowPerCellAndTheTextTableNamesUnavailableTargets() {
        BenchResults r = Synthetic.results(1, 1.0);
        String csv = SummaryCsv.of(r);
        assertEquals(r.cells().size() + 1, csv.lines().count());
        assertTrue(csv.lines().anyMatch(l -> l.startsWith("startup,crun,measured,wall_ns,ms,19,1,")), csv);
        String text = TextTable.summary(r);
        assertTrue(text.contains("hypervisor: libvirtd not reachable (fix: isolab setup hypervisor)"), text);
    }

    @Test
    void resultsSurviveAJsonRoundTrip() throws Exception {
        BenchResults r = Synthetic.results(1, 1.0);
        Path file = Files.createTempFile("isolab-results-", ".json");
        try {
            r.write(file);
            BenchResults back = BenchResults.read(file);
            assertEquals(r.cells().size(), back.cells().size());
            assertEquals(TextTable.summary(r), TextTable.summary(back));
            assertTrue(Files.readString(file).contains("\"wall_nanos\""), "snake_case, as the probe's JSON");
        } finally {
            Files.deleteIfExists(file);
        }
    }
}
