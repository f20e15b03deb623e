package io.poolkit.session;

/**
 * The sandbox was requested ({@code sandbox(true)}, the default) but cannot be set up here: not
 * Linux, bubblewrap missing or too old, user namespaces disabled, or {@code prlimit} missing. The
 * message says what is missing and how to install it, or how to opt out with {@code sandbox(false)}.
 * A session never falls back to running unsandboxed on its own.
 */
public final class SandboxUnavailableException extends SessionStartException {
    private static final long serialVersionUID = 1L;

    /** @param message what is missing and what to do */
    public SandboxUnavailableException(String message) {
        super(message);
    }
}
