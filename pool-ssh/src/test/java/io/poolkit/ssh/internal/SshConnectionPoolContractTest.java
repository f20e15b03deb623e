package io.poolkit.ssh.internal;

import io.poolkit.KeyedPool;
import io.poolkit.Lease;
import io.poolkit.Pool;
import io.poolkit.PoolStats;
import io.poolkit.ssh.SshTarget;
import io.poolkit.ssh.testing.EmbeddedSshServer;
import io.poolkit.testkit.AbstractPoolContractTest;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * The pool contract, written once in pool-core, run against the keyed pool of real SSH connections
 * the SshPool stands on, as {@link Wiring} builds it for the product: the {@link Connector} opening
 * authenticated sessions to an embedded server, the host key checked, a keepalive round trip as the
 * check.
 */
class SshConnectionPoolContractTest extends AbstractPoolContractTest<SshConnection> {
    @TempDir
    Path dir;

    private final List<AutoCloseable> toClose = new CopyOnWriteArrayList<>();

    @Override
    protected Subject<SshConnection> open(int maxSize) throws Exception {
        EmbeddedSshServer server = EmbeddedSshServer.start();
        toClose.add(server);
        // the settings SshPoolBuilder fills in, and the very wiring SshPool builds on them
        Settings settings = new Settings();
        settings.name = "contract";
        settings.knownHosts = server.knownHosts(dir);
        settings.maxConnectionsPerTarget = maxSize;
        settings.heartbeatInterval = Pool.FOREVER;
        // bounds against hangs, not speed assertions: a cold key exchange and login took over 5 s at load 22 on 2 cores
        settings.connectTimeout = Duration.ofSeconds(15);
        settings.authTimeout = Duration.ofSeconds(15);
        settings.killGrace = Duration.ofSeconds(1);
        Wiring wiring = new Wiring(settings, t -> null);
        toClose.add(wiring::stopNow);
        KeyedPool<SshTarget, SshConnection> pool = wiring.pool;
        SshTarget target = server.target();
        return new Subject<>() {
            @Override
            public Lease<SshConnection> acquire(Duration timeout) throws Exception {
                return pool.acquire(target, timeout);
            }

            @Override
            public PoolStats stats() {
                return pool.stats(target);
            }

            @Override
            public boolean shutdown(Duration grace) throws Exception {
                return pool.shutdown(grace);
            }
        };
    }

    /** A cold connect, key exchange and login within its bounds (above), with room to spare. */
    @Override
    protected Duration createBound() {
        return Duration.ofSeconds(40);
    }

    @Override
    protected void use(SshConnection connection) throws Exception {
        if (!connection.probe(Duration.ofSeconds(15))) {
            throw new AssertionError("connection does not answer: " + connection);
        }
    }

    @AfterEach
    void closeServers() throws Exception {
        for (AutoCloseable c : toClose) {
            c.close();
        }
    }
}
