package io.poolkit.ssh.internal;

import java.io.IOException;
import org.apache.sshd.common.SshConstants;
import org.apache.sshd.common.channel.Channel;
import org.apache.sshd.common.session.ConnectionService;
import org.apache.sshd.common.session.Session;
import org.apache.sshd.common.session.helpers.DefaultUnknownChannelReferenceHandler;
import org.apache.sshd.common.util.buffer.Buffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Closes a channel the server confirmed after the pool gave up waiting for it. A channel not confirmed
 * within its bound (an exec or SFTP channel on a busy or frozen server, a {@code direct-tcpip} channel to
 * a slow destination) is closed on this side at once, which unregisters it: MINA then ignores the late
 * confirmation as one for an unknown channel, and the server's side of it — a session counted against
 * its MaxSessions, or a forwarding with its destination's connection — would stay open until the SSH
 * connection closes. Here the late confirmation is answered with a CLOSE for the server's channel, whose
 * own CLOSE back is ignored (MINA's default for an unknown channel); every other message for an unknown
 * channel is handled by that default. MINA numbers a connection's channels without reuse, so an unknown
 * number is one the pool abandoned. Stateless; runs on MINA's I/O threads.
 */
final class AbandonedChannels extends DefaultUnknownChannelReferenceHandler {
    private static final Logger log = LoggerFactory.getLogger(AbandonedChannels.class);

    @Override
    public Channel handleUnknownChannelCommand(ConnectionService service, byte cmd, long channelId, Buffer buffer)
            throws IOException {
        if (cmd != SshConstants.SSH_MSG_CHANNEL_OPEN_CONFIRMATION) {
            return super.handleUnknownChannelCommand(service, cmd, channelId, buffer);
        }
        long serverChannel = buffer.getUInt(); // the sender's number: the server's side of the channel
        Session session = service.getSession();
        log.debug("{}: channel {} confirmed after it was given up; closing the server's channel {}", session, channelId,
                serverChannel);
        Buffer close = session.createBuffer(SshConstants.SSH_MSG_CHANNEL_CLOSE, Integer.BYTES);
        close.putUInt(serverChannel);
        session.writePacket(close);
        return null;
    }
}
