package io.poolkit.ssh.internal;

import io.poolkit.Lease;

/** A leased connection and the channels open on it, in a {@link Dispatcher}. Guarded by the dispatcher's lock. */
final class ConnectionEntry {
    final Lease<SshConnection> lease;
    final SshConnection connection;
    int open;
    /** Channels that hold the lease without a session permit (direct-tcpip: MaxSessions does not count them). */
    int holds;
    /** What the server confirmed on this connection, and the channels it may open. */
    final ChannelLimits.Connection limits;
    boolean unusable;
    boolean invalidate;

    ConnectionEntry(Lease<SshConnection> lease, ChannelLimits.Connection limits) {
        this.lease = lease;
        this.connection = lease.get();
        this.limits = limits;
    }
}
