package io.poolkit.ssh.internal;

import io.poolkit.ssh.SshTarget;
import java.time.Duration;
import java.util.concurrent.Executor;
import java.util.function.Function;

/**
 * What the features beside exec (SFTP, tunnels, jump hosts, {@code withSession}) need from the pool,
 * and nothing more: a channel permit or a lease hold on a target's pooled connections through its
 * {@link Dispatcher}, the bounds, and the pool's executor for pumping bytes. Thread-safe.
 *
 * @param name the pool's name, the prefix of log lines and messages
 * @param dispatchers the dispatcher of a target (created on first use; throws once the pool closed)
 * @param acquireTimeout the longest wait for a channel or a connection
 * @param killGrace the bound of each cleanup step after a failure or a timeout
 * @param executor the pool's daemon threads
 */
record ChannelSource(String name, Function<SshTarget, Dispatcher> dispatchers, Duration acquireTimeout, Duration killGrace,
                     Executor executor) {

    /**
     * A session-channel permit (SFTP, withSession): counted against the connection's channel limit
     * like an exec.
     */
    Slot permit(SshTarget target, long timeoutNanos) throws InterruptedException {
        return dispatchers.apply(target).acquire(Math.min(timeoutNanos, Engine.nanos(acquireTimeout)));
    }

    /** A hold on a connection's lease without a session permit (direct-tcpip channels of tunnels and jumps). */
    Slot hold(SshTarget target, long timeoutNanos) throws InterruptedException {
        return dispatchers.apply(target).hold(Math.min(timeoutNanos, Engine.nanos(acquireTimeout)));
    }
}
