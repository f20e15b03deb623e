package io.poolkit.bench.pools;

import com.zaxxer.hikari.util.ConcurrentBag;
import io.poolkit.bench.Res;
import io.poolkit.bench.Settings;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * HikariCP 7's {@code ConcurrentBag}, the engine of HikariPool, filled with {@code size} entries;
 * {@code borrow(timeout)} and {@code requite(entry)}. The bag has no lifecycle rules of its own:
 * {@code timed} adds what HikariPool does around it — on borrow, a clock read, the lifetime check
 * and validation when the entry was idle past the bypass window; on return, the clock read that
 * stamps {@code lastAccessed}; and a housekeeper thread that retires idle entries.
 */
@State(Scope.Benchmark)
public class HikariBagState {
    private static final long TIMEOUT_MS = Settings.ACQUIRE_TIMEOUT.toMillis();
    private static final long LIFETIME = Settings.MAX_LIFETIME.toNanos();
    private static final long IDLE_TIMEOUT = Settings.IDLE_TIMEOUT.toNanos();
    private static final long VALIDATE_AFTER_IDLE = Settings.VALIDATE_AFTER_IDLE.toNanos();

    /** Entries in the bag. */
    @Param("10")
    public int size;

    /** {@value Settings#DEFAULT} or {@value Settings#TIMED}. */
    @Param(Settings.DEFAULT)
    public String config;

    /** The bag under test. */
    public ConcurrentBag<BagEntry> bag;
    private boolean timed;
    private ScheduledExecutorService housekeeper;

    /** Builds and fills the bag. */
    @Setup(Level.Trial)
    public void open() {
        timed = Settings.timed(config);
        // Every entry is added up front, so the bag never asks for one: the listener has nothing to do.
        bag = new ConcurrentBag<>(waiting -> { });
        for (int i = 0; i < size; i++) {
            bag.add(new BagEntry(new Res()));
        }
        if (timed) {
            housekeeper = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "bench-hikari-housekeeper");
                t.setDaemon(true);
                return t;
            });
            long every = Settings.HOUSEKEEPING.toMillis();
            housekeeper.scheduleWithFixedDelay(this::retireIdle, every, every, TimeUnit.MILLISECONDS);
        }
        Warm.check("hikari-bag", size, bag.getCount(ConcurrentBag.IConcurrentBagEntry.STATE_NOT_IN_USE));
    }

    /**
     * Borrows an entry, as HikariPool's {@code getConnection} does around the bag.
     *
     * @return the entry
     * @throws InterruptedException when interrupted while waiting
     */
    public BagEntry borrow() throws InterruptedException {
        while (true) {
            BagEntry entry = bag.borrow(TIMEOUT_MS, TimeUnit.MILLISECONDS);
            if (entry == null) {
                throw new IllegalStateException("hikari-bag: borrow timed out");
            }
            if (!timed) {
                return entry;
            }
            long now = System.nanoTime();
            boolean expired = now - entry.res.bornNanos() > LIFETIME;
            if (!expired && (now - entry.lastAccessedNanos < VALIDATE_AFTER_IDLE || entry.res.isValid())) {
                return entry;
            }
            replace(entry);
        }
    }

    /**
     * Returns an entry, stamping {@code lastAccessed} when timed.
     *
     * @param entry what {@link #borrow()} gave
     */
    public void requite(BagEntry entry) {
        if (timed) {
            entry.lastAccessedNanos = System.nanoTime();
        }
        bag.requite(entry);
    }

    private void replace(BagEntry entry) {
        if (bag.remove(entry)) {
            bag.add(new BagEntry(new Res()));
        }
    }

    private void retireIdle() {
        long now = System.nanoTime();
        for (BagEntry entry : bag.values(ConcurrentBag.IConcurrentBagEntry.STATE_NOT_IN_USE)) {
            if (now - entry.lastAccessedNanos > IDLE_TIMEOUT && bag.reserve(entry)) {
                replace(entry);
            }
        }
    }

    /** Stops the housekeeper and closes the bag. */
    @TearDown(Level.Trial)
    public void close() {
        if (housekeeper != null) {
            housekeeper.shutdownNow();
        }
        bag.close();
    }
}
