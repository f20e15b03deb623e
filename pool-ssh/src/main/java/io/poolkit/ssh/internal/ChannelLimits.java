package io.poolkit.ssh.internal;

/**
 * How many channels a target's server allows on one connection, learnt from what it confirms and
 * refuses (OpenSSH's {@code MaxSessions} is not announced). Each connection has a {@link Connection}
 * view; new connections start with {@link #forNewConnections()}. Not thread-safe: the dispatcher
 * guards it with its lock, and confirmations arrive on MINA's I/O thread, which handles one session's
 * messages in order, so a refusal sees every confirmation sent before it.
 *
 * <p>What the server allows is at least what it confirmed at once. A refusal below that peak is
 * transient (OpenSSH keeps a session's slot until it has reaped the command's process), so it lowers
 * a connection's limit only down to its peak, and the limit of new connections only down to the most
 * the server ever confirmed at once on any connection of the target.
 */
final class ChannelLimits {
    /** What a refusal did to the connection's limit. */
    enum Refusal {
        /** Refused with nothing ever confirmed: the connection serves no channel at all. */
        SERVES_NONE,
        /** Its limit was lowered to what the server confirmed at once. */
        LOWERED,
        /** Below what it already confirmed: transient, nothing changed. */
        TRANSIENT
    }

    private int learned;
    /** The most channels the server ever confirmed at once on one connection: what it surely allows a connection. */
    private int targetPeak;

    ChannelLimits(int maxChannels) {
        this.learned = maxChannels;
    }

    /** @return the limit a new connection starts with */
    int forNewConnections() {
        return learned;
    }

    /** @return a view for a new connection, starting at {@link #forNewConnections()} */
    Connection newConnection() {
        return new Connection(learned);
    }

    /** One connection's confirmed channels, its peak and its limit. */
    final class Connection {
        /** Channels the server confirmed and that are still open: what it surely allows. */
        private int confirmed;
        /** The most channels the server had confirmed at once. */
        private int peak;
        private int limit;

        private Connection(int limit) {
            this.limit = limit;
        }

        int limit() {
            return limit;
        }

        /** The server confirmed a channel. */
        void confirmed() {
            confirmed++;
            peak = Math.max(peak, confirmed);
            targetPeak = Math.max(targetPeak, peak);
        }

        /** A confirmed channel closed. */
        void confirmedClosed() {
            confirmed--;
        }

        /**
         * The server refused a channel (after this view saw every confirmation before it).
         *
         * @return what the refusal did
         */
        Refusal refused() {
            int allowed = Math.max(confirmed, peak);
            if (allowed == 0) {
                return Refusal.SERVES_NONE;
            }
            if (allowed >= limit) {
                return Refusal.TRANSIENT;
            }
            limit = allowed;
            // new connections start with the least this server allowed on a connection that reached its peak:
            // a refusal on a young one (sessions not yet reaped) below another's peak is no limit
            learned = Math.min(learned, Math.max(limit, targetPeak));
            return Refusal.LOWERED;
        }

        /** @return the channels it confirmed when it refused the last one, for the log */
        int allowed() {
            return Math.max(confirmed, peak);
        }
    }
}
