package io.poolkit.jdbc.internal;

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
 * {@code max-size} and {@code max_size} for the same), {@code dataSource.<name>} (or
 * {@code dataSourceProperties.<name>}) is a driver property, and the value is converted to the
 * setter's type. Only setters taking text, a number, a boolean, a {@code Duration} or an enum can be
 * set this way; the rest ({@code dataSource}, {@code threadFactory}, ...) are for code.
 */
public final class PropertiesBinder {
    private static final Pattern DURATION = Pattern.compile("\\s*(-?\\d+)\\s*(ns|us|ms|s|m|h|d)?\\s*", Pattern.CASE_INSENSITIVE);
    private static final String[] DRIVER_PREFIXES = {"dataSource.", "dataSourceProperties.", "data-source-properties."};

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
        Map<String, String> sorted = new TreeMap<>();
        for (String key : properties.stringPropertyNames()) {
            sorted.put(key, properties.getProperty(key));
        }
        // the driver properties last: addDataSourceProperty adds to what dataSourceProperties set
        sorted.forEach((key, value) -> {
            if (driverProperty(key) == null) {
                set(target, setters, key, value);
            }
        });
        sorted.forEach((key, value) -> {
            String driverKey = driverProperty(key);
            if (driverKey != null) {
                invoke(target, setters.get("adddatasourceproperty"), key, driverKey, value);
            }
        });
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
        String normal = key.replace("-", "").replace("_", "").toLowerCase(Locale.ROOT);
        Method m = setters.get(normal);
        if (m == null || m.getName().equals("setLogWriter")) {
            TreeSet<String> known = new TreeSet<>();
            for (Method s : setters.values()) {
                if (convertible(s) && !s.getName().equals("setLogWriter")) {
                    known.add(Character.toLowerCase(s.getName().charAt(3)) + s.getName().substring(4));
                }
            }
            throw new IllegalArgumentException("unknown data source property \"" + key + "\"; known: " + known
                    + ", and dataSource.<name> for a driver property");
        }
        if (!convertible(m)) {
            throw new IllegalArgumentException("data source property \"" + key + "\" takes a " + m.getParameterTypes()[0].getName()
                    + ", which cannot be given as text: set it in code");
        }
        Object arg = convert(key, m.getParameterTypes()[0], value);
        invoke(target, m, key, arg);
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
     * @param text ISO-8601 ({@code PT30S}) or a number with a unit ({@code 30s}, {@code 500ms},
     *     {@code ns us ms s m h d}); a bare number is milliseconds, as Spring Boot reads it
     * @return the duration
     */
    public static Duration duration(String what, String text) {
        String v = text.trim();
        if (v.length() > 1 && (v.charAt(0) == 'P' || v.charAt(0) == 'p' || v.startsWith("-P") || v.startsWith("-p"))) {
            try {
                return Duration.parse(v);
            } catch (DateTimeParseException e) {
                throw new IllegalArgumentException(what + " must be a duration such as 30s, 500ms or PT30S, but was \"" + text + "\"", e);
            }
        }
        Matcher m = DURATION.matcher(v);
        if (!m.matches()) {
            throw new IllegalArgumentException(what + " must be a duration such as 30s, 500ms or PT30S, but was \"" + text + "\"");
        }
        long n;
        try {
            n = Long.parseLong(m.group(1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(what + " is too large, was \"" + text + "\"", e);
        }
        String unit = m.group(2) == null ? "ms" : m.group(2).toLowerCase(Locale.ROOT);
        switch (unit) {
            case "ns": return Duration.ofNanos(n);
            case "us": return Duration.ofNanos(Math.multiplyExact(n, 1000L));
            case "ms": return Duration.ofMillis(n);
            case "s": return Duration.ofSeconds(n);
            case "m": return Duration.ofMinutes(n);
            case "h": return Duration.ofHours(n);
            default: return Duration.ofDays(n);
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
