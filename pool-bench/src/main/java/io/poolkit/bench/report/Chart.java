package io.poolkit.bench.report;

import io.poolkit.bench.report.Report.Row;
import java.awt.Color;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.style.Styler;

/** The PNG: four bar charts (uncontended, throughput, oversubscribed latency, spike), one series per pool. */
final class Chart {
    private static final Color[] COLORS = {
        new Color(0xD6, 0x27, 0x28), new Color(0x1F, 0x77, 0xB4), new Color(0x2C, 0xA0, 0x2C),
        new Color(0xFF, 0x7F, 0x0E), new Color(0x94, 0x67, 0xBD), new Color(0x8C, 0x56, 0x4B)};

    private Chart() {
    }

    static void write(Report report, Path file) throws IOException {
        String mark = report.smoke() ? " [smoke: not a measurement]" : "";
        List<CategoryChart> charts = new ArrayList<>();
        charts.add(chart(report, "Uncontended, 1 thread, pool 10 (ns/op, log; lower is better)" + mark, "ns/op", true,
                row -> row.label().startsWith("uncontended"), Chart::shortUncontended));
        charts.add(chart(report, "Throughput (ops/µs; higher is better)" + mark, "ops/µs", false,
                row -> row.label().startsWith("throughput"), l -> l.replace("throughput, ", "").replace(" threads, pool ", "t / pool ")));
        charts.add(chart(report, "Oversubscribed latency (µs, log; lower is better)" + mark, "µs", true,
                row -> row.label().startsWith("oversubscribed") && row.unit().equals("µs"), Chart::shortLatency));
        charts.add(chart(report, "Spike: objects created, time (ms) (lower is better)" + mark, "", false,
                row -> row.label().startsWith("spike"), l -> l.startsWith("spike: resources") ? "created" : "time (ms)"));
        BitmapEncoder.saveBitmap(charts, 2, 2, file.toString(), BitmapEncoder.BitmapFormat.PNG);
    }

    private static CategoryChart chart(Report report, String title, String yTitle, boolean log, Predicate<Row> rows,
                                       java.util.function.UnaryOperator<String> label) {
        CategoryChart chart = new CategoryChartBuilder().width(900).height(520).title(title).yAxisTitle(yTitle).build();
        Styler styler = chart.getStyler();
        styler.setLegendPosition(Styler.LegendPosition.OutsideS);
        styler.setLegendLayout(Styler.LegendLayout.Horizontal);
        styler.setChartBackgroundColor(Color.WHITE);
        styler.setSeriesColors(COLORS);
        chart.getStyler().setYAxisLogarithmic(log);
        chart.getStyler().setXAxisLabelRotation(20);
        List<Row> selected = report.rows.stream().filter(rows).toList();
        List<String> categories = selected.stream().map(row -> label.apply(row.label())).toList();
        boolean any = false;
        double min = Double.MAX_VALUE;
        double max = 0;
        for (String impl : Results.IMPLS) {
            List<Double> values = new ArrayList<>();
            boolean complete = !selected.isEmpty();
            for (Row row : selected) {
                double v = row.of(impl);
                if (Double.isNaN(v) || (log && v <= 0)) {
                    complete = false;
                    break;
                }
                values.add(v);
            }
            // A category chart needs a value in every category: a pool missing from one is left out.
            if (complete) {
                chart.addSeries(Results.NAMES.get(impl), categories, values);
                any = true;
                for (double v : values) {
                    min = Math.min(min, v);
                    max = Math.max(max, v);
                }
            }
        }
        if (any && log) {
            // Bars on a log axis need an explicit floor above zero: the decade below the smallest value.
            chart.getStyler().setYAxisMin(Math.pow(10, Math.floor(Math.log10(min))));
            chart.getStyler().setYAxisMax(Math.pow(10, Math.ceil(Math.log10(max))));
        }
        if (!any) {
            chart.setTitle(title + " - no data in this run");
            chart.getStyler().setYAxisLogarithmic(false);
            chart.addSeries("no data", List.of("-"), List.of(0));
        }
        return chart;
    }

    private static String shortUncontended(String label) {
        return label.endsWith("default options") ? "default options" : "idle + lifetime on";
    }

    private static String shortLatency(String label) {
        String s = label.replace("oversubscribed ", "").replace(" threads / ", "t/").replace(" objects, ", ": ");
        return s.replace("worst acquire (every acquire timed)", "worst acquire");
    }
}
