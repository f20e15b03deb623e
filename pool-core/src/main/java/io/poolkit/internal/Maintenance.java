package io.poolkit.internal;

import io.poolkit.DestroyReason;
import io.poolkit.Scheduler;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Background upkeep of one pool, run on the scheduler: idle eviction above minIdle, expiry of idle
 * resources past their lifetime, keepalive validation, leak reports, and the minIdle refill. Each
 * run schedules the next one at the earliest deadline it saw (never later than
 * {@code maintenanceInterval}), so every time check fires on time, not only every interval.
 */
final class Maintenance<T> {
    private static final Logger log = LoggerFactory.getLogger(Maintenance.class);
    /** The shortest pause between runs, so a deadline that cannot be served now never spins. */
    private static final long MIN_DELAY = TimeUnit.MILLISECONDS.toNanos(1);

    private final String name;
    private final Hooks<T> hooks;
    private final PoolRuntime runtime;
    private final Clock clock;
    private final Listeners<T> listeners;
    private final Counters counters;
    private final SlotTable<T> table;
    private final Gate gate;
    private final Creator<T> creator;
    private final Destroyer<T> destroyer;
    private final Dispatcher<T> dispatcher;
    private final long validationTimeoutNanos;
    /** The leak-report threshold (written by setLeakDetection), or NEVER. */
    volatile long leakNanos;
    private final long interval;
    private final long idleTimeout;
    private final long keepalive;
    private final long shortestLifetime;
    private final ReentrantLock lock = new ReentrantLock();
    private Scheduler.Cancellable next;
    private long nextAt;
    private boolean stopped;

    Maintenance(PoolContext<T> ctx, Creator<T> creator, Destroyer<T> destroyer, Dispatcher<T> dispatcher) {
        this.name = ctx.name();
        this.hooks = ctx.hooks();
        this.runtime = ctx.runtime();
        this.clock = ctx.clock();
        this.listeners = ctx.listeners();
        this.counters = ctx.counters();
        this.table = ctx.table();
        this.gate = ctx.gate();
        this.creator = creator;
        this.destroyer = destroyer;
        this.dispatcher = dispatcher;
        Config c = ctx.config();
        this.validationTimeoutNanos = Durations.toNanos(c.validationTimeout);
        this.leakNanos = Durations.toNanos(c.leakDetection);
        this.interval = Durations.toNanos(c.maintenanceInterval);
        this.idleTimeout = Durations.toNanos(c.idleTimeout);
        this.keepalive = Durations.toNanos(c.keepaliveInterval);
        long lifetime = Durations.toNanos(c.maxLifetime);
        this.shortestLifetime = lifetime == Durations.NEVER ? Durations.NEVER
                : lifetime - (long) (lifetime * c.lifetimeJitter);
    }

    void start() {
        schedule(horizon());
    }

    /** Runs maintenance now (after a runtime setting changed). */
    void runSoon() {
        schedule(0);
    }

    void stop() {
        lock.lock();
        try {
            stopped = true;
            if (next != null) {
                next.cancel();
                next = null;
            }
        } finally {
            lock.unlock();
        }
    }

    /** The latest the next run may be: a resource that goes idle or is leased now has its first deadline this far off. */
    private long horizon() {
        return Math.min(Math.min(interval, idleTimeout), Math.min(Math.min(keepalive, shortestLifetime), leakNanos));
    }

    private void schedule(long delay) {
        lock.lock();
        try {
            if (stopped) {
                return;
            }
            long at = clock.read() + delay;
            if (next != null) {
                if (nextAt - at <= 0) {
                    return;
                }
                next.cancel();
            }
            nextAt = at;
            next = runtime.schedule(this::run, delay);
        } finally {
            lock.unlock();
        }
    }

    void run() {
        lock.lock();
        try {
            if (stopped) {
                return;
            }
            next = null;
        } finally {
            lock.unlock();
        }
        long soonest = horizon();
        try {
            soonest = Math.min(soonest, sweep(clock.read()));
            creator.demand();
        } catch (RuntimeException | Error e) {
            log.error("{} - maintenance failed; it runs again in {}", name, Durations.describeNanos(soonest), e);
        }
        schedule(Math.max(MIN_DELAY, soonest));
    }

    /** One pass over the slots; returns the time to the earliest deadline still ahead. */
    private long sweep(long now) {
        long soonest = Durations.NEVER;
        long leak = leakNanos;
        List<Slot<T>> idle = new ArrayList<>();
        for (Slot<T> s : table.slots) {
            long w = s.word;
            int kind = s.kindOf(w);
            if (kind == Slot.LEASED) {
                if (leak != Durations.NEVER) {
                    soonest = Math.min(soonest, checkLeak(s, w, now, leak));
                }
                long left = s.lifetime - (now - s.bornAt);
                if (s.lifetime != Durations.NEVER && left > 0) {
                    soonest = Math.min(soonest, left); // it may come back just before it expires
                }
            } else if (kind == Slot.IDLE) {
                DestroyReason retire = s.retire;
                long age = now - s.bornAt;
                if (retire == null && age >= s.lifetime) {
                    retire = DestroyReason.LIFETIME;
                }
                if (retire != null) {
                    long c = s.tryClaim();
                    if (c != 0) {
                        destroyer.destroy(s, c, retire);
                    }
                    continue;
                }
                if (s.lifetime != Durations.NEVER) {
                    soonest = Math.min(soonest, s.lifetime - age);
                }
                idle.add(s);
            }
        }
        soonest = Math.min(soonest, evictIdle(idle, now));
        return Math.min(soonest, keepalive(idle, now));
    }

    /** Destroys the longest-idle resources past idleTimeout while more than minIdle are idle. */
    private long evictIdle(List<Slot<T>> idle, long now) {
        if (idleTimeout == Durations.NEVER) {
            return Durations.NEVER;
        }
        long soonest = Durations.NEVER;
        idle.sort(Comparator.comparingLong(s -> s.idleSince - now));
        int evictable = idle.size() - creator.minIdle;
        for (int i = 0; i < idle.size(); i++) {
            Slot<T> s = idle.get(i);
            long idleFor = now - s.idleSince;
            if (idleFor >= idleTimeout) {
                if (evictable > 0) {
                    long c = s.tryClaim();
                    if (c != 0 && destroyer.destroy(s, c, DestroyReason.IDLE_TIMEOUT)) {
                        evictable--;
                        idle.set(i, null);
                    }
                }
            } else if (evictable > 0) {
                soonest = Math.min(soonest, idleTimeout - idleFor);
            }
        }
        return soonest;
    }

    /** Validates idle resources not checked for {@code keepaliveInterval}, on the workers. */
    private long keepalive(List<Slot<T>> idle, long now) {
        if (keepalive == Durations.NEVER || !hooks.hasValidator) {
            return Durations.NEVER;
        }
        long soonest = Durations.NEVER;
        for (Slot<T> s : idle) {
            if (s == null) {
                continue;
            }
            long quietFor = now - Math.max(s.idleSince, s.lastChecked);
            if (quietFor < keepalive) {
                soonest = Math.min(soonest, keepalive - quietFor);
                continue;
            }
            long w = s.word;
            if (s.kindOf(w) == Slot.IDLE) {
                long checking = Slot.with(w, Slot.CHECKING);
                if (s.cas(w, checking)) {
                    runtime.execute(() -> check(s, checking));
                }
            }
        }
        return soonest;
    }

    private void check(Slot<T> s, long checking) {
        long started = clock.read();
        boolean ok;
        try {
            ok = hooks.validate(s.resource, Durations.ofNanos(validationTimeoutNanos));
        } catch (Throwable e) { // an Error too: a failed check, never a slot left CHECKING
            log.debug("{} - keepalive validation of {} threw", name, s, e);
            ok = false;
        }
        DestroyReason retire = s.retire;
        if (ok && retire == null && clock.read() - started <= validationTimeoutNanos) {
            s.lastChecked = clock.coarse();
            if (s.cas(checking, Slot.with(checking, Slot.LIVE)) && gate.bits != 0) {
                dispatcher.dispatch();
            }
        } else {
            destroyer.destroy(s, checking, retire != null ? retire : DestroyReason.VALIDATION_FAILED);
        }
    }

    private long checkLeak(Slot<T> s, long w, long now, long threshold) {
        LeakInfo info = s.leak;
        if (info == null || info.word() != w || info.reported) {
            return Durations.NEVER;
        }
        long held = now - info.leasedAt();
        if (held < threshold) {
            return threshold - held;
        }
        info.reported = true;
        counters.leaksSuspected.increment();
        log.warn("{} - possible leak: a lease has been held for {} (leakDetection {}); it was acquired here:",
                name, Durations.describeNanos(held), Durations.describeNanos(threshold), info.acquiredAt());
        listeners.leakSuspected(s.resource, held, info.acquiredAt());
        return Durations.NEVER;
    }
}
