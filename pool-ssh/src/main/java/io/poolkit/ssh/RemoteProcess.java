package io.poolkit.ssh;

import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;

/**
 * A long command whose input and output are streamed, from {@link SshPool#start}. It holds one
 * channel until it ends or is closed; use it with try-with-resources: {@link #close()} stops a
 * command that still runs.
 *
 * <p>{@link #stdout()} is flow-controlled: the server sends more only as you read, so a slow reader
 * slows the command instead of filling memory (and MINA's I/O threads never wait for you).
 * {@link #stderr()} is buffered up to the pool's {@code maxOutputBytes}; beyond that it is dropped.
 * Close {@link #stdin()} to send end-of-input.
 *
 * <p>One reader per stream; the handle itself is thread-safe. After {@link #close()} every method
 * but {@code close} throws {@link IllegalStateException}.
 */
public interface RemoteProcess extends AutoCloseable {

    /** @return the target it runs on */
    SshTarget target();

    /** @return the command */
    String command();

    /** @return the command's standard input; close it to send end-of-input */
    OutputStream stdin();

    /** @return the command's standard output, ending when the command closes it */
    InputStream stdout();

    /** @return the command's standard error, ending when the command closes it */
    InputStream stderr();

    /**
     * @param timeout the longest wait
     * @return whether the command ended within it
     * @throws InterruptedException when interrupted while waiting
     */
    boolean waitFor(Duration timeout) throws InterruptedException;

    /** @return whether the command still runs */
    boolean isRunning();

    /**
     * @return exit code or signal and duration (the outputs were streamed: empty here)
     * @throws IllegalStateException while it still runs
     */
    CommandResult result();

    /**
     * Stops the command on the host (signal, or a kill by pid when the server refuses signals) and
     * closes its channel.
     *
     * @return whether it is known to have ended
     */
    boolean kill();

    /** Stops the command if it still runs and frees its channel. Idempotent. */
    @Override
    void close();
}
