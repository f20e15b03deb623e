package io.poolkit.ssh.internal;

import io.poolkit.ssh.SessionFunction;
import io.poolkit.ssh.SshException;
import io.poolkit.ssh.SshTarget;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code withSession}: lends a pooled connection's MINA session to a function while holding one
 * session-channel permit on it (what the function most likely opens), so the dispatcher's counts stay
 * exact and the lease stays out of the idle pool until it returns. A session the function closed (or
 * lost) is detected afterwards: the connection is invalidated, never handed to the next caller.
 */
final class SessionLoan {
    private static final Logger log = LoggerFactory.getLogger(SessionLoan.class);

    private SessionLoan() {
    }

    static <R> R run(ChannelSource source, SshTarget target, SessionFunction<R> function, long timeoutNanos)
            throws InterruptedException {
        Slot slot = source.permit(target, timeoutNanos);
        SshConnection c = slot.connection();
        boolean done = false;
        try {
            R r = function.apply(c.session());
            done = true;
            return r;
        } catch (RuntimeException | InterruptedException e) {
            throw e;
        } catch (Exception e) {
            throw new SshException(source.name() + " - the function given to withSession on " + target + " failed: " + e, e, true);
        } finally {
            if (c.isOpen()) {
                slot.release();
            } else {
                log.debug("{} - {} was closed while lent to withSession{}; it is discarded", source.name(), c,
                        done ? "" : " (the function failed)");
                slot.broken();
            }
        }
    }
}
