package io.poolkit.jdbc.testing;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.CallableStatement;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.Driver;
import java.sql.DriverPropertyInfo;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Logger;

/**
 * H2's driver with a recorder and faults on cue: every call on a connection, statement or result
 * set it hands out is recorded ({@code Connection.setReadOnly(false)}), a method can be made to
 * throw a given {@link SQLException}, and {@code connect} can be made to fail or to block until
 * released (interruptibly, like a driver with a login timeout).
 */
public final class FaultyDriver implements Driver {
    private final Driver h2 = new org.h2.Driver();
    private final List<String> calls = Collections.synchronizedList(new ArrayList<>());
    private final Map<String, Throwable> faults = new ConcurrentHashMap<>();
    private final List<Connection> opened = Collections.synchronizedList(new ArrayList<>());
    private final AtomicInteger connects = new AtomicInteger();
    private volatile SQLException connectFailure;
    private volatile CountDownLatch connectGate;
    private volatile DriverPropertyInfo[] propertyInfo = new DriverPropertyInfo[0];
    private volatile Properties lastProperties;

    /** @return every call so far, as {@code Interface.method(args)} */
    public List<String> calls() {
        synchronized (calls) {
            return new ArrayList<>(calls);
        }
    }

    public void clearCalls() {
        calls.clear();
    }

    /** Makes every call of {@code method} (on any wrapped object; "Statement.execute" or just "execute") throw {@code failure}. */
    public void fail(String method, SQLException failure) {
        faults.put(method, failure);
    }

    /** Makes every call of {@code method} throw {@code failure}: an error no driver should throw, but some do. */
    public void fail(String method, Error failure) {
        faults.put(method, failure);
    }

    public void heal() {
        faults.clear();
        connectFailure = null;
        CountDownLatch gate = connectGate;
        connectGate = null;
        if (gate != null) {
            gate.countDown();
        }
    }

    public void failConnects(SQLException failure) {
        connectFailure = failure;
    }

    /** Makes {@code connect} block until {@link #heal()}. */
    public void blockConnects() {
        connectGate = new CountDownLatch(1);
    }

    public void declareProperties(String... names) {
        DriverPropertyInfo[] info = new DriverPropertyInfo[names.length];
        for (int i = 0; i < names.length; i++) {
            info[i] = new DriverPropertyInfo(names[i], null);
        }
        propertyInfo = info;
    }

    public Properties lastProperties() {
        return lastProperties;
    }

    public int connects() {
        return connects.get();
    }

    /** @return the driver's connections handed out so far (unwrapped: H2's own) */
    public List<Connection> opened() {
        synchronized (opened) {
            return new ArrayList<>(opened);
        }
    }

    @Override
    public Connection connect(String url, Properties info) throws SQLException {
        connects.incrementAndGet();
        lastProperties = (Properties) info.clone();
        CountDownLatch gate = connectGate;
        if (gate != null) {
            try {
                gate.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new SQLException("interrupted while connecting", "08001", e);
            }
        }
        SQLException failure = connectFailure;
        if (failure != null) {
            throw failure;
        }
        Connection c = h2.connect(url, info);
        if (c == null) {
            return null;
        }
        opened.add(c);
        return wrap(c, Connection.class);
    }

    @SuppressWarnings("unchecked")
    private <T> T wrap(T target, Class<T> iface) {
        String type = iface.getSimpleName();
        return (T) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {iface}, (proxy, method, args) -> {
            String name = method.getName();
            if (method.getDeclaringClass() == Object.class) {
                switch (name) {
                    case "equals":
                        return proxy == args[0];
                    case "hashCode":
                        return System.identityHashCode(proxy);
                    default:
                        return type + " of " + target;
                }
            }
            calls.add(type + "." + name + "(" + (args == null ? "" : argsText(args)) + ")");
            Throwable fault = faults.get(type + "." + name);
            if (fault == null) {
                fault = faults.get(name);
            }
            if (fault != null) {
                throw fault;
            }
            if ((name.equals("unwrap") || name.equals("isWrapperFor")) && args[0] instanceof Class<?> c && c.isInstance(target)) {
                return name.equals("unwrap") ? target : Boolean.TRUE;
            }
            Object result;
            try {
                result = method.invoke(target, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
            if (result instanceof CallableStatement s) {
                return wrap(s, CallableStatement.class);
            }
            if (result instanceof PreparedStatement s) {
                return wrap(s, PreparedStatement.class);
            }
            if (result instanceof Statement s) {
                return wrap(s, Statement.class);
            }
            if (result instanceof ResultSet r) {
                return wrap(r, ResultSet.class);
            }
            if (result instanceof DatabaseMetaData m) {
                return wrap(m, DatabaseMetaData.class);
            }
            return result;
        });
    }

    private static String argsText(Object[] args) {
        List<String> parts = new ArrayList<>();
        for (Object a : args) {
            parts.add(a instanceof String s ? "'" + s + "'" : String.valueOf(a).replaceAll("\\$\\$Lambda.*", "lambda"));
        }
        return String.join(", ", parts);
    }

    @Override
    public boolean acceptsURL(String url) throws SQLException {
        return h2.acceptsURL(url);
    }

    @Override
    public DriverPropertyInfo[] getPropertyInfo(String url, Properties info) {
        return propertyInfo;
    }

    @Override
    public int getMajorVersion() {
        return 1;
    }

    @Override
    public int getMinorVersion() {
        return 0;
    }

    @Override
    public boolean jdbcCompliant() {
        return false;
    }

    @Override
    public Logger getParentLogger() throws SQLFeatureNotSupportedException {
        throw new SQLFeatureNotSupportedException();
    }
}
