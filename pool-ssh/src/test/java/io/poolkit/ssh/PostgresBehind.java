package io.poolkit.ssh;

import io.poolkit.testkit.Services;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;

/**
 * The real PostgreSQL of CI ({@code .ci/services/postgres.sh}) as a tunnel's destination: its host and
 * port from POOLKIT_PG_URL, its login from POOLKIT_PG_USER / POOLKIT_PG_PASSWORD. Skips (or, with
 * CI=true, fails) when it is not reachable.
 */
public final class PostgresBehind {
    public final String host;
    public final int port;
    /** The database path of the URL, with its leading slash. */
    public final String database;
    public final String user = env("POOLKIT_PG_USER", "poolkit");
    public final String password = env("POOLKIT_PG_PASSWORD", "poolkit-test-only");

    private PostgresBehind(URI url) {
        this.host = url.getHost();
        this.port = url.getPort() < 0 ? 5432 : url.getPort();
        this.database = url.getPath();
    }

    private static String env(String name, String fallback) {
        String v = System.getenv(name);
        return v == null || v.isBlank() ? fallback : v;
    }

    /** @return where PostgreSQL is, once it answered a TCP connect */
    public static PostgresBehind require() {
        PostgresBehind pg = new PostgresBehind(URI.create(env("POOLKIT_PG_URL", "jdbc:postgresql://127.0.0.1:5432/poolkit")
                .substring("jdbc:".length())));
        boolean up;
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(pg.host, pg.port), 2_000);
            up = true;
        } catch (IOException e) {
            up = false;
        }
        Services.require(up, "PostgreSQL not reachable at " + pg.host + ":" + pg.port + " (run .ci/services/postgres.sh)");
        return pg;
    }

    /** @return a PostgreSQL JDBC URL for the same database on a loopback port (a tunnel's) */
    public String urlOn(int localPort) {
        return "jdbc:postgresql://127.0.0.1:" + localPort + database;
    }
}
