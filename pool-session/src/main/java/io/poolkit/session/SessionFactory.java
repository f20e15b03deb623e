package io.poolkit.session;

import io.poolkit.ResourceFactory;
import io.poolkit.session.internal.SessionSettings;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The pool core's view of sessions: create starts a worker, validate is a liveness check (no round
 * trip), reset gives the next caller a fresh JShell state when {@code resetBetweenUses}, destroy
 * kills the worker. A session that must be recycled (a snippet left a thread running, an execution
 * was stopped) fails both validate and reset, so the core destroys it and starts a replacement in
 * the background.
 */
final class SessionFactory implements ResourceFactory<SecureSession> {
    private final SessionSettings settings;
    private final String prefix;
    private final boolean resetBetweenUses;
    private final AtomicInteger ids = new AtomicInteger();
    private final Set<SecureSession> sessions = ConcurrentHashMap.newKeySet();

    SessionFactory(SessionSettings settings, String prefix, boolean resetBetweenUses) {
        this.settings = settings;
        this.prefix = prefix;
        this.resetBetweenUses = resetBetweenUses;
    }

    @Override
    public SecureSession create() {
        SecureSession s = SecureSession.start(settings, prefix + "-" + ids.incrementAndGet());
        sessions.add(s);
        return s;
    }

    @Override
    public boolean validate(SecureSession s) {
        return s.isAlive() && s.recycleReason() == null;
    }

    @Override
    public boolean validate(SecureSession s, Duration timeout) {
        return validate(s);
    }

    @Override
    public void reset(SecureSession s) {
        String why = s.recycleReason();
        if (why != null) {
            throw new IllegalStateException(s.name() + " must be recycled: " + why);
        }
        if (!s.isAlive()) {
            throw new IllegalStateException(s.name() + " is dead");
        }
        if (resetBetweenUses) {
            s.resetState();
        }
    }

    @Override
    public void destroy(SecureSession s) {
        try {
            s.close();
        } finally {
            sessions.remove(s);
        }
    }

    /** @return the sessions created and not yet destroyed */
    Set<SecureSession> sessions() {
        return sessions;
    }
}
