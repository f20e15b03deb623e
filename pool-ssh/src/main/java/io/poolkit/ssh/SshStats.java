package io.poolkit.ssh;

import io.poolkit.PoolStats;

/**
 * One target's counts: its connections as the keyed pool sees them, and the channels on them. A
 * snapshot: each field exact when read, not read atomically together.
 *
 * @param connections the keyed pool's counts of this target's connections (the counts rule holds
 *     there: a connection is "leased" while any channel on it is open)
 * @param connectionsInUse connections with open channels (or kept by a {@link Remote})
 * @param channelsOpen channels open now
 * @param channelPermits channels the connections in use may open in all
 * @param channelsPerConnection what a new connection may open (lowered when a server refused)
 * @param waiting commands waiting for a channel
 * @param commands commands that ran to the end (any exit code)
 * @param failures commands that failed (no connection, lost connection, rejected key, ...)
 * @param timeouts commands that timed out and were stopped (known to have ended on the host)
 * @param timeoutsNotStopped commands that timed out and could not be confirmed stopped: the server
 *     refused the {@code signal} request and no pid was known, or the kill got no answer in time; they
 *     may still run on the host (each also logged at WARN)
 * @param retries commands moved to another channel before they were sent
 * @param refusals channels the server refused
 * @param suspects connections checked with a keepalive because a call on them timed out in a way that
 *     points at the connection (a channel not confirmed in time, an unanswered {@code signal} request or
 *     channel CLOSE); no new channel goes to such a connection until it answers, except after an
 *     unconfirmed {@code direct-tcpip} channel (see the README's "A frozen server costs one timeout")
 * @param suspectsCleared of {@code suspects}, those that answered: back in service
 * @param suspectsRetired of {@code suspects}, those that did not answer within {@code validationTimeout}:
 *     retired, closed once their last channel ended (a check under way when the pool shuts down counts in
 *     neither)
 * @param closesUnanswered forwarded ({@code direct-tcpip}) channels whose CLOSE the server did not answer
 *     within {@code killGrace}: closed on this side alone, so that their connection's lease came back
 *     (each also logged at WARN; its connection is checked as a suspect unless a check is under way already)
 */
public record SshStats(
        PoolStats connections,
        int connectionsInUse,
        int channelsOpen,
        int channelPermits,
        int channelsPerConnection,
        int waiting,
        long commands,
        long failures,
        long timeouts,
        long timeoutsNotStopped,
        long retries,
        long refusals,
        long suspects,
        long suspectsCleared,
        long suspectsRetired,
        long closesUnanswered) {
}
