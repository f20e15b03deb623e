package io.poolkit.jdbc.internal;

import io.poolkit.IdleOrder;
import io.poolkit.Pool;
import io.poolkit.PoolBuilder;
import java.sql.Connection;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Every option of one data source, with its default, validated as it is set: the JDBC side in
 * {@link #jdbc}, the pool side here. One instance backs a builder or an unstarted
 * {@code PooledDataSource}; a started data source keeps a {@link #copy()} whose values its getters
 * report. The core options are checked by a pool-core builder that is never built, so the rules and
 * messages are the core's own.
 *
 * <p>Not thread-safe: its owner guards it.
 */
public final class DataSourceOptions {
    private static final AtomicInteger NUMBER = new AtomicInteger();
    private static final PoolBuilder<Object> PROBE = Pool.builder(() -> {
        throw new IllegalStateException("the option probe builds nothing");
    });

    /** The JDBC options: where connections come from and what they start with. */
    public JdbcSettings jdbc = new JdbcSettings();
    /** The class of the {@code java.sql.Driver} to use with the URL, loaded at start. */
    public String driverClassName;
    /** The class of the driver's {@code DataSource} to take connections from, made at start. */
    public String dataSourceClassName;

    public String name;
    public int maxSize = 10;
    public int minIdle;
    public Duration acquireTimeout = Duration.ofSeconds(30);
    public int maxWaiters = Integer.MAX_VALUE;
    public Duration idleTimeout = Duration.ofMinutes(10);
    public Duration maxLifetime = Duration.ofMinutes(30);
    public double lifetimeJitter = 0.1;
    public Duration validateAfterIdle = Duration.ofMillis(500);
    public Duration validationTimeout = Duration.ofSeconds(5);
    public boolean validateOnReturn;
    public long maxUses = Long.MAX_VALUE;
    public Duration keepaliveInterval = Pool.FOREVER;
    public Duration maintenanceInterval = Duration.ofSeconds(30);
    public int maxConcurrentCreates = 2;
    public Duration createRetryInitial = Duration.ofMillis(10);
    public Duration createRetryMax = Duration.ofSeconds(5);
    public int circuitBreakerFailures; // 0: no breaker
    public Duration circuitBreakerOpen = Duration.ofSeconds(30);
    public IdleOrder idleOrder = IdleOrder.LIFO;
    public Duration leakDetection = Pool.FOREVER;
    public boolean jmx;
    public Duration shutdownTimeout = Duration.ofSeconds(30);
    public ThreadFactory threadFactory;
    public Duration initializationFailTimeout = Duration.ofMillis(1);

    /** @return the next default name, {@code jdbc-pool-N} */
    public static String nextName() {
        return "jdbc-pool-" + NUMBER.incrementAndGet();
    }

    public DataSourceOptions copy() {
        DataSourceOptions c = new DataSourceOptions();
        c.jdbc = jdbc.copy();
        c.driverClassName = driverClassName;
        c.dataSourceClassName = dataSourceClassName;
        c.name = name;
        c.maxSize = maxSize;
        c.minIdle = minIdle;
        c.acquireTimeout = acquireTimeout;
        c.maxWaiters = maxWaiters;
        c.idleTimeout = idleTimeout;
        c.maxLifetime = maxLifetime;
        c.lifetimeJitter = lifetimeJitter;
        c.validateAfterIdle = validateAfterIdle;
        c.validationTimeout = validationTimeout;
        c.validateOnReturn = validateOnReturn;
        c.maxUses = maxUses;
        c.keepaliveInterval = keepaliveInterval;
        c.maintenanceInterval = maintenanceInterval;
        c.maxConcurrentCreates = maxConcurrentCreates;
        c.createRetryInitial = createRetryInitial;
        c.createRetryMax = createRetryMax;
        c.circuitBreakerFailures = circuitBreakerFailures;
        c.circuitBreakerOpen = circuitBreakerOpen;
        c.idleOrder = idleOrder;
        c.leakDetection = leakDetection;
        c.jmx = jmx;
        c.shutdownTimeout = shutdownTimeout;
        c.threadFactory = threadFactory;
        c.initializationFailTimeout = initializationFailTimeout;
        return c;
    }

    // ---- validation: each names its rule and the rejected value (a secret is never echoed) ----

    public static String notBlank(String what, String value) {
        Objects.requireNonNull(value, () -> what + " must not be null");
        if (value.isBlank()) {
            throw new IllegalArgumentException(what + " must not be blank, but was \"" + value + "\"");
        }
        return value;
    }

    public static String url(String url) {
        notBlank("url", url);
        if (!url.startsWith("jdbc:")) {
            throw new IllegalArgumentException("url must start with \"jdbc:\", but was \"" + Secrets.redactUrl(url) + "\"");
        }
        return url;
    }

    public static void property(String key, String value) {
        notBlank("property key", key);
        Objects.requireNonNull(value, () -> "the value of property " + key + " must not be null");
        if (key.equals("user") || key.equals("password")) {
            throw new IllegalArgumentException("property \"" + key + "\" is set with " + (key.equals("user") ? "username" : "password")
                    + ", not as a driver property");
        }
    }

    public static int isolation(int level) {
        if (level != Connection.TRANSACTION_READ_UNCOMMITTED && level != Connection.TRANSACTION_READ_COMMITTED
                && level != Connection.TRANSACTION_REPEATABLE_READ && level != Connection.TRANSACTION_SERIALIZABLE) {
            throw new IllegalArgumentException("transactionIsolation must be one of TRANSACTION_READ_UNCOMMITTED (1),"
                    + " TRANSACTION_READ_COMMITTED (2), TRANSACTION_REPEATABLE_READ (4) or TRANSACTION_SERIALIZABLE (8), but was " + level);
        }
        return level;
    }

    /** @return the level of {@code TRANSACTION_READ_COMMITTED}, {@code READ_COMMITTED} or {@code 2} */
    public static int isolation(String level) {
        notBlank("transactionIsolation", level);
        String n = level.trim().toUpperCase(Locale.ROOT);
        if (n.startsWith("TRANSACTION_")) {
            n = n.substring("TRANSACTION_".length());
        }
        switch (n) {
            case "READ_UNCOMMITTED": return Connection.TRANSACTION_READ_UNCOMMITTED;
            case "READ_COMMITTED": return Connection.TRANSACTION_READ_COMMITTED;
            case "REPEATABLE_READ": return Connection.TRANSACTION_REPEATABLE_READ;
            case "SERIALIZABLE": return Connection.TRANSACTION_SERIALIZABLE;
            default:
                try {
                    return isolation(Integer.parseInt(n));
                } catch (NumberFormatException e) {
                    // no cause: the message is complete, and Spring Boot's start-up report shows the root cause's
                    throw new IllegalArgumentException("transactionIsolation must be one of TRANSACTION_READ_UNCOMMITTED,"
                            + " TRANSACTION_READ_COMMITTED, TRANSACTION_REPEATABLE_READ or TRANSACTION_SERIALIZABLE, but was \"" + level + "\"");
                }
        }
    }

    /** @return the name of an isolation level, {@code TRANSACTION_READ_COMMITTED}, or null for null */
    public static String isolationName(Integer level) {
        if (level == null) {
            return null;
        }
        switch (level) {
            case Connection.TRANSACTION_READ_UNCOMMITTED: return "TRANSACTION_READ_UNCOMMITTED";
            case Connection.TRANSACTION_READ_COMMITTED: return "TRANSACTION_READ_COMMITTED";
            case Connection.TRANSACTION_REPEATABLE_READ: return "TRANSACTION_REPEATABLE_READ";
            default: return "TRANSACTION_SERIALIZABLE";
        }
    }

    public static Duration loginTimeout(Duration timeout) {
        Objects.requireNonNull(timeout, "loginTimeout must not be null");
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("loginTimeout must be more than zero, but was " + timeout);
        }
        return timeout;
    }

    public static String name(String name) {
        PROBE.name(name);
        return name;
    }

    public static int maxSize(int maxSize) {
        PROBE.maxSize(maxSize);
        return maxSize;
    }

    public static int minIdle(int minIdle) {
        PROBE.minIdle(minIdle);
        return minIdle;
    }

    public static Duration acquireTimeout(Duration timeout) {
        PROBE.acquireTimeout(timeout);
        return timeout;
    }

    public static int maxWaiters(int maxWaiters) {
        PROBE.maxWaiters(maxWaiters);
        return maxWaiters;
    }

    public static Duration idleTimeout(Duration timeout) {
        PROBE.idleTimeout(timeout);
        return timeout;
    }

    public static Duration maxLifetime(Duration lifetime) {
        PROBE.maxLifetime(lifetime);
        return lifetime;
    }

    public static double lifetimeJitter(double jitter) {
        PROBE.lifetimeJitter(jitter);
        return jitter;
    }

    public static Duration validateAfterIdle(Duration idle) {
        PROBE.validateAfterIdle(idle);
        return idle;
    }

    public static Duration validationTimeout(Duration timeout) {
        PROBE.validationTimeout(timeout);
        return timeout;
    }

    public static long maxUses(long maxUses) {
        PROBE.maxUses(maxUses);
        return maxUses;
    }

    public static Duration keepaliveInterval(Duration interval) {
        PROBE.keepaliveInterval(interval);
        return interval;
    }

    public static Duration maintenanceInterval(Duration interval) {
        PROBE.maintenanceInterval(interval);
        return interval;
    }

    public static int maxConcurrentCreates(int max) {
        PROBE.maxConcurrentCreates(max);
        return max;
    }

    public static Duration notNegative(String what, Duration value) {
        Objects.requireNonNull(value, () -> what + " must not be null");
        if (value.isNegative()) {
            throw new IllegalArgumentException(what + " must not be negative, but was " + value);
        }
        return value;
    }

    public static Duration positive(String what, Duration value) {
        Objects.requireNonNull(value, () -> what + " must not be null");
        if (value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(what + " must be more than zero, but was " + value);
        }
        return value;
    }

    public static int circuitBreakerFailures(int failures) {
        if (failures < 0) {
            throw new IllegalArgumentException("circuitBreakerFailures must be at least 0 (0: no breaker), but was " + failures);
        }
        return failures;
    }

    public static IdleOrder idleOrder(IdleOrder order) {
        PROBE.idleOrder(order);
        return order;
    }

    public static Duration leakDetection(Duration threshold) {
        PROBE.leakDetection(threshold);
        return threshold;
    }

    public static Duration shutdownTimeout(Duration timeout) {
        PROBE.shutdownTimeout(timeout);
        return timeout;
    }

    public static Duration initializationFailTimeout(Duration timeout) {
        PROBE.initializationFailTimeout(timeout);
        return timeout;
    }

    // ---- at start ----

    /**
     * Checks the rules between options and resolves what is given by class name: the returned
     * settings are the data source's own copy.
     *
     * @throws IllegalArgumentException when options contradict each other, or a class cannot be loaded
     */
    public JdbcSettings resolve() {
        JdbcSettings s = jdbc.copy();
        if (dataSourceClassName != null) {
            if (s.dataSource != null) {
                throw new IllegalArgumentException("dataSource (" + s.dataSource.getClass().getName() + ") and dataSourceClassName ("
                        + dataSourceClassName + ") are both set; keep one");
            }
            if (s.url != null) {
                throw new IllegalArgumentException("url (" + Secrets.redactUrl(s.url) + ") and dataSourceClassName (" + dataSourceClassName
                        + ") are both set; keep one (give the DataSource its URL as a dataSourceProperties entry)");
            }
            s.dataSource = DriverClasses.dataSource(dataSourceClassName, s.properties);
            s.properties = new LinkedHashMap<>();
        }
        if (s.url == null && s.dataSource == null) {
            throw new IllegalArgumentException("a PooledDataSource needs url (jdbcUrl), dataSource or dataSourceClassName, and none is set");
        }
        if (s.url != null && s.dataSource != null) {
            throw new IllegalArgumentException("url (" + Secrets.redactUrl(s.url) + ") and dataSource (" + s.dataSource.getClass().getName()
                    + ") are both set; keep one");
        }
        if (s.dataSource != null && (!s.properties.isEmpty() || s.driver != null || driverClassName != null)) {
            throw new IllegalArgumentException("driver properties, driver and driverClassName apply to url connections; with a"
                    + " dataSource, configure the DataSource itself (properties set: " + s.properties.keySet() + ")");
        }
        if (driverClassName != null && s.driver == null) {
            s.driver = DriverClasses.driver(driverClassName, s.url);
        }
        if (minIdle > maxSize) {
            throw new IllegalArgumentException("minIdle (" + minIdle + ") must not exceed maxSize (" + maxSize + ")");
        }
        if (createRetryInitial.compareTo(createRetryMax) > 0) {
            throw new IllegalArgumentException("createRetry initial (" + createRetryInitial + ") must not exceed max (" + createRetryMax + ")");
        }
        return s;
    }

    /** Hands the pool options to the core's builder (minIdle aside: the data source sets it after warm-up). */
    public <T> void applyTo(PoolBuilder<T> b) {
        b.maxSize(maxSize)
                .acquireTimeout(acquireTimeout)
                .maxWaiters(maxWaiters)
                .idleTimeout(idleTimeout)
                .maxLifetime(maxLifetime)
                .lifetimeJitter(lifetimeJitter)
                .validateAfterIdle(validateAfterIdle)
                .validationTimeout(validationTimeout)
                .validateOnReturn(validateOnReturn)
                .maxUses(maxUses)
                .keepaliveInterval(keepaliveInterval)
                .maintenanceInterval(maintenanceInterval)
                .maxConcurrentCreates(maxConcurrentCreates)
                .createRetry(createRetryInitial, createRetryMax)
                .idleOrder(idleOrder)
                .leakDetection(leakDetection)
                .jmx(jmx)
                .shutdownTimeout(shutdownTimeout)
                .initializationFailTimeout(initializationFailTimeout);
        if (circuitBreakerFailures > 0) {
            b.circuitBreaker(circuitBreakerFailures, circuitBreakerOpen);
        }
        if (threadFactory != null) {
            b.threadFactory(threadFactory);
        }
    }

    /** @return the driver properties, for a getter: a copy */
    public Map<String, String> properties() {
        return new LinkedHashMap<>(jdbc.properties);
    }

    /** @return the URL or the data source, for messages: never a secret */
    public String describe() {
        if (jdbc.url == null && jdbc.dataSource == null) {
            return dataSourceClassName != null ? dataSourceClassName : "no url yet";
        }
        return jdbc.describe();
    }
}
