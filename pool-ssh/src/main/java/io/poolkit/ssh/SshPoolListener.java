package io.poolkit.ssh;

import io.poolkit.DestroyReason;

/**
 * Receives an {@link SshPool}'s events, each with its target (for metrics and diagnostics). Every
 * method has an empty default. Events arrive on the thread where they happen (a caller's, a pool
 * worker's or MINA's I/O thread): a listener must be fast, thread-safe and must not call back into
 * the pool; an exception it throws is logged and otherwise ignored. No event carries a password,
 * passphrase or key.
 */
public interface SshPoolListener {

    /** @param target a connection to it was opened and authenticated */
    default void connectionOpened(SshTarget target) {
    }

    /**
     * @param target a connection to it could not be opened
     * @param failure why (an {@link SshException}, {@link HostKeyException}, ...)
     */
    default void connectionFailed(SshTarget target, Throwable failure) {
    }

    /**
     * @param target a connection to it is closed
     * @param reason why the pool let it go
     */
    default void connectionClosed(SshTarget target, DestroyReason reason) {
    }

    /**
     * A call on a connection to {@code target} timed out in a way that points at the connection rather
     * than the command (the server did not confirm a channel, or answer a {@code signal} request or a
     * channel's CLOSE, in time): one keepalive round trip checks it, and until it answers no new channel
     * goes there (except after an unconfirmed {@code direct-tcpip} channel, which a slow destination
     * explains as well: that connection stays in service while it is checked). Followed by
     * {@link #connectionCleared} or {@link #connectionUnresponsive}, unless the pool shuts down first.
     *
     * @param target the connection's target
     * @param what what timed out, e.g. "did not confirm a channel within 2000 ms"
     */
    default void connectionSuspected(SshTarget target, String what) {
    }

    /** @param target a connection to it that was {@linkplain #connectionSuspected suspected} answered its check: back in service */
    default void connectionCleared(SshTarget target) {
    }

    /**
     * @param target a connection to it that was {@linkplain #connectionSuspected suspected} did not answer its check
     *     within {@code validationTimeout}: retired (no new channel goes there; it closes when its last channel ends)
     */
    default void connectionUnresponsive(SshTarget target) {
    }

    /**
     * @param target its server refused a channel (its MaxSessions is below the pool's limit)
     * @param channelsPerConnection the lowered limit of that connection
     */
    default void channelRefused(SshTarget target, int channelsPerConnection) {
    }

    /**
     * @param target a command to it was moved to another channel before it was sent
     * @param cause why its first channel failed
     */
    default void commandRetried(SshTarget target, Throwable cause) {
    }

    /**
     * @param target the command ran there
     * @param result its result
     */
    default void commandFinished(SshTarget target, CommandResult result) {
    }

    /**
     * @param target the command ran there
     * @param command the command
     * @param killed whether it is known to have been stopped
     */
    default void commandTimedOut(SshTarget target, String command, boolean killed) {
    }

    /**
     * @param target its unknown host key was trusted on first use and recorded
     * @param keyFingerprint the key's type and SHA256 fingerprint
     */
    default void hostKeyTrusted(SshTarget target, String keyFingerprint) {
    }

    /**
     * @param target its circuit breaker opened: new connections fail fast for a while
     * @param lastFailure the failure that opened it
     */
    default void circuitOpened(SshTarget target, Throwable lastFailure) {
    }

    /** @param target its circuit breaker closed again */
    default void circuitClosed(SshTarget target) {
    }
}
