package io.poolkit.ssh;

import io.poolkit.Pool;
import io.poolkit.ssh.internal.Engine;
import io.poolkit.ssh.internal.Settings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * Builds an {@link SshPool}; start with {@link SshPool#builder()}. Every setter validates its value
 * and names the rule and the rejected value; rules between options are checked at {@link #build()}.
 * Durations follow poolkit's rule: {@link Pool#FOREVER} means "never" (the feature is off). Not
 * thread-safe; a builder may build several pools.
 */
public final class SshPoolBuilder {
    private final Settings s = new Settings();

    SshPoolBuilder() {
    }

    private static int atLeast(String what, int value, int min) {
        if (value < min) {
            throw new IllegalArgumentException(what + " must be at least " + min + ", but was " + value);
        }
        return value;
    }

    private static Duration positive(String what, Duration d) {
        Objects.requireNonNull(d, what);
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(what + " must be more than zero, but was " + d);
        }
        return d;
    }

    private static Duration notNegative(String what, Duration d) {
        Objects.requireNonNull(d, what);
        if (d.isNegative()) {
            throw new IllegalArgumentException(what + " must not be negative, but was " + d);
        }
        return d;
    }

    /**
     * @param name the prefix of every log line and thread name (default {@code ssh-pool-N})
     * @return this builder
     */
    public SshPoolBuilder name(String name) {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("name must not be blank, but was " + (name == null ? "null" : "'" + name + "'"));
        }
        s.name = name;
        return this;
    }

    /**
     * @param file the OpenSSH known_hosts file every target's host key is checked against, unless its
     *     {@link HostKeyPolicy} names another (default {@code ~/.ssh/known_hosts}); re-read when it changes
     * @return this builder
     */
    public SshPoolBuilder knownHosts(Path file) {
        s.knownHosts = Objects.requireNonNull(file, "knownHosts").toAbsolutePath().normalize();
        return this;
    }

    /**
     * @param trust accept an unknown host's key once, record it in the known_hosts file and log it at
     *     WARN (default false: unknown keys are rejected). A changed key is rejected either way.
     * @return this builder
     */
    public SshPoolBuilder trustOnFirstUse(boolean trust) {
        s.trustOnFirstUse = trust;
        return this;
    }

    /**
     * @param max channels (commands) open at once on one connection (default 8; OpenSSH's MaxSessions
     *     is 10). A server that allows fewer refuses the extra channel; the pool then lowers the
     *     connection's limit and runs the command elsewhere.
     * @return this builder
     */
    public SshPoolBuilder maxChannelsPerConnection(int max) {
        s.maxChannelsPerConnection = atLeast("maxChannelsPerConnection", max, 1);
        return this;
    }

    /**
     * @param max connections to one target at once (default 4)
     * @return this builder
     */
    public SshPoolBuilder maxConnectionsPerTarget(int max) {
        s.maxConnectionsPerTarget = atLeast("maxConnectionsPerTarget", max, 1);
        return this;
    }

    /**
     * @param max connections over every target (default unbounded); when reached, a target that
     *     needs one takes the oldest idle connection of another
     * @return this builder
     */
    public SshPoolBuilder maxConnections(int max) {
        s.maxConnections = atLeast("maxConnections", max, 1);
        return this;
    }

    /**
     * @param min idle connections kept ready per target by the background maintenance (default 0)
     * @return this builder
     */
    public SshPoolBuilder minIdlePerTarget(int min) {
        s.minIdlePerTarget = atLeast("minIdlePerTarget", min, 0);
        return this;
    }

    /**
     * @param timeout an idle connection above minIdle is closed after this (default 5 min)
     * @return this builder
     */
    public SshPoolBuilder idleTimeout(Duration timeout) {
        s.idleTimeout = notNegative("idleTimeout", timeout);
        return this;
    }

    /**
     * @param lifetime connections older than this are retired: idle ones closed, busy ones take no new
     *     channel and close with their last (default {@link Pool#FOREVER})
     * @return this builder
     */
    public SshPoolBuilder maxLifetime(Duration lifetime) {
        s.maxLifetime = positive("maxLifetime", lifetime);
        return this;
    }

    /**
     * @param interval how often idle timeout, lifetime and minIdle are enforced (default 30 s)
     * @return this builder
     */
    public SshPoolBuilder maintenanceInterval(Duration interval) {
        s.maintenanceInterval = positive("maintenanceInterval", interval);
        return this;
    }

    /**
     * @param timeout the longest wait for a channel, including opening a connection (default 30 s)
     * @return this builder
     */
    public SshPoolBuilder acquireTimeout(Duration timeout) {
        s.acquireTimeout = notNegative("acquireTimeout", timeout);
        return this;
    }

    /**
     * @param timeout the bound of {@code exec(target, command)} and of each command of
     *     {@code execAll} (default 1 min)
     * @return this builder
     */
    public SshPoolBuilder commandTimeout(Duration timeout) {
        s.commandTimeout = positive("commandTimeout", timeout);
        return this;
    }

    /**
     * @param timeout the bound of {@code upload(target, local, remote)} and {@code download(target,
     *     remote, local)}, waiting for a channel included (default 10 min)
     * @return this builder
     */
    public SshPoolBuilder transferTimeout(Duration timeout) {
        s.transferTimeout = positive("transferTimeout", timeout);
        return this;
    }

    /**
     * @param timeout the bound of a TCP connect (default 10 s)
     * @return this builder
     */
    public SshPoolBuilder connectTimeout(Duration timeout) {
        s.connectTimeout = positive("connectTimeout", timeout);
        return this;
    }

    /**
     * @param timeout the bound of key exchange plus authentication (default 10 s)
     * @return this builder
     */
    public SshPoolBuilder authTimeout(Duration timeout) {
        s.authTimeout = positive("authTimeout", timeout);
        return this;
    }

    /**
     * @param interval how often an SSH keepalive goes over each connection (default 30 s); three
     *     unanswered ones close it. {@link Pool#FOREVER} = no heartbeat
     * @return this builder
     */
    public SshPoolBuilder heartbeatInterval(Duration interval) {
        s.heartbeatInterval = positive("heartbeatInterval", interval);
        return this;
    }

    /**
     * @param idle a connection idle at least this long is probed (one keepalive round trip) before it
     *     is used (default 500 ms; {@link Duration#ZERO} = always)
     * @return this builder
     */
    public SshPoolBuilder validateAfterIdle(Duration idle) {
        s.validateAfterIdle = notNegative("validateAfterIdle", idle);
        return this;
    }

    /**
     * @param timeout the bound of that probe (default 5 s)
     * @return this builder
     */
    public SshPoolBuilder validationTimeout(Duration timeout) {
        s.validationTimeout = positive("validationTimeout", timeout);
        return this;
    }

    /**
     * After {@code failures} consecutive failed connects to a target, for {@code open}, commands for
     * it that find no connection fail at once with {@link io.poolkit.CircuitOpenException}; then one
     * trial connect decides. Default 5 failures, 10 s.
     *
     * @param failures consecutive failures that open the circuit, at least 1
     * @param open how long it stays open
     * @return this builder
     */
    public SshPoolBuilder circuitBreaker(int failures, Duration open) {
        s.circuitFailures = atLeast("circuitBreaker failures", failures, 1);
        s.circuitOpen = positive("circuitBreaker open", open);
        return this;
    }

    /** @return this builder, with no circuit breaker */
    public SshPoolBuilder noCircuitBreaker() {
        s.circuitFailures = 0;
        return this;
    }

    /**
     * @param initial the pause after a first failed connect (default 100 ms)
     * @param max the longest pause; pauses double, with jitter (default 5 s)
     * @return this builder
     */
    public SshPoolBuilder connectRetry(Duration initial, Duration max) {
        s.createRetryInitial = notNegative("connectRetry initial", initial);
        s.createRetryMax = notNegative("connectRetry max", max);
        if (max.compareTo(initial) < 0) {
            throw new IllegalArgumentException("connectRetry max (" + max + ") must not be below initial (" + initial + ")");
        }
        return this;
    }

    /**
     * @param bytes the most output kept per stream of a command; the rest is read and dropped
     *     (default 1 MiB)
     * @return this builder
     */
    public SshPoolBuilder maxOutputBytes(int bytes) {
        s.maxOutputBytes = atLeast("maxOutputBytes", bytes, 0);
        return this;
    }

    /**
     * @param grace how long a timed-out command gets to end after each step of stopping it (default 2 s)
     * @return this builder
     */
    public SshPoolBuilder killGrace(Duration grace) {
        s.killGrace = positive("killGrace", grace);
        return this;
    }

    /**
     * @param wrap put {@code printf '<marker><pid>\n' "$$" >&2;} before each command, so a command the
     *     server will not signal can still be killed by pid (default true; needs a POSIX login shell —
     *     turn it off for csh or fish users: then a timed-out command is stopped only if the server
     *     accepts the {@code signal} request)
     * @return this builder
     */
    public SshPoolBuilder pidWrapper(boolean wrap) {
        s.pidWrapper = wrap;
        return this;
    }

    /**
     * @param parallelism how many targets {@code execAll} runs at once (default 16)
     * @return this builder
     */
    public SshPoolBuilder execAllParallelism(int parallelism) {
        s.execAllParallelism = atLeast("execAllParallelism", parallelism, 1);
        return this;
    }

    /**
     * @param timeout the grace period of {@code close()} for running commands (default 30 s)
     * @return this builder
     */
    public SshPoolBuilder shutdownTimeout(Duration timeout) {
        s.shutdownTimeout = notNegative("shutdownTimeout", timeout);
        return this;
    }

    /**
     * @param listener receives the pool's events
     * @return this builder
     */
    public SshPoolBuilder listener(SshPoolListener listener) {
        s.listeners.add(Objects.requireNonNull(listener, "listener"));
        return this;
    }

    /**
     * @return a running pool (it opens no connection before the first command or {@code warm})
     * @throws IllegalArgumentException when options contradict each other
     */
    public SshPool build() {
        if (s.minIdlePerTarget > s.maxConnectionsPerTarget) {
            throw new IllegalArgumentException("minIdlePerTarget (" + s.minIdlePerTarget + ") must not exceed maxConnectionsPerTarget ("
                    + s.maxConnectionsPerTarget + ")");
        }
        return new SshPool(new Engine(s));
    }
}
