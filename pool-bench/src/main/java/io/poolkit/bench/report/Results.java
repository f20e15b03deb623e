package io.poolkit.bench.report;

import io.poolkit.bench.Json;
import io.poolkit.bench.pools.PoolkitState;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/** What one run left in its directory, read back: JMH's JSON, the acquire log, the spike and the run's facts. */
final class Results {
    /** Column order: poolkit first, then the anchors. */
    static final List<String> IMPLS = List.of("poolkit", "stormpot", "commonsPool2", "hikariBag", "vibur", "viburUnfair");
    static final Map<String, String> NAMES = Map.of(
            "poolkit", "poolkit",
            "stormpot", "Stormpot 4.1",
            "commonsPool2", "commons-pool2 2.13.1",
            "hikariBag", "HikariCP 7.0.2 bag",
            "vibur", "vibur 26 (fair)",
            "viburUnfair", "vibur 26 (unfair)");

    /** One JMH benchmark result. */
    record Bench(String cls, String method, String impl, int threads, Map<String, String> params, String mode,
                 double score, double error, String unit, Map<String, Double> percentiles, Map<String, Double> secondary,
                 Map<String, String> secondaryUnits) {
        String param(String key) {
            return params.getOrDefault(key, "");
        }
    }

    /** Every acquire of one benchmark, timed (threads and forks merged); {@code over8ms} is -1 in logs older than the field. */
    record Waits(long count, long worstNanos, long atLeast1ms, long over8ms, long atLeast10ms) {
    }

    final Map<String, Object> run;
    final List<Bench> benches = new ArrayList<>();
    final Map<String, Waits> waits = new HashMap<>();
    final Map<String, Object> spike;

    @SuppressWarnings("unchecked")
    Results(Path dir) throws IOException {
        Path runFile = dir.resolve("run.json");
        run = Files.exists(runFile) ? (Map<String, Object>) Json.read(runFile) : Map.of();
        Path jmh = dir.resolve("jmh.json");
        if (Files.exists(jmh)) {
            for (Object o : (List<Object>) Json.read(jmh)) {
                benches.add(bench((Map<String, Object>) o));
            }
        }
        Path log = dir.resolve("acquire-waits.jsonl");
        if (Files.exists(log)) {
            for (String line : Files.readAllLines(log, StandardCharsets.UTF_8)) {
                if (line.isBlank()) {
                    continue;
                }
                Map<String, Object> m = (Map<String, Object>) Json.parse(line);
                Map<String, String> params = new TreeMap<>();
                ((Map<String, Object>) m.get("params")).forEach((k, v) -> params.put(k, String.valueOf(v)));
                String key = key((String) m.get("benchmark"), (int) Json.number(m.get("threads")), params);
                Waits w = new Waits((long) Json.number(m.get("count")), (long) Json.number(m.get("worstNanos")),
                        (long) Json.number(m.get("atLeast1ms")), m.containsKey("over8ms") ? (long) Json.number(m.get("over8ms")) : -1,
                        (long) Json.number(m.get("atLeast10ms")));
                waits.merge(key, w, (a, b) -> new Waits(a.count + b.count, Math.max(a.worstNanos, b.worstNanos),
                        a.atLeast1ms + b.atLeast1ms, a.over8ms < 0 || b.over8ms < 0 ? -1 : a.over8ms + b.over8ms,
                        a.atLeast10ms + b.atLeast10ms));
            }
        }
        Path spikeFile = dir.resolve("spike.json");
        spike = Files.exists(spikeFile) ? (Map<String, Object>) Json.read(spikeFile) : Map.of();
    }

    @SuppressWarnings("unchecked")
    private static Bench bench(Map<String, Object> m) {
        String name = (String) m.get("benchmark");
        int dot = name.lastIndexOf('.');
        String method = name.substring(dot + 1);
        String cls = name.substring(name.lastIndexOf('.', dot - 1) + 1, dot);
        Map<String, String> params = new TreeMap<>();
        Object p = m.get("params");
        if (p instanceof Map<?, ?> pm) {
            pm.forEach((k, v) -> params.put(String.valueOf(k), String.valueOf(v)));
        }
        String impl = method.equals("vibur") && "false".equals(params.get("fair")) ? "viburUnfair" : method;
        Map<String, Object> primary = (Map<String, Object>) m.get("primaryMetric");
        Map<String, Double> percentiles = new LinkedHashMap<>();
        Object pct = primary.get("scorePercentiles");
        if (pct instanceof Map<?, ?> pctMap) {
            pctMap.forEach((k, v) -> percentiles.put(String.valueOf(k), Json.number(v)));
        }
        Map<String, Double> secondary = new LinkedHashMap<>();
        Map<String, String> secondaryUnits = new LinkedHashMap<>();
        Object sec = m.get("secondaryMetrics");
        if (sec instanceof Map<?, ?> secMap) {
            secMap.forEach((k, v) -> {
                Map<String, Object> metric = (Map<String, Object>) v;
                String key = String.valueOf(k).replace("\u00b7", "");
                secondary.put(key, Json.number(metric.get("score")));
                secondaryUnits.put(key, String.valueOf(metric.get("scoreUnit")));
            });
        }
        return new Bench(cls, method, impl, (int) Json.number(m.get("threads")), params, (String) m.get("mode"),
                Json.number(primary.get("score")), Json.number(primary.get("scoreError")), (String) primary.get("scoreUnit"),
                percentiles, secondary, secondaryUnits);
    }

    static String key(String benchmark, int threads, Map<String, String> params) {
        return benchmark + "|" + threads + "|" + new TreeMap<>(params);
    }

    Optional<Waits> waitsOf(Bench b) {
        return Optional.ofNullable(waits.get(key("io.poolkit.bench." + b.cls() + "." + b.method(), b.threads(), b.params())));
    }

    /**
     * A result with default options: for poolkit the default {@code fairness}.
     *
     * @param cls the benchmark class
     * @param impl the column
     * @param threads the thread count
     * @param size the pool size
     * @param config the options, or null when the class has none
     * @return the result, if the run has it
     */
    Optional<Bench> find(String cls, String impl, int threads, String size, String config) {
        return find(cls, impl, threads, size, config, PoolkitState.DEFAULT_FAIRNESS);
    }

    /**
     * @param cls the benchmark class
     * @param impl the column
     * @param threads the thread count
     * @param size the pool size
     * @param config the options, or null when the class has none
     * @param fairness poolkit's {@code fairness} parameter (a result without one, an anchor's or an
     *     older run's, counts as the default)
     * @return the result, if the run has it
     */
    Optional<Bench> find(String cls, String impl, int threads, String size, String config, String fairness) {
        return benches.stream()
                .filter(b -> b.cls().equals(cls) && b.impl().equals(impl) && b.threads() == threads)
                .filter(b -> size == null || b.param("size").equals(size))
                .filter(b -> config == null || b.param("config").equals(config))
                .filter(b -> (b.param("fairness").isEmpty() ? PoolkitState.DEFAULT_FAIRNESS : b.param("fairness")).equals(fairness))
                .findFirst();
    }

    /**
     * @param cycle {@code connectionCycle} or {@code statementCycle}
     * @param pool {@code poolkit}, {@code hikari} or {@code dbcp2}
     * @param threads the thread count
     * @param connections the pool size
     * @return the JDBC result, if the run has it
     */
    Optional<Bench> jdbc(String cycle, String pool, int threads, int connections) {
        return benches.stream()
                .filter(b -> b.cls().equals("JdbcCycles") && b.method().equals(cycle) && b.threads() == threads)
                .filter(b -> b.param("pool").equals(pool) && b.param("maxPoolSize").equals(String.valueOf(connections)))
                .findFirst();
    }

    String mode() {
        return String.valueOf(run.getOrDefault("mode", "unknown"));
    }

    @SuppressWarnings("unchecked")
    Map<String, Object> spikeMedian(String impl) {
        Object pools = spike.get("pools");
        if (pools instanceof Map<?, ?> pm && pm.get(impl) instanceof Map<?, ?> entry) {
            return (Map<String, Object>) entry.get("median");
        }
        return null;
    }
}
