package io.poolkit.jdbc;

import io.poolkit.IdleOrder;
import io.poolkit.Pool;
import io.poolkit.PoolBuilder;
import io.poolkit.jdbc.internal.DataSourceOptions;
import io.poolkit.jdbc.internal.JdbcSettings;
import io.poolkit.jdbc.internal.Secrets;
import java.sql.Driver;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ThreadFactory;
import javax.sql.DataSource;

/**
 * Builds a {@link PooledDataSource}; start with {@link PooledDataSource#builder()}.
 *
 * {@snippet class=io.poolkit.jdbc.snippets.JdbcSnippets region=builder}
 *
 * <p>Connections come either from a JDBC URL (with {@link #username}, {@link #password} and driver
 * {@link #property properties}; the driver is found by {@code DriverManager} unless {@link #driver}
 * gives it) or from a driver's {@link #dataSource DataSource}. The pool options are those of
 * pool-core's {@link PoolBuilder} with the same defaults and rules, except {@link #maxLifetime}
 * (30 minutes here, with jitter: servers and firewalls drop old connections) and creation, which is
 * bounded by {@link #loginTimeout}. {@code build()} opens the first connection (and up to
 * {@code minIdle}) before it returns and fails fast when the database cannot be reached, unless
 * {@link #initializationFailTimeout} says to wait or to start anyway.
 *
 * <p>Every setter validates its value and names the rule and the rejected value (a password is
 * never echoed); rules between options are checked at {@link #build()}. Not thread-safe; a builder
 * may build several data sources.
 */
public final class PooledDataSourceBuilder {
    private final DataSourceOptions options = new DataSourceOptions();
    private final JdbcSettings settings = options.jdbc;

    PooledDataSourceBuilder() {
    }

    // ---- where connections come from ----

    /**
     * @param url the JDBC URL, e.g. {@code jdbc:postgresql://127.0.0.1:5432/app}; a password in it
     *     is masked wherever the pool prints the URL
     * @return this builder
     */
    public PooledDataSourceBuilder url(String url) {
        settings.url = DataSourceOptions.url(url);
        return this;
    }

    /**
     * @param username the database user (the driver's {@code user} property, or the user given to
     *     {@code DataSource.getConnection(user, password)})
     * @return this builder
     */
    public PooledDataSourceBuilder username(String username) {
        settings.username = DataSourceOptions.notBlank("username", username);
        return this;
    }

    /**
     * @param password the password; never logged, never in a message or {@code toString()}
     * @return this builder
     */
    public PooledDataSourceBuilder password(String password) {
        settings.password = Objects.requireNonNull(password, "password must not be null");
        return this;
    }

    /**
     * @param key a driver property, e.g. pgjdbc's {@code socketTimeout} (seconds) or {@code ssl}
     * @param value its value; properties whose names say they are secrets are masked like the password
     * @return this builder
     */
    public PooledDataSourceBuilder property(String key, String value) {
        DataSourceOptions.notBlank("property key", key);
        Objects.requireNonNull(value, () -> "the value of property " + key + " must not be null");
        if (key.equals("user") || key.equals("password")) {
            throw new IllegalArgumentException("property \"" + key + "\" is set with ." + (key.equals("user") ? "username" : "password")
                    + "(..), not .property(..)");
        }
        settings.properties.put(key, value);
        return this;
    }

    /**
     * @param driver the driver to connect with, instead of the one {@code DriverManager} finds for the URL
     * @return this builder
     */
    public PooledDataSourceBuilder driver(Driver driver) {
        settings.driver = Objects.requireNonNull(driver, "driver must not be null");
        return this;
    }

    /**
     * @param dataSource a driver's (unpooled) data source to take connections from, instead of a URL;
     *     its login timeout is set to {@link #loginTimeout}
     * @return this builder
     */
    public PooledDataSourceBuilder dataSource(DataSource dataSource) {
        settings.dataSource = Objects.requireNonNull(dataSource, "dataSource must not be null");
        return this;
    }

    // ---- what every connection starts with, and goes back to on return ----

    /**
     * @param autoCommit the auto-commit mode of every connection handed out (default true)
     * @return this builder
     */
    public PooledDataSourceBuilder autoCommit(boolean autoCommit) {
        settings.autoCommit = autoCommit;
        return this;
    }

    /**
     * @param level the isolation of every connection handed out: one of the
     *     {@code Connection.TRANSACTION_*} levels (default: the driver's)
     * @return this builder
     */
    public PooledDataSourceBuilder transactionIsolation(int level) {
        settings.isolation = DataSourceOptions.isolation(level);
        return this;
    }

    /**
     * @param readOnly the read-only mode of every connection handed out (default: the driver's)
     * @return this builder
     */
    public PooledDataSourceBuilder readOnly(boolean readOnly) {
        settings.readOnly = readOnly;
        return this;
    }

    /**
     * @param catalog the catalog of every connection handed out (default: the driver's)
     * @return this builder
     */
    public PooledDataSourceBuilder catalog(String catalog) {
        settings.catalog = DataSourceOptions.notBlank("catalog", catalog);
        return this;
    }

    /**
     * @param schema the schema of every connection handed out (default: the driver's)
     * @return this builder
     */
    public PooledDataSourceBuilder schema(String schema) {
        settings.schema = DataSourceOptions.notBlank("schema", schema);
        return this;
    }

    /**
     * @param sql run once on every new connection, after the defaults are applied (committed when
     *     auto-commit is off); a failure fails that creation
     * @return this builder
     */
    public PooledDataSourceBuilder connectionInitSql(String sql) {
        settings.connectionInitSql = DataSourceOptions.notBlank("connectionInitSql", sql);
        return this;
    }

    /**
     * @param timeout how long opening one connection may take (default 30 s): the pool stops waiting
     *     for the creation then, and the driver gets it as its login timeout (whole seconds, rounded up)
     * @return this builder
     */
    public PooledDataSourceBuilder loginTimeout(Duration timeout) {
        settings.loginTimeout = DataSourceOptions.loginTimeout(timeout);
        return this;
    }

    /**
     * @param classifier which failures evict their connection (default {@link FatalErrorClassifier#standard()})
     * @return this builder
     */
    public PooledDataSourceBuilder fatalErrors(FatalErrorClassifier classifier) {
        settings.classifier = Objects.requireNonNull(classifier, "fatalErrors must not be null");
        return this;
    }

    /**
     * What {@code build()} does when the database cannot be reached. Default 1 ms: one attempt, and
     * {@code build()} fails with the driver's error (fail fast). A longer bound keeps trying until
     * it passes; {@link Pool#FOREVER} returns at once and keeps trying in the background (callers of
     * {@code getConnection()} then wait and time out with the cause).
     *
     * @param timeout zero or more
     * @return this builder
     */
    public PooledDataSourceBuilder initializationFailTimeout(Duration timeout) {
        options.initializationFailTimeout = DataSourceOptions.initializationFailTimeout(timeout);
        return this;
    }

    // ---- the pool: the core's options, rules and defaults ----

    /**
     * @param name the prefix of every log line, message, thread and JMX name (default {@code jdbc-pool-N})
     * @return this builder
     * @see PoolBuilder#name(String)
     */
    public PooledDataSourceBuilder name(String name) {
        options.name = DataSourceOptions.name(name);
        return this;
    }

    /**
     * @param maxSize most connections open at once (default 10)
     * @return this builder
     * @see PoolBuilder#maxSize(int)
     */
    public PooledDataSourceBuilder maxSize(int maxSize) {
        options.maxSize = DataSourceOptions.maxSize(maxSize);
        return this;
    }

    /**
     * @param minIdle idle connections kept ready (default 0)
     * @return this builder
     * @see PoolBuilder#minIdle(int)
     */
    public PooledDataSourceBuilder minIdle(int minIdle) {
        options.minIdle = DataSourceOptions.minIdle(minIdle);
        return this;
    }

    /**
     * @param timeout the wait of {@code getConnection()} (default 30 s)
     * @return this builder
     * @see PoolBuilder#acquireTimeout(Duration)
     */
    public PooledDataSourceBuilder acquireTimeout(Duration timeout) {
        options.acquireTimeout = DataSourceOptions.acquireTimeout(timeout);
        return this;
    }

    /**
     * @param maxWaiters callers allowed to queue (default unbounded)
     * @return this builder
     * @see PoolBuilder#maxWaiters(int)
     */
    public PooledDataSourceBuilder maxWaiters(int maxWaiters) {
        options.maxWaiters = DataSourceOptions.maxWaiters(maxWaiters);
        return this;
    }

    /**
     * @param timeout idle connections above minIdle are closed after this (default 10 min)
     * @return this builder
     * @see PoolBuilder#idleTimeout(Duration)
     */
    public PooledDataSourceBuilder idleTimeout(Duration timeout) {
        options.idleTimeout = DataSourceOptions.idleTimeout(timeout);
        return this;
    }

    /**
     * @param lifetime connections older than this are retired (default 30 min here; keep it below
     *     the server's and the network's own limits)
     * @return this builder
     * @see PoolBuilder#maxLifetime(Duration)
     */
    public PooledDataSourceBuilder maxLifetime(Duration lifetime) {
        options.maxLifetime = DataSourceOptions.maxLifetime(lifetime);
        return this;
    }

    /**
     * @param jitter the fraction of maxLifetime spread over retirements (default 0.1)
     * @return this builder
     * @see PoolBuilder#lifetimeJitter(double)
     */
    public PooledDataSourceBuilder lifetimeJitter(double jitter) {
        options.lifetimeJitter = DataSourceOptions.lifetimeJitter(jitter);
        return this;
    }

    /**
     * @param idle check a connection on borrow only when idle this long (default 500 ms)
     * @return this builder
     * @see PoolBuilder#validateAfterIdle(Duration)
     */
    public PooledDataSourceBuilder validateAfterIdle(Duration idle) {
        options.validateAfterIdle = DataSourceOptions.validateAfterIdle(idle);
        return this;
    }

    /**
     * @param timeout the bound of one {@code isValid} check (default 5 s)
     * @return this builder
     * @see PoolBuilder#validationTimeout(Duration)
     */
    public PooledDataSourceBuilder validationTimeout(Duration timeout) {
        options.validationTimeout = DataSourceOptions.validationTimeout(timeout);
        return this;
    }

    /**
     * @param validate check connections with {@code isValid} when they are returned (default false)
     * @return this builder
     * @see PoolBuilder#validateOnReturn(boolean)
     */
    public PooledDataSourceBuilder validateOnReturn(boolean validate) {
        options.validateOnReturn = validate;
        return this;
    }

    /**
     * @param maxUses retire a connection after this many borrows (default unlimited)
     * @return this builder
     * @see PoolBuilder#maxUses(long)
     */
    public PooledDataSourceBuilder maxUses(long maxUses) {
        options.maxUses = DataSourceOptions.maxUses(maxUses);
        return this;
    }

    /**
     * @param interval check idle connections in the background this often (default off); keep it
     *     below the server's idle limit ({@code idle_session_timeout}) and the firewalls'
     * @return this builder
     * @see PoolBuilder#keepaliveInterval(Duration)
     */
    public PooledDataSourceBuilder keepaliveInterval(Duration interval) {
        options.keepaliveInterval = DataSourceOptions.keepaliveInterval(interval);
        return this;
    }

    /**
     * @param interval the longest time between maintenance runs (default 30 s)
     * @return this builder
     * @see PoolBuilder#maintenanceInterval(Duration)
     */
    public PooledDataSourceBuilder maintenanceInterval(Duration interval) {
        options.maintenanceInterval = DataSourceOptions.maintenanceInterval(interval);
        return this;
    }

    /**
     * @param max connections being opened at once (default 2)
     * @return this builder
     * @see PoolBuilder#maxConcurrentCreates(int)
     */
    public PooledDataSourceBuilder maxConcurrentCreates(int max) {
        options.maxConcurrentCreates = DataSourceOptions.maxConcurrentCreates(max);
        return this;
    }

    /**
     * @param initial the pause after the first failed connect (default 10 ms)
     * @param max the longest pause (default 5 s)
     * @return this builder
     * @see PoolBuilder#createRetry(Duration, Duration)
     */
    public PooledDataSourceBuilder createRetry(Duration initial, Duration max) {
        DataSourceOptions.notNegative("createRetry initial", initial);
        DataSourceOptions.notNegative("createRetry max", max);
        if (initial.compareTo(max) > 0) {
            throw new IllegalArgumentException("createRetry initial (" + initial + ") must not exceed max (" + max + ")");
        }
        options.createRetryInitial = initial;
        options.createRetryMax = max;
        return this;
    }

    /**
     * @param failures consecutive failed connects that open the circuit
     * @param open how long {@code getConnection()} then fails at once when no idle connection is at hand
     * @return this builder
     * @see PoolBuilder#circuitBreaker(int, Duration)
     */
    public PooledDataSourceBuilder circuitBreaker(int failures, Duration open) {
        if (failures < 1) {
            throw new IllegalArgumentException("circuitBreaker failures must be at least 1, but was " + failures);
        }
        options.circuitBreakerOpen = DataSourceOptions.positive("circuitBreaker open", open);
        options.circuitBreakerFailures = failures;
        return this;
    }

    /**
     * @param order which idle connection a borrow takes (default LIFO)
     * @return this builder
     * @see PoolBuilder#idleOrder(IdleOrder)
     */
    public PooledDataSourceBuilder idleOrder(IdleOrder order) {
        options.idleOrder = DataSourceOptions.idleOrder(order);
        return this;
    }

    /**
     * @param threshold a connection held longer is logged with the stack that borrowed it (default off)
     * @return this builder
     * @see PoolBuilder#leakDetection(Duration)
     */
    public PooledDataSourceBuilder leakDetection(Duration threshold) {
        options.leakDetection = DataSourceOptions.leakDetection(threshold);
        return this;
    }

    /**
     * @param enabled register {@code io.poolkit:type=Pool,name=<name>} (default false)
     * @return this builder
     * @see PoolBuilder#jmx(boolean)
     */
    public PooledDataSourceBuilder jmx(boolean enabled) {
        options.jmx = enabled;
        return this;
    }

    /**
     * @param timeout how long {@code close()} waits for borrowed connections (default 30 s)
     * @return this builder
     * @see PoolBuilder#shutdownTimeout(Duration)
     */
    public PooledDataSourceBuilder shutdownTimeout(Duration timeout) {
        options.shutdownTimeout = DataSourceOptions.shutdownTimeout(timeout);
        return this;
    }

    /**
     * @param factory makes the pool's background threads
     * @return this builder
     * @see PoolBuilder#threadFactory(ThreadFactory)
     */
    public PooledDataSourceBuilder threadFactory(ThreadFactory factory) {
        options.threadFactory = Objects.requireNonNull(factory, "threadFactory must not be null");
        return this;
    }

    /**
     * Builds the data source and opens its first connections (see {@link #initializationFailTimeout}).
     *
     * @return the running data source
     * @throws IllegalArgumentException when options contradict each other, or no driver accepts the URL
     * @throws io.poolkit.ResourceCreationException when the database cannot be reached within
     *     {@code initializationFailTimeout}; its cause is the driver's error
     */
    public PooledDataSource build() {
        DataSourceOptions o = options.copy();
        o.resolve(); // the rules between options, before any thread or connection is made
        return PooledDataSource.started(o);
    }

    @Override
    public String toString() {
        return "PooledDataSourceBuilder[" + (settings.url != null || settings.dataSource != null ? settings.describe() : "no source yet")
                + (settings.password != null ? ", password " + Secrets.MASK : "") + "]";
    }
}
