package io.poolkit.spring.boot;

import io.poolkit.jdbc.PooledDataSource;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName.Form;
import org.springframework.boot.context.properties.source.ConfigurationPropertySource;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.boot.context.properties.source.IterableConfigurationPropertySource;
import org.springframework.core.env.Environment;

/**
 * The {@code spring.datasource.poolkit.*} keys an application sets, and the check that each names
 * an option of {@link PooledDataSource}. A typo ({@code max-sise}) would otherwise leave the pool on
 * a default without a word. Boot's own strict binding ({@code ignoreUnknownFields = false}) is not
 * used: its start-up report prints each unbound key's value, and a misspelt {@code password} would
 * put the password in the log. Here the message names keys only. Stateless.
 */
final class PoolkitSettingKeys {
    static final ConfigurationPropertyName PREFIX = ConfigurationPropertyName.of("spring.datasource.poolkit");
    /** Where Boot binds HikariCP's options, which poolkit does not read. */
    static final ConfigurationPropertyName HIKARI_PREFIX = ConfigurationPropertyName.of("spring.datasource.hikari");

    /** One of HikariCP's option names that poolkit spells differently, and poolkit's (null: none). */
    private record HikariName(String hikari, String poolkit) {
        String hint() {
            return "HikariCP's " + hikari + (poolkit != null ? " is " + poolkit + " here."
                    : " has no equivalent: connections are checked with Connection.isValid (validation-timeout, validate-after-idle).");
        }
    }

    /** By Boot's uniform form: users bring their {@code spring.datasource.hikari.*} settings along. */
    private static final Map<String, HikariName> HIKARI = Map.of(
            "maximumpoolsize", new HikariName("maximum-pool-size", "max-size"),
            "minimumidle", new HikariName("minimum-idle", "min-idle"),
            "connectiontimeout", new HikariName("connection-timeout", "acquire-timeout"),
            "keepalivetime", new HikariName("keepalive-time", "keepalive-interval"),
            "leakdetectionthreshold", new HikariName("leak-detection-threshold", "leak-detection"),
            "poolname", new HikariName("pool-name", "name"),
            "registermbeans", new HikariName("register-mbeans", "jmx"),
            "connectiontestquery", new HikariName("connection-test-query", null));
    /** The one option that takes keys of its own: the driver properties. */
    private static final String DRIVER_PROPERTIES = "datasourceproperties";

    private PoolkitSettingKeys() {
    }

    /** @return the {@code spring.datasource.poolkit.*} keys set in any source, in Boot's canonical form */
    static Set<ConfigurationPropertyName> keys(Environment environment) {
        return keys(environment, PREFIX);
    }

    private static Set<ConfigurationPropertyName> keys(Environment environment, ConfigurationPropertyName prefix) {
        Set<ConfigurationPropertyName> keys = new TreeSet<>();
        for (ConfigurationPropertySource source : ConfigurationPropertySources.get(environment)) {
            if (source instanceof IterableConfigurationPropertySource iterable) {
                iterable.stream().filter(prefix::isAncestorOf).forEach(keys::add);
            }
        }
        return keys;
    }

    /**
     * @return when {@code spring.datasource.hikari.*} is set while poolkit is the pool (left behind
     *     by a move from HikariCP), what to say: the keys, and poolkit's key for each; else null
     */
    static String hikariLeftBehind(Environment environment) {
        Set<ConfigurationPropertyName> hikari = keys(environment, HIKARI_PREFIX);
        if (hikari.isEmpty()) {
            return null;
        }
        TreeMap<String, String> options = options();
        int depth = HIKARI_PREFIX.getNumberOfElements();
        Set<String> instead = new TreeSet<>();
        Set<String> none = new TreeSet<>();
        for (ConfigurationPropertyName key : hikari) {
            String option = key.getElement(depth, Form.UNIFORM);
            HikariName renamed = HIKARI.get(option);
            String poolkit = renamed != null ? renamed.poolkit() : options.get(option);
            if (poolkit == null) {
                none.add(key.toString());
            } else {
                StringBuilder name = new StringBuilder(PREFIX + "." + poolkit);
                for (int i = depth + 1; i < key.getNumberOfElements(); i++) {
                    name.append('.').append(key.getElement(i, Form.ORIGINAL)); // a driver property's own name
                }
                instead.add(name.toString());
            }
        }
        return hikari + (hikari.size() == 1 ? " is" : " are") + " set, but the application's DataSource is poolkit's: HikariCP's"
                + " settings are ignored." + (instead.isEmpty() ? "" : " Set " + String.join(", ", instead) + " instead")
                + (none.isEmpty() ? "" : (instead.isEmpty() ? "" : ";") + " poolkit has no option for " + String.join(", ", none));
    }

    /**
     * @param environment the application's environment
     * @throws IllegalArgumentException naming every key that is no option of {@link PooledDataSource}
     *     (never a value), the options, and where driver properties go; or for a password given as a
     *     driver property, or a URL the data source refuses (its secrets masked): refused here,
     *     before binding, because Boot's report of a failed binding prints the value
     */
    static void requireKnown(Environment environment) {
        TreeMap<String, String> options = options();
        Set<String> unknown = new TreeSet<>();
        Set<String> hints = new TreeSet<>();
        int depth = PREFIX.getNumberOfElements();
        for (ConfigurationPropertyName key : keys(environment)) {
            String option = key.getElement(depth, Form.UNIFORM);
            boolean nested = key.getNumberOfElements() > depth + 1;
            if (!options.containsKey(option) || (nested && !option.equals(DRIVER_PROPERTIES))) {
                unknown.add(key.toString());
                if (!nested && HIKARI.containsKey(option)) {
                    hints.add(HIKARI.get(option).hint());
                }
            } else if (!nested && (option.equals("url") || option.equals("jdbcurl"))) {
                checkUrl(environment, key);
            } else if (nested && key.getNumberOfElements() == depth + 2) {
                String driverKey = key.getElement(depth + 1, Form.UNIFORM);
                if (driverKey.equals("password") || driverKey.equals("user")) {
                    // refused here, before binding: the setter's refusal would make Boot's start-up report print the value
                    throw new IllegalArgumentException(key + " is not a driver property here (its value is not shown): set the "
                            + (driverKey.equals("user") ? "user with spring.datasource.username" : "password with spring.datasource.password")
                            + " (or spring.datasource.poolkit." + (driverKey.equals("user") ? "username" : "password") + ")");
                }
            }
        }
        if (!unknown.isEmpty()) {
            Set<String> shown = new TreeSet<>();
            options.forEach((uniform, option) -> {
                if (option != null) {
                    shown.add(option);
                }
            });
            throw new IllegalArgumentException(String.join(", ", unknown) + (unknown.size() == 1 ? " is not an option" : " are not options")
                    + " of poolkit's PooledDataSource: check the spelling." + (hints.isEmpty() ? "" : " " + String.join(" ", hints))
                    + " The options: " + String.join(", ", shown)
                    + "; a driver property goes under spring.datasource.poolkit.data-source-properties.<name>");
        }
    }

    /**
     * Checks a URL option before binding: the setter's refusal would make Boot's start-up report
     * print the value, password and all; the data source's own message masks it.
     */
    private static void checkUrl(Environment environment, ConfigurationPropertyName key) {
        String url = Binder.get(environment).bind(key, Bindable.of(String.class)).orElse(null);
        if (url != null) {
            try {
                new PooledDataSource().setUrl(url);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(key + ": " + e.getMessage());
            }
        }
    }

    /**
     * @return every setter's property by uniform name ({@code maxsize}), to its kebab-case name
     *     ({@code max-size}) when a configuration file can give its value, else to null
     */
    private static TreeMap<String, String> options() {
        TreeMap<String, String> options = new TreeMap<>();
        for (Method m : PooledDataSource.class.getMethods()) {
            if (Modifier.isStatic(m.getModifiers()) || !m.getName().startsWith("set") || m.getName().length() <= 3
                    || m.getParameterCount() != 1) {
                continue;
            }
            String name = m.getName().substring(3);
            options.put(name.toLowerCase(Locale.ROOT), fromText(m.getParameterTypes()[0]) ? kebab(name) : null);
        }
        return options;
    }

    /** @return whether a configuration file can give a value of this type (not a DataSource, a ThreadFactory, a PrintWriter) */
    private static boolean fromText(Class<?> type) {
        return type.isPrimitive() || type == String.class || type == Boolean.class || type == Integer.class || type == Duration.class
                || type == Properties.class || type.isEnum();
    }

    private static String kebab(String name) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (Character.isUpperCase(c) && i > 0) {
                b.append('-');
            }
            b.append(Character.toLowerCase(c));
        }
        return b.toString();
    }
}
