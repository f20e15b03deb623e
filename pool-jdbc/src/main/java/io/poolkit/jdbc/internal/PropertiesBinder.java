package io.poolkit.jdbc.internal;

import io.poolkit.Pool;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Sets a data source's JavaBean properties from text ({@code new PooledDataSource(Properties)},
 * Hibernate's {@code hibernate.poolkit.*}): the key names the setter ({@code maxSize}, or
 * {@code max-size} and {@code max_size} for the same; {@code jdbcUrl} is {@code url}),
 * {@code dataSource.<name>} (or {@code dataSourceProperties.<name>}) is a driver property, and the
 * value is converted to the setter's type. Two keys naming one property must agree, or the binding
 * fails naming both. Only setters taking text, a number, a boolean, a {@code Duration} or an enum can
 * be set this way; the rest ({@code dataSource}, {@code threadFactory}, ...) are for code.
 */
public final class PropertiesBinder {
    private static final Pattern DURATION = Pattern.compile("\\s*(-?\\d+)\\s*(ns|us|ms|s|m|h|d)?\\s*", Pattern.CASE_INSENSITIVE);
    private static final String[] DRIVER_PREFIXES = {"dataSource.", "dataSourceProperties.", "data-source-properties."};
    /** How a duration is spelt in messages. */
    private static final String DURATION_FORMS = "a duration such as 30s, 500ms, PT30S or forever";

    private PropertiesBinder() {
    }

    /**
     * @param file a properties file
     * @return its properties
     * @throws UncheckedIOException when it cannot be read
     */
    public static Properties load(Path file) {
        Properties p = new Properties();
        try (InputStream in = Files.newInputStream(file)) {
            p.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the data source properties file " + file, e);
        }
        return p;
    }

    /**
     * Sets each property on {@code target} through its setter.
     *
     * @param target the data source
     * @param properties the configuration
     * @throws IllegalArgumentException for an unknown property or a bad value, naming both (never a secret's value)
     */
    public static void bind(Object target, Properties properties) {
        Map<String, Method> setters = setters(target.getClass());
        // each property once, from the first of its spellings (sorted), the others checked against it
        Map<String, String> keyOf = new TreeMap<>();
        Map<String, String> sorted = new TreeMap<>();
        for (String key : properties.stringPropertyNames()) {
            sorted.put(key, properties.getProperty(key));
        }
        sorted.forEach((key, value) -> {
            String property = property(key);
            String first = keyOf.putIfAbsent(property, key);
            if (first != null) {
                agree(setters, first, sorted.get(first), key, value);
            }
        });
        // the driver properties last: addDataSourceProperty adds to what dataSourceProperties set
        keyOf.forEach((property, key) -> {
            if (driverProperty(key) == null) {
                set(target, setters, key, sorted.get(key));
            }
        });
        keyOf.forEach((property, key) -> {
            String driverKey = driverProperty(key);
            if (driverKey != null) {
                invoke(target, setters.get("adddatasourceproperty"), key, driverKey, sorted.get(key));
            }
        });
    }

    /** @return the property a key names: the setter's lower-case name ({@code jdbcUrl} is {@code url}), or the driver property's */
    private static String property(String key) {
        String driverKey = driverProperty(key);
        if (driverKey != null) {
            return "dataSource." + driverKey;
        }
        String normal = normal(key);
        return normal.equals("jdbcurl") ? "url" : normal;
    }

    private static String normal(String key) {
        return key.replace("-", "").replace("_", "").toLowerCase(Locale.ROOT);
    }

    /** Two spellings of one property: the same text, or text meaning the same value, or the binding fails. */
    private static void agree(Map<String, Method> setters, String key1, String value1, String key2, String value2) {
        if (value1.trim().equals(value2.trim())) {
            return;
        }
        Method m = setters.get(normal(key1).equals("jdbcurl") ? "url" : normal(key1));
        if (m != null && convertible(m) && m.getParameterTypes()[0] != String.class) {
            try {
                if (argument(m, key1, value1).equals(argument(m, key2, value2))) {
                    return; // 5s and PT5S, true and TRUE
                }
            } catch (IllegalArgumentException e) {
                // one of them is bad: they differ, and that is the first thing to fix
            }
        }
        String shown;
        if (Secrets.isSecretKey(key1) || Secrets.isSecretKey(key2)) {
            shown = key1 + " and " + key2 + " (values not shown)";
        } else if (property(key1).equals("url")) {
            shown = key1 + "=" + Secrets.redactUrl(value1) + " and " + key2 + "=" + Secrets.redactUrl(value2);
        } else {
            shown = key1 + "=" + value1 + " and " + key2 + "=" + value2;
        }
        throw new IllegalArgumentException(shown + " set the same property to different values; keep one");
    }

    private static String driverProperty(String key) {
        for (String prefix : DRIVER_PREFIXES) {
            if (key.startsWith(prefix) && key.length() > prefix.length()) {
                return key.substring(prefix.length());
            }
        }
        return null;
    }

    /** The one-argument public setters, by lower-case name without "set" ({@code maxsize}), and addDataSourceProperty. */
    private static Map<String, Method> setters(Class<?> type) {
        Map<String, Method> setters = new TreeMap<>();
        for (Method m : type.getMethods()) {
            if (Modifier.isStatic(m.getModifiers())) {
                continue;
            }
            if (m.getName().startsWith("set") && m.getParameterCount() == 1 && m.getName().length() > 3) {
                setters.put(m.getName().substring(3).toLowerCase(Locale.ROOT), m);
            } else if (m.getName().equals("addDataSourceProperty") && m.getParameterCount() == 2) {
                setters.put("adddatasourceproperty", m);
            }
        }
        return setters;
    }

    private static void set(Object target, Map<String, Method> setters, String key, String value) {
        String normal = normal(key);
        Method m = setters.get(normal);
        if (m == null || m.getName().equals("setLogWriter")) {
            TreeSet<String> known = new TreeSet<>();
            for (Method s : setters.values()) {
                // only what a key can set: not addDataSourceProperty, nor dataSourceProperties (set entry by entry)
                if (convertible(s) && s.getName().startsWith("set") && s.getParameterTypes()[0] != Properties.class
                        && !s.getName().equals("setLogWriter")) {
                    known.add(Character.toLowerCase(s.getName().charAt(3)) + s.getName().substring(4));
                }
            }
            throw new IllegalArgumentException("unknown data source property \"" + key + "\"" + HikariNames.hint(key) + "; known: " + known
                    + ", and dataSource.<name> for a driver property");
        }
        if (!convertible(m)) {
            throw new IllegalArgumentException("data source property \"" + key + "\" takes a " + m.getParameterTypes()[0].getName()
                    + ", which cannot be given as text: set it in code");
        }
        invoke(target, m, key, argument(m, key, value));
    }

    /** @return the setter's argument for the text given under {@code key} */
    private static Object argument(Method setter, String key, String value) {
        String normal = normal(key);
        if (normal.equals("logintimeout")) {
            return loginTimeoutSeconds(key, value);
        }
        if (normal.equals("initializationfailtimeout") && value.trim().equals("-1")) {
            return Pool.FOREVER; // HikariCP's spelling of "start anyway", for those who bring their settings along
        }
        return convert(key, setter.getParameterTypes()[0], value);
    }

    /** JDBC's login timeout: whole seconds; a bare number is seconds, as {@code DataSource.setLoginTimeout} takes it. */
    private static int loginTimeoutSeconds(String key, String value) {
        String v = value.trim();
        Duration d;
        if (v.matches("-?\\d+")) {
            d = Duration.ofSeconds(parseLong(key, v));
        } else {
            try {
                d = v.equalsIgnoreCase("forever") ? null : duration(key, v);
            } catch (IllegalArgumentException e) {
                d = null;
            }
            if (d == null) {
                throw new IllegalArgumentException(key + " must be whole seconds such as 30, 30s or PT30S, but was \"" + value + "\"");
            }
        }
        if (d.getNano() != 0) {
            throw new IllegalArgumentException(key + " must be whole seconds (JDBC's login timeout), but was \"" + value + "\"");
        }
        if (d.getSeconds() > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(key + " must be at most " + Integer.MAX_VALUE + " seconds, but was \"" + value + "\"");
        }
        return (int) d.getSeconds();
    }

    private static long parseLong(String key, String v) {
        try {
            return Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + " is too large, was \"" + v + "\"", e);
        }
    }

    private static boolean convertible(Method m) {
        Class<?> t = m.getParameterTypes()[0];
        return t == String.class || t == int.class || t == long.class || t == double.class || t == boolean.class || t == Boolean.class
                || t == Duration.class || t == Properties.class || t.isEnum();
    }

    private static Object convert(String key, Class<?> type, String value) {
        String v = value.trim();
        try {
            if (type == String.class) {
                return value;
            } else if (type == int.class) {
                return Integer.parseInt(v);
            } else if (type == long.class) {
                return Long.parseLong(v);
            } else if (type == double.class) {
                return Double.parseDouble(v);
            } else if (type == boolean.class || type == Boolean.class) {
                if (!v.equalsIgnoreCase("true") && !v.equalsIgnoreCase("false")) {
                    throw new IllegalArgumentException(key + " must be true or false, but was \"" + value + "\"");
                }
                return Boolean.parseBoolean(v);
            } else if (type == Duration.class) {
                return duration(key, v);
            } else if (type == Properties.class) {
                throw new IllegalArgumentException(key + " is set entry by entry: dataSource.<name>=<value>");
            } else {
                for (Object constant : type.getEnumConstants()) {
                    if (((Enum<?>) constant).name().equalsIgnoreCase(v)) {
                        return constant;
                    }
                }
                TreeSet<String> names = new TreeSet<>();
                for (Object constant : type.getEnumConstants()) {
                    names.add(((Enum<?>) constant).name());
                }
                throw new IllegalArgumentException(key + " must be one of " + names + ", but was \"" + value + "\"");
            }
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + " must be a number, but was \"" + value + "\"", e);
        }
    }

    /**
     * @param what the property, for the message
     * @param text ISO-8601 ({@code PT30S}), a number with a unit ({@code 30s}, {@code 500ms},
     *     {@code ns us ms s m h d}; a bare number is milliseconds, as Spring Boot reads it), or
     *     {@code forever} in any case for {@link Pool#FOREVER}
     * @return the duration
     */
    public static Duration duration(String what, String text) {
        String v = text.trim();
        if (v.equalsIgnoreCase("forever")) {
            return Pool.FOREVER;
        }
        if (v.length() > 1 && (v.charAt(0) == 'P' || v.charAt(0) == 'p' || v.startsWith("-P") || v.startsWith("-p"))) {
            try {
                return Duration.parse(v);
            } catch (DateTimeParseException e) {
                throw new IllegalArgumentException(what + " must be " + DURATION_FORMS + ", but was \"" + text + "\"", e);
            }
        }
        Matcher m = DURATION.matcher(v);
        if (!m.matches()) {
            throw new IllegalArgumentException(what + " must be " + DURATION_FORMS + ", but was \"" + text + "\"");
        }
        long n = parseLong(what, m.group(1));
        String unit = m.group(2) == null ? "ms" : m.group(2).toLowerCase(Locale.ROOT);
        try {
            switch (unit) {
                case "ns": return Duration.ofNanos(n);
                case "us": return Duration.ofNanos(Math.multiplyExact(n, 1000L));
                case "ms": return Duration.ofMillis(n);
                case "s": return Duration.ofSeconds(n);
                case "m": return Duration.ofMinutes(n);
                case "h": return Duration.ofHours(n);
                default: return Duration.ofDays(n);
            }
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException(what + " is too large, was \"" + text + "\" (forever means no limit)", e);
        }
    }

    private static void invoke(Object target, Method m, String key, Object... args) {
        try {
            m.invoke(target, args);
        } catch (InvocationTargetException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException r) {
                throw r;
            }
            if (cause instanceof Error err) {
                throw err;
            }
            throw new IllegalArgumentException(key + ": " + cause, cause);
        } catch (IllegalAccessException e) {
            throw new IllegalStateException(key + ": " + m + " is not accessible", e);
        }
    }
}
