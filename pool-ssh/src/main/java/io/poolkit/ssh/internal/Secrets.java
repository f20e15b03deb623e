package io.poolkit.ssh.internal;

import io.poolkit.ssh.SshTarget;
import java.util.Objects;
import java.util.function.Function;

/**
 * The one way from a target to its credential: {@link SshTarget} keeps the credential private and
 * registers its accessor here when its class initializes, so the secret never appears on the public
 * API (the JDK's SharedSecrets idiom).
 */
public final class Secrets {
    private static volatile Function<SshTarget, Credential> credentials;

    private Secrets() {
    }

    /** @param accessor called once, by {@link SshTarget}'s static initializer */
    public static void register(Function<SshTarget, Credential> accessor) {
        if (credentials != null) {
            throw new IllegalStateException("already registered");
        }
        credentials = Objects.requireNonNull(accessor);
    }

    static Credential credential(SshTarget target) {
        return credentials.apply(target);
    }
}
