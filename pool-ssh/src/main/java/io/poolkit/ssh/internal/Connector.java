package io.poolkit.ssh.internal;

import io.poolkit.KeyedResourceFactory;
import io.poolkit.ssh.HostKeyException;
import io.poolkit.ssh.SshAuthenticationException;
import io.poolkit.ssh.SshException;
import io.poolkit.ssh.SshTarget;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;
import org.apache.sshd.client.SshClient;
import org.apache.sshd.client.future.ConnectFuture;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.AttributeRepository;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opens, checks and closes the pool's connections: connect, key exchange with the host key checked
 * by {@link HostKeys}, authentication; each step bounded. Runs on the keyed pool's workers, so the
 * core's {@code maxConcurrentCreates} (1 per target here) makes creation single-flight per target.
 */
final class Connector implements KeyedResourceFactory<SshTarget, SshConnection> {
    private static final Logger log = LoggerFactory.getLogger(Connector.class);

    private final String name;
    private final SshClient client;
    private final HostKeys hostKeys;
    private final Duration connectTimeout;
    private final Duration authTimeout;
    private final Duration closeTimeout;
    private final BiConsumer<SshTarget, SshException> permanentFailure;
    private final AtomicLong ids = new AtomicLong();
    /** Where connections to jump hosts come from: set once the pool exists. */
    private volatile ChannelSource jumps;

    Connector(String name, SshClient client, HostKeys hostKeys, Duration connectTimeout, Duration authTimeout,
              Duration closeTimeout, BiConsumer<SshTarget, SshException> permanentFailure) {
        this.name = name;
        this.client = client;
        this.hostKeys = hostKeys;
        this.connectTimeout = connectTimeout;
        this.authTimeout = authTimeout;
        this.closeTimeout = closeTimeout;
        this.permanentFailure = permanentFailure;
    }

    void jumpsFrom(ChannelSource source) {
        this.jumps = source;
    }

    @Override
    public SshConnection create(SshTarget target) throws Exception {
        if (target.jump().isEmpty()) {
            return create(target, null);
        }
        long start = System.nanoTime();
        JumpLink link;
        try {
            // the jump host's connection may have to be opened (connect and authenticate) first
            link = JumpLink.open(jumps, target, Engine.nanos(connectTimeout.plus(authTimeout)));
        } catch (HostKeyException | SshAuthenticationException e) {
            SshTarget jump = target.jump().get();
            throw permanent(target, e instanceof HostKeyException h
                    ? new HostKeyException(name + " - cannot reach " + target + ": its jump host " + jump + " was refused: "
                            + h.getMessage(), h.reason(), h.keyFingerprint(), h)
                    : new SshAuthenticationException(name + " - cannot reach " + target + ": its jump host " + jump
                            + " was refused: " + e.getMessage(), e));
        }
        try {
            SshConnection c = create(target, link);
            c.session().addCloseFutureListener(f -> link.close());
            link.verify(c.session().getIoSession().getLocalAddress(), Math.max(1, Engine.nanos(connectTimeout.plus(authTimeout))
                    - (System.nanoTime() - start)));
            return c;
        } catch (Exception e) {
            link.close();
            throw e;
        }
    }

    private SshConnection create(SshTarget target, JumpLink link) throws Exception {
        HostKeys.Attempt attempt = new HostKeys.Attempt(target);
        AttributeRepository context = AttributeRepository.ofKeyValuePair(HostKeys.ATTEMPT, attempt);
        ConnectFuture connecting = link == null ? client.connect(target.user(), target.host(), target.port(), context, null)
                : client.connect(target.user(), link.address(), context, null);
        ClientSession session;
        try {
            if (!connecting.await(connectTimeout)) {
                abandon(connecting);
                throw new SshException(name + " - connecting to " + target + " timed out after " + connectTimeout.toMillis()
                        + " ms; check that the host is reachable and sshd listens on port " + target.port(), null);
            }
        } catch (InterruptedIOException e) {
            abandon(connecting);
            throw e;
        }
        if (!connecting.isConnected()) {
            Throwable cause = connecting.getException();
            throw new SshException(name + " - cannot connect to " + target + ": " + (cause == null ? "cancelled" : cause.getMessage())
                    + "; check that the host is reachable and sshd listens on port " + target.port(), cause);
        }
        session = connecting.getSession();
        try {
            Secrets.credential(target).apply(session);
        } catch (IOException | GeneralSecurityException e) {
            session.close(true);
            // the exception's message could quote the key file: the credential says what is wrong instead
            throw permanent(target, new SshAuthenticationException(name + " - cannot use the " + target.authMethod() + " of "
                    + target + ": " + Secrets.credential(target).whyUnusable(e), null));
        }
        try {
            session.auth().verify(authTimeout);
        } catch (IOException | RuntimeException e) {
            session.close(true);
            if (attempt.rejected != null) {
                throw permanent(target, HostKeys.rejection(name, attempt, e));
            }
            if (e instanceof InterruptedIOException) {
                throw e;
            }
            if (isAuthRefusal(e)) {
                throw permanent(target, new SshAuthenticationException(name + " - the server refused the " + target.authMethod()
                        + " of " + target + " (" + e.getMessage() + "); check the user name, the credential, and that the key is in"
                        + " the server's authorized_keys", e));
            }
            throw new SshException(name + " - key exchange or authentication with " + target + " failed: " + e.getMessage(), e);
        }
        SshConnection c = new SshConnection(target, session, ids.incrementAndGet());
        log.debug("{} - opened {}", name, c);
        return c;
    }

    /** Tells the target's dispatcher at once, so its callers fail now instead of at their deadline. */
    private SshException permanent(SshTarget target, SshException e) {
        permanentFailure.accept(target, e);
        return e;
    }

    private static boolean isAuthRefusal(Exception e) {
        String m = String.valueOf(e.getMessage());
        return m.contains("No more authentication methods available");
    }

    /** A connect that is given up: close the session if it still comes. */
    private static void abandon(ConnectFuture connecting) {
        connecting.cancel();
        connecting.addListener(f -> {
            if (f.isConnected()) {
                f.getSession().close(true);
            }
        });
    }

    @Override
    public boolean validate(SshTarget target, SshConnection c, Duration timeout) throws Exception {
        return c.probe(timeout);
    }

    @Override
    public void destroy(SshTarget target, SshConnection c) {
        c.close(closeTimeout);
        log.debug("{} - closed {}", name, c);
    }
}
