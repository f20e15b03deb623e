package io.poolkit.ssh;

import java.net.InetSocketAddress;

/**
 * A local port forwarding over pooled connections, from {@link SshPool#forward}: a listener on the
 * loopback interface whose every accepted connection becomes a {@code direct-tcpip} channel to
 * {@link #host()}:{@link #port()} as seen from the target, on the target's newest live pooled
 * connection. A tunnel's channels keep their connection leased but take no session permit (OpenSSH's
 * MaxSessions does not count them); a connection that died is not used for new ones, which go to a
 * live or a new connection. Thread-safe.
 *
 * {@snippet class=io.poolkit.ssh.snippets.SshSnippets region=tunnel}
 *
 * <p>The listener is on loopback only, so only processes on this machine can use it; any of them can,
 * for as long as it is open (as with {@code ssh -L}): keep tunnels to what needs them and close them.
 * Each forwarded connection uses two of the pool's daemon threads (one pump each way, each blocking
 * on its own side, so MINA's I/O threads never wait on a slow reader). A connection through a tunnel
 * keeps its SSH connection from retiring ({@code maxLifetime}) until it closes.
 *
 * <p>A forwarded connection ends as a direct one would: each side's end of output (a half-close,
 * {@code shutdownOutput}) reaches the other side after every byte sent before it, while the other
 * direction stays open; when the destination closes, what it sent is delivered before the local
 * connection closes. A connection whose SSH connection is lost is reset (the client reads a "connection
 * reset" error, not an end of input), so a cut stream is never taken for a complete one.
 */
public interface Tunnel extends AutoCloseable {

    /** @return where the listener listens: a loopback address and its port */
    InetSocketAddress localAddress();

    /** @return the SSH host the channels go through */
    SshTarget target();

    /** @return the destination host, as the target resolves it */
    String host();

    /** @return the destination port */
    int port();

    /** @return connections open through the tunnel now */
    int connections();

    /** @return connections accepted since it opened (those that failed to open a channel included) */
    long accepted();

    /** @return whether it is open */
    boolean isOpen();

    /** Closes the listener and every connection through it. Idempotent. */
    @Override
    void close();
}
