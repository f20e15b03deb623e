package io.poolkit.ssh.internal;

import io.poolkit.PoolClosedException;
import io.poolkit.ssh.CommandResult;
import io.poolkit.ssh.RemoteProcess;
import io.poolkit.ssh.SshException;
import io.poolkit.ssh.SshTarget;
import java.nio.charset.StandardCharsets;
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
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Command execution: {@code exec}, {@code start} and {@code execAll} on dispatcher slots, retried
 * only while the exec request was never sent; the per-target counters; the commands running now
 * (what shutdown stops when its grace ends). Takes what it uses from the engine — settings, the
 * dispatcher lookup, events, the executor, whether the pool still accepts work — never the engine.
 * Thread-safe.
 */
final class Commands {
    private static final Logger log = LoggerFactory.getLogger(Commands.class);
    private static final int MAX_ATTEMPTS = 8;

    private final String name;
    private final Settings settings;
    private final Function<SshTarget, Dispatcher> dispatchers;
    private final Events events;
    private final ExecutorService executor;
    private final BooleanSupplier accepting;
    private final Map<SshTarget, Counters> counters = new ConcurrentHashMap<>();
    /** Commands whose channel is open (exec and start): what shutdown stops on the host when its grace ends. */
    final Set<CommandRun> running = ConcurrentHashMap.newKeySet();
    /** What each {@link CommandRun} needs: bounds, the pid marker, and a way to kill by pid from a second channel. */
    final CommandRun.Context context;

    /** One target's command counts. */
    static final class Counters {
        final LongAdder commands = new LongAdder();
        final LongAdder failures = new LongAdder();
        final LongAdder timeouts = new LongAdder();
        final LongAdder timeoutsNotStopped = new LongAdder();
        final LongAdder retries = new LongAdder();
    }

    Commands(String name, Settings settings, Function<SshTarget, Dispatcher> dispatchers, Events events, ExecutorService executor,
             BooleanSupplier accepting) {
        this.name = name;
        this.settings = settings;
        this.dispatchers = dispatchers;
        this.events = events;
        this.executor = executor;
        this.accepting = accepting;
        byte[] token = new byte[6];
        new SecureRandom().nextBytes(token);
        this.context = new CommandRun.Context(name, settings.maxOutputBytes, settings.killGrace,
                "poolkit-pid." + HexFormat.of().formatHex(token) + ".", this::killByPid);
    }

    String name() {
        return name;
    }

    Counters counters(SshTarget target) {
        return counters.computeIfAbsent(target, t -> new Counters());
    }

    /** @return the target's counters, or null when it never ran a command */
    Counters countersIfAny(SshTarget target) {
        return counters.get(target);
    }

    Duration commandTimeout() {
        return settings.commandTimeout;
    }

    /**
     * Opens a channel for {@code command}, retrying on another channel only while the exec request
     * was never sent.
     */
    private CommandRun open(SshTarget target, String command, boolean wrap, boolean streaming, long start, long budget,
                            java.io.OutputStream streamErr) throws InterruptedException {
        Dispatcher d = dispatchers.apply(target);
        Counters c = counters(target);
        Throwable lastCause = null;
        for (int attempt = 1; ; attempt++) {
            long left = budget - (System.nanoTime() - start);
            long channelWait = Math.min(Engine.nanos(settings.acquireTimeout), Math.max(0, left));
            Slot slot = d.acquire(channelWait);
            CommandRun run = new CommandRun(context, target, command, wrap, streaming, start);
            if (streamErr != null) {
                run.streamErrTo(streamErr);
            }
            left = budget - (System.nanoTime() - start);
            if (run.open(slot, Math.max(1, Math.min(left, Engine.nanos(settings.acquireTimeout)))) == CommandRun.Opened.OPEN) {
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

    void checkAccepting() {
        if (!accepting.getAsBoolean()) {
            throw new PoolClosedException(name + " - the pool is closed");
        }
    }

    /** Counts {@code run} as running until its channel closes. */
    private void track(CommandRun run) {
        running.add(run);
        run.channel().addCloseFutureListener(f -> running.remove(run));
    }

    CommandResult exec(SshTarget target, String command, byte[] stdin, Duration timeout) throws InterruptedException {
        checkCommand(command);
        checkAccepting();
        long start = System.nanoTime();
        long budget = Engine.nanos(timeout);
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
                ended = run.awaitEnd(settings.killGrace.toNanos());
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

    RemoteProcess start(SshTarget target, String command, Runnable onClose) throws InterruptedException {
        checkCommand(command);
        checkAccepting();
        long start = System.nanoTime();
        StreamPipe err = new StreamPipe(settings.maxOutputBytes);
        CommandRun run;
        try {
            run = open(target, command, settings.pidWrapper, true, start, Engine.nanos(settings.acquireTimeout), err);
        } catch (RuntimeException e) {
            counters(target).failures.increment();
            throw e;
        }
        run.channel().addCloseFutureListener(f -> err.close());
        track(run);
        return new RemoteProcessImpl(name, this::finished, target, command, run, err, onClose);
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
        long budget = settings.killGrace.toNanos();
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

    /**
     * The longest command, in UTF-8 bytes: Linux's bound on one argument (the login shell's {@code -c}
     * string). OpenSSH drops the whole connection, every other command on it included, for an exec
     * request over its 256 KiB packet limit.
     */
    static final int MAX_COMMAND_BYTES = 128 * 1024;

    private static void checkCommand(String command) {
        if (command == null || command.isBlank()) {
            throw new IllegalArgumentException("command must not be blank, but was " + (command == null ? "null" : "'" + command + "'"));
        }
        // refused before anything is sent: OpenSSH drops the whole shared connection for either
        if (command.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("command must not contain a NUL character, but was '"
                    + CommandRun.abbreviate(command.replace('\0', '?')) + "'");
        }
        int bytes = command.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > MAX_COMMAND_BYTES) {
            throw new IllegalArgumentException("command must be at most " + MAX_COMMAND_BYTES + " bytes (UTF-8), but was " + bytes
                    + " bytes; pass large input as stdin, or upload it");
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

    Map<SshTarget, CommandResult> execAll(Collection<SshTarget> targets, String command, Duration timeout)
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
}
