package io.poolkit.ssh;

import java.time.Duration;

/**
 * A handle on one target for many commands, from {@link SshPool#remote}: while it is open the pool
 * keeps a connection to the target leased between commands (no return, no revalidation), and
 * commands run on it, up to {@code maxChannelsPerConnection} at once, then on further connections.
 * Thread-safe. After {@link #close()} it throws {@link IllegalStateException}: get a new one.
 */
public interface Remote extends AutoCloseable {

    /** @return the target */
    SshTarget target();

    /**
     * @param command a shell command
     * @return its result, within the pool's {@code commandTimeout}
     * @throws InterruptedException when interrupted (the command is stopped)
     * @see SshPool#exec(SshTarget, String, Duration)
     */
    CommandResult exec(String command) throws InterruptedException;

    /**
     * @param command a shell command
     * @param timeout the bound on waiting for a channel plus running
     * @return its result
     * @throws InterruptedException when interrupted (the command is stopped)
     * @see SshPool#exec(SshTarget, String, Duration)
     */
    CommandResult exec(String command, Duration timeout) throws InterruptedException;

    /**
     * @param command a long command
     * @return its streams
     * @throws InterruptedException when interrupted while waiting for a channel
     * @see SshPool#start(SshTarget, String)
     */
    RemoteProcess start(String command) throws InterruptedException;

    /** Lets the pool return the connection when idle. Idempotent. */
    @Override
    void close();
}
