package io.poolkit.ssh;

/**
 * A failure of the SSH pool: a connection that could not be opened or authenticated, a connection
 * lost while a command ran, a command the server would not run. Its message names the target
 * (never a secret) and says what to check; the cause is MINA SSHD's exception.
 */
public class SshException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final boolean mayHaveRun;

    /**
     * @param message what failed, and what to do
     * @param cause the underlying failure, or {@code null}
     * @param mayHaveRun whether the command may have started on the host before the failure
     */
    public SshException(String message, Throwable cause, boolean mayHaveRun) {
        super(message, cause);
        this.mayHaveRun = mayHaveRun;
    }

    /**
     * @param message what failed
     * @param cause the underlying failure
     */
    public SshException(String message, Throwable cause) {
        this(message, cause, false);
    }

    /**
     * Whether the command may have run (or still runs) on the host: true once its exec request was
     * sent. The pool never retries such a command; decide yourself whether running it again is safe.
     *
     * @return whether the command may have run
     */
    public boolean mayHaveRun() {
        return mayHaveRun;
    }
}
