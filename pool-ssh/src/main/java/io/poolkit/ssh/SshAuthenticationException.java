package io.poolkit.ssh;

/**
 * The server accepted none of the target's credentials (or the key file could not be read or
 * decrypted). The message names the target, the kind of credential and its fingerprint prefix, never
 * the secret.
 */
public class SshAuthenticationException extends SshException {
    private static final long serialVersionUID = 1L;

    /**
     * @param message the diagnosis
     * @param cause MINA's failure
     */
    public SshAuthenticationException(String message, Throwable cause) {
        super(message, cause);
    }
}
