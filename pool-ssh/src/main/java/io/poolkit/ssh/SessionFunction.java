package io.poolkit.ssh;

import org.apache.sshd.client.session.ClientSession;

/**
 * What {@link SshPool#withSession} runs with a pooled connection's MINA {@link ClientSession}.
 *
 * @param <R> what it returns
 */
@FunctionalInterface
public interface SessionFunction<R> {
    /**
     * @param session the authenticated session, lent for the duration of the call only: do not keep
     *     it. Channels opened on it should be closed before returning; closing the session itself
     *     makes the pool discard the connection.
     * @return the result handed back to the caller of {@code withSession}
     * @throws Exception anything; handed to the caller (checked ones wrapped in an {@link SshException})
     */
    R apply(ClientSession session) throws Exception;
}
