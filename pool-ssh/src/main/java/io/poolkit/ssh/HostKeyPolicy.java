package io.poolkit.ssh;

import java.nio.file.Path;
import java.util.Objects;

/**
 * How a target's host key is checked, part of the {@link SshTarget} (two targets that differ only
 * in their policy get separate connections). Immutable and thread-safe.
 *
 * <ul>
 *   <li>{@link #poolDefault()}: the pool's {@code knownHosts} file, strict unless the pool was built
 *       with {@code trustOnFirstUse(true)} — what every target gets unless it says otherwise;</li>
 *   <li>{@link #knownHosts(Path)}: the key must be in this known_hosts file; an unknown or changed
 *       key fails the connection with a {@link HostKeyException};</li>
 *   <li>{@link #trustOnFirstUse(Path)}: a host missing from the file is trusted once, appended to the
 *       file and logged at WARN; a changed key is still rejected.</li>
 * </ul>
 *
 * There is deliberately no "accept any key": MINA SSHD's own default does that, and this pool
 * replaces it.
 */
public final class HostKeyPolicy {
    private static final HostKeyPolicy POOL_DEFAULT = new HostKeyPolicy(null, false);

    private final Path knownHosts;
    private final boolean trustOnFirstUse;

    private HostKeyPolicy(Path knownHosts, boolean trustOnFirstUse) {
        this.knownHosts = knownHosts;
        this.trustOnFirstUse = trustOnFirstUse;
    }

    /** @return the pool's known_hosts file and its trust-on-first-use setting */
    public static HostKeyPolicy poolDefault() {
        return POOL_DEFAULT;
    }

    /**
     * @param file an OpenSSH known_hosts file (hashed entries, {@code [host]:port} and markers are
     *     understood); it is re-read when it changes
     * @return a strict policy on that file
     */
    public static HostKeyPolicy knownHosts(Path file) {
        return new HostKeyPolicy(Objects.requireNonNull(file, "file").toAbsolutePath().normalize(), false);
    }

    /**
     * Trust on first use: an unknown host's key is accepted, appended to {@code file} and logged at
     * WARN; a key that differs from the file's entry is rejected. Choose it only where the first
     * connection cannot be intercepted.
     *
     * @param file the known_hosts file to check and extend
     * @return the policy
     */
    public static HostKeyPolicy trustOnFirstUse(Path file) {
        return new HostKeyPolicy(Objects.requireNonNull(file, "file").toAbsolutePath().normalize(), true);
    }

    /** @return whether this is {@link #poolDefault()} */
    public boolean isPoolDefault() {
        return knownHosts == null;
    }

    /** @return the known_hosts file, or {@code null} for {@link #poolDefault()} */
    public Path knownHostsFile() {
        return knownHosts;
    }

    /** @return whether unknown hosts are trusted on first use */
    public boolean isTrustOnFirstUse() {
        return trustOnFirstUse;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof HostKeyPolicy p && Objects.equals(knownHosts, p.knownHosts) && trustOnFirstUse == p.trustOnFirstUse;
    }

    @Override
    public int hashCode() {
        return Objects.hash(knownHosts, trustOnFirstUse);
    }

    @Override
    public String toString() {
        if (knownHosts == null) {
            return "pool default";
        }
        return (trustOnFirstUse ? "trust on first use, " : "known hosts ") + knownHosts;
    }
}
