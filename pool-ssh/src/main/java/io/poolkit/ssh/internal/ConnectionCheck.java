package io.poolkit.ssh.internal;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checks a connection suspected dead (a call on it timed out in a way that points at the connection,
 * not at the command): one keepalive round trip, bounded, on the pool's executor, never on the
 * caller's thread. Thread-safe.
 *
 * @param name the pool's name, the prefix of log lines
 * @param bound the longest wait for the answer ({@code validationTimeout}, the bound of the pool's own probe)
 * @param executor the pool's daemon threads
 */
record ConnectionCheck(String name, Duration bound, Executor executor) {
    private static final Logger log = LoggerFactory.getLogger(ConnectionCheck.class);

    /**
     * @param what what timed out on it, for the log
     * @param answered told once whether the server answered in time (false when the pool is shutting down)
     */
    void start(SshConnection c, String what, Consumer<Boolean> answered) {
        log.info("{} - {} {}; no new channel goes there until it answers a keepalive (within {} ms)", name, c, what, bound.toMillis());
        try {
            executor.execute(() -> answered.accept(answers(c)));
        } catch (RejectedExecutionException e) {
            answered.accept(false);
        }
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
