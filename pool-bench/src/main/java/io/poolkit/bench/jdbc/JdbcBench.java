package io.poolkit.bench.jdbc;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.results.format.ResultFormatType;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Runs {@link JdbcCycles} for poolkit, HikariCP and dbcp2 at 8 threads / 32 connections and 32
 * threads / 8 connections, and prints one table (throughput, and poolkit's ratio to HikariCP in the
 * same run).
 *
 * <pre>
 * java -cp pool-bench/target/pool-bench.jar:pool-bench/target/lib/* io.poolkit.bench.jdbc.JdbcBench smoke|quick|full [json-prefix]
 * </pre>
 *
 * smoke checks the harness (a fraction of a second per case, measures nothing); quick is 1 fork,
 * 2 x 1 s warm-up and 3 x 1 s measurement; full is 3 forks, 5 x 1 s and 5 x 2 s. Only a full run on
 * a quiet machine gives figures worth writing down.
 */
public final class JdbcBench {
    private JdbcBench() {
    }

    private record Scenario(int threads, int connections) {
    }

    public static void main(String[] args) throws Exception {
        String mode = args.length > 0 ? args[0] : "smoke";
        String json = args.length > 1 ? args[1] : null;
        List<Scenario> scenarios = List.of(new Scenario(8, 32), new Scenario(32, 8));
        Map<String, Double> score = new LinkedHashMap<>();
        Map<String, Double> error = new LinkedHashMap<>();
        for (Scenario s : scenarios) {
            ChainedOptionsBuilder o = new OptionsBuilder()
                    .include(JdbcCycles.class.getName() + "\\.")
                    .threads(s.threads())
                    .param("maxPoolSize", Integer.toString(s.connections()))
                    .jvmArgsAppend("-Xms1g", "-Xmx1g", "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn");
            switch (mode) {
                case "smoke" -> o.forks(1).warmupIterations(1).warmupTime(TimeValue.milliseconds(200))
                        .measurementIterations(1).measurementTime(TimeValue.milliseconds(300));
                case "quick" -> o.forks(1).warmupIterations(2).warmupTime(TimeValue.seconds(1))
                        .measurementIterations(3).measurementTime(TimeValue.seconds(1));
                case "full" -> o.forks(3).warmupIterations(5).warmupTime(TimeValue.seconds(1))
                        .measurementIterations(5).measurementTime(TimeValue.seconds(2));
                default -> throw new IllegalArgumentException("mode must be smoke, quick or full, but was " + mode);
            }
            if (json != null) {
                o.resultFormat(ResultFormatType.JSON).result(json + "-" + s.threads() + "t" + s.connections() + "c.json");
            }
            Collection<RunResult> results = new Runner(o.build()).run();
            for (RunResult r : results) {
                String bench = r.getParams().getBenchmark().replaceAll(".*\\.", "");
                String key = s.threads() + " threads / " + s.connections() + " connections|" + bench + "|" + r.getParams().getParam("pool");
                score.put(key, r.getPrimaryResult().getScore());
                error.put(key, r.getPrimaryResult().getScoreError());
            }
        }
        List<String> lines = new ArrayList<>();
        lines.add("| scenario | case | poolkit (ops/µs) | HikariCP 7 (ops/µs) | dbcp2 (ops/µs) | poolkit / HikariCP |");
        lines.add("|---|---|---|---|---|---|");
        for (Scenario s : scenarios) {
            for (String bench : List.of("connectionCycle", "statementCycle")) {
                String prefix = s.threads() + " threads / " + s.connections() + " connections|" + bench + "|";
                Double p = score.get(prefix + "poolkit");
                Double h = score.get(prefix + "hikari");
                Double d = score.get(prefix + "dbcp2");
                lines.add(String.format(Locale.ROOT, "| %d threads / %d connections | %s | %s | %s | %s | %s |", s.threads(), s.connections(),
                        bench, cell(p, error.get(prefix + "poolkit")), cell(h, error.get(prefix + "hikari")),
                        cell(d, error.get(prefix + "dbcp2")), p == null || h == null ? "-" : String.format(Locale.ROOT, "%.2f", p / h)));
            }
        }
        System.out.println();
        System.out.println("JDBC benchmark (" + mode + ")");
        lines.forEach(System.out::println);
    }

    private static String cell(Double score, Double error) {
        if (score == null) {
            return "-";
        }
        return Double.isNaN(error) ? String.format(Locale.ROOT, "%.2f", score) : String.format(Locale.ROOT, "%.2f ± %.2f", score, error);
    }
}
