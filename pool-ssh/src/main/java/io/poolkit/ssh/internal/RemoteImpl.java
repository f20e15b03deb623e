package io.poolkit.ssh.internal;

import io.poolkit.ssh.CommandResult;
import io.poolkit.ssh.Remote;
import io.poolkit.ssh.RemoteProcess;
import io.poolkit.ssh.SshTarget;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;

/** A handle on one target that keeps a connection pinned while open; see {@link Remote}. */
final class RemoteImpl implements Remote {
    private final Commands commands;
    private final SshTarget target;
    private final Dispatcher dispatcher;
    private final AtomicBoolean closed = new AtomicBoolean();

    RemoteImpl(Commands commands, SshTarget target, Dispatcher dispatcher) {
        this.commands = commands;
        this.target = target;
        this.dispatcher = dispatcher;
    }

    private void open() {
        if (closed.get()) {
            throw new IllegalStateException(commands.name() + " - remote handle on " + target
                    + " used after close; get a new one with SshPool.remote(target)");
        }
    }

    @Override
    public SshTarget target() {
        return target;
    }

    @Override
    public CommandResult exec(String command) throws InterruptedException {
        return exec(command, commands.commandTimeout());
    }

    @Override
    public CommandResult exec(String command, Duration timeout) throws InterruptedException {
        open();
        return commands.exec(target, command, null, timeout);
    }

    @Override
    public RemoteProcess start(String command) throws InterruptedException {
        open();
        return commands.start(target, command, () -> { });
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            dispatcher.unpin();
        }
    }

    @Override
    public String toString() {
        return "Remote[" + target + (closed.get() ? ", closed" : "") + "]";
    }
}
