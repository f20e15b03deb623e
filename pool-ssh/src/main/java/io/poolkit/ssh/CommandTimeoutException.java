package io.poolkit.ssh;

/**
 * A command did not finish within its timeout. The pool then stopped it: a {@code signal} request
 * (TERM, then KILL), or, when the server refuses signals, a kill of its process group from a second
 * channel; then the channel was closed. {@link #killed()} says whether the command is known to have
 * ended; {@link #partialResult()} holds what it printed until then.
 */
public class CommandTimeoutException extends SshException {
    private static final long serialVersionUID = 1L;

    private final transient CommandResult partial;
    private final boolean killed;

    /**
     * @param message the diagnosis
     * @param partial the output until the timeout, and the exit signal if the kill reported one
     * @param killed whether the command is known to have ended
     */
    public CommandTimeoutException(String message, CommandResult partial, boolean killed) {
        super(message, null, true);
        this.partial = partial;
        this.killed = killed;
    }

    /** @return the output until the timeout (and the exit signal, when the server reported one) */
    public CommandResult partialResult() {
        return partial;
    }

    /** @return whether the command is known to have ended on the host */
    public boolean killed() {
        return killed;
    }
}
