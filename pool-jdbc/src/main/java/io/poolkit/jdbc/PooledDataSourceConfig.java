package io.poolkit.jdbc;

import io.poolkit.IdleOrder;
import io.poolkit.Pool;
import io.poolkit.jdbc.internal.DataSourceOptions;
import io.poolkit.jdbc.internal.Secrets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.concurrent.ThreadFactory;
import java.util.function.Supplier;
import javax.sql.DataSource;

/**
 * The JavaBean properties of a {@link PooledDataSource}, as frameworks and containers configure a
 * data source (HikariCP's convention): a getter and a setter for the connection and for every pool
 * option. The only implementation is {@code PooledDataSource}; use it through that type.
 *
 * {@snippet class=io.poolkit.jdbc.snippets.JdbcSnippets region=bean}
 *
 * <p><b>Before and after start.</b> Every setter validates its own value as the builder does (the
 * rule and the rejected value; a password is never echoed). The rules between options
 * ({@code minIdle} at most {@code maxSize}, {@code createRetryInitial} at most
 * {@code createRetryMax}, one source of connections) are checked when the pool starts, so the
 * setters may be called in any order, as containers call them. The pool starts on the first
 * {@code getConnection()} or {@link PooledDataSource#start()}; after that the connection setters
 * and most pool options throw {@link IllegalStateException} naming the property, while
 * {@link #setMaxSize maxSize}, {@link #setMinIdle minIdle}, {@link #setAcquireTimeout acquireTimeout}
 * and {@link #setLeakDetection leakDetection} go to the running pool (and {@code setLoginTimeout} to
 * the connections it opens from then on), where a change that breaks a
 * rule between options (a {@code maxSize} below the running {@code minIdle}) is refused at once.
 * Once the data source is closed, every setter throws {@link IllegalStateException}. The getters
 * return the configured values whichever way the data source was made, the builder included; a
 * property never set returns its default ({@code null} for "the driver's").
 *
 * <p>Thread-safe: the properties are guarded by one lock, which the start also takes, so a setter
 * either happens-before the start (and is used by it) or fails.
 */
public abstract sealed class PooledDataSourceConfig permits PooledDataSource {
    /** Guards {@link #options} and the start. */
    final Object lock = new Object();
    /** Guarded by {@link #lock}. */
    final DataSourceOptions options;

    PooledDataSourceConfig(DataSourceOptions options) {
        this.options = options;
    }

    /** @return the running pool, or null before the start; a volatile read */
    abstract Pool<?> runningPool();

    /** @return the pool's name, for messages */
    abstract String poolName();

    /** @return whether the data source was closed; a volatile read */
    abstract boolean closed();

    /** Must hold {@link #lock}. */
    void notClosed(String property) {
        if (closed()) {
            throw new IllegalStateException(property + " cannot change: " + poolName() + " is closed (a closed data source does not"
                    + " start again; make a new one)");
        }
    }

    /** Runs {@code change} under {@link #lock} once {@link #beforeStart(String)} allows it. */
    void beforeStart(String property, Runnable change) {
        synchronized (lock) {
            beforeStart(property);
            change.run();
        }
    }

    /** Reads an option under {@link #lock}. */
    <V> V read(Supplier<V> option) {
        synchronized (lock) {
            return option.get();
        }
    }

    /** Must hold {@link #lock}. */
    void beforeStart(String property) {
        notClosed(property);
        if (runningPool() != null) {
            throw new IllegalStateException(property + " cannot change after " + poolName() + " started: set it before the first"
                    + " getConnection() or start()" + (property.equals("maxSize") || property.equals("minIdle") ? "" : " (maxSize, minIdle,"
                    + " acquireTimeout, leakDetection and loginTimeout can change while it runs)"));
        }
    }

    // ---- the connection ----

    /** @param url the JDBC URL; a password in it is masked wherever the pool prints it */
    public void setUrl(String url) {
        beforeStart("url", () -> options.jdbc.url = DataSourceOptions.url(url));
    }

    /** @return the JDBC URL, or null */
    public String getUrl() {
        return read(() -> options.jdbc.url);
    }

    /** @param jdbcUrl the same property as {@link #setUrl url}, spelt as HikariCP does */
    public void setJdbcUrl(String jdbcUrl) {
        beforeStart("jdbcUrl", () -> options.jdbc.url = DataSourceOptions.url(jdbcUrl));
    }

    /** @return the JDBC URL, or null: the same as {@link #getUrl()} */
    public String getJdbcUrl() {
        return getUrl();
    }

    /**
     * @return the JDBC URL with the secrets in it (a password parameter, {@code user:password@})
     *     masked as the pool masks them in its own messages, for a banner or a log line; null when
     *     no URL is set
     */
    public String maskedUrl() {
        return Secrets.redactUrl(getUrl());
    }

    /** @param username the database user (the driver's {@code user} property) */
    public void setUsername(String username) {
        beforeStart("username", () -> options.jdbc.username = DataSourceOptions.notBlank("username", username));
    }

    /** @return the database user, or null */
    public String getUsername() {
        return read(() -> options.jdbc.username);
    }

    /** @param password the password; never logged, never in a message or {@code toString()} */
    public void setPassword(String password) {
        beforeStart("password", () -> options.jdbc.password = Objects.requireNonNull(password, "password must not be null"));
    }

    /**
     * @return the password, or null; for frameworks that derive a data source from this one (Spring
     *     Boot's {@code DataSourceBuilder.derivedFrom}); the pool never prints it
     */
    public String getPassword() {
        return read(() -> options.jdbc.password);
    }

    /** @param className the {@code java.sql.Driver} to use with the URL, loaded at start (default: the one {@code DriverManager} finds) */
    public void setDriverClassName(String className) {
        beforeStart("driverClassName", () -> options.driverClassName = DataSourceOptions.notBlank("driverClassName", className));
    }

    /** @return the driver's class name, or null */
    public String getDriverClassName() {
        return read(() -> options.driverClassName);
    }

    /**
     * @param className a driver's {@code DataSource} to take connections from instead of a URL, made
     *     at start; the {@link #setDataSourceProperties dataSourceProperties} are set through its setters
     */
    public void setDataSourceClassName(String className) {
        beforeStart("dataSourceClassName", () -> options.dataSourceClassName = DataSourceOptions.notBlank("dataSourceClassName", className));
    }

    /** @return the driver {@code DataSource}'s class name, or null */
    public String getDataSourceClassName() {
        return read(() -> options.dataSourceClassName);
    }

    /** @param dataSource a driver's (unpooled) data source to take connections from, instead of a URL */
    public void setDataSource(DataSource dataSource) {
        beforeStart("dataSource", () -> options.jdbc.dataSource = Objects.requireNonNull(dataSource, "dataSource must not be null"));
    }

    /** @return the driver's data source, or null */
    public DataSource getDataSource() {
        return read(() -> options.jdbc.dataSource);
    }

    /**
     * Replaces the driver properties: with a URL they go to the driver (pgjdbc's {@code socketTimeout},
     * {@code prepareThreshold}, ...); with {@code dataSourceClassName} they are the DataSource's
     * properties. Values whose names say they are secrets are masked like the password.
     *
     * @param properties the properties; values are taken as text
     */
    public void setDataSourceProperties(Properties properties) {
        Objects.requireNonNull(properties, "dataSourceProperties must not be null");
        synchronized (lock) {
            beforeStart("dataSourceProperties");
            Map<String, String> checked = new LinkedHashMap<>();
            for (String key : properties.stringPropertyNames()) {
                String value = properties.getProperty(key);
                DataSourceOptions.property(key, value);
                checked.put(key, value);
            }
            options.jdbc.properties = checked;
        }
    }

    /** @return a copy of the driver properties */
    public Properties getDataSourceProperties() {
        synchronized (lock) {
            Properties p = new Properties();
            p.putAll(options.jdbc.properties);
            return p;
        }
    }

    /**
     * @param key a driver property, e.g. pgjdbc's {@code socketTimeout} (seconds)
     * @param value its value
     */
    public void addDataSourceProperty(String key, String value) {
        synchronized (lock) {
            beforeStart("dataSourceProperties");
            DataSourceOptions.property(key, value);
            options.jdbc.properties.put(key, value);
        }
    }

    // ---- what every connection starts with ----

    /** @param autoCommit the auto-commit mode of every connection handed out (default true) */
    public void setAutoCommit(boolean autoCommit) {
        beforeStart("autoCommit", () -> options.jdbc.autoCommit = autoCommit);
    }

    /** @return the auto-commit mode of the connections handed out */
    public boolean isAutoCommit() {
        return read(() -> options.jdbc.autoCommit);
    }

    /**
     * @param level {@code TRANSACTION_READ_COMMITTED} (or {@code READ_COMMITTED}, or the number of
     *     a {@code Connection.TRANSACTION_*} level) for every connection handed out (default: the driver's)
     */
    public void setTransactionIsolation(String level) {
        beforeStart("transactionIsolation", () -> options.jdbc.isolation = DataSourceOptions.isolation(level));
    }

    /** @return the isolation's name, {@code TRANSACTION_READ_COMMITTED}, or null for the driver's */
    public String getTransactionIsolation() {
        return read(() -> DataSourceOptions.isolationName(options.jdbc.isolation));
    }

    /** @param readOnly the read-only mode of every connection handed out (default: the driver's) */
    public void setReadOnly(Boolean readOnly) {
        beforeStart("readOnly", () -> options.jdbc.readOnly = Objects.requireNonNull(readOnly, "readOnly must not be null"));
    }

    /** @return the read-only mode, or null for the driver's */
    public Boolean getReadOnly() {
        return read(() -> options.jdbc.readOnly);
    }

    /** @param catalog the catalog of every connection handed out (default: the driver's) */
    public void setCatalog(String catalog) {
        beforeStart("catalog", () -> options.jdbc.catalog = DataSourceOptions.notBlank("catalog", catalog));
    }

    /** @return the catalog, or null for the driver's */
    public String getCatalog() {
        return read(() -> options.jdbc.catalog);
    }

    /** @param schema the schema of every connection handed out (default: the driver's) */
    public void setSchema(String schema) {
        beforeStart("schema", () -> options.jdbc.schema = DataSourceOptions.notBlank("schema", schema));
    }

    /** @return the schema, or null for the driver's */
    public String getSchema() {
        return read(() -> options.jdbc.schema);
    }

    /** @param sql run once on every new connection (committed when auto-commit is off); a failure fails that creation */
    public void setConnectionInitSql(String sql) {
        beforeStart("connectionInitSql", () -> options.jdbc.connectionInitSql = DataSourceOptions.notBlank("connectionInitSql", sql));
    }

    /** @return the SQL run on every new connection, or null */
    public String getConnectionInitSql() {
        return read(() -> options.jdbc.connectionInitSql);
    }

    /** @param classifier which failures evict their connection (default {@link FatalErrorClassifier#standard()}) */
    public void setFatalErrors(FatalErrorClassifier classifier) {
        beforeStart("fatalErrors", () -> options.jdbc.classifier = Objects.requireNonNull(classifier, "fatalErrors must not be null"));
    }

    /** @return the fatal-error classifier */
    public FatalErrorClassifier getFatalErrors() {
        return read(() -> options.jdbc.classifier);
    }

    // ---- the pool ----

    /** @param name the prefix of every log line, message, thread and JMX name (default {@code jdbc-pool-N}) */
    public void setName(String name) {
        beforeStart("name", () -> options.name = DataSourceOptions.name(name));
    }

    /** @return the pool's name */
    public String getName() {
        return poolName();
    }

    /**
     * @param maxSize most connections open at once (default 10); at least {@code minIdle}, checked
     *     at the start; while the pool runs, a resize (refused at once below the running
     *     {@code minIdle}): shrinking closes idle connections now and borrowed ones on return
     */
    public void setMaxSize(int maxSize) {
        synchronized (lock) {
            DataSourceOptions.maxSize(maxSize);
            notClosed("maxSize");
            Pool<?> p = runningPool();
            if (p != null) {
                if (maxSize < options.minIdle) {
                    throw new IllegalArgumentException("maxSize (" + maxSize + ") must not be below minIdle (" + options.minIdle + ") of the"
                            + " running pool " + poolName() + ": lower minIdle first");
                }
                p.resize(maxSize);
            }
            options.maxSize = maxSize;
        }
    }

    /** @return most connections open at once */
    public int getMaxSize() {
        return read(() -> options.maxSize);
    }

    /**
     * @param minIdle idle connections kept ready (default 0); at most {@code maxSize}, checked at the
     *     start; while the pool runs, it tops up or lets them go (refused at once above the running
     *     {@code maxSize})
     */
    public void setMinIdle(int minIdle) {
        synchronized (lock) {
            DataSourceOptions.minIdle(minIdle);
            notClosed("minIdle");
            Pool<?> p = runningPool();
            if (p != null) {
                if (minIdle > options.maxSize) {
                    throw new IllegalArgumentException("minIdle (" + minIdle + ") must not exceed maxSize (" + options.maxSize + ") of the"
                            + " running pool " + poolName() + ": raise maxSize first");
                }
                p.setMinIdle(minIdle);
            }
            options.minIdle = minIdle;
        }
    }

    /** @return idle connections kept ready */
    public int getMinIdle() {
        return read(() -> options.minIdle);
    }

    /** @param timeout the wait of {@code getConnection()} (default 30 s); changes a running pool */
    public void setAcquireTimeout(Duration timeout) {
        synchronized (lock) {
            DataSourceOptions.acquireTimeout(timeout);
            notClosed("acquireTimeout");
            Pool<?> p = runningPool();
            if (p != null) {
                p.setAcquireTimeout(timeout);
            }
            options.acquireTimeout = timeout;
        }
    }

    /** @return the wait of {@code getConnection()} */
    public Duration getAcquireTimeout() {
        return read(() -> options.acquireTimeout);
    }

    /** @param threshold a connection held longer is logged with the stack that borrowed it (default off); changes a running pool */
    public void setLeakDetection(Duration threshold) {
        synchronized (lock) {
            DataSourceOptions.leakDetection(threshold);
            notClosed("leakDetection");
            Pool<?> p = runningPool();
            if (p != null) {
                p.setLeakDetection(threshold);
            }
            options.leakDetection = threshold;
        }
    }

    /** @return the leak threshold; {@link Pool#FOREVER} when off */
    public Duration getLeakDetection() {
        return read(() -> options.leakDetection);
    }

    /** @param maxWaiters callers allowed to queue (default unbounded) */
    public void setMaxWaiters(int maxWaiters) {
        beforeStart("maxWaiters", () -> options.maxWaiters = DataSourceOptions.maxWaiters(maxWaiters));
    }

    /** @return callers allowed to queue */
    public int getMaxWaiters() {
        return read(() -> options.maxWaiters);
    }

    /** @param timeout idle connections above minIdle are closed after this (default 10 min) */
    public void setIdleTimeout(Duration timeout) {
        beforeStart("idleTimeout", () -> options.idleTimeout = DataSourceOptions.idleTimeout(timeout));
    }

    /** @return the idle timeout */
    public Duration getIdleTimeout() {
        return read(() -> options.idleTimeout);
    }

    /** @param lifetime connections older than this are retired (default 30 min) */
    public void setMaxLifetime(Duration lifetime) {
        beforeStart("maxLifetime", () -> options.maxLifetime = DataSourceOptions.maxLifetime(lifetime));
    }

    /** @return the longest lifetime of a connection */
    public Duration getMaxLifetime() {
        return read(() -> options.maxLifetime);
    }

    /** @param jitter the fraction of maxLifetime spread over retirements (default 0.1) */
    public void setLifetimeJitter(double jitter) {
        beforeStart("lifetimeJitter", () -> options.lifetimeJitter = DataSourceOptions.lifetimeJitter(jitter));
    }

    /** @return the lifetime jitter */
    public double getLifetimeJitter() {
        return read(() -> options.lifetimeJitter);
    }

    /** @param idle check a connection on borrow only when idle this long (default 500 ms) */
    public void setValidateAfterIdle(Duration idle) {
        beforeStart("validateAfterIdle", () -> options.validateAfterIdle = DataSourceOptions.validateAfterIdle(idle));
    }

    /** @return the idle time after which a borrow checks the connection */
    public Duration getValidateAfterIdle() {
        return read(() -> options.validateAfterIdle);
    }

    /** @param timeout the bound of one {@code isValid} check (default 5 s) */
    public void setValidationTimeout(Duration timeout) {
        beforeStart("validationTimeout", () -> options.validationTimeout = DataSourceOptions.validationTimeout(timeout));
    }

    /** @return the bound of one check */
    public Duration getValidationTimeout() {
        return read(() -> options.validationTimeout);
    }

    /** @param validate check connections with {@code isValid} when they are returned (default false) */
    public void setValidateOnReturn(boolean validate) {
        beforeStart("validateOnReturn", () -> options.validateOnReturn = validate);
    }

    /** @return whether returned connections are checked */
    public boolean isValidateOnReturn() {
        return read(() -> options.validateOnReturn);
    }

    /** @param maxUses retire a connection after this many borrows (default unlimited) */
    public void setMaxUses(long maxUses) {
        beforeStart("maxUses", () -> options.maxUses = DataSourceOptions.maxUses(maxUses));
    }

    /** @return the borrows after which a connection is retired */
    public long getMaxUses() {
        return read(() -> options.maxUses);
    }

    /** @param interval check idle connections in the background this often (default off) */
    public void setKeepaliveInterval(Duration interval) {
        beforeStart("keepaliveInterval", () -> options.keepaliveInterval = DataSourceOptions.keepaliveInterval(interval));
    }

    /** @return the keepalive interval; {@link Pool#FOREVER} when off */
    public Duration getKeepaliveInterval() {
        return read(() -> options.keepaliveInterval);
    }

    /** @param interval the longest time between maintenance runs (default 30 s) */
    public void setMaintenanceInterval(Duration interval) {
        beforeStart("maintenanceInterval", () -> options.maintenanceInterval = DataSourceOptions.maintenanceInterval(interval));
    }

    /** @return the maintenance interval */
    public Duration getMaintenanceInterval() {
        return read(() -> options.maintenanceInterval);
    }

    /** @param max connections being opened at once (default 2) */
    public void setMaxConcurrentCreates(int max) {
        beforeStart("maxConcurrentCreates", () -> options.maxConcurrentCreates = DataSourceOptions.maxConcurrentCreates(max));
    }

    /** @return connections being opened at once */
    public int getMaxConcurrentCreates() {
        return read(() -> options.maxConcurrentCreates);
    }

    /** @param initial the pause after the first failed connect (default 10 ms; at most createRetryMax at start) */
    public void setCreateRetryInitial(Duration initial) {
        beforeStart("createRetryInitial", () -> options.createRetryInitial = DataSourceOptions.notNegative("createRetryInitial", initial));
    }

    /** @return the first pause after a failed connect */
    public Duration getCreateRetryInitial() {
        return read(() -> options.createRetryInitial);
    }

    /** @param max the longest pause between failed connects (default 5 s) */
    public void setCreateRetryMax(Duration max) {
        beforeStart("createRetryMax", () -> options.createRetryMax = DataSourceOptions.notNegative("createRetryMax", max));
    }

    /** @return the longest pause between failed connects */
    public Duration getCreateRetryMax() {
        return read(() -> options.createRetryMax);
    }

    /** @param failures consecutive failed connects that open the circuit breaker (default 0: no breaker) */
    public void setCircuitBreakerFailures(int failures) {
        beforeStart("circuitBreakerFailures", () -> options.circuitBreakerFailures = DataSourceOptions.circuitBreakerFailures(failures));
    }

    /** @return the failed connects that open the circuit; 0 when there is no breaker */
    public int getCircuitBreakerFailures() {
        return read(() -> options.circuitBreakerFailures);
    }

    /** @param open how long an open circuit fails {@code getConnection()} at once (default 30 s) */
    public void setCircuitBreakerOpen(Duration open) {
        beforeStart("circuitBreakerOpen", () -> options.circuitBreakerOpen = DataSourceOptions.positive("circuitBreakerOpen", open));
    }

    /** @return how long the circuit stays open */
    public Duration getCircuitBreakerOpen() {
        return read(() -> options.circuitBreakerOpen);
    }

    /** @param order which idle connection a borrow takes (default LIFO) */
    public void setIdleOrder(IdleOrder order) {
        beforeStart("idleOrder", () -> options.idleOrder = DataSourceOptions.idleOrder(order));
    }

    /** @return which idle connection a borrow takes */
    public IdleOrder getIdleOrder() {
        return read(() -> options.idleOrder);
    }

    /** @param enabled register {@code io.poolkit:type=Pool,name=<name>} (default false) */
    public void setJmx(boolean enabled) {
        beforeStart("jmx", () -> options.jmx = enabled);
    }

    /** @return whether the pool registers its MXBean */
    public boolean isJmx() {
        return read(() -> options.jmx);
    }

    /** @param timeout how long {@code close()} waits for borrowed connections (default 30 s) */
    public void setShutdownTimeout(Duration timeout) {
        beforeStart("shutdownTimeout", () -> options.shutdownTimeout = DataSourceOptions.shutdownTimeout(timeout));
    }

    /** @return how long {@code close()} waits */
    public Duration getShutdownTimeout() {
        return read(() -> options.shutdownTimeout);
    }

    /** @param factory makes the pool's background threads (default: daemon threads named after the pool) */
    public void setThreadFactory(ThreadFactory factory) {
        beforeStart("threadFactory", () -> options.threadFactory = Objects.requireNonNull(factory, "threadFactory must not be null"));
    }

    /** @return the thread factory, or null for the default */
    public ThreadFactory getThreadFactory() {
        return read(() -> options.threadFactory);
    }

    /**
     * @param timeout what the start does when the database cannot be reached: 1 ms (the default) is
     *     one attempt, then the start fails with the driver's error; longer keeps trying;
     *     {@link Pool#FOREVER} starts at once and keeps trying in the background (in properties:
     *     {@code initializationFailTimeout=forever}, or {@code -1} as HikariCP spells it)
     */
    public void setInitializationFailTimeout(Duration timeout) {
        beforeStart("initializationFailTimeout", () -> options.initializationFailTimeout = DataSourceOptions.initializationFailTimeout(timeout));
    }

    /** @return what the start does when the database cannot be reached */
    public Duration getInitializationFailTimeout() {
        return read(() -> options.initializationFailTimeout);
    }

    /** @return where connections come from, without secrets */
    String describe() {
        return read(() -> options.describe() + (options.jdbc.password != null ? ", password " + Secrets.MASK : ""));
    }
}
