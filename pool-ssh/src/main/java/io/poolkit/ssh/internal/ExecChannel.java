package io.poolkit.ssh.internal;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.sshd.client.channel.ChannelExec;
import org.apache.sshd.common.SshConstants;
import org.apache.sshd.common.util.buffer.Buffer;

/**
 * MINA's exec channel plus two things it lacks: a guarantee that the exec request is sent at most
 * once and never after the caller gave up on the channel (so a command whose channel did not open in
 * time may be retried elsewhere without ever running twice), and the {@code signal} channel request
 * (RFC 4254 6.9) with its reply.
 */
final class ExecChannel extends ChannelExec {
    private static final int NEW = 0;
    private static final int SENT = 1;
    private static final int ABANDONED = 2;

    private final AtomicInteger exec = new AtomicInteger(NEW);
    /** Replies to our own want-reply requests, in the order sent (the protocol answers in order). */
    private final ArrayDeque<CompletableFuture<Boolean>> replies = new ArrayDeque<>();

    private final Runnable onConfirmed;

    ExecChannel(String command, Runnable onConfirmed) {
        super(command, null, null);
        this.onConfirmed = onConfirmed;
    }

    @Override
    protected void doOpen() throws IOException {
        // runs on MINA's I/O thread when the server confirmed the channel
        onConfirmed.run();
        if (!exec.compareAndSet(NEW, SENT)) {
            close(true);
            return;
        }
        super.doOpen();
    }

    private volatile boolean refused;

    @Override
    public void handleOpenFailure(org.apache.sshd.common.util.buffer.Buffer buffer) {
        // before MINA closes the channel (and its close listeners release the slot)
        refused = true;
        super.handleOpenFailure(buffer);
    }

    /** @return whether the server refused to open the channel */
    boolean refused() {
        return refused;
    }

    /** @return true if the exec request was not sent and now never will be */
    boolean abandonBeforeExec() {
        return exec.compareAndSet(NEW, ABANDONED) || exec.get() == ABANDONED;
    }

    /** @return whether the exec request was sent */
    boolean execSent() {
        return exec.get() == SENT;
    }

    /**
     * @param signal a signal name without "SIG" (TERM, KILL, INT)
     * @return completes with true when the server accepted it, false when it refused
     */
    CompletableFuture<Boolean> signal(String signal) throws IOException {
        Buffer b = getSession().createBuffer(SshConstants.SSH_MSG_CHANNEL_REQUEST, signal.length() + 32);
        b.putUInt(getRecipient());
        b.putString("signal");
        b.putBoolean(true);
        b.putString(signal);
        CompletableFuture<Boolean> reply = new CompletableFuture<>();
        synchronized (replies) {
            replies.addLast(reply);
            writePacket(b);
        }
        return reply;
    }

    private CompletableFuture<Boolean> nextReply() {
        synchronized (replies) {
            return replies.pollFirst();
        }
    }

    @Override
    public void handleSuccess() throws IOException {
        CompletableFuture<Boolean> reply = nextReply();
        if (reply != null) {
            reply.complete(true);
        } else {
            super.handleSuccess();
        }
    }

    @Override
    public void handleFailure() throws IOException {
        CompletableFuture<Boolean> reply = nextReply();
        if (reply != null) {
            reply.complete(false);
        } else {
            super.handleFailure();
        }
    }

    /** The channel closed: nothing will answer the requests still pending. */
    void failPendingReplies() {
        CompletableFuture<Boolean> reply;
        while ((reply = nextReply()) != null) {
            reply.complete(false);
        }
    }
}
