package io.poolkit.ssh.internal;

import io.poolkit.KeyedPool;
import io.poolkit.Pool;
import io.poolkit.PoolClosedException;
import io.poolkit.ssh.CommandResult;
import io.poolkit.ssh.Remote;
import io.poolkit.ssh.RemoteProcess;
import io.poolkit.ssh.SessionFunction;
import io.poolkit.ssh.SftpSession;
import io.poolkit.ssh.SshException;
import io.poolkit.ssh.SshPoolListener;
import io.poolkit.ssh.SshStats;
import io.poolkit.ssh.SshTarget;
import io.poolkit.ssh.TransferResult;
import io.poolkit.ssh.Tunnel;
import java.io.IOException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import org.apache.sshd.client.SshClient;
import org.apache.sshd.client.auth.password.UserAuthPasswordFactory;
import org.apache.sshd.client.auth.pubkey.UserAuthPublicKeyFactory;
import org.apache.sshd.common.keyprovider.KeyIdentityProvider;
import org.apache.sshd.core.CoreModuleProperties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Everything behind {@code SshPool}: one MINA {@link SshClient}, the keyed pool of connections, one
 * {@link Dispatcher} per target, a small executor (acquisition hand-offs, {@code execAll}), the
 * events and the counters. Thread-safe.
 */
public final class Engine {
    private static final Logger log = LoggerFactory.getLogger(Engine.class);
    private static final AtomicInteger POOLS = new AtomicInteger();
    private static final int MAX_ATTEMPTS = 8;

    final String name;
    final int maxOutputBytes;
    final Duration killGrace;
    final String pidMarker;
    private final Settings settings;
    private final SshClient client;
    private final KeyedPool<SshTarget, SshConnection> pool;
    private final Map<SshTarget, Dispatcher> dispatchers = new ConcurrentHashMap<>();
    private final Map<SshTarget, Counters> counters = new ConcurrentHashMap<>();
    private final ExecutorService executor;
    private final Events events;
    private volatile boolean closed;
    /** False once shutdown began: no new command starts, while the running ones can still be stopped over channels. */
    private volatile boolean accepting = true;
    /** Commands whose channel is open (exec and start): what shutdown stops on the host when its grace ends. */
    private final Set<CommandRun> running = ConcurrentHashMap.newKeySet();
    /** What SFTP, tunnels, jump hosts and withSession take their permits and holds from. */
    private final ChannelSource channels;
    private final Transfers transfers;
    private final Set<TunnelImpl> tunnels = ConcurrentHashMap.newKeySet();

    private static final class Counters {
        final LongAdder commands = new LongAdder();
        final LongAdder failures = new LongAdder();
        final LongAdder timeouts = new LongAdder();
        final LongAdder timeoutsNotStopped = new LongAdder();
        final LongAdder retries = new LongAdder();
    }

    public Engine(Settings built) {
        this.settings = built.copy();
        this.name = settings.name != null ? settings.name : "ssh-pool-" + POOLS.incrementAndGet();
        this.maxOutputBytes = settings.maxOutputBytes;
        this.killGrace = settings.killGrace;
        byte[] token = new byte[6];
        new SecureRandom().nextBytes(token);
        this.pidMarker = "poolkit-pid." + HexFormat.of().formatHex(token) + ".";
        this.events = new Events(name, settings.listeners);
        events.onCreateFailed = (target, failure) -> {
            Dispatcher d = dispatchers.get(target);
            if (d != null) {
                d.createFailed(failure);
            }
        };
        AtomicInteger threads = new AtomicInteger();
        ThreadFactory daemons = r -> {
            Thread t = new Thread(r, name + "-ssh-" + threads.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
        this.executor = Executors.newCachedThreadPool(daemons);
        this.client = newClient();
        HostKeys hostKeys = new HostKeys(name, settings.knownHosts, settings.trustOnFirstUse, events::hostKeyTrusted);
        client.setServerKeyVerifier(hostKeys);
        client.addSessionListener(hostKeys.preferKnownKeyTypes());
        client.start();
        Connector connector = new Connector(name, client, hostKeys, settings.connectTimeout, settings.authTimeout,
                settings.killGrace, (target, failure) -> {
                    Dispatcher d = dispatchers.get(target);
                    if (d != null) {
                        d.permanentFailure(failure);
                    }
                });
        Duration createTimeout = settings.connectTimeout.plus(settings.authTimeout).plusSeconds(1);
        var builder = KeyedPool.builder(connector)
                .name(name)
                .maxSize(settings.maxConnectionsPerTarget)
                .maxTotal(settings.maxConnections)
                .minIdle(settings.minIdlePerTarget)
                .idleTimeout(settings.idleTimeout)
                .maxLifetime(settings.maxLifetime)
                .maintenanceInterval(settings.maintenanceInterval)
                .acquireTimeout(settings.acquireTimeout)
                .validateAfterIdle(settings.validateAfterIdle)
                .validationTimeout(settings.validationTimeout)
                .createTimeout(createTimeout)
                .maxConcurrentCreates(1)
                .createRetry(settings.createRetryInitial, settings.createRetryMax)
                .shutdownTimeout(settings.shutdownTimeout)
                .keyIdleTimeout(settings.targetIdleTimeout)
                .ticker(settings.ticker)
                .asyncExecutor(executor)
                .listener(events);
        if (settings.circuitFailures > 0) {
            builder.circuitBreaker(settings.circuitFailures, settings.circuitOpen);
        }
        try {
            this.pool = builder.build();
        } catch (RuntimeException e) {
            stopClient();
            executor.shutdownNow();
            throw e;
        }
        this.channels = new ChannelSource(name, this::dispatcher, settings.acquireTimeout, settings.killGrace, executor);
        this.transfers = new Transfers(channels);
        connector.jumpsFrom(channels);
        if (settings.trustOnFirstUse) {
            log.warn("{} - trustOnFirstUse is on: unknown host keys are accepted once and recorded in {}", name, settings.knownHosts);
        }
    }

    private SshClient newClient() {
        SshClient c = SshClient.setUpDefaultClient();
        // a warm command costs ~1.5 ms with TCP_NODELAY, ~88 ms without (Nagle + delayed ACK)
        CoreModuleProperties.TCP_NODELAY.set(c, true);
        if (!Pool.FOREVER.equals(settings.heartbeatInterval)) {
            CoreModuleProperties.HEARTBEAT_INTERVAL.set(c, settings.heartbeatInterval);
            CoreModuleProperties.HEARTBEAT_REQUEST.set(c, SshConnection.KEEPALIVE);
            // with a maximum set, heartbeats want a reply, and that many unanswered ones close the session
            CoreModuleProperties.HEARTBEAT_NO_REPLY_MAX.set(c, 3);
        }
        // only the target's own credential: no keys from ~/.ssh, no agent, no keyboard-interactive prompts
        c.setKeyIdentityProvider(KeyIdentityProvider.EMPTY_KEYS_PROVIDER);
        c.setUserAuthFactories(List.of(UserAuthPublicKeyFactory.INSTANCE, UserAuthPasswordFactory.INSTANCE));
        return c;
    }

    // ---------------------------------------------------------------- commands

    String wrap(String command) {
        return "printf '" + pidMarker + "%s\\n' \"$$\" >&2; " + command;
    }

    Dispatcher dispatcher(SshTarget target) {
        Dispatcher d = dispatchers.get(target);
        if (d != null) {
            return d;
        }
        if (closed) {
            throw new PoolClosedException(name + " - the pool is closed");
        }
        return dispatchers.computeIfAbsent(target, t -> new Dispatcher(name, t, pool, settings.maxChannelsPerConnection,
                settings.maxConnectionsPerTarget, executor, events, settings.ticker));
    }

    private Counters counters(SshTarget target) {
        return counters.computeIfAbsent(target, t -> new Counters());
    }

    static long nanos(Duration d) {
        try {
            return d.toNanos();
        } catch (ArithmeticException e) {
            return Long.MAX_VALUE;
        }
    }

    public Duration commandTimeout() {
        return settings.commandTimeout;
    }

    /**
     * Opens a channel for {@code command}, retrying on another channel only while the exec request
     * was never sent.
     */
    private CommandRun open(SshTarget target, String command, boolean wrap, boolean streaming, long start, long budget,
                            java.io.OutputStream streamErr) throws InterruptedException {
        Dispatcher d = dispatcher(target);
        Counters c = counters(target);
        Throwable lastCause = null;
        for (int attempt = 1; ; attempt++) {
            long left = budget - (System.nanoTime() - start);
            long channelWait = Math.min(nanos(settings.acquireTimeout), Math.max(0, left));
            Dispatcher.Slot slot = d.acquire(channelWait);
            CommandRun run = new CommandRun(this, target, command, wrap, streaming, start);
            if (streamErr != null) {
                run.streamErrTo(streamErr);
            }
            left = budget - (System.nanoTime() - start);
            if (run.open(slot, Math.max(1, Math.min(left, nanos(settings.acquireTimeout)))) == CommandRun.Opened.OPEN) {
                return run;
            }
            lastCause = run.retryCause();
            c.retries.increment();
            events.commandRetried(target, lastCause);
            log.debug("{} - channel to {} failed before the command was sent ({}); retrying elsewhere", name, target,
                    String.valueOf(lastCause));
            if (run.channel() != null && run.channel().refused()) {
                // a refusal below the known limit is transient (the server is still reaping a session):
                // a short pause keeps the retry from meeting the same moment; this path is rare
                java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(attempt));
            }
            if (attempt >= MAX_ATTEMPTS) {
                throw new SshException(name + " - gave up on `" + CommandRun.abbreviate(command) + "` after " + attempt
                        + " channels to " + target + " failed to open; the command was never sent", lastCause, false);
            }
        }
    }

    private void checkAccepting() {
        if (!accepting) {
            throw new PoolClosedException(name + " - the pool is closed");
        }
    }

    /** Counts {@code run} as running until its channel closes. */
    private void track(CommandRun run) {
        running.add(run);
        run.channel().addCloseFutureListener(f -> running.remove(run));
    }

    public CommandResult exec(SshTarget target, String command, byte[] stdin, Duration timeout) throws InterruptedException {
        checkCommand(command);
        checkAccepting();
        long start = System.nanoTime();
        long budget = nanos(timeout);
        Counters c = counters(target);
        CommandRun run;
        try {
            run = open(target, command, settings.pidWrapper, false, start, budget, null);
        } catch (RuntimeException | InterruptedException e) {
            c.failures.increment();
            throw e;
        }
        track(run);
        boolean ended;
        try {
            sendInput(run, stdin);
            ended = run.awaitEnd(budget - (System.nanoTime() - start));
        } catch (InterruptedException e) {
            run.kill();
            c.failures.increment();
            InterruptedException x = new InterruptedException("interrupted while `" + CommandRun.abbreviate(command) + "` ran on "
                    + target + "; the command was stopped");
            x.initCause(e);
            throw x;
        }
        if (run.stoppedByShutdown) {
            c.failures.increment();
            throw new SshException(name + " - the pool was closed while `" + CommandRun.abbreviate(command) + "` ran on " + target
                    + "; the command was stopped there", null, true);
        }
        if (!ended) {
            CommandRun.Stop stop = run.stop();
            if (stop == CommandRun.Stop.ENDED_BY_ITSELF) {
                // it ended as the timeout fired: its result, once the rest of its output is in (bounded)
                ended = run.awaitEnd(killGrace.toNanos());
                if (!ended) {
                    run.close();
                }
            }
            if (!ended) {
                boolean killed = stop != CommandRun.Stop.NOT_STOPPED;
                (killed ? c.timeouts : c.timeoutsNotStopped).increment();
                events.commandTimedOut(target, command, killed);
                throw run.timedOut(timeout, stop);
            }
        }
        try {
            CommandResult r = run.result();
            c.commands.increment();
            events.commandFinished(target, r);
            return r;
        } catch (RuntimeException e) {
            c.failures.increment();
            throw e;
        }
    }

    public RemoteProcess start(SshTarget target, String command, Runnable onClose) throws InterruptedException {
        checkCommand(command);
        checkAccepting();
        long start = System.nanoTime();
        StreamPipe err = new StreamPipe(maxOutputBytes);
        CommandRun run;
        try {
            run = open(target, command, settings.pidWrapper, true, start, nanos(settings.acquireTimeout), err);
        } catch (RuntimeException e) {
            counters(target).failures.increment();
            throw e;
        }
        run.channel().addCloseFutureListener(f -> err.close());
        track(run);
        return new RemoteProcessImpl(this, target, command, run, err, onClose);
    }

    void finished(SshTarget target, CommandResult r) {
        counters(target).commands.increment();
        events.commandFinished(target, r);
    }

    /** Kills a process group by pid from a second channel; bounded by {@code killGrace}; never itself killed. */
    void killByPid(SshTarget target, long pid, String signal) throws InterruptedException {
        String p = Long.toString(pid);
        String script = "p=" + p + "; g=$(ps -o pgid= -p $p 2>/dev/null | tr -d ' '); "
                + "if [ -z \"$g\" ] && [ -r /proc/$p/stat ]; then g=$(sed 's/^.*) . [0-9]* \\([0-9]*\\).*$/\\1/' /proc/$p/stat); fi; "
                + "if [ -n \"$g\" ] && [ \"$g\" -gt 1 ]; then kill -s " + signal + " -- -$g 2>/dev/null || kill -s " + signal
                + " $p; else kill -s " + signal + " $p; fi";
        long start = System.nanoTime();
        long budget = killGrace.toNanos();
        try {
            CommandRun run = open(target, script, false, false, start, budget, null);
            run.sendInput(null);
            if (!run.awaitEnd(budget - (System.nanoTime() - start))) {
                run.close();
            }
        } catch (RuntimeException e) {
            log.warn("{} - could not kill pid {} on {} from a second channel: {}", name, pid, target, e.toString());
        }
    }

    private static void checkCommand(String command) {
        if (command == null || command.isBlank()) {
            throw new IllegalArgumentException("command must not be blank, but was " + (command == null ? "null" : "'" + command + "'"));
        }
    }

    /**
     * Writes a command's stdin on the executor when there is any: the write waits for the server's
     * window, which a command that never reads never opens, and the caller's timeout must still
     * fire (its kill closes the channel, which ends the write).
     */
    private void sendInput(CommandRun run, byte[] stdin) {
        if (stdin != null && stdin.length > 0) {
            try {
                executor.execute(() -> run.sendInput(stdin));
                return;
            } catch (RejectedExecutionException e) {
                // closing: write it here
            }
        }
        run.sendInput(stdin);
    }

    public Map<SshTarget, CommandResult> execAll(Collection<SshTarget> targets, String command, Duration timeout)
            throws InterruptedException {
        checkCommand(command);
        checkAccepting();
        List<SshTarget> distinct = new ArrayList<>(new LinkedHashSet<>(targets));
        Semaphore permits = new Semaphore(settings.execAllParallelism);
        Map<SshTarget, Future<CommandResult>> futures = new LinkedHashMap<>();
        try {
            for (SshTarget t : distinct) {
                permits.acquire();
                Future<CommandResult> f;
                try {
                    f = executor.submit(() -> {
                        long start = System.nanoTime();
                        try {
                            return exec(t, command, null, timeout);
                        } catch (RuntimeException e) {
                            return CommandResult.failed(command, e, Duration.ofNanos(System.nanoTime() - start));
                        } finally {
                            permits.release();
                        }
                    });
                } catch (RejectedExecutionException e) {
                    permits.release();
                    throw new PoolClosedException(name + " - the pool is closed");
                }
                futures.put(t, f);
            }
            Map<SshTarget, CommandResult> results = new LinkedHashMap<>();
            for (Map.Entry<SshTarget, Future<CommandResult>> e : futures.entrySet()) {
                try {
                    results.put(e.getKey(), e.getValue().get());
                } catch (ExecutionException x) {
                    Throwable cause = x.getCause();
                    RuntimeException failure = cause instanceof RuntimeException r ? r
                            : new SshException(name + " - `" + CommandRun.abbreviate(command) + "` on " + e.getKey() + " failed: "
                            + cause, cause, true);
                    results.put(e.getKey(), CommandResult.failed(command, failure, Duration.ZERO));
                }
            }
            return results;
        } catch (InterruptedException e) {
            futures.values().forEach(f -> f.cancel(true));
            throw e;
        }
    }

    // ---------------------------------------------------------------- beyond exec

    public SftpSession sftp(SshTarget target) throws InterruptedException {
        checkAccepting();
        return SftpSessionImpl.open(channels, target, nanos(settings.acquireTimeout));
    }

    public TransferResult upload(SshTarget target, Path local, String remote, Duration timeout) throws IOException, InterruptedException {
        checkAccepting();
        return transfers.upload(target, local, remote, timeout == null ? settings.transferTimeout : timeout);
    }

    public TransferResult download(SshTarget target, String remote, Path local, Duration timeout)
            throws IOException, InterruptedException {
        checkAccepting();
        return transfers.download(target, remote, local, timeout == null ? settings.transferTimeout : timeout);
    }

    public Tunnel forward(SshTarget target, String host, int port, int localPort) {
        checkAccepting();
        dispatcher(target);
        TunnelImpl t = TunnelImpl.open(channels, target, host, port, localPort, tunnels::remove);
        tunnels.add(t);
        if (!accepting) {
            t.close();
            throw new PoolClosedException(name + " - the pool is closed");
        }
        return t;
    }

    public <R> R withSession(SshTarget target, SessionFunction<R> function) throws InterruptedException {
        checkAccepting();
        return SessionLoan.run(channels, target, function, nanos(settings.acquireTimeout));
    }

    public Remote remote(SshTarget target) {
        Dispatcher d = dispatcher(target);
        d.pin();
        return new RemoteImpl(this, target, d);
    }

    // ---------------------------------------------------------------- management

    public int warm(SshTarget target, int count) throws InterruptedException {
        return pool.warmUp(target, count);
    }

    public void drain(SshTarget target) {
        pool.remove(target);
    }

    public SshStats stats(SshTarget target) {
        Dispatcher d = dispatchers.get(target);
        int[] s = d == null ? new int[4] : d.snapshot();
        Counters c = counters.get(target);
        return new SshStats(pool.stats(target), s[0], s[1], s[2],
                d == null ? settings.maxChannelsPerConnection : d.channelLimit(), s[3],
                c == null ? 0 : c.commands.sum(), c == null ? 0 : c.failures.sum(), c == null ? 0 : c.timeouts.sum(),
                c == null ? 0 : c.timeoutsNotStopped.sum(),
                c == null ? 0 : c.retries.sum(), d == null ? 0 : d.refusals.sum());
    }

    public io.poolkit.PoolStats totals() {
        return pool.stats();
    }

    public java.util.Set<SshTarget> targets() {
        return pool.keys();
    }

    public void addListener(SshPoolListener l) {
        events.add(l);
    }

    public void removeListener(SshPoolListener l) {
        events.remove(l);
    }

    public String name() {
        return name;
    }

    /**
     * Waits for running commands until {@code deadline}, then stops the rest on their hosts (a channel
     * closed without a PTY leaves its command running there), all at once, each bounded by the kill
     * grace; their callers get an {@link SshException} saying so.
     */
    private void stopRunning(long deadline) throws InterruptedException {
        for (CommandRun r : List.copyOf(running)) {
            if (!r.awaitEnd(deadline - System.nanoTime())) {
                break;
            }
        }
        List<CompletableFuture<Boolean>> kills = new ArrayList<>();
        for (CommandRun r : List.copyOf(running)) {
            r.stoppedByShutdown = true;
            kills.add(CompletableFuture.supplyAsync(r::kill, executor));
        }
        long bound = System.nanoTime() + 5 * killGrace.toNanos() + TimeUnit.SECONDS.toNanos(1);
        for (CompletableFuture<Boolean> k : kills) {
            try {
                k.get(Math.max(0, bound - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (ExecutionException | TimeoutException e) {
                log.warn("{} - a command still running at shutdown could not be stopped on its host: {}", name, e.toString());
            }
        }
    }

    public boolean shutdown(Duration grace) throws InterruptedException {
        accepting = false;
        // a tunnel's connections never end by themselves: they go first, and their leases with them
        List.copyOf(tunnels).forEach(TunnelImpl::close);
        long deadline = System.nanoTime() + nanos(grace);
        stopRunning(deadline);
        closed = true;
        dispatchers.values().forEach(Dispatcher::close);
        boolean all;
        try {
            all = pool.shutdown(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
        } finally {
            stopClient();
            executor.shutdown();
            if (!executor.awaitTermination(Math.max(1, killGrace.toMillis()), TimeUnit.MILLISECONDS)) {
                executor.shutdownNow();
            }
        }
        return all;
    }

    private void stopClient() {
        try {
            client.stop();
        } catch (RuntimeException e) {
            log.debug("{} - stopping the SSH client: {}", name, e.toString());
        }
    }

    public void close() {
        try {
            shutdown(settings.shutdownTimeout);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            stopClient();
            executor.shutdownNow();
        }
    }
}
