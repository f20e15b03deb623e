package io.poolkit.jdbc.internal;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.sql.Driver;
import java.sql.SQLException;
import java.util.Locale;
import java.util.Map;
import javax.sql.DataSource;

/**
 * Makes what configuration names by class: a {@code java.sql.Driver} ({@code driverClassName}) or
 * a driver's {@code DataSource} ({@code dataSourceClassName}), whose properties are set through its
 * JavaBean setters, as containers do. Classes are looked up through the thread's context class
 * loader first (an application server's or Spring Boot's), then this module's.
 */
final class DriverClasses {
    private DriverClasses() {
    }

    static Driver driver(String className, String url) {
        Driver d = instance(className, Driver.class, "driverClassName");
        try {
            if (url != null && !d.acceptsURL(url)) {
                throw new IllegalArgumentException("driverClassName " + className + " does not accept the url " + Secrets.redactUrl(url)
                        + "; check the url's prefix, or leave driverClassName unset to let DriverManager find the driver");
            }
        } catch (SQLException e) {
            throw new IllegalArgumentException("driverClassName " + className + " failed to check the url " + Secrets.redactUrl(url), e);
        }
        return d;
    }

    static DataSource dataSource(String className, Map<String, String> properties) {
        DataSource ds = instance(className, DataSource.class, "dataSourceClassName");
        properties.forEach((key, value) -> set(ds, key, value));
        return ds;
    }

    private static <T> T instance(String className, Class<T> type, String what) {
        Class<?> c = load(className, what);
        if (!type.isAssignableFrom(c)) {
            throw new IllegalArgumentException(what + " must name a " + type.getName() + ", but " + className + " is not one");
        }
        try {
            return type.cast(c.getConstructor().newInstance());
        } catch (InvocationTargetException e) {
            throw new IllegalArgumentException(what + " " + className + ": its constructor threw " + e.getCause(), e.getCause());
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new IllegalArgumentException(what + " " + className + " has no public no-argument constructor (" + e + ")", e);
        }
    }

    private static Class<?> load(String className, String what) {
        ClassLoader context = Thread.currentThread().getContextClassLoader();
        if (context != null) {
            try {
                return Class.forName(className, true, context);
            } catch (ClassNotFoundException e) {
                // fall through to this module's loader
            }
        }
        try {
            return Class.forName(className, true, DriverClasses.class.getClassLoader());
        } catch (ClassNotFoundException e) {
            throw new IllegalArgumentException(what + " " + className + " is not on the class path: add the driver's jar", e);
        }
    }

    /** Sets one property through its setter ({@code serverName} to {@code setServerName}), converting from text. */
    private static void set(DataSource ds, String key, String value) {
        String setter = "set" + key.substring(0, 1).toUpperCase(Locale.ROOT) + key.substring(1);
        for (Method m : ds.getClass().getMethods()) {
            if (!m.getName().equals(setter) || m.getParameterCount() != 1) {
                continue;
            }
            Object arg = convert(m.getParameterTypes()[0], value);
            if (arg == null) {
                continue;
            }
            try {
                m.invoke(ds, arg);
                return;
            } catch (InvocationTargetException e) {
                throw new IllegalArgumentException("dataSourceProperties " + key + ": " + ds.getClass().getName() + "." + setter + " threw "
                        + e.getCause().getClass().getName(), e.getCause());
            } catch (IllegalAccessException e) {
                throw new IllegalArgumentException("dataSourceProperties " + key + ": " + setter + " is not accessible", e);
            }
        }
        throw new IllegalArgumentException("dataSourceProperties " + key + ": " + ds.getClass().getName() + " has no setter " + setter
                + " taking a String, number or boolean");
    }

    private static Object convert(Class<?> type, String value) {
        try {
            if (type == String.class) {
                return value;
            } else if (type == int.class || type == Integer.class) {
                return Integer.valueOf(value.trim());
            } else if (type == long.class || type == Long.class) {
                return Long.valueOf(value.trim());
            } else if (type == short.class || type == Short.class) {
                return Short.valueOf(value.trim());
            } else if (type == boolean.class || type == Boolean.class) {
                return Boolean.valueOf(value.trim());
            } else if (type == char[].class) {
                return value.toCharArray();
            }
        } catch (NumberFormatException e) {
            return null;
        }
        return null;
    }
}
