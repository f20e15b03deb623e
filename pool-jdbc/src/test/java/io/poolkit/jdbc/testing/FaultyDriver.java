package io.poolkit.jdbc.testing;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
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
import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Logger;

/**
 * The one fault-injecting JDBC driver of poolkit's tests: a real driver (H2's unless given; the
 * {@link StubDriver} where no database should answer) with a recorder and faults on cue. Every call
 * on a connection, statement, result set or metadata it hands out is recorded
 * ({@code Connection.setReadOnly(false)}, and with its exact method and arguments), a method can be
 * made to throw a given {@link SQLException} or {@link Error}, and {@code connect} can be made to fail
 * or to block until released (interruptibly, like a driver with a login timeout). Each object it
 * hands out is a {@link Proxy} of the driver's own, and a method returning one of its connections
 * returns the wrapped one. Thread-safe (the recording and the faults; the objects are the driver's).
 */
public final class FaultyDriver implements Driver {
    /** One call on an object of the driver: {@code on} is the interface the object was handed out as. */
    public record Call(Class<?> on, Method method, Object[] args) {
    }

    private record Fault(Class<?> on, Method method, Throwable failure) {
    }

    private final Driver driver;
    private final List<String> calls = Collections.synchronizedList(new ArrayList<>());
    private final List<Call> recorded = Collections.synchronizedList(new ArrayList<>());
    private final Map<String, Throwable> faults = new ConcurrentHashMap<>();
    private final List<Fault> methodFaults = Collections.synchronizedList(new ArrayList<>());
    private final List<Connection> opened = Collections.synchronizedList(new ArrayList<>());
    private final Map<Connection, Connection> wrapped = Collections.synchronizedMap(new IdentityHashMap<>());
    private final AtomicInteger connects = new AtomicInteger();
    private volatile SQLException connectFailure;
    private volatile CountDownLatch connectGate;
    private volatile DriverPropertyInfo[] propertyInfo = new DriverPropertyInfo[0];
    private volatile Properties lastProperties;

    /** On H2's driver. */
    public FaultyDriver() {
        this(new org.h2.Driver());
    }

    /** On {@code driver}: every connection it makes is handed out wrapped. */
    public FaultyDriver(Driver driver) {
        this.driver = driver;
    }

    /** @return every call so far, as {@code Interface.method(args)} */
    public List<String> calls() {
        synchronized (calls) {
            return new ArrayList<>(calls);
        }
    }

    public void clearCalls() {
        calls.clear();
        recorded.clear();
    }

    /**
     * @return whether {@code method} was called, with arguments equal to {@code args} (arrays compared
     *     by content), on an object handed out as {@code on} or as a subtype of it
     */
    public boolean received(Class<?> on, Method method, Object... args) {
        synchronized (recorded) {
            return recorded.stream().anyMatch(c -> on.isAssignableFrom(c.on()) && same(c.method(), method) && Arrays.deepEquals(c.args(), args));
        }
    }

    /** Makes every call of {@code method} (on any wrapped object; "Statement.execute" or just "execute") throw {@code failure}. */
    public void fail(String method, SQLException failure) {
        faults.put(method, failure);
    }

    /** Makes every call of {@code method} throw {@code failure}: an error no driver should throw, but some do. */
    public void fail(String method, Error failure) {
        faults.put(method, failure);
    }

    /** Makes every call of exactly {@code method} (this signature) on an object handed out as {@code on}, or a subtype, throw {@code failure}. */
    public void fail(Class<?> on, Method method, Throwable failure) {
        methodFaults.add(new Fault(on, method, failure));
    }

    public void heal() {
        faults.clear();
        methodFaults.clear();
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
        Connection c = driver.connect(url, info);
        if (c == null) {
            return null;
        }
        opened.add(c);
        Connection proxy = wrap(c, Connection.class);
        wrapped.put(c, proxy);
        return proxy;
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
            recorded.add(new Call(iface, method, args == null ? new Object[0] : args.clone()));
            Throwable fault = faults.get(type + "." + name);
            if (fault == null) {
                fault = faults.get(name);
            }
            if (fault == null) {
                fault = methodFault(iface, method);
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
            if (result instanceof Connection c) {
                return wrapped.getOrDefault(c, c);
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

    private Throwable methodFault(Class<?> iface, Method method) {
        synchronized (methodFaults) {
            for (Fault f : methodFaults) {
                if (f.on().isAssignableFrom(iface) && same(f.method(), method)) {
                    return f.failure();
                }
            }
        }
        return null;
    }

    private static boolean same(Method a, Method b) {
        return a.getName().equals(b.getName()) && Arrays.equals(a.getParameterTypes(), b.getParameterTypes());
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
        return driver.acceptsURL(url);
    }

    @Override
    public DriverPropertyInfo[] getPropertyInfo(String url, Properties info) {
        return propertyInfo;
    }

    @Override
    public int getMajorVersion() {
        return driver.getMajorVersion();
    }

    @Override
    public int getMinorVersion() {
        return driver.getMinorVersion();
    }

    @Override
    public boolean jdbcCompliant() {
        return driver.jdbcCompliant();
    }

    @Override
    public Logger getParentLogger() throws SQLFeatureNotSupportedException {
        return driver.getParentLogger();
    }
}
