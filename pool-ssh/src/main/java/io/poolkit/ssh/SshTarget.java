package io.poolkit.ssh;

import io.poolkit.ssh.internal.Credential;
import io.poolkit.ssh.internal.Secrets;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * Where and as whom to connect: host, port, user, a credential and a host-key policy. The key of the
 * pool: connections are shared only between equal targets. Immutable and thread-safe; every
 * {@code with...} returns a new target.
 *
 * {@snippet class=io.poolkit.ssh.snippets.SshSnippets region=target}
 *
 * <p>Equality covers host (case-insensitive), port, user, the host-key policy and a
 * <em>fingerprint</em> of the credential: an HMAC-SHA256 under a key drawn at random once per
 * process, never the secret and never a plain hash of it. The secret itself (password, passphrase,
 * private key) is held privately for the pool and appears in no {@code toString()}, log line,
 * exception or event. Arrays passed in are copied: clear your own copy when you are done with it.
 */
public final class SshTarget {
    static {
        Secrets.register(t -> t.credential);
    }

    private final String host;
    private final int port;
    private final String user;
    private final Credential credential;
    private final HostKeyPolicy hostKeyPolicy;
    /** The jump host the connection goes through, or null for a direct one. */
    private final SshTarget jump;

    /** The most jump hosts in a chain (OpenSSH's own ProxyJump has no such bound; a loop would have none). */
    static final int MAX_JUMPS = 8;

    private SshTarget(String host, int port, String user, Credential credential, HostKeyPolicy hostKeyPolicy, SshTarget jump) {
        this.host = host;
        this.port = port;
        this.user = user;
        this.credential = credential;
        this.hostKeyPolicy = hostKeyPolicy;
        this.jump = jump;
    }

    /**
     * @param host a host name or address
     * @param port 1 to 65535
     * @param user the login
     * @return a target with no credential yet (add one with {@code withKey} or {@code withPassword})
     *     and the pool's host-key policy
     * @throws IllegalArgumentException for a blank host or user, or a port out of range
     */
    public static SshTarget of(String host, int port, String user) {
        if (host == null || host.isBlank()) {
            throw new IllegalArgumentException("host must not be blank, but was " + (host == null ? "null" : "'" + host + "'"));
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port must be between 1 and 65535, but was " + port);
        }
        if (user == null || user.isBlank()) {
            throw new IllegalArgumentException("user must not be blank, but was " + (user == null ? "null" : "'" + user + "'"));
        }
        checkNoControl("host", host);
        checkNoControl("user", user);
        return new SshTarget(host.trim(), port, user, Credential.none(), HostKeyPolicy.poolDefault(), null);
    }

    /**
     * Refuses control characters in a name sent in SSH requests: OpenSSH drops a connection whose
     * request holds a NUL, and a jump host's connection is shared by every target behind it.
     */
    static void checkNoControl(String what, String value) {
        if (value.chars().anyMatch(Character::isISOControl)) {
            StringBuilder shown = new StringBuilder();
            value.chars().forEach(c -> shown.append(Character.isISOControl(c) ? '?' : (char) c));
            throw new IllegalArgumentException(what + " must not contain control characters, but was '" + shown + "'");
        }
    }

    /**
     * @param keyFile a private key file (OpenSSH or PEM format, no passphrase); read at every
     *     connect, so a rotated file is picked up by new connections
     * @return a target that authenticates with that key
     */
    public SshTarget withKey(Path keyFile) {
        return withKey(keyFile, null);
    }

    /**
     * @param keyFile a private key file
     * @param passphrase its passphrase (copied), or {@code null} for none
     * @return a target that authenticates with that key
     */
    public SshTarget withKey(Path keyFile, char[] passphrase) {
        Objects.requireNonNull(keyFile, "keyFile");
        return new SshTarget(host, port, user, Credential.keyFile(keyFile, passphrase), hostKeyPolicy, jump);
    }

    /**
     * @param keyPair a key pair held in memory
     * @return a target that authenticates with it
     */
    public SshTarget withKey(KeyPair keyPair) {
        Objects.requireNonNull(keyPair, "keyPair");
        if (keyPair.getPrivate() == null || keyPair.getPublic() == null) {
            throw new IllegalArgumentException("keyPair must hold both a public and a private key");
        }
        return new SshTarget(host, port, user, Credential.keyPair(keyPair), hostKeyPolicy, jump);
    }

    /**
     * @param password the password (copied)
     * @return a target that authenticates with it
     */
    public SshTarget withPassword(char[] password) {
        Objects.requireNonNull(password, "password");
        return new SshTarget(host, port, user, Credential.password(password), hostKeyPolicy, jump);
    }

    /**
     * @param policy how this target's host key is checked
     * @return a target with that policy
     */
    public SshTarget withHostKeyPolicy(HostKeyPolicy policy) {
        return new SshTarget(host, port, user, credential, Objects.requireNonNull(policy, "policy"), jump);
    }

    /**
     * Reaches this target through {@code jump} (OpenSSH's ProxyJump): the connection runs over a
     * {@code direct-tcpip} channel of a pooled connection to {@code jump}, which every target behind it
     * shares and which shows in {@code stats(jump)}. Both host keys are checked, each under its own
     * name ({@code host} as the jump host resolves it, and {@code port}); the jump's sshd must allow TCP
     * forwarding. A jump may itself have a jump.
     *
     * {@snippet class=io.poolkit.ssh.snippets.SshSnippets region=via}
     *
     * @param jump the jump host
     * @return a target reached through it
     * @throws IllegalArgumentException when the chain would loop back to this target, or exceed 8 jumps
     */
    public SshTarget via(SshTarget jump) {
        Objects.requireNonNull(jump, "jump");
        int hops = 0;
        for (SshTarget j = jump; j != null; j = j.jump) {
            if (j.sameEndpoint(this)) {
                throw new IllegalArgumentException("jump must not lead back to the target itself, but " + jump + " does for " + this);
            }
            if (++hops > MAX_JUMPS) {
                throw new IllegalArgumentException("jump chain must have at most " + MAX_JUMPS + " hosts, but " + jump + " has more");
            }
        }
        return new SshTarget(host, port, user, credential, hostKeyPolicy, jump);
    }

    private boolean sameEndpoint(SshTarget t) {
        return port == t.port && user.equals(t.user) && host.toLowerCase(Locale.ROOT).equals(t.host.toLowerCase(Locale.ROOT));
    }

    /** @return the jump host this target is reached through, if any */
    public Optional<SshTarget> jump() {
        return Optional.ofNullable(jump);
    }

    /** @return the host name or address */
    public String host() {
        return host;
    }

    /** @return the port */
    public int port() {
        return port;
    }

    /** @return the login */
    public String user() {
        return user;
    }

    /** @return how this target authenticates: "none", "password", "key file" or "key" */
    public String authMethod() {
        return credential.kind();
    }

    /** @return 32 hex digits identifying the credential within this process (see the class notes) */
    public String credentialFingerprint() {
        return credential.fingerprint();
    }

    /** @return the host-key policy */
    public HostKeyPolicy hostKeyPolicy() {
        return hostKeyPolicy;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SshTarget t && port == t.port && host.toLowerCase(Locale.ROOT).equals(t.host.toLowerCase(Locale.ROOT))
                && user.equals(t.user)
                && credential.fingerprint().equals(t.credential.fingerprint()) && hostKeyPolicy.equals(t.hostKeyPolicy)
                && Objects.equals(jump, t.jump);
    }

    @Override
    public int hashCode() {
        return Objects.hash(host.toLowerCase(Locale.ROOT), port, user, credential.fingerprint(), hostKeyPolicy, jump);
    }

    /** @return {@code user@host:port (credential kind and fingerprint prefix)}, then {@code via} its jump; never a secret */
    @Override
    public String toString() {
        return user + "@" + (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port + " (" + credential
                + (hostKeyPolicy.isPoolDefault() ? "" : ", " + hostKeyPolicy) + ")" + (jump == null ? "" : " via " + jump);
    }
}
