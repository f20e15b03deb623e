package io.poolkit.ssh.internal;

import io.poolkit.Pool;
import io.poolkit.Ticker;
import io.poolkit.ssh.SshPoolListener;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** What {@code SshPoolBuilder} validated, handed to the {@link Engine}. Mutable only while building. */
public final class Settings {
    public String name;
    public Path knownHosts = Path.of(System.getProperty("user.home"), ".ssh", "known_hosts");
    public boolean trustOnFirstUse;
    public int maxChannelsPerConnection = 8;
    public int maxConnectionsPerTarget = 4;
    public int maxConnections = Integer.MAX_VALUE;
    public int minIdlePerTarget;
    public Duration idleTimeout = Duration.ofMinutes(5);
    public Duration maxLifetime = Pool.FOREVER;
    public Duration maintenanceInterval = Duration.ofSeconds(30);
    public Duration acquireTimeout = Duration.ofSeconds(30);
    public Duration commandTimeout = Duration.ofMinutes(1);
    public Duration transferTimeout = Duration.ofMinutes(10);
    public Duration connectTimeout = Duration.ofSeconds(10);
    public Duration authTimeout = Duration.ofSeconds(10);
    public Duration heartbeatInterval = Duration.ofSeconds(30);
    public Duration validateAfterIdle = Duration.ofMillis(500);
    public Duration validationTimeout = Duration.ofSeconds(5);
    public int circuitFailures = 5;
    public Duration circuitOpen = Duration.ofSeconds(10);
    public Duration createRetryInitial = Duration.ofMillis(100);
    public Duration createRetryMax = Duration.ofSeconds(5);
    public int maxOutputBytes = 1 << 20;
    public Duration killGrace = Duration.ofSeconds(2);
    public boolean pidWrapper = true;
    public int execAllParallelism = 16;
    public Duration shutdownTimeout = Duration.ofSeconds(30);
    public Duration targetIdleTimeout = Duration.ofMinutes(10);
    public final List<SshPoolListener> listeners = new ArrayList<>();
    /** The time source of the keyed pool and the dispatchers (tests inject one); not a builder option. */
    public Ticker ticker = Ticker.system();

    public Settings copy() {
        Settings c = new Settings();
        c.name = name;
        c.knownHosts = knownHosts;
        c.trustOnFirstUse = trustOnFirstUse;
        c.maxChannelsPerConnection = maxChannelsPerConnection;
        c.maxConnectionsPerTarget = maxConnectionsPerTarget;
        c.maxConnections = maxConnections;
        c.minIdlePerTarget = minIdlePerTarget;
        c.idleTimeout = idleTimeout;
        c.maxLifetime = maxLifetime;
        c.maintenanceInterval = maintenanceInterval;
        c.acquireTimeout = acquireTimeout;
        c.commandTimeout = commandTimeout;
        c.transferTimeout = transferTimeout;
        c.connectTimeout = connectTimeout;
        c.authTimeout = authTimeout;
        c.heartbeatInterval = heartbeatInterval;
        c.validateAfterIdle = validateAfterIdle;
        c.validationTimeout = validationTimeout;
        c.circuitFailures = circuitFailures;
        c.circuitOpen = circuitOpen;
        c.createRetryInitial = createRetryInitial;
        c.createRetryMax = createRetryMax;
        c.maxOutputBytes = maxOutputBytes;
        c.killGrace = killGrace;
        c.pidWrapper = pidWrapper;
        c.execAllParallelism = execAllParallelism;
        c.shutdownTimeout = shutdownTimeout;
        c.targetIdleTimeout = targetIdleTimeout;
        c.listeners.addAll(listeners);
        c.ticker = ticker;
        return c;
    }
}
