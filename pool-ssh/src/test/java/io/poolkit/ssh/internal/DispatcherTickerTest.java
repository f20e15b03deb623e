package io.poolkit.ssh.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.poolkit.Pool;
import io.poolkit.PoolTimeoutException;
import io.poolkit.ssh.SshTarget;
import io.poolkit.ssh.testing.EmbeddedSshServer;
import io.poolkit.testkit.Await;
import io.poolkit.testkit.ManualClock;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The dispatcher's waits run on the pool's ticker: a manual clock moves them without real waiting. */
@Timeout(60)
class DispatcherTickerTest {
    @TempDir
    Path dir;

    @Test
    void aWaitForAChannelTimesOutWhenTheInjectedClockPassesItsBound() throws Exception {
        ManualClock clock = new ManualClock();
        try (EmbeddedSshServer server = EmbeddedSshServer.start()) {
            Settings settings = new Settings();
            settings.name = "ticker";
            settings.knownHosts = server.knownHosts(dir);
            settings.maxChannelsPerConnection = 1;
            settings.maxConnectionsPerTarget = 1;
            settings.heartbeatInterval = Pool.FOREVER;
            settings.acquireTimeout = Duration.ofMinutes(10);
            settings.ticker = clock;
            Engine engine = new Engine(settings);
            SshTarget t = server.target();
            try {
                CompletableFuture<Object> busy = CompletableFuture.supplyAsync(() -> run(engine, t, "sleep 20"));
                Await.until(() -> engine.stats(t).channelsOpen() == 1, () -> "the only channel is taken: " + engine.stats(t));
                CompletableFuture<Object> waiting = CompletableFuture.supplyAsync(() -> run(engine, t, "true"));
                Await.until(() -> engine.stats(t).waiting() == 1, () -> "a command waits: " + engine.stats(t));
                clock.advance(Duration.ofMinutes(11));
                Object outcome = waiting.get(10, TimeUnit.SECONDS); // ten real minutes without the injected clock
                assertThat(outcome).isInstanceOf(PoolTimeoutException.class);
                assertThat(((Throwable) outcome).getMessage()).contains("no SSH channel", "within 600000 ms");
                assertThat(busy.isDone()).isFalse();
            } finally {
                engine.shutdown(Duration.ZERO);
            }
        }
    }

    private static Object run(Engine engine, SshTarget t, String command) {
        try {
            return engine.exec(t, command, null, Duration.ofMinutes(30));
        } catch (Exception e) {
            return e;
        }
    }
}
