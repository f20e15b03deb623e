package io.poolkit.jdbc.testing;

import io.poolkit.testkit.Services;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

/**
 * The real PostgreSQL that {@code .ci/services/postgres.sh} starts: where it is (POOLKIT_PG_URL,
 * POOLKIT_PG_USER, POOLKIT_PG_PASSWORD, with that script's values as defaults), whether it answers,
 * and a fast restart through {@code pg_ctlcluster} (POOLKIT_PG_CLUSTER).
 */
public final class Pg {
    public static final String URL = env("POOLKIT_PG_URL", "jdbc:postgresql://127.0.0.1:5432/poolkit");
    public static final String USER = env("POOLKIT_PG_USER", "poolkit");
    public static final String PASSWORD = env("POOLKIT_PG_PASSWORD", "poolkit-test-only");
    private static final String CLUSTER = env("POOLKIT_PG_CLUSTER", "15 main");
    private static volatile String unavailable;
    private static volatile boolean checked;

    private Pg() {
    }

    private static String env(String name, String fallback) {
        String v = System.getenv(name);
        return v == null || v.isBlank() ? fallback : v;
    }

    private static URI uri() {
        return URI.create(URL.substring("jdbc:".length()));
    }

    public static String host() {
        return uri().getHost();
    }

    public static int port() {
        int p = uri().getPort();
        return p < 0 ? 5432 : p;
    }

    /** @return the URL with the host and port replaced, e.g. to go through a {@link TcpProxy} */
    public static String urlVia(int port) {
        URI u = uri();
        return "jdbc:postgresql://127.0.0.1:" + port + u.getRawPath() + (u.getRawQuery() == null ? "" : "?" + u.getRawQuery());
    }

    /** Skips the test (locally) or fails it (CI=true) when PostgreSQL does not answer. */
    public static void require() {
        if (!checked) {
            try (Connection c = connect()) {
                unavailable = c.isValid(5) ? null : "PostgreSQL at " + URL + " is not valid";
            } catch (SQLException e) {
                unavailable = "PostgreSQL not reachable at " + URL + " as " + USER + " (" + e.getMessage()
                        + "); run `bash .ci/services/postgres.sh` as root, or set POOLKIT_PG_URL/POOLKIT_PG_USER/POOLKIT_PG_PASSWORD";
            }
            checked = true;
        }
        Services.require(unavailable == null, unavailable);
    }

    /** @return a plain, unpooled connection: the test's own view of the server */
    public static Connection connect() throws SQLException {
        Properties p = new Properties();
        p.setProperty("user", USER);
        p.setProperty("password", PASSWORD);
        p.setProperty("loginTimeout", "5");
        p.setProperty("socketTimeout", "30");
        return new org.postgresql.Driver().connect(URL, p);
    }

    /** Skips (locally) or fails (CI) a test that needs to restart the server and cannot. */
    public static void requireRestart() {
        boolean root = "root".equals(System.getProperty("user.name"));
        boolean tool = new java.io.File("/usr/bin/pg_ctlcluster").canExecute();
        Services.require(root && tool, "restarting PostgreSQL needs root and pg_ctlcluster (cluster " + CLUSTER + ")");
    }

    /** A fast restart: the server ends every session at once, then comes back. */
    public static void restartFast() throws IOException, InterruptedException {
        String[] cluster = CLUSTER.split(" ");
        Process p = new ProcessBuilder("pg_ctlcluster", cluster[0], cluster[1], "restart", "-m", "fast")
                .redirectErrorStream(true).start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("pg_ctlcluster restart did not finish within 60 s");
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.exitValue() != 0) {
            throw new AssertionError("pg_ctlcluster restart failed (" + p.exitValue() + "): " + out);
        }
    }
}
