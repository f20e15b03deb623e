package io.poolkit.session;

import io.poolkit.Lease;
import io.poolkit.Pool;
import io.poolkit.PoolClosedException;
import io.poolkit.PoolStats;
import io.poolkit.PoolTimeoutException;
import io.poolkit.session.internal.PythonWorker;
import io.poolkit.session.internal.RWorker;
import io.poolkit.session.internal.Sandbox;
import io.poolkit.session.internal.SessionSettings;
import java.time.Duration;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * A thread-safe pool of pre-warmed {@link SecureSession}s, on poolkit's {@code Pool<SecureSession>}
 * with {@code minIdle = maxSize = size}.
 *
 * {@snippet class=io.poolkit.session.examples.SessionSnippets region=pool}
 *
 * <p>{@code build()} starts all {@code size} sessions (a few seconds) and fails when none can be
 * started. Each {@link #execute} takes an idle session, runs the code there, and gives it back.
 * A session whose worker died, was killed after a timeout, was stopped, or has a thread or process
 * its snippet left running (or a security provider its snippet defined, or, with
 * {@code resetBetweenUses(true)}, more than a third of its heap, direct-buffer, metaspace, /tmp or
 * open-file limit that a reset would not free) is
 * destroyed and replaced in the background, never on a caller's time;
 * dead idle sessions are found within a second. With {@code resetBetweenUses(true)} every
 * execution starts from a fresh JShell state (a new JShell inside the same warm worker, with system
 * properties, default locale and time zone, {@code System.out/err/in}, the default
 * uncaught-exception handler, {@code Authenticator}, {@code ProxySelector}, {@code CookieHandler},
 * {@code ResponseCache} and the sandbox's /tmp put back); with {@code false} (the default for Java) state
 * persists in each session, and consecutive executions may land in different sessions. What a snippet
 * left reachable from the JDK's own registries (a logging handler) is not freed by a reset: heap, direct
 * buffers, classes (metaspace), files in /tmp it keeps open or mapped (the reset unlinks them, the space
 * stays taken), descriptors. After each execution the worker compares each in use with its allowance, and
 * only when one is over, drops the JShell state, collects and measures again; more than a third of a limit
 * still held over the worker's baseline retires the session. For the heap that leaves the next caller less
 * than it looks: with the serial collector one array must fit in the old generation (two thirds of the heap)
 * beside the baseline and all that is held, so 38 MiB held in a 128 MiB worker (under the allowance) still
 * makes the next caller's 40 MB allocation end the worker (not fixed). The
 * collection costs tens of milliseconds on the execution that crossed the line (in a 128 MiB worker about
 * one trivial execution in six), nothing on the others.
 *
 * <p>Tenants: a snippet cannot reach the worker's own code (its link, its executions, its threads)
 * to read or forge another execution's code, output or result, and the host kills a worker that
 * breaks the protocol. But a reset is not a boundary between mutually hostile tenants: what else is
 * static inside the JDK (security properties, the order of the JDK's own providers, caches) lives on in the JVM, and so,
 * without a reset, does the JShell state. {@code maxUsesPerSession(1)} gives every execution a
 * fresh, pre-warmed process instead: that is the wall between mutually hostile tenants.
 *
 * <p>With {@code language(Language.PYTHON)} the sessions are Python workers (see {@link Language}):
 * there {@code resetBetweenUses(true)} starts every execution in a fresh evaluator process forked
 * from the worker's supervisor, after every other process of the sandbox is killed and its /tmp
 * emptied, so no variable, module state, file or process crosses; without it a session is one
 * Python program, and code one execution leaves (a monkeypatch, a signal handler, a rewritten
 * evaluator loop) runs in the next, where it can read and answer that execution. So a Python pool
 * resets between uses <b>by default</b>; {@code resetBetweenUses(false)} keeps state per session for
 * executions that trust each other. With {@code language(Language.R)} the same holds for R workers,
 * default included: a reset starts a fresh R evaluator.
 */
public final class SecureSessionPool implements AutoCloseable {
    private static final AtomicInteger IDS = new AtomicInteger();
    private static final Duration KEEPALIVE = Duration.ofSeconds(1);

    private final String name;
    private final int size;
    private final boolean resetBetweenUses;
    private final boolean sandbox;
    private final Duration acquireTimeout;
    private final SessionFactory factory;
    private final Pool<SecureSession> pool;
    private final Set<SecureSession> busy = ConcurrentHashMap.newKeySet();

    private SecureSessionPool(Builder b, SessionSettings settings) {
        this.name = b.name != null ? b.name : "sessions-" + IDS.incrementAndGet();
        this.size = b.size;
        // Python and R: snippet code can rewrite the evaluator's own loop, and only a fresh evaluator keeps
        // one execution from reading or answering the next (DESIGN: the default must never let it)
        this.resetBetweenUses = b.resetBetweenUses != null ? b.resetBetweenUses : settings.language() != Language.JAVA;
        this.sandbox = settings.sandbox();
        this.acquireTimeout = b.acquireTimeout;
        this.factory = new SessionFactory(settings.withResetBetweenUses(resetBetweenUses), name, resetBetweenUses);
        var core = Pool.builder(factory);
        if (b.maxUsesPerSession > 0) {
            core.maxUses(b.maxUsesPerSession);
        }
        this.pool = core
                .name(name)
                .maxSize(size)
                .minIdle(size)
                .initialSize(size)
                .initializationFailTimeout(settings.startTimeout())
                .createTimeout(settings.startTimeout())
                .maxConcurrentCreates(Math.min(size, 2))
                .validateAfterIdle(Duration.ZERO)
                .keepaliveInterval(KEEPALIVE)
                .idleTimeout(Pool.FOREVER)
                .acquireTimeout(acquireTimeout)
                .shutdownTimeout(b.closeTimeout)
                .build();
        awaitStarts(settings.startTimeout());
    }

    /**
     * build() has created {@code initialSize} sessions, but the minIdle refill may have started some
     * of them in the background at the same time, still in flight when the core's build() returns: wait
     * for those (bounded), so the pool is warm when the caller gets it.
     */
    private void awaitStarts(Duration bound) {
        long deadline = System.nanoTime() + bound.toNanos();
        for (PoolStats st = pool.stats(); st.idle() < size && st.creating() > 0; st = pool.stats()) {
            if (System.nanoTime() - deadline > 0 || Thread.currentThread().isInterrupted()) {
                return;
            }
            LockSupport.parkNanos(5_000_000);
        }
    }

    /**
     * @return a builder with the defaults: size 4, sandbox on, {@link Limits#defaults()}, no tools, Java, no
     *     reset between uses (a Python or R pool resets between uses unless told otherwise:
     *     {@link Builder#resetBetweenUses})
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Runs {@code code} in an idle session, waiting at most {@code acquireTimeout} for one.
     *
     * @param code the snippets, at most {@link Limits#maxCodeLength()} characters
     * @param timeout the longest the execution may run, more than zero; capped by {@link Limits#maxWallTime()}
     * @param acquireTimeout the longest to wait for an idle session, zero or more
     * @return the result; an interrupt while waiting gives an {@link ExecutionError.Kind#INTERRUPTED}
     *     result (the interrupt flag stays set)
     * @throws PoolTimeoutException when no session became idle within {@code acquireTimeout}; its
     *     cause is the last start failure while starts keep failing
     * @throws PoolClosedException when the pool is closed
     */
    public ExecutionResult execute(String code, Duration timeout, Duration acquireTimeout) {
        Objects.requireNonNull(code, "code");
        SessionOptions.positive("timeout", timeout);
        Objects.requireNonNull(acquireTimeout, "acquireTimeout");
        Lease<SecureSession> lease;
        try {
            lease = pool.acquire(acquireTimeout);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return ExecutionResult.failure(ExecutionError.Kind.INTERRUPTED, name + " - interrupted while waiting for a session", Duration.ZERO);
        }
        SecureSession s = lease.get();
        boolean reusable = false;
        busy.add(s);
        try {
            ExecutionResult r = s.execute(code, timeout);
            reusable = s.isAlive() && s.recycleReason() == null;
            return r;
        } finally {
            busy.remove(s);
            if (reusable) {
                lease.close();
            } else {
                lease.invalidate();
            }
        }
    }

    /**
     * {@link #execute(String, Duration, Duration)} waiting up to the builder's {@code acquireTimeout}.
     *
     * @param code the snippets
     * @param timeout the longest the execution may run
     * @return the result
     */
    public ExecutionResult execute(String code, Duration timeout) {
        return execute(code, timeout, acquireTimeout);
    }

    /** @return the number of sessions the pool keeps */
    public int size() {
        return size;
    }

    /** @return sessions ready for an execution now */
    public int available() {
        return status().idle();
    }

    /** @return total, busy, idle and dead sessions, and replacements starting */
    public SessionPoolStatus status() {
        int total = 0;
        int dead = 0;
        int running = 0;
        for (SecureSession s : factory.sessions()) {
            total++;
            if (!s.isAlive()) {
                dead++;
            } else if (busy.contains(s)) {
                running++;
            }
        }
        return new SessionPoolStatus(total, running, total - running - dead, dead, pool.stats().creating());
    }

    /** @return the underlying pool's counts (created, destroyed by reason, waits) */
    public PoolStats stats() {
        return pool.stats();
    }

    /** @return the sessions that exist now, for tests */
    java.util.Set<SecureSession> sessions() {
        return factory.sessions();
    }

    /** @return the pool's name */
    public String name() {
        return name;
    }

    /** Stops new executions, waits up to the close timeout for running ones, then kills every worker. */
    @Override
    public void close() {
        pool.close();
    }

    @Override
    public String toString() {
        return "SecureSessionPool[" + name + ", size=" + size + ", " + status() + ", sandbox=" + (sandbox ? "bubblewrap" : "off")
                + ", resetBetweenUses=" + resetBetweenUses + "]";
    }

    /** Builds a {@link SecureSessionPool}; start with {@link SecureSessionPool#builder()}. Not thread-safe. */
    public static final class Builder extends SessionOptions<Builder> {
        private String name;
        private int size = 4;
        /** null: the language's default (false for Java, true for Python and R). */
        private Boolean resetBetweenUses;
        private Duration acquireTimeout = Duration.ofSeconds(30);
        private Duration closeTimeout = Duration.ofSeconds(30);
        private long maxUsesPerSession;

        private Builder() {
        }

        /**
         * @param uses executions after which a session's worker is retired and a fresh one (started
         *     in the background) takes its place; {@code 1} gives every execution its own process, the
         *     boundary between mutually hostile tenants that {@code resetBetweenUses} (a new JShell in
         *     the same JVM) is not (default unlimited)
         * @return this builder
         */
        public Builder maxUsesPerSession(long uses) {
            if (uses < 1) {
                throw new IllegalArgumentException("maxUsesPerSession must be at least 1, but was " + uses);
            }
            this.maxUsesPerSession = uses;
            return this;
        }

        /**
         * @param name the pool's name: the prefix of its sessions' names, logs and threads (default {@code sessions-N})
         * @return this builder
         */
        public Builder name(String name) {
            Objects.requireNonNull(name, "name");
            if (name.isBlank() || name.length() > 48) {
                throw new IllegalArgumentException("name must be 1 to 48 characters and not blank, but was '" + name + "'");
            }
            this.name = name;
            return this;
        }

        /**
         * @param size the sessions kept warm, 1 to 256 (each is a JVM: mind the memory); default 4
         * @return this builder
         */
        public Builder size(int size) {
            if (size < 1 || size > 256) {
                throw new IllegalArgumentException("size must be between 1 and 256, but was " + size);
            }
            this.size = size;
            return this;
        }

        /**
         * @param reset give every execution a fresh JShell state, or for Python and R a fresh evaluator
         *     process (default: false for Java, where state persists per session and snippets cannot reach
         *     the worker's own code; true for Python and R, whose snippets can rewrite the evaluator's own
         *     loop and so read and answer the next execution in the same process: {@code false} there
         *     is for executions that trust each other, such as one agent's steps)
         * @return this builder
         */
        public Builder resetBetweenUses(boolean reset) {
            this.resetBetweenUses = reset;
            return this;
        }

        /**
         * @param timeout the wait of {@link SecureSessionPool#execute(String, Duration)} for an idle session (default 30 s)
         * @return this builder
         */
        public Builder acquireTimeout(Duration timeout) {
            Objects.requireNonNull(timeout, "acquireTimeout");
            if (timeout.isNegative()) {
                throw new IllegalArgumentException("acquireTimeout must not be negative, but was " + timeout);
            }
            this.acquireTimeout = timeout;
            return this;
        }

        /**
         * @param timeout how long {@code close()} waits for running executions before it kills them (default 30 s)
         * @return this builder
         */
        public Builder closeTimeout(Duration timeout) {
            Objects.requireNonNull(timeout, "closeTimeout");
            if (timeout.isNegative()) {
                throw new IllegalArgumentException("closeTimeout must not be negative, but was " + timeout);
            }
            this.closeTimeout = timeout;
            return this;
        }

        /**
         * Starts the pool and its {@code size} sessions.
         *
         * @return the running pool
         * @throws SandboxUnavailableException when the sandbox is requested and cannot be set up
         * @throws io.poolkit.ResourceCreationException when no session could be started; its cause says why
         */
        public SecureSessionPool build() {
            SessionSettings settings = settings();
            if (settings.sandbox()) {
                Sandbox.check(settings.bubblewrap());
            }
            if (settings.language() == Language.PYTHON) {
                PythonWorker.interpreter(settings.interpreter()); // a missing interpreter is said at once, not as N failed starts
            }
            if (settings.language() == Language.R) {
                RWorker.check();
            }
            return new SecureSessionPool(this, settings);
        }
    }
}
