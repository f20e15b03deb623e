package io.poolkit.ssh.testing;

import java.io.InputStream;
import java.io.OutputStream;
import org.apache.sshd.server.ExitCallback;
import org.apache.sshd.server.channel.ChannelSession;
import org.apache.sshd.server.command.Command;

/** A command's streams and exit callback as MINA hands them over; like sshd without a PTY, closing the channel does not stop it. */
abstract class StreamsCommand implements Command {
    InputStream in;
    OutputStream out;
    OutputStream err;
    ExitCallback exit;

    @Override
    public void setInputStream(InputStream in) {
        this.in = in;
    }

    @Override
    public void setOutputStream(OutputStream out) {
        this.out = out;
    }

    @Override
    public void setErrorStream(OutputStream err) {
        this.err = err;
    }

    @Override
    public void setExitCallback(ExitCallback callback) {
        this.exit = callback;
    }

    @Override
    public void destroy(ChannelSession channel) {
    }
}
