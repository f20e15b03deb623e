package io.poolkit.ssh;

import io.poolkit.ssh.internal.Credential;
import io.poolkit.ssh.internal.Secrets;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.Locale;
import java.util.Objects;

/**
 * Where and as whom to connect: host, port, user, a credential and a host-key policy. The key of the
 * pool: connections are shared only between equal targets. Immutable and thread-safe; every
 * {@code with...} returns a new target.
 *
 * {@snippet :
 * SshTarget web1 = SshTarget.of("web1.example.com", 22, "deploy").withKey(Path.of("id_ed25519"));
 * }
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

    private SshTarget(String host, int port, String user, Credential credential, HostKeyPolicy hostKeyPolicy) {
        this.host = host;
        this.port = port;
        this.user = user;
        this.credential = credential;
        this.hostKeyPolicy = hostKeyPolicy;
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
        return new SshTarget(host.trim(), port, user, Credential.none(), HostKeyPolicy.poolDefault());
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
        return new SshTarget(host, port, user, Credential.keyFile(keyFile, passphrase), hostKeyPolicy);
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
        return new SshTarget(host, port, user, Credential.keyPair(keyPair), hostKeyPolicy);
    }

    /**
     * @param password the password (copied)
     * @return a target that authenticates with it
     */
    public SshTarget withPassword(char[] password) {
        Objects.requireNonNull(password, "password");
        return new SshTarget(host, port, user, Credential.password(password), hostKeyPolicy);
    }

    /**
     * @param policy how this target's host key is checked
     * @return a target with that policy
     */
    public SshTarget withHostKeyPolicy(HostKeyPolicy policy) {
        return new SshTarget(host, port, user, credential, Objects.requireNonNull(policy, "policy"));
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
                && credential.fingerprint().equals(t.credential.fingerprint()) && hostKeyPolicy.equals(t.hostKeyPolicy);
    }

    @Override
    public int hashCode() {
        return Objects.hash(host.toLowerCase(Locale.ROOT), port, user, credential.fingerprint(), hostKeyPolicy);
    }

    /** @return {@code user@host:port (credential kind and fingerprint prefix)}, never a secret */
    @Override
    public String toString() {
        return user + "@" + (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port + " (" + credential
                + (hostKeyPolicy.isPoolDefault() ? "" : ", " + hostKeyPolicy) + ")";
    }
}
