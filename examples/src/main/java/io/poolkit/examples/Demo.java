package io.poolkit.examples;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The README's demo: a tour of poolkit's pools. Each stage runs the same work without a pool and
 * with one, shows its progress while it runs, and the tour ends with a table of the two times and
 * what the pool did.
 */
public final class Demo {
    private Demo() {
    }

    /** What one stage measured. */
    public record Row(String pool, String work, long unpooledMillis, long pooledMillis, String stats) {
        double speedup() {
            return (double) unpooledMillis / Math.max(1, pooledMillis);
        }
    }

    /** One stage of the tour. */
    @FunctionalInterface
    public interface Stage {
        Row run(Progress progress) throws Exception;
    }

    /**
     * How much work each stage does: {@code FULL} for the README's demo, {@code SMOKE} (a quarter,
     * at least 6 steps) for the test that checks every stage still runs and still wins.
     */
    public enum Size {
        FULL, SMOKE;

        /** The steps of a stage whose full size is {@code full}. */
        public int of(int full) {
            return this == FULL ? full : Math.max(6, full / 4);
        }
    }

    public static void main(String[] args) throws Exception {
        tour(System.out, stages(), Size.FULL);
    }

    static List<Stage> stages() {
        List<Stage> stages = new ArrayList<>();
        stages.add(CustomFactoryExample::demoStage);
        stages.add(JdbcExample::demoStage);
        stages.add(SshExample::demoStage);
        stages.add(SessionExample::demoStage);
        if (SessionExample.pythonAvailable()) {
            stages.add(SessionExample::pythonDemoStage);
        }
        return stages;
    }

    /** Runs every stage at {@code size}, printing progress as it goes, then the table. */
    public static List<Row> tour(PrintStream out, List<Stage> stages, Size size) throws Exception {
        out.println("poolkit demo: the same work without a pool and with one");
        out.println();
        List<Row> rows = new ArrayList<>();
        for (Stage stage : stages) {
            rows.add(stage.run(new Progress(out, size)));
        }
        out.println();
        out.printf("%-22s %-46s %12s %12s %8s%n", "pool", "work", "unpooled ms", "pooled ms", "speedup");
        for (Row r : rows) {
            out.printf(Locale.ROOT, "%-22s %-46s %12d %12d %7.1fx%n", r.pool(), r.work(), r.unpooledMillis(),
                    r.pooledMillis(), r.speedup());
        }
        out.println();
        for (Row r : rows) {
            out.printf("%s: %s%n", r.pool(), r.stats());
        }
        return rows;
    }

    /** Live progress of a stage: one line, rewritten in place on a terminal, a line per step otherwise. */
    public static final class Progress {
        private final PrintStream out;
        private final Size size;
        private final boolean terminal = System.console() != null;
        private long lastPrint;

        Progress(PrintStream out, Size size) {
            this.out = out;
            this.size = size;
        }

        /** The steps this tour gives a stage whose full size is {@code full}. */
        public int steps(int full) {
            return size.of(full);
        }

        /** Reports {@code done} of {@code total} steps of {@code what}. */
        public void update(String what, int done, int total) {
            long now = System.nanoTime();
            boolean last = done >= total;
            if (!last && now - lastPrint < 200_000_000L) {
                return;
            }
            lastPrint = now;
            String line = String.format(Locale.ROOT, "  %-40s %5d/%d", what, done, total);
            if (terminal) {
                out.print("\r" + line + (last ? "\n" : ""));
            } else if (last) {
                out.println(line);
            }
            out.flush();
        }

        public void say(String text) {
            out.println(text);
        }
    }
}
