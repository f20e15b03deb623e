package io.poolkit.ssh.internal;

import io.poolkit.KeyedPool;
import io.poolkit.Pool;
import io.poolkit.ssh.SshTarget;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.apache.sshd.client.SshClient;
import org.apache.sshd.client.auth.password.UserAuthPasswordFactory;
import org.apache.sshd.client.auth.pubkey.UserAuthPublicKeyFactory;
import org.apache.sshd.client.config.hosts.HostConfigEntryResolver;
import org.apache.sshd.common.keyprovider.KeyIdentityProvider;
import org.apache.sshd.core.CoreModuleProperties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What an {@code SshPool} stands on, built from its settings and nothing else: the pool's daemon
 * threads, its events, one MINA {@link SshClient} (TCP_NODELAY on, heartbeats, only the target's own
 * credential), the {@link HostKeys} verifier, the {@link Connector} and the keyed pool of connections.
 * The connector's and the pool's per-target failures go to the target's dispatcher, found through
 * {@code dispatchers} (which returns null for a target not served). Command execution and the pool's
 * lifecycle are not here; the contract test runs against the pool built here.
 */
final class Wiring {
    private static final Logger log = LoggerFactory.getLogger(Wiring.class);
    private static final AtomicInteger POOLS = new AtomicInteger();

    final String name;
    final ExecutorService executor;
    final Events events;
    final SshClient client;
    final Connector connector;
    final KeyedPool<SshTarget, SshConnection> pool;

    /**
     * @param settings validated settings (not copied: the caller's own copy)
     * @param dispatchers the dispatcher serving a target, or null
     */
    Wiring(Settings settings, Function<SshTarget, Dispatcher> dispatchers) {
        this.name = settings.name != null ? settings.name : "ssh-pool-" + POOLS.incrementAndGet();
        this.events = new Events(name, settings.listeners);
        events.onCreateFailed = (target, failure) -> {
            Dispatcher d = dispatchers.apply(target);
            if (d != null) {
                d.createFailed(failure);
            }
        };
        AtomicInteger threads = new AtomicInteger();
        ThreadFactory daemons = r -> {
            Thread t = new Thread(r, name + "-ssh-" + threads.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
        this.executor = Executors.newCachedThreadPool(daemons);
        this.client = newClient(settings);
        HostKeys hostKeys = new HostKeys(name, settings.knownHosts, settings.trustOnFirstUse, events::hostKeyTrusted);
        client.setServerKeyVerifier(hostKeys);
        client.addSessionListener(hostKeys.preferKnownKeyTypes());
        client.start();
        this.connector = new Connector(name, client, hostKeys, settings.connectTimeout, settings.authTimeout,
                settings.killGrace, (target, failure) -> {
                    Dispatcher d = dispatchers.apply(target);
                    if (d != null) {
                        d.permanentFailure(failure);
                    }
                });
        // a target behind a jump host may first wait for the jump host's own connect and authentication
        Duration createTimeout = settings.connectTimeout.plus(settings.authTimeout).multipliedBy(2).plusSeconds(1);
        var builder = KeyedPool.builder(connector)
                .name(name)
                .maxSize(settings.maxConnectionsPerTarget)
                .maxTotal(settings.maxConnections)
                .minIdle(settings.minIdlePerTarget)
                .idleTimeout(settings.idleTimeout)
                .maxLifetime(settings.maxLifetime)
                .maintenanceInterval(settings.maintenanceInterval)
                .acquireTimeout(settings.acquireTimeout)
                .validateAfterIdle(settings.validateAfterIdle)
                .validationTimeout(settings.validationTimeout)
                .createTimeout(createTimeout)
                .maxConcurrentCreates(1)
                .createRetry(settings.createRetryInitial, settings.createRetryMax)
                .shutdownTimeout(settings.shutdownTimeout)
                .keyIdleTimeout(settings.targetIdleTimeout)
                .ticker(settings.ticker)
                .asyncExecutor(executor)
                .listener(events);
        if (settings.circuitFailures > 0) {
            builder.circuitBreaker(settings.circuitFailures, settings.circuitOpen);
        }
        try {
            this.pool = builder.build();
        } catch (RuntimeException e) {
            stopClient();
            executor.shutdownNow();
            throw e;
        }
        if (settings.trustOnFirstUse) {
            log.warn("{} - trustOnFirstUse is on: unknown host keys are accepted once and recorded in {}", name, settings.knownHosts);
        }
    }

    private static SshClient newClient(Settings settings) {
        SshClient c = SshClient.setUpDefaultClient();
        // a warm command costs ~1.5 ms with TCP_NODELAY, ~88 ms without (Nagle + delayed ACK)
        CoreModuleProperties.TCP_NODELAY.set(c, true);
        if (!Pool.FOREVER.equals(settings.heartbeatInterval)) {
            CoreModuleProperties.HEARTBEAT_INTERVAL.set(c, settings.heartbeatInterval);
            CoreModuleProperties.HEARTBEAT_REQUEST.set(c, SshConnection.KEEPALIVE);
            // with a maximum set, heartbeats want a reply, and that many unanswered ones close the session
            CoreModuleProperties.HEARTBEAT_NO_REPLY_MAX.set(c, 3);
        }
        // only the target's own credential: no keys from ~/.ssh, no agent, no keyboard-interactive prompts
        c.setKeyIdentityProvider(KeyIdentityProvider.EMPTY_KEYS_PROVIDER);
        // exactly the target given: MINA's default reads ~/.ssh/config, whose HostName, IdentityFile and
        // ProxyJump would send a pooled connection elsewhere, through another host, or with other keys
        c.setHostConfigEntryResolver(HostConfigEntryResolver.EMPTY);
        c.setUserAuthFactories(List.of(UserAuthPublicKeyFactory.INSTANCE, UserAuthPasswordFactory.INSTANCE));
        // a channel given up before the server confirmed it is closed on the server too when the confirmation comes
        c.setUnknownChannelReferenceHandler(new AbandonedChannels());
        return c;
    }

    void stopClient() {
        try {
            client.stop();
        } catch (RuntimeException e) {
            log.debug("{} - stopping the SSH client: {}", name, e.toString());
        }
    }

    /** Stops the client and the threads (waiting up to {@code grace} for the threads). */
    void stop(Duration grace) throws InterruptedException {
        stopClient();
        executor.shutdown();
        if (!executor.awaitTermination(Math.max(1, grace.toMillis()), TimeUnit.MILLISECONDS)) {
            executor.shutdownNow();
        }
    }

    /** Stops at once (an interrupted shutdown). */
    void stopNow() {
        stopClient();
        executor.shutdownNow();
    }
}
