package io.poolkit.ssh;

import io.poolkit.PoolStats;
import io.poolkit.ssh.internal.Engine;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * A pool of authenticated SSH connections, one keyed sub-pool per {@link SshTarget}, on which
 * commands run as channels: up to {@code maxChannelsPerConnection} at once per connection, the
 * newest connection first, another connection only when all are saturated. A cold connect, key
 * exchange and authentication cost ~100 ms on loopback; a command on a warm connection ~1.5 ms.
 *
 * {@snippet class=io.poolkit.ssh.snippets.SshSnippets region=pool}
 *
 * <p><b>Guarantees.</b> A command is retried on another channel only when its exec request was never
 * sent (the server refused the channel, or the connection failed before confirming it): a command
 * never runs twice. Once sent, a failure reaches the caller with {@link SshException#mayHaveRun()}.
 * On timeout the command is stopped on the host — a {@code signal} request, or a kill of its process
 * group by pid from a second channel when the server refuses signals (the pid comes from a one-line
 * wrapper, {@code printf ... "$$" >&2;}, put before each command; it needs a POSIX login shell:
 * turn it off with {@code pidWrapper(false)} for others) — and then its channel is closed: without a
 * PTY, closing a channel alone would leave the command running. Host keys are checked against
 * known_hosts (MINA's accept-all default is replaced). Output is capped per stream.
 *
 * <p><b>Beyond commands.</b> The same pooled connections carry files ({@link #sftp}, {@link #upload},
 * {@link #download}: an SFTP channel takes a channel permit like a command), tunnels ({@link #forward}:
 * {@code direct-tcpip} channels keep their connection leased but take no permit, as OpenSSH's
 * MaxSessions does not count them), targets behind a jump host ({@link SshTarget#via}) and, for what
 * the pool does not wrap, MINA's session itself ({@link #withSession}).
 *
 * <p><b>The login shell.</b> sshd runs each command through the target user's login shell, whose rc
 * files run before every command, pooled or not (a {@code .bashrc} that loads version managers was
 * measured at ~85 ms per command, a plain {@code /bin/sh} at 2–3 ms): give automation users a quiet,
 * fast shell.
 *
 * <p>Thread-safe. {@link #close()} stops new commands, closes the tunnels, waits up to
 * {@code shutdownTimeout} for running commands and transfers, stops those still running (a transfer's
 * temporary file is removed; its caller gets an {@link SshException}), then closes every connection.
 */
public final class SshPool implements AutoCloseable {
    private final Engine engine;

    SshPool(Engine engine) {
        this.engine = engine;
    }

    /** @return a builder with the documented defaults */
    public static SshPoolBuilder builder() {
        return new SshPoolBuilder();
    }

    /**
     * Runs {@code command} within the pool's {@code commandTimeout}.
     *
     * @param target where
     * @param command a shell command, run by the login shell of the target's user
     * @return its result, whatever its exit code
     * @throws InterruptedException when interrupted (a running command is stopped)
     * @see #exec(SshTarget, String, Duration)
     */
    public CommandResult exec(SshTarget target, String command) throws InterruptedException {
        return exec(target, command, engine.commandTimeout());
    }

    /**
     * Runs {@code command} on a channel of a pooled connection to {@code target}.
     *
     * @param target where
     * @param command a shell command, run by the login shell of the target's user
     * @param timeout the bound on the wait for a channel (also bounded by {@code acquireTimeout}) plus
     *     the run; {@link io.poolkit.Pool#FOREVER} waits as long as the command runs
     * @return its result, whatever its exit code
     * @throws CommandTimeoutException when it ran longer (it was stopped: see the class notes)
     * @throws HostKeyException when the host key is unknown, changed or revoked
     * @throws SshAuthenticationException when the credential was refused
     * @throws io.poolkit.PoolTimeoutException when no channel was free in time (the cause says why,
     *     e.g. the host is unreachable)
     * @throws io.poolkit.CircuitOpenException when connecting to the target failed repeatedly just now
     * @throws SshException when the connection was lost while the command ran ({@code mayHaveRun()})
     * @throws IllegalArgumentException for a blank command, one with a NUL character or one over 128 KiB
     *     in UTF-8 (refused before anything is sent: OpenSSH would drop the whole connection, and every
     *     other command on it, for the last two)
     * @throws InterruptedException when interrupted (a running command is stopped)
     */
    public CommandResult exec(SshTarget target, String command, Duration timeout) throws InterruptedException {
        return engine.exec(Objects.requireNonNull(target, "target"), command, null, checkTimeout(timeout));
    }

    /**
     * Runs {@code command} with {@code stdin} as its standard input (then end-of-input).
     *
     * @param target where
     * @param command a shell command
     * @param stdin its input
     * @param timeout as for {@link #exec(SshTarget, String, Duration)}
     * @return its result
     * @throws InterruptedException when interrupted (a running command is stopped)
     */
    public CommandResult exec(SshTarget target, String command, byte[] stdin, Duration timeout) throws InterruptedException {
        return engine.exec(Objects.requireNonNull(target, "target"), command, Objects.requireNonNull(stdin, "stdin").clone(),
                checkTimeout(timeout));
    }

    /**
     * Starts a long command with streamed input and output; see {@link RemoteProcess}. It holds a
     * channel until it ends and is closed; no timeout applies (use {@link RemoteProcess#waitFor}).
     *
     * @param target where
     * @param command a shell command
     * @return the running command
     * @throws InterruptedException when interrupted while waiting for a channel
     */
    public RemoteProcess start(SshTarget target, String command) throws InterruptedException {
        return engine.start(Objects.requireNonNull(target, "target"), command, () -> { });
    }

    /**
     * @param target where
     * @return a handle for many commands that keeps a connection leased between them; close it
     */
    public Remote remote(SshTarget target) {
        return engine.remote(Objects.requireNonNull(target, "target"));
    }

    /**
     * Runs {@code command} on every target, at most {@code execAllParallelism} at once, within the
     * pool's {@code commandTimeout} each.
     *
     * @param targets where (a target listed twice runs once)
     * @param command a shell command
     * @return a result per target, in the order given; a target where the command could not run has
     *     a result with {@link CommandResult#failure()} present
     * @throws InterruptedException when interrupted (the commands still running are stopped)
     */
    public Map<SshTarget, CommandResult> execAll(Collection<SshTarget> targets, String command) throws InterruptedException {
        return execAll(targets, command, engine.commandTimeout());
    }

    /**
     * @param targets where
     * @param command a shell command
     * @param timeout the bound of each
     * @return a result per target (see {@link #execAll(Collection, String)})
     * @throws InterruptedException when interrupted (the commands still running are stopped)
     */
    public Map<SshTarget, CommandResult> execAll(Collection<SshTarget> targets, String command, Duration timeout)
            throws InterruptedException {
        Objects.requireNonNull(targets, "targets").forEach(t -> Objects.requireNonNull(t, "targets must not contain null"));
        return engine.execAll(targets, command, checkTimeout(timeout));
    }

    /**
     * Opens an SFTP channel on a pooled connection to {@code target}: it takes one channel permit, like
     * an exec, until it is closed.
     *
     * @param target where
     * @return the session; close it
     * @throws SshException when the server has no SFTP subsystem or refused every channel
     * @throws io.poolkit.PoolTimeoutException when no channel was free within {@code acquireTimeout}
     * @throws InterruptedException when interrupted while waiting for a channel
     */
    public SftpSession sftp(SshTarget target) throws InterruptedException {
        return engine.sftp(Objects.requireNonNull(target, "target"));
    }

    /**
     * Copies a local file to {@code remote} within the pool's {@code transferTimeout}.
     *
     * @param target where
     * @param local the file to copy
     * @param remote the remote path to write
     * @return the bytes copied and the time it took
     * @throws IOException see {@link #upload(SshTarget, Path, String, Duration)}
     * @throws InterruptedException when interrupted (the copy stops; its temporary file is removed)
     */
    public TransferResult upload(SshTarget target, Path local, String remote) throws IOException, InterruptedException {
        return upload(target, local, remote, null);
    }

    /**
     * Copies a local file to {@code remote} over SFTP: streamed (memory does not grow with the file),
     * written under a temporary name in {@code remote}'s directory and renamed over {@code remote} only
     * once complete (a reader sees the old file or the new one, never half of one), with the local
     * file's permission bits. On failure, timeout or interrupt the temporary file is removed.
     *
     * {@snippet class=io.poolkit.ssh.snippets.SshSnippets region=upload}
     *
     * @param target where
     * @param local the file to copy
     * @param remote the remote path to write (its directory must exist)
     * @param timeout the bound of the whole copy, waiting for a channel included; {@code null} for the
     *     pool's {@code transferTimeout}
     * @return the bytes copied and the time it took
     * @throws java.nio.file.NoSuchFileException when the local file, or the remote directory, is missing
     * @throws java.nio.file.AccessDeniedException when the local file is unreadable, or the remote
     *     directory not writable
     * @throws IOException for any other failure of the copy (the message names the path and the host)
     * @throws SshException when the copy did not finish within {@code timeout}
     * @throws InterruptedException when interrupted
     */
    public TransferResult upload(SshTarget target, Path local, String remote, Duration timeout)
            throws IOException, InterruptedException {
        return engine.upload(Objects.requireNonNull(target, "target"), Objects.requireNonNull(local, "local"), remote,
                timeout == null ? null : checkTimeout(timeout));
    }

    /**
     * Copies {@code remote} to a local file within the pool's {@code transferTimeout}.
     *
     * @param target where
     * @param remote the remote file
     * @param local the local path to write
     * @return the bytes copied and the time it took
     * @throws IOException see {@link #download(SshTarget, String, Path, Duration)}
     * @throws InterruptedException when interrupted (the copy stops; its temporary file is removed)
     */
    public TransferResult download(SshTarget target, String remote, Path local) throws IOException, InterruptedException {
        return download(target, remote, local, null);
    }

    /**
     * Copies {@code remote} to a local file: streamed, written under a temporary name beside
     * {@code local} and moved over it atomically once complete, with the remote file's permission bits.
     *
     * @param target where
     * @param remote the remote file
     * @param local the local path to write (its directory must exist)
     * @param timeout the bound of the whole copy; {@code null} for the pool's {@code transferTimeout}
     * @return the bytes copied and the time it took
     * @throws java.nio.file.NoSuchFileException when the remote file, or the local directory, is missing
     * @throws java.nio.file.AccessDeniedException when the remote file is unreadable
     * @throws IOException for any other failure of the copy (the message names the path and the host)
     * @throws SshException when the copy did not finish within {@code timeout}
     * @throws InterruptedException when interrupted
     */
    public TransferResult download(SshTarget target, String remote, Path local, Duration timeout)
            throws IOException, InterruptedException {
        return engine.download(Objects.requireNonNull(target, "target"), remote, Objects.requireNonNull(local, "local"),
                timeout == null ? null : checkTimeout(timeout));
    }

    /**
     * Forwards an ephemeral loopback port to {@code host:port} as {@code target} reaches it; see
     * {@link Tunnel}.
     *
     * @param target the SSH host the connections go through
     * @param host the destination, as the target resolves it
     * @param port the destination port
     * @return the open tunnel; close it
     */
    public Tunnel forward(SshTarget target, String host, int port) {
        return forward(target, host, port, 0);
    }

    /**
     * Forwards a loopback port to {@code host:port} as {@code target} reaches it; see {@link Tunnel}.
     * The listener is always on the loopback address: a tunnel is never reachable from other hosts.
     *
     * @param target the SSH host the connections go through
     * @param host the destination, as the target resolves it
     * @param port the destination port, 1 to 65535
     * @param localPort the loopback port to listen on, 0 for an ephemeral one
     * @return the open tunnel; close it
     * @throws java.io.UncheckedIOException when the local port cannot be bound
     */
    public Tunnel forward(SshTarget target, String host, int port, int localPort) {
        Objects.requireNonNull(target, "target");
        if (host == null || host.isBlank()) {
            throw new IllegalArgumentException("host must not be blank, but was " + (host == null ? "null" : "'" + host + "'"));
        }
        SshTarget.checkNoControl("host", host);
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port must be between 1 and 65535, but was " + port);
        }
        if (localPort < 0 || localPort > 65535) {
            throw new IllegalArgumentException("localPort must be between 0 and 65535, but was " + localPort);
        }
        return engine.forward(target, host.trim(), port, localPort);
    }

    /**
     * Lends MINA's {@link org.apache.sshd.client.session.ClientSession} of a pooled connection to
     * {@code function}, for what the pool does not wrap (port forwarding of your own, agent requests,
     * subsystems). For the call's duration the connection stays leased and one channel permit is taken,
     * as for an exec; if the function closes the session, the connection is discarded, not returned.
     *
     * {@snippet class=io.poolkit.ssh.snippets.SshSnippets region=with-session}
     *
     * @param <R> what the function returns
     * @param target where
     * @param function what to run; it must not keep the session
     * @return what it returned
     * @throws SshException wrapping a checked exception the function threw (unchecked ones pass as they are)
     * @throws InterruptedException when interrupted while waiting for a channel, or thrown by the function
     */
    public <R> R withSession(SshTarget target, SessionFunction<R> function) throws InterruptedException {
        return engine.withSession(Objects.requireNonNull(target, "target"), Objects.requireNonNull(function, "function"));
    }

    /**
     * Opens connections to {@code target} now, so the first commands find them ready.
     *
     * @param target where
     * @param connections how many idle connections are wanted (bounded by {@code maxConnectionsPerTarget})
     * @return how many are idle afterwards
     * @throws InterruptedException when interrupted
     */
    public int warm(SshTarget target, int connections) throws InterruptedException {
        if (connections < 0) {
            throw new IllegalArgumentException("connections must be at least 0, but was " + connections);
        }
        return engine.warm(Objects.requireNonNull(target, "target"), connections);
    }

    /**
     * Closes the target's idle connections now and the others when their running commands end; new
     * commands get fresh connections. Returns at once.
     *
     * @param target the target to drain
     */
    public void drain(SshTarget target) {
        engine.drain(Objects.requireNonNull(target, "target"));
    }

    /**
     * @param target a target
     * @return its connection and channel counts (all zero for a target not served now)
     */
    public SshStats stats(SshTarget target) {
        return engine.stats(Objects.requireNonNull(target, "target"));
    }

    /** @return the connection counts over every target */
    public PoolStats stats() {
        return engine.totals();
    }

    /** @return the targets served now */
    public Set<SshTarget> targets() {
        return engine.targets();
    }

    /** @param listener receives events from now on */
    public void addListener(SshPoolListener listener) {
        engine.addListener(Objects.requireNonNull(listener, "listener"));
    }

    /** @param listener receives no more events */
    public void removeListener(SshPoolListener listener) {
        engine.removeListener(listener);
    }

    /** @return the pool's name, the prefix of its log lines and threads */
    public String name() {
        return engine.name();
    }

    /**
     * Stops new commands, waits up to {@code grace} for running ones and for uploads and downloads,
     * stops those still running (see the class notes), then closes every connection.
     *
     * @param grace how long running commands may take
     * @return whether every connection came back in time
     * @throws InterruptedException when interrupted while waiting
     */
    public boolean shutdown(Duration grace) throws InterruptedException {
        return engine.shutdown(checkTimeout(grace));
    }

    /** {@code shutdown(shutdownTimeout)}, without a checked exception. */
    @Override
    public void close() {
        engine.close();
    }

    private static Duration checkTimeout(Duration d) {
        Objects.requireNonNull(d, "timeout");
        if (d.isNegative()) {
            throw new IllegalArgumentException("timeout must not be negative, but was " + d);
        }
        return d;
    }

    @Override
    public String toString() {
        return "SshPool[" + engine.name() + ", " + engine.totals().brief() + "]";
    }
}
