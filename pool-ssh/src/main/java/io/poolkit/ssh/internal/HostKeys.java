package io.poolkit.ssh.internal;

import io.poolkit.ssh.HostKeyException;
import io.poolkit.ssh.HostKeyPolicy;
import io.poolkit.ssh.SshTarget;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;
import org.apache.sshd.client.config.hosts.KnownHostEntry;
import org.apache.sshd.client.keyverifier.KnownHostsServerKeyVerifier;
import org.apache.sshd.client.keyverifier.ServerKeyVerifier;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.AttributeRepository;
import org.apache.sshd.common.AttributeRepository.AttributeKey;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.kex.KexProposalOption;
import org.apache.sshd.common.session.Session;
import org.apache.sshd.common.session.SessionListener;
import org.apache.sshd.common.util.net.SshdSocketAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The pool's {@link ServerKeyVerifier}, replacing MINA's accept-all default: every connect carries
 * its {@link Attempt} (target and verdict) in the session's context, and the key is checked against
 * the known_hosts file of the target's {@link HostKeyPolicy}, through one MINA
 * {@link KnownHostsServerKeyVerifier} per file and mode (it re-reads the file when it changes). A
 * rejection is recorded in the attempt, so the connector can throw a {@link HostKeyException} that
 * says what happened instead of MINA's "key exchange failed".
 */
final class HostKeys implements ServerKeyVerifier {
    private static final Logger log = LoggerFactory.getLogger(HostKeys.class);

    static final AttributeKey<Attempt> ATTEMPT = new AttributeKey<>();

    /** One connect: its target, and why its host key was rejected (null while not rejected). */
    static final class Attempt {
        final SshTarget target;
        volatile HostKeyException.Reason rejected;
        volatile String presented;
        volatile Path file;

        Attempt(SshTarget target) {
            this.target = target;
        }
    }

    private final String poolName;
    private final Path defaultFile;
    private final boolean defaultTofu;
    private final BiConsumer<SshTarget, String> trustedOnFirstUse;
    private final Map<String, KnownHosts> verifiers = new ConcurrentHashMap<>();

    HostKeys(String poolName, Path defaultFile, boolean defaultTofu, BiConsumer<SshTarget, String> trustedOnFirstUse) {
        this.poolName = poolName;
        this.defaultFile = defaultFile;
        this.defaultTofu = defaultTofu;
        this.trustedOnFirstUse = trustedOnFirstUse;
    }

    Path fileOf(SshTarget target) {
        HostKeyPolicy p = target.hostKeyPolicy();
        return p.isPoolDefault() ? defaultFile : p.knownHostsFile();
    }

    boolean tofuOf(SshTarget target) {
        HostKeyPolicy p = target.hostKeyPolicy();
        return p.isPoolDefault() ? defaultTofu : p.isTrustOnFirstUse();
    }

    /**
     * Puts the host key algorithms of the keys known_hosts records for the target first in the
     * session's proposal, as OpenSSH does: a host known by its Ed25519 key is then asked for that key,
     * not for the ECDSA key MINA prefers, which would read as a changed key. Runs before KEXINIT.
     */
    SessionListener preferKnownKeyTypes() {
        return new SessionListener() {
            @Override
            public void sessionNegotiationOptionsCreated(Session session, Map<KexProposalOption, String> proposal) {
                Attempt attempt = session instanceof ClientSession c ? attempt(c) : null;
                String offered = proposal.get(KexProposalOption.SERVERKEYS);
                if (attempt == null || offered == null) {
                    return;
                }
                Set<String> known = knownKeyTypes(attempt.target);
                if (!known.isEmpty()) {
                    proposal.put(KexProposalOption.SERVERKEYS, preferred(offered, known));
                }
            }
        };
    }

    /** {@code offered} (comma-separated algorithms) with those of a {@code known} key type first, order kept otherwise. */
    static String preferred(String offered, Set<String> known) {
        List<String> first = new ArrayList<>();
        List<String> rest = new ArrayList<>();
        for (String algorithm : offered.split(",")) {
            (known.contains(KeyUtils.getCanonicalKeyType(algorithm)) ? first : rest).add(algorithm);
        }
        first.addAll(rest);
        return String.join(",", first);
    }

    /** The key types known_hosts records for the target's host and port (no revoked keys, no CAs); empty when unreadable. */
    private Set<String> knownKeyTypes(SshTarget target) {
        Path file = fileOf(target);
        Set<String> types = new LinkedHashSet<>();
        if (file == null || !Files.isReadable(file)) {
            return types;
        }
        try {
            for (KnownHostEntry e : KnownHostEntry.readKnownHostEntries(file)) {
                if (e.getMarker() == null && e.getKeyEntry() != null && e.isHostMatch(target.host(), target.port())) {
                    types.add(KeyUtils.getCanonicalKeyType(e.getKeyEntry().getKeyType()));
                }
            }
        } catch (IOException | RuntimeException e) {
            log.debug("{} - cannot read the key types of {} from {}: {}", poolName, target, file, e.toString());
        }
        return types;
    }

    /** The connect's attempt, from the context given to {@code connect} (set before any packet moves). */
    static Attempt attempt(ClientSession session) {
        AttributeRepository context = session.getConnectionContext();
        return context == null ? null : context.getAttribute(ATTEMPT);
    }

    @Override
    public boolean verifyServerKey(ClientSession session, SocketAddress remote, PublicKey key) {
        Attempt attempt = attempt(session);
        if (attempt == null) {
            log.warn("{} - rejecting the host key of a session the pool did not open ({})", poolName, remote);
            return false;
        }
        Path file = fileOf(attempt.target);
        boolean tofu = tofuOf(attempt.target);
        attempt.file = file;
        attempt.presented = describe(key);
        KnownHosts v = verifiers.computeIfAbsent(tofu + ":" + file, k -> new KnownHosts(file, tofu));
        // behind a jump host the socket is a loopback relay: the key is the target's, checked under its name
        return v.verifyServerKey(session, attempt.target.jump().isPresent() ? targetAddress(attempt.target) : remote, key);
    }

    private static InetSocketAddress targetAddress(SshTarget target) {
        return InetSocketAddress.createUnresolved(target.host(), target.port());
    }

    static String describe(PublicKey key) {
        try {
            return KeyUtils.getKeyType(key) + " " + KeyUtils.getFingerPrint(key);
        } catch (RuntimeException e) {
            return key.getAlgorithm() + " key";
        }
    }

    /** The diagnosis for a rejected key, naming the file and what to do. */
    static HostKeyException rejection(String poolName, Attempt a, Throwable cause) {
        SshTarget t = a.target;
        String where = t.port() == 22 ? t.host() : "[" + t.host() + "]:" + t.port();
        String keyscan = "ssh-keyscan " + (t.port() == 22 ? "" : "-p " + t.port() + " ") + t.host() + " >> " + a.file;
        String message;
        switch (a.rejected) {
            case UNKNOWN:
                message = poolName + " - host key of " + where + " is unknown: " + a.presented + " is not in " + a.file
                        + "; verify the fingerprint out of band, then add it (" + keyscan + "), or let this target trust"
                        + " on first use (HostKeyPolicy.trustOnFirstUse)";
                break;
            case CHANGED:
                message = poolName + " - host key of " + where + " has CHANGED: it presented " + a.presented + ", which"
                        + " differs from the key recorded in " + a.file + "; someone may be intercepting the connection,"
                        + " or the host was reinstalled: verify the new fingerprint out of band before replacing the entry"
                        + " (ssh-keygen -R '" + where + "' -f " + a.file + ")";
                break;
            default:
                message = poolName + " - host key of " + where + " (" + a.presented + ") is marked @revoked in " + a.file
                        + "; the connection is refused";
                break;
        }
        return new HostKeyException(message, a.rejected, a.presented, cause);
    }

    /** One known_hosts file in one mode; records every rejection in the session's attempt. */
    private final class KnownHosts extends KnownHostsServerKeyVerifier {
        private final boolean tofu;

        KnownHosts(Path file, boolean tofu) {
            super((session, remote, key) -> tofu, file);
            this.tofu = tofu;
        }

        @Override
        protected Collection<SshdSocketAddress> resolveHostNetworkIdentities(ClientSession session, SocketAddress remote) {
            Attempt a = attempt(session);
            if (a != null && a.target.jump().isPresent()) {
                // only the target's own name: never the loopback relay's address and port
                return List.of(new SshdSocketAddress(a.target.host(), a.target.port()));
            }
            return super.resolveHostNetworkIdentities(session, remote);
        }

        @Override
        protected boolean acceptUnknownHostKey(ClientSession session, SocketAddress remote, PublicKey key) {
            Attempt a = attempt(session);
            if (!tofu) {
                if (a != null) {
                    a.rejected = HostKeyException.Reason.UNKNOWN;
                }
                return false;
            }
            boolean accepted = super.acceptUnknownHostKey(session, remote, key);
            if (accepted && a != null) {
                log.warn("{} - trusted the unknown host key {} of {} on first use (trustOnFirstUse), and recorded it in {}",
                        poolName, describe(key), a.target, getPath());
                trustedOnFirstUse.accept(a.target, describe(key));
            }
            return accepted;
        }

        @Override
        public boolean acceptModifiedServerKey(ClientSession session, SocketAddress remote, KnownHostEntry entry,
                                               PublicKey expected, PublicKey actual) {
            Attempt a = attempt(session);
            if (a != null) {
                a.rejected = HostKeyException.Reason.CHANGED;
            }
            log.warn("{} - host key of {} has changed: expected {}, got {} ({}); connection refused", poolName, remote,
                    describe(expected), describe(actual), getPath());
            return false;
        }

        @Override
        protected void handleRevokedKey(ClientSession session, SocketAddress remote, PublicKey key) {
            Attempt a = attempt(session);
            if (a != null) {
                a.rejected = HostKeyException.Reason.REVOKED;
            }
            log.warn("{} - host key {} of {} is revoked in {}; connection refused", poolName, describe(key), remote, getPath());
        }
    }
}
