package io.poolkit.ssh.internal;

import io.poolkit.Lease;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A leased connection and the channels open on it, in a {@link Dispatcher}. Guarded by the dispatcher's lock. */
final class ConnectionEntry {
    private static final Logger log = LoggerFactory.getLogger(ConnectionEntry.class);

    final Lease<SshConnection> lease;
    final SshConnection connection;
    int open;
    /** Channels that hold the lease without a session permit (direct-tcpip: MaxSessions does not count them). */
    int holds;
    /** What the server confirmed on this connection, and the channels it may open. */
    final ChannelLimits.Connection limits;
    boolean unusable;
    /** Suspected dead and under check: no new channel until the check answers (see {@code Dispatcher}). */
    boolean checking;
    /** Under check while still in service (after an unconfirmed direct-tcpip channel: see {@code Slot#probe}). */
    boolean probing;
    boolean invalidate;

    ConnectionEntry(Lease<SshConnection> lease, ChannelLimits.Connection limits) {
        this.lease = lease;
        this.connection = lease.get();
        this.limits = limits;
    }

    /**
     * The server refused a channel here: fewer permits on this connection (and on new ones, as
     * {@code limits} learns), or, refused with none open, no more channels: the connection is replaced.
     *
     * @param name the pool's name, the prefix of log lines
     */
    void refused(String name, ChannelLimits limits) {
        switch (this.limits.refused()) {
            case SERVES_NONE -> {
                unusable = true;
                invalidate = true;
                log.warn("{} - {} refused a channel with none open; replacing the connection", name, connection);
            }
            case LOWERED -> log.info("{} - {} refused a channel beyond {} open (the server's MaxSessions, or sessions"
                    + " it has not reaped yet); {} channels on this connection, {} on new ones", name, connection,
                    this.limits.allowed(), this.limits.limit(), limits.forNewConnections());
            case TRANSIENT -> {
                // below what it already confirmed at once: it is still reaping a closed session
            }
        }
    }
}
