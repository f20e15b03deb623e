package io.poolkit.ssh.internal;

import io.poolkit.ssh.SshTarget;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checks a connection suspected dead (a call on it timed out in a way that points at the connection,
 * not at the command): one keepalive round trip, bounded, on the pool's executor, never on the
 * caller's thread; counts, logs and reports each suspicion and its outcome (the {@code suspects...}
 * fields of {@code SshStats}, the listener's {@code connectionSuspected/Cleared/Unresponsive}). One per
 * target's dispatcher. Thread-safe.
 */
final class ConnectionCheck {
    private static final Logger log = LoggerFactory.getLogger(ConnectionCheck.class);

    private final String name;
    private final SshTarget target;
    private final Duration bound;
    private final Executor executor;
    private final Events events;
    /** Connections checked after a call on them timed out (see {@link #start}). */
    final LongAdder suspects = new LongAdder();
    /** Of those, the ones that answered: back in service. */
    final LongAdder cleared = new LongAdder();
    /** Of those, the ones that did not: retired. */
    final LongAdder retired = new LongAdder();

    /**
     * @param name the pool's name, the prefix of log lines
     * @param target whose connections this checks
     * @param bound the longest wait for the answer ({@code validationTimeout}, the bound of the pool's own probe)
     * @param executor the pool's daemon threads
     * @param events where the suspicion and its outcome are reported
     */
    ConnectionCheck(String name, SshTarget target, Duration bound, Executor executor, Events events) {
        this.name = name;
        this.target = target;
        this.bound = bound;
        this.executor = executor;
        this.events = events;
    }

    Duration bound() {
        return bound;
    }

    /**
     * @param what what timed out on it, for the log and the event
     * @param inService whether new channels still go there while it is checked (see {@code Slot#probe})
     * @param answered told once whether the server answered in time (false when the pool is shutting down)
     */
    void start(SshConnection c, String what, boolean inService, Consumer<Boolean> answered) {
        suspects.increment();
        if (inService) {
            log.info("{} - {} {}; checking it with a keepalive (within {} ms), new channels still go there meanwhile",
                    name, c, what, bound.toMillis());
        } else {
            log.info("{} - {} {}; no new channel goes there until it answers a keepalive (within {} ms)", name, c, what,
                    bound.toMillis());
        }
        events.connectionSuspected(target, what);
        try {
            executor.execute(() -> answered.accept(answers(c)));
        } catch (RejectedExecutionException e) {
            answered.accept(false);
        }
    }

    /** {@code c} answered its check: back in service. */
    void cleared(SshConnection c) {
        cleared.increment();
        log.info("{} - {} answered its check; back in service", name, c);
        events.connectionCleared(target);
    }

    /**
     * {@code c} did not answer its check: retired.
     *
     * @param open the channels still open on it, left to end
     */
    void retired(SshConnection c, int open) {
        retired.increment();
        log.warn("{} - {} did not answer a keepalive within {} ms; retiring it: no new channel goes there, and it"
                + " closes when its {} open channels end", name, c, bound.toMillis(), open);
        events.connectionUnresponsive(target);
    }

    private boolean answers(SshConnection c) {
        try {
            return c.probe(bound);
        } catch (IOException | RuntimeException e) {
            log.debug("{} - checking {}: {}", name, c, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return false;
    }
}
