package io.poolkit.ssh.internal;

import io.poolkit.ssh.CommandResult;
import io.poolkit.ssh.RemoteProcess;
import io.poolkit.ssh.SshTarget;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiConsumer;

/** A streamed command on its channel; see {@link RemoteProcess}. */
final class RemoteProcessImpl implements RemoteProcess {
    private final String name;
    /** Counts the result and tells the listeners, once it is read. */
    private final BiConsumer<SshTarget, CommandResult> finished;
    private final SshTarget target;
    private final String command;
    private final CommandRun run;
    private final StreamPipe err;
    private final Runnable onClose;
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile CommandResult result;

    RemoteProcessImpl(String name, BiConsumer<SshTarget, CommandResult> finished, SshTarget target, String command, CommandRun run,
                      StreamPipe err, Runnable onClose) {
        this.name = name;
        this.finished = finished;
        this.target = target;
        this.command = command;
        this.run = run;
        this.err = err;
        this.onClose = onClose;
    }

    private void open() {
        if (closed.get()) {
            throw new IllegalStateException(name + " - remote process `" + CommandRun.abbreviate(command) + "` on " + target
                    + " used after close; start a new one with SshPool.start");
        }
    }

    @Override
    public SshTarget target() {
        return target;
    }

    @Override
    public String command() {
        return command;
    }

    @Override
    public OutputStream stdin() {
        open();
        return run.stdin();
    }

    @Override
    public InputStream stdout() {
        open();
        return run.stdout();
    }

    @Override
    public InputStream stderr() {
        open();
        return err.input;
    }

    @Override
    public boolean waitFor(Duration timeout) throws InterruptedException {
        open();
        return run.awaitEnd(Engine.nanos(timeout));
    }

    @Override
    public boolean isRunning() {
        return !run.channel().isClosed();
    }

    @Override
    public CommandResult result() {
        open();
        if (isRunning()) {
            throw new IllegalStateException("`" + CommandRun.abbreviate(command) + "` still runs on " + target
                    + "; call waitFor first");
        }
        CommandResult r = result;
        if (r == null) {
            r = run.result();
            result = r;
            finished.accept(target, r);
        }
        return r;
    }

    @Override
    public boolean kill() {
        open();
        return run.kill();
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            try {
                if (isRunning()) {
                    run.kill();
                }
            } finally {
                onClose.run();
            }
        }
    }

    @Override
    public String toString() {
        return "RemoteProcess[`" + CommandRun.abbreviate(command) + "` on " + target + (closed.get() ? ", closed" : isRunning()
                ? ", running" : ", ended") + "]";
    }
}
