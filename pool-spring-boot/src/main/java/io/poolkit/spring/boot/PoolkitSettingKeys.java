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
    /**
     * HikariCP's names for options poolkit spells differently (Boot's uniform form, to the hint):
     * users bring their {@code spring.datasource.hikari.*} settings along.
     */
    private static final Map<String, String> HIKARI = Map.of(
            "maximumpoolsize", "maximum-pool-size is max-size here",
            "minimumidle", "minimum-idle is min-idle here",
            "connectiontimeout", "connection-timeout is acquire-timeout here",
            "keepalivetime", "keepalive-time is keepalive-interval here",
            "leakdetectionthreshold", "leak-detection-threshold is leak-detection here",
            "poolname", "pool-name is name here",
            "registermbeans", "register-mbeans is jmx here",
            "connectiontestquery", "connection-test-query has no equivalent: connections are checked with Connection.isValid"
                    + " (validation-timeout, validate-after-idle)");
    /** The one option that takes keys of its own: the driver properties. */
    private static final String DRIVER_PROPERTIES = "datasourceproperties";

    private PoolkitSettingKeys() {
    }

    /** @return the {@code spring.datasource.poolkit.*} keys set in any source, in Boot's canonical form */
    static Set<ConfigurationPropertyName> keys(Environment environment) {
        Set<ConfigurationPropertyName> keys = new TreeSet<>();
        for (ConfigurationPropertySource source : ConfigurationPropertySources.get(environment)) {
            if (source instanceof IterableConfigurationPropertySource iterable) {
                iterable.stream().filter(PREFIX::isAncestorOf).forEach(keys::add);
            }
        }
        return keys;
    }

    /**
     * @param environment the application's environment
     * @throws IllegalArgumentException naming every key that is no option of {@link PooledDataSource}
     *     (never a value), the options, and where driver properties go
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
                    hints.add("HikariCP's " + HIKARI.get(option) + ".");
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
