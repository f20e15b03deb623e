package io.poolkit.ssh.internal;

import io.poolkit.CircuitOpenException;
import io.poolkit.PoolClosedException;
import io.poolkit.PoolExhaustedException;
import io.poolkit.ssh.HostKeyException;
import io.poolkit.ssh.SshAuthenticationException;
import io.poolkit.ssh.SshException;

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
}
