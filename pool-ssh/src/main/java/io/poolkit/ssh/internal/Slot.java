package io.poolkit.ssh.internal;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One channel's permit (or hold) on one connection of a {@link Dispatcher}; given back exactly once.
 * Thread-safe: its state changes under the dispatcher's lock.
 */
final class Slot {
    enum Outcome { OK, REFUSED, BROKEN }

    private final Dispatcher dispatcher;
    final ConnectionEntry entry;
    /** A hold keeps the lease without a session permit (direct-tcpip channels). */
    final boolean hold;
    private final AtomicBoolean done = new AtomicBoolean();
    /** The server confirmed the channel. Guarded by the dispatcher's lock. */
    boolean confirmed;

    Slot(Dispatcher dispatcher, ConnectionEntry entry, boolean hold) {
        this.dispatcher = dispatcher;
        this.entry = entry;
        this.hold = hold;
    }

    SshConnection connection() {
        return entry.connection;
    }

    boolean isDone() {
        return done.get();
    }

    /**
     * The server confirmed the channel. Called on MINA's I/O thread, which handles one session's
     * messages in order: a refusal that follows sees every confirmation before it.
     */
    void confirmed() {
        if (!hold) {
            dispatcher.confirmed(this);
        }
    }

    /** The channel closed: the permit is free again. */
    void release() {
        give(Outcome.OK);
    }

    /** The server refused the channel: fewer permits on this connection from now on. */
    void refused() {
        give(Outcome.REFUSED);
    }

    /** The connection failed under the channel: no new channel goes there. */
    void broken() {
        give(Outcome.BROKEN);
    }

    private void give(Outcome outcome) {
        if (done.compareAndSet(false, true)) {
            dispatcher.finish(this, outcome);
        }
    }

    /**
     * A call here timed out in a way that says the connection itself may be dead ({@code what}, e.g.
     * "did not confirm a channel within 2000 ms"): check it before another channel goes there. Call
     * it before the channel is closed, so the entry is still held when its last permit comes back.
     */
    void suspect(String what) {
        dispatcher.suspect(entry, what, true);
    }

    /**
     * As {@link #suspect}, but new channels still go there while it is checked: after a {@code direct-tcpip}
     * channel not confirmed in time, which OpenSSH confirms only once it reached the destination, so a slow
     * destination explains it as well as a frozen server. No answer retires the connection all the same.
     */
    void probe(String what) {
        dispatcher.suspect(entry, what, false);
    }

    /**
     * The server did not answer this channel's CLOSE ({@code what}): counted, and the connection suspected.
     * Call it before the channel is closed on this side alone, so the entry is still held for its check.
     */
    void closeUnanswered(String what) {
        dispatcher.closeUnanswered(entry, what);
    }

    @Override
    public String toString() {
        return (hold ? "hold on " : "slot on ") + entry.connection;
    }
}
