package io.isolab.benchmarks.report;

import io.isolab.benchmarks.stats.CellAnalysis;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Rectangle;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.CategoryAxis;
import org.jfree.chart.axis.CategoryLabelPositions;
import org.jfree.chart.axis.LogarithmicAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.axis.ValueAxis;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.renderer.category.BoxAndWhiskerRenderer;
import org.jfree.chart.renderer.category.StackedBarRenderer;
import org.jfree.chart.renderer.category.StandardBarPainter;
import org.jfree.chart.renderer.category.StatisticalBarRenderer;
import org.jfree.data.category.DefaultCategoryDataset;
import org.jfree.data.statistics.DefaultBoxAndWhiskerCategoryDataset;
import org.jfree.data.statistics.DefaultStatisticalCategoryDataset;
import org.jfree.svg.SVGGraphics2D;

/** The report's charts, drawn by JFreeChart into JFreeSVG's Graphics2D: inline SVG, no scripts, no fetches. */
final class Charts {
    static final int WIDTH = 760;
    static final int HEIGHT = 340;
    private static final Font LABEL = new Font(Font.SANS_SERIF, Font.PLAIN, 11);
    private static final Color BAR = new Color(0x3b6fb6);
    private static final Color[] PHASES = {new Color(0x3b6fb6), new Color(0xe08a2c), new Color(0x4aa564),
            new Color(0xc8453f), new Color(0x8a63b8), new Color(0x7b5a4a), new Color(0xd279b8), new Color(0x7f7f7f)};

    private Charts() {
    }

    /** Bars at the mean with ±1 standard deviation as error bars, one per target. */
    static String bars(String id, String title, List<CellAnalysis> cells) {
        DefaultStatisticalCategoryDataset data = new DefaultStatisticalCategoryDataset();
        String unit = cells.get(0).metric().unit();
        for (CellAnalysis a : cells) {
            data.add(a.summary().mean(), a.summary().stdev(), "mean ± sd", a.cell().target());
        }
        StatisticalBarRenderer renderer = new StatisticalBarRenderer();
        renderer.setBarPainter(new StandardBarPainter());
        renderer.setShadowVisible(false);
        renderer.setSeriesPaint(0, BAR);
        renderer.setErrorIndicatorPaint(Color.BLACK);
        renderer.setErrorIndicatorStroke(new BasicStroke(1.2f));
        renderer.setMaximumBarWidth(0.08);
        NumberAxis axis = new NumberAxis(unit);
        axis.setAutoRangeIncludesZero(true);
        CategoryPlot plot = new CategoryPlot(data, categoryAxis(), axis, renderer);
        plot.setOrientation(PlotOrientation.VERTICAL);
        return svg(id, chart(title, plot, false));
    }

    /** Box plots of every sample (median, quartiles, whiskers), on a log axis when targets span decades. */
    static String distribution(String id, String title, List<CellAnalysis> cells) {
        DefaultBoxAndWhiskerCategoryDataset data = new DefaultBoxAndWhiskerCategoryDataset();
        double min = Double.MAX_VALUE;
        double max = 0;
        for (CellAnalysis a : cells) {
            List<Double> values = new ArrayList<>();
            for (double v : a.values()) {
                values.add(v);
            }
            data.add(values, "samples", a.cell().target());
            min = Math.min(min, Arrays.stream(a.values()).min().orElse(min));
            max = Math.max(max, Arrays.stream(a.values()).max().orElse(max));
        }
        BoxAndWhiskerRenderer renderer = new BoxAndWhiskerRenderer();
        renderer.setSeriesPaint(0, BAR);
        renderer.setFillBox(true);
        renderer.setMeanVisible(false);
        renderer.setMaximumBarWidth(0.08);
        String unit = cells.get(0).metric().unit();
        ValueAxis axis;
        if (min > 0 && max / min > 30) {
            // LogarithmicAxis labels 1-2-5-style values rather than LogAxis's fractional powers of ten
            LogarithmicAxis log = new LogarithmicAxis(unit + " (log scale)");
            log.setStrictValuesFlag(false);
            log.setAutoRangeNextLogFlag(true);
            axis = log;
        } else {
            axis = new NumberAxis(unit);
        }
        CategoryPlot plot = new CategoryPlot(data, categoryAxis(), axis, renderer);
        return svg(id, chart(title, plot, false));
    }

    /** Stacked medians of each phase the backends report, one bar per target. */
    static String phases(String id, String title, Map<String, Map<String, Double>> medianMsByTarget) {
        DefaultCategoryDataset data = new DefaultCategoryDataset();
        Set<String> phaseNames = new LinkedHashSet<>();
        medianMsByTarget.values().forEach(m -> phaseNames.addAll(m.keySet()));
        for (String phase : phaseNames) {
            for (Map.Entry<String, Map<String, Double>> t : medianMsByTarget.entrySet()) {
                data.addValue(t.getValue().getOrDefault(phase, 0.0), phase, t.getKey());
            }
        }
        StackedBarRenderer renderer = new StackedBarRenderer();
        renderer.setBarPainter(new StandardBarPainter());
        renderer.setShadowVisible(false);
        renderer.setMaximumBarWidth(0.12);
        for (int i = 0; i < phaseNames.size(); i++) {
            renderer.setSeriesPaint(i, PHASES[i % PHASES.length]);
        }
        CategoryPlot plot = new CategoryPlot(data, categoryAxis(), new NumberAxis("ms (median of each phase)"), renderer);
        plot.setOrientation(PlotOrientation.HORIZONTAL);
        return svg(id, chart(title, plot, true));
    }

    private static CategoryAxis categoryAxis() {
        CategoryAxis axis = new CategoryAxis();
        axis.setTickLabelFont(LABEL);
        axis.setCategoryLabelPositions(CategoryLabelPositions.STANDARD);
        return axis;
    }

    private static JFreeChart chart(String title, CategoryPlot plot, boolean legend) {
        plot.setBackgroundPaint(Color.WHITE);
        plot.setRangeGridlinePaint(new Color(0xdddddd));
        plot.setOutlineVisible(false);
        JFreeChart chart = new JFreeChart(title, new Font(Font.SANS_SERIF, Font.BOLD, 14), plot, legend);
        chart.setBackgroundPaint(Color.WHITE);
        chart.setAntiAlias(true);
        return chart;
    }

    private static String svg(String id, JFreeChart chart) {
        SVGGraphics2D g = new SVGGraphics2D(WIDTH, HEIGHT);
        // several SVGs share one document: their clip-path ids must not collide
        g.setDefsKeyPrefix(id + "-");
        chart.draw(g, new Rectangle(0, 0, WIDTH, HEIGHT));
        return g.getSVGElement(id);
    }
}
