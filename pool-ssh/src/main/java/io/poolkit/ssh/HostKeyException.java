package io.poolkit.ssh;

/**
 * The server's host key is not trusted: unknown to the known_hosts file, different from the key
 * recorded there (possibly a man-in-the-middle, or a reinstalled host), or revoked. The message names
 * the host, the key's type and SHA256 fingerprint, the file, and what to do.
 */
public class HostKeyException extends SshException {
    private static final long serialVersionUID = 1L;

    /** Why the key was rejected. */
    public enum Reason {
        /** the file has no key for this host */
        UNKNOWN,
        /** the file has a different key for this host */
        CHANGED,
        /** the file marks this key {@code @revoked} */
        REVOKED
    }

    private final Reason reason;
    private final String keyFingerprint;

    /**
     * @param message the diagnosis
     * @param reason why the key was rejected
     * @param keyFingerprint the server key's type and SHA256 fingerprint
     * @param cause MINA's failure
     */
    public HostKeyException(String message, Reason reason, String keyFingerprint, Throwable cause) {
        super(message, cause);
        this.reason = reason;
        this.keyFingerprint = keyFingerprint;
    }

    /** @return why the key was rejected */
    public Reason reason() {
        return reason;
    }

    /** @return the presented key, e.g. {@code ssh-ed25519 SHA256:...} */
    public String keyFingerprint() {
        return keyFingerprint;
    }
}
