package io.poolkit.hibernate.internal;

import io.poolkit.jdbc.PooledDataSource;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.BiConsumer;

/**
 * Hibernate's own connection settings ({@code hibernate.connection.*} and the
 * {@code jakarta.persistence.jdbc.*} spellings) applied to a {@link PooledDataSource} whose
 * {@code hibernate.poolkit.*} options are already set: an option given there wins, and a bad value
 * here is reported under the key the application set ({@code hibernate.connection.pool_size}), not
 * the pool's name for it. Any other {@code hibernate.connection.<name>} is the driver property
 * {@code <name>}, as Hibernate's own providers read that prefix. Stateless.
 */
public final class HibernateSettings {
    /** One pool property and the Hibernate keys that set it, the first one present winning, as Hibernate reads them. */
    private record Setting(String property, BiConsumer<PooledDataSource, String> setter, List<String> keys) {
    }

    private static final List<Setting> SETTINGS = List.of(
            new Setting("url", PooledDataSource::setUrl,
                    List.of("hibernate.connection.url", "jakarta.persistence.jdbc.url", "javax.persistence.jdbc.url")),
            new Setting("username", PooledDataSource::setUsername, List.of("hibernate.connection.username", "hibernate.connection.user",
                    "jakarta.persistence.jdbc.user", "javax.persistence.jdbc.user")),
            new Setting("password", PooledDataSource::setPassword,
                    List.of("hibernate.connection.password", "jakarta.persistence.jdbc.password", "javax.persistence.jdbc.password")),
            new Setting("driverClassName", PooledDataSource::setDriverClassName,
                    List.of("hibernate.connection.driver_class", "jakarta.persistence.jdbc.driver", "javax.persistence.jdbc.driver")),
            new Setting("transactionIsolation", PooledDataSource::setTransactionIsolation, List.of("hibernate.connection.isolation")),
            new Setting("autoCommit", (ds, v) -> ds.setAutoCommit(bool("autoCommit", v)), List.of("hibernate.connection.autocommit")),
            new Setting("maxSize", (ds, v) -> ds.setMaxSize(number("maxSize", v)), List.of("hibernate.connection.pool_size")),
            // the two settings of Hibernate's own pool that have a poolkit meaning, for applications that move off it
            new Setting("minIdle", (ds, v) -> ds.setMinIdle(number("minIdle", v)), List.of("hibernate.connection.min_pool_size")),
            new Setting("connectionInitSql", PooledDataSource::setConnectionInitSql, List.of("hibernate.connection.init_sql")));

    private static final String CONNECTION_PREFIX = "hibernate.connection.";
    private static final String PROVIDER_DISABLES_AUTOCOMMIT = "hibernate.connection.provider_disables_autocommit";
    /**
     * The {@code hibernate.connection.*} keys that are Hibernate's own (Hibernate ORM 7.2, and
     * {@code user}), never a driver property; every other {@code hibernate.connection.<name>} is the
     * driver property {@code <name>}, as Hibernate defines that prefix.
     */
    private static final Set<String> HIBERNATES_OWN = Set.of("autocommit", "creator_factory_class", "datasource", "driver_class",
            "handling_mode", "init_sql", "initial_pool_size", "isolation", "min_pool_size", "password", "pool_size",
            "pool_validation_interval", "provider_class", "provider_disables_autocommit", "url", "user", "username");

    private HibernateSettings() {
    }

    /**
     * @param settings Hibernate's settings
     * @param poolkitKeys the {@code hibernate.poolkit.*} keys given, without the prefix
     * @param ds the data source, not started
     * @throws IllegalArgumentException for a bad value, naming the Hibernate key (never a password)
     */
    public static void apply(Map<String, Object> settings, Set<String> poolkitKeys, PooledDataSource ds) {
        Set<String> given = new HashSet<>();
        for (String key : poolkitKeys) {
            given.add(normal(key));
        }
        if (!given.contains("name")) {
            ds.setName("hibernate");
        }
        for (Setting s : SETTINGS) {
            if (given.contains(normal(s.property()))) {
                continue; // hibernate.poolkit.* wins
            }
            for (String key : s.keys()) {
                Object value = settings.get(key);
                if (value != null && !String.valueOf(value).isEmpty()) {
                    try {
                        s.setter().accept(ds, String.valueOf(value));
                    } catch (IllegalArgumentException | NullPointerException e) {
                        throw new IllegalArgumentException(key + ": " + e.getMessage(), e);
                    }
                    break;
                }
            }
        }
        providerDisablesAutoCommit(settings, poolkitKeys, ds);
        // hibernate.connection.<name>: the driver property <name>, unless hibernate.poolkit.dataSource.<name> gives it
        Set<String> driverGiven = ds.getDataSourceProperties().stringPropertyNames();
        settings.forEach((key, value) -> {
            if (key.startsWith(CONNECTION_PREFIX) && (value instanceof String || value instanceof Number || value instanceof Boolean)) {
                String name = key.substring(CONNECTION_PREFIX.length());
                if (!name.isEmpty() && !HIBERNATES_OWN.contains(name) && !driverGiven.contains(name)) {
                    ds.addDataSourceProperty(name, String.valueOf(value));
                }
            }
        });
    }

    /**
     * {@code hibernate.connection.provider_disables_autocommit=true} is the application's promise
     * that the provider's connections come with auto-commit off; Hibernate then never turns it off
     * itself, and with auto-commit on every statement would commit at once, a rollback undoing
     * nothing. So the promise turns the pool's auto-commit off, and a setting that turns it on
     * beside it is refused, naming both.
     */
    private static void providerDisablesAutoCommit(Map<String, Object> settings, Set<String> poolkitKeys, PooledDataSource ds) {
        Object promise = settings.get(PROVIDER_DISABLES_AUTOCOMMIT);
        if (promise == null || !String.valueOf(promise).trim().equalsIgnoreCase("true")) {
            return;
        }
        if (ds.isAutoCommit()) {
            String on = null;
            for (String key : poolkitKeys) {
                if (normal(key).equals("autocommit")) {
                    on = "hibernate.poolkit." + key;
                }
            }
            Object hibernates = settings.get("hibernate.connection.autocommit");
            if (on == null && hibernates != null && !String.valueOf(hibernates).isEmpty()) {
                on = "hibernate.connection.autocommit";
            }
            if (on != null) {
                throw new IllegalArgumentException(PROVIDER_DISABLES_AUTOCOMMIT + "=true promises Hibernate connections with"
                        + " auto-commit off, but " + on + "=true turns it on (Hibernate would then never turn it off, and a"
                        + " rollback would undo nothing): remove one of them");
            }
            ds.setAutoCommit(false);
        }
    }

    /** The property a {@code hibernate.poolkit.*} key names, as the data source reads it: {@code max-size} is {@code maxsize}. */
    private static String normal(String key) {
        String n = key.replace("-", "").replace("_", "").toLowerCase(Locale.ROOT);
        return n.equals("jdbcurl") ? "url" : n;
    }

    private static int number(String property, String value) {
        try {
            return Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(property + " must be a number, but was \"" + value + "\"", e);
        }
    }

    private static boolean bool(String property, String value) {
        String v = value.trim();
        if (!v.equalsIgnoreCase("true") && !v.equalsIgnoreCase("false")) {
            throw new IllegalArgumentException(property + " must be true or false, but was \"" + value + "\"");
        }
        return Boolean.parseBoolean(v);
    }
}
