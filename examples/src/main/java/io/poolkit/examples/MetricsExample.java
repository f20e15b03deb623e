package io.poolkit.examples;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.poolkit.Lease;
import io.poolkit.Pool;
import io.poolkit.micrometer.PoolMetrics;
import java.io.PrintStream;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/** Micrometer metrics for a pool: bind once, read gauges, counters and timers like any other meter. */
public final class MetricsExample {
    private MetricsExample() {
    }

    public static void main(String[] args) throws Exception {
        run(System.out, new SimpleMeterRegistry());
    }

    public static void run(PrintStream out, MeterRegistry registry) throws Exception {
        try (Pool<StringBuilder> pool = Pool.builder(StringBuilder::new).name("buffers").maxSize(4).build();
             PoolMetrics metrics = PoolMetrics.of(pool).tags("app", "example")) {
            metrics.bindTo(registry);
            for (int i = 0; i < 100; i++) {
                try (Lease<StringBuilder> lease = pool.acquire()) {
                    lease.get().setLength(0);
                    lease.get().append("request ").append(i);
                }
            }
            out.printf(Locale.ROOT, "poolkit.acquires = %.0f, poolkit.resources.created = %.0f, idle now = %.0f%n",
                    registry.get("poolkit.acquires").functionCounter().count(),
                    registry.get("poolkit.resources.created").functionCounter().count(),
                    registry.get("poolkit.resources").tag("state", "idle").gauge().value());
            out.printf(Locale.ROOT, "poolkit.lease: %d leases, mean hold %.3f ms%n",
                    registry.get("poolkit.lease").timer().count(),
                    registry.get("poolkit.lease").timer().mean(TimeUnit.MILLISECONDS));
        }
    }
}
