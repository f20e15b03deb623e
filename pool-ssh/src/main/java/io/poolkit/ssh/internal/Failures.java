package io.poolkit.ssh.internal;

import io.poolkit.CircuitOpenException;
import io.poolkit.PoolClosedException;
import io.poolkit.PoolExhaustedException;
import io.poolkit.PoolTimeoutException;
import io.poolkit.ssh.HostKeyException;
import io.poolkit.ssh.SshAuthenticationException;
import io.poolkit.ssh.SshException;
import io.poolkit.ssh.SshTarget;
import java.util.concurrent.TimeUnit;

/** Which failures fail the queue at once, and how a shared failure is copied for each caller. */
final class Failures {
    private Failures() {
    }

    static boolean isFinal(RuntimeException e) {
        return e instanceof CircuitOpenException || e instanceof PoolClosedException || e instanceof PoolExhaustedException
                || finalCause(e) != null;
    }

    private static SshException finalCause(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof HostKeyException || t instanceof SshAuthenticationException) {
                return (SshException) t;
            }
        }
        return null;
    }

    /** A fresh exception per caller (a shared one would mix stack traces), of the kind that says the most. */
    static RuntimeException copy(RuntimeException e) {
        SshException root = finalCause(e);
        if (root instanceof HostKeyException h) {
            return new HostKeyException(h.getMessage(), h.reason(), h.keyFingerprint(), e);
        }
        if (root instanceof SshAuthenticationException a) {
            return new SshAuthenticationException(a.getMessage(), e);
        }
        if (e instanceof CircuitOpenException) {
            return new CircuitOpenException(e.getMessage(), e);
        }
        if (e instanceof PoolClosedException) {
            PoolClosedException c = new PoolClosedException(e.getMessage());
            c.initCause(e);
            return c;
        }
        if (e instanceof PoolExhaustedException) {
            PoolExhaustedException x = new PoolExhaustedException(e.getMessage());
            x.initCause(e);
            return x;
        }
        return new SshException(e.getMessage(), e);
    }

    /**
     * No channel was free in time.
     *
     * @param counts {connections in use, channels open, channel permits, waiting commands}
     * @param atMax whether the target has all the connections it may have
     * @param lastFailure the last failure to open a connection, or null
     */
    static PoolTimeoutException noChannel(String name, SshTarget target, long timeoutNanos, int[] counts, boolean atMax,
                                          RuntimeException lastFailure) {
        String hint = lastFailure != null ? "; opening another connection failed (see the cause)"
                : atMax ? "; every channel of every connection is busy: raise maxConnectionsPerTarget"
                        + " or maxChannelsPerConnection, or look for commands that never end"
                        : "; a new connection is still on its way";
        return new PoolTimeoutException(name + " - no SSH channel to " + target + " within "
                + TimeUnit.NANOSECONDS.toMillis(timeoutNanos) + " ms (connections=" + counts[0] + ", channels=" + counts[1] + "/"
                + counts[2] + ", waiting=" + counts[3] + ")" + hint, lastFailure);
    }
}
