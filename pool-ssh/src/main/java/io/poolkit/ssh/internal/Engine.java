package io.poolkit.ssh.internal;

import io.poolkit.PoolClosedException;
import io.poolkit.ssh.CommandResult;
import io.poolkit.ssh.Remote;
import io.poolkit.ssh.RemoteProcess;
import io.poolkit.ssh.SessionFunction;
import io.poolkit.ssh.SftpSession;
import io.poolkit.ssh.SshPoolListener;
import io.poolkit.ssh.SshStats;
import io.poolkit.ssh.SshTarget;
import io.poolkit.ssh.TransferResult;
import io.poolkit.ssh.Tunnel;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What {@code SshPool} calls: the targets' {@link Dispatcher}s over the pool {@link Wiring} builds,
 * {@link Commands} for execution, a {@link ChannelSource} for SFTP, tunnels, jump hosts and
 * {@code withSession}, the stats, and the lifecycle (shutdown stops tunnels, then the commands still
 * running when the grace ends, then the connections). Thread-safe.
 */
public final class Engine {
    private static final Logger log = LoggerFactory.getLogger(Engine.class);

    private final String name;
    private final Settings settings;
    private final Wiring wiring;
    private final Map<SshTarget, Dispatcher> dispatchers = new ConcurrentHashMap<>();
    private final Commands commands;
    private volatile boolean closed;
    /** False once shutdown began: no new command starts, while the running ones can still be stopped over channels. */
    private volatile boolean accepting = true;
    /** What SFTP, tunnels, jump hosts and withSession take their permits and holds from. */
    private final ChannelSource channels;
    private final Transfers transfers;
    private final Set<TunnelImpl> tunnels = ConcurrentHashMap.newKeySet();

    public Engine(Settings built) {
        this.settings = built.copy();
        this.wiring = new Wiring(settings, dispatchers::get);
        this.name = wiring.name;
        this.commands = new Commands(name, settings, this::dispatcher, wiring.events, wiring.executor, () -> accepting);
        this.channels = new ChannelSource(name, this::dispatcher, settings.acquireTimeout, settings.killGrace, wiring.executor);
        this.transfers = new Transfers(channels);
        wiring.connector.jumpsFrom(channels);
    }

    Dispatcher dispatcher(SshTarget target) {
        Dispatcher d = dispatchers.get(target);
        if (d != null) {
            return d;
        }
        if (closed) {
            throw new PoolClosedException(name + " - the pool is closed");
        }
        return dispatchers.computeIfAbsent(target, t -> new Dispatcher(name, t, wiring.pool, settings.maxChannelsPerConnection,
                settings.maxConnectionsPerTarget, wiring.executor, wiring.events, settings.ticker,
                new ConnectionCheck(name, t, settings.validationTimeout, wiring.executor, wiring.events)));
    }

    static long nanos(Duration d) {
        try {
            return d.toNanos();
        } catch (ArithmeticException e) {
            return Long.MAX_VALUE;
        }
    }

    // ---------------------------------------------------------------- commands

    public Duration commandTimeout() {
        return settings.commandTimeout;
    }

    public CommandResult exec(SshTarget target, String command, byte[] stdin, Duration timeout) throws InterruptedException {
        return commands.exec(target, command, stdin, timeout);
    }

    public RemoteProcess start(SshTarget target, String command, Runnable onClose) throws InterruptedException {
        return commands.start(target, command, onClose);
    }

    public Map<SshTarget, CommandResult> execAll(Collection<SshTarget> targets, String command, Duration timeout)
            throws InterruptedException {
        return commands.execAll(targets, command, timeout);
    }

    // ---------------------------------------------------------------- beyond exec

    public SftpSession sftp(SshTarget target) throws InterruptedException {
        commands.checkAccepting();
        return SftpSessionImpl.open(channels, target, nanos(settings.acquireTimeout));
    }

    public TransferResult upload(SshTarget target, Path local, String remote, Duration timeout) throws IOException, InterruptedException {
        commands.checkAccepting();
        return transfers.upload(target, local, remote, timeout == null ? settings.transferTimeout : timeout);
    }

    public TransferResult download(SshTarget target, String remote, Path local, Duration timeout)
            throws IOException, InterruptedException {
        commands.checkAccepting();
        return transfers.download(target, remote, local, timeout == null ? settings.transferTimeout : timeout);
    }

    public Tunnel forward(SshTarget target, String host, int port, int localPort) {
        commands.checkAccepting();
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
        commands.checkAccepting();
        return SessionLoan.run(channels, target, function, nanos(settings.acquireTimeout));
    }

    public Remote remote(SshTarget target) {
        Dispatcher d = dispatcher(target);
        d.pin();
        return new RemoteImpl(commands, target, d);
    }

    // ---------------------------------------------------------------- management

    public int warm(SshTarget target, int count) throws InterruptedException {
        return wiring.pool.warmUp(target, count);
    }

    public void drain(SshTarget target) {
        wiring.pool.remove(target);
    }

    public SshStats stats(SshTarget target) {
        Dispatcher d = dispatchers.get(target);
        int[] s = d == null ? new int[4] : d.snapshot();
        Commands.Counters c = commands.countersIfAny(target);
        return new SshStats(wiring.pool.stats(target), s[0], s[1], s[2],
                d == null ? settings.maxChannelsPerConnection : d.channelLimit(), s[3],
                c == null ? 0 : c.commands.sum(), c == null ? 0 : c.failures.sum(), c == null ? 0 : c.timeouts.sum(),
                c == null ? 0 : c.timeoutsNotStopped.sum(),
                c == null ? 0 : c.retries.sum(), d == null ? 0 : d.refusals.sum(),
                d == null ? 0 : d.checks.suspects.sum(), d == null ? 0 : d.checks.cleared.sum(),
                d == null ? 0 : d.checks.retired.sum(), d == null ? 0 : d.closesUnanswered.sum());
    }

    public io.poolkit.PoolStats totals() {
        return wiring.pool.stats();
    }

    public java.util.Set<SshTarget> targets() {
        return wiring.pool.keys();
    }

    public void addListener(SshPoolListener l) {
        wiring.events.add(l);
    }

    public void removeListener(SshPoolListener l) {
        wiring.events.remove(l);
    }

    public String name() {
        return name;
    }

    /**
     * Waits for running commands and transfers until {@code deadline}, then stops the rest: commands
     * on their hosts (a channel closed without a PTY leaves its command running there), all at once,
     * each bounded by the kill grace, and transfers as a timeout stops them (their temporary files
     * removed); their callers get an {@link SshException} saying so.
     */
    private void stopRunning(long deadline) throws InterruptedException {
        for (CommandRun r : List.copyOf(commands.running)) {
            if (!r.awaitEnd(deadline - System.nanoTime())) {
                break;
            }
        }
        transfers.awaitEnd(deadline);
        List<CompletableFuture<Boolean>> kills = new ArrayList<>();
        for (CommandRun r : List.copyOf(commands.running)) {
            r.stoppedByShutdown = true;
            kills.add(CompletableFuture.supplyAsync(r::kill, wiring.executor));
        }
        long bound = System.nanoTime() + 5 * settings.killGrace.toNanos() + TimeUnit.SECONDS.toNanos(1);
        // stopped as a timeout stops them: channel closed, temporary file removed on a fresh channel
        transfers.stopAll(Math.max(0, bound - System.nanoTime()));
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
            all = wiring.pool.shutdown(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
        } finally {
            wiring.stop(settings.killGrace);
        }
        return all;
    }

    public void close() {
        try {
            shutdown(settings.shutdownTimeout);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            wiring.stopNow();
        }
    }
}
