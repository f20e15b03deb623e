package io.poolkit.jdbc.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.source.util.JavacTask;
import io.poolkit.Lease;
import io.poolkit.jdbc.FatalErrorClassifier;
import io.poolkit.jdbc.testing.FaultyDriver;
import io.poolkit.jdbc.testing.StubDriver;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Array;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Proxy;
import java.sql.CallableStatement;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLClientInfoException;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.stream.Collectors;
import javax.lang.model.element.ExecutableElement;
import javax.lang.model.element.TypeElement;
import javax.lang.model.util.ElementFilter;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;

/**
 * The generated leaves and the hand-written proxies together cover the whole {@code java.sql} API,
 * method by method, read by reflection from the JDK the test runs on: every method reaches the
 * driver with the caller's arguments, none falls back to an interface default, every JDBC object
 * returned is a proxy, every failure passes the fatal-error check, and every method that runs SQL
 * marks the transaction for the return path's rollback. The driver is the stub driver under the
 * recording {@link FaultyDriver}, so a method the pool forgot cannot hide behind a real driver's behaviour.
 */
class EveryJdbcMethodIsForwardedTest {
    /** The interfaces the pool proxies, each with the proxy family its objects belong to. */
    private static final List<Class<?>> PROXIED = List.of(Connection.class, Statement.class, PreparedStatement.class,
            CallableStatement.class, ResultSet.class, DatabaseMetaData.class);
    private static final Set<String> WRITES_THROUGH_RESULT_SET = Set.of("updateRow", "insertRow", "deleteRow");

    @Test
    void everyMethodOfTheCompiledApiIsImplementedByTheProxyNotLeftToAnInterfaceDefault() throws Exception {
        List<String> notForwarded = new ArrayList<>();
        List<String> newerThanRelease = new ArrayList<>();
        for (Class<?> iface : PROXIED) {
            Class<?> proxyClass = new Fixture().proxyOf(iface).getClass();
            assertThat(Proxy.isProxyClass(proxyClass)).as("%s is a proxy of the pool", iface.getSimpleName()).isFalse();
            for (Method m : methodsOf(iface)) {
                Method impl = proxyClass.getMethod(m.getName(), m.getParameterTypes());
                if (impl.getDeclaringClass().isInterface()) {
                    (ReleaseApi.has(iface, m) ? notForwarded : newerThanRelease).add(describe(iface, m));
                }
            }
        }
        if (!newerThanRelease.isEmpty()) {
            System.err.println("java.sql methods of this JDK newer than the release pool-jdbc is compiled for (forwarded once "
                    + "the release is raised, nothing to edit): " + newerThanRelease);
        }
        assertThat(notForwarded).as("methods whose interface default runs instead of the driver's implementation").isEmpty();
    }

    @Test
    void everyMethodReachesTheDriverWithTheCallersArgumentsAndReturnsProxiesNeverTheDriversObjects() throws Exception {
        List<String> problems = new ArrayList<>();
        for (Class<?> iface : PROXIED) {
            for (Method m : methodsOf(iface)) {
                if (iface == Connection.class && m.getName().equals("close")) {
                    continue; // the return path: ReturnPathTest
                }
                Fixture f = new Fixture();
                Object proxy = f.proxyOf(iface);
                Object[] args = arguments(m);
                Object result;
                try {
                    result = m.invoke(proxy, args);
                } catch (InvocationTargetException e) {
                    problems.add(describe(iface, m) + " threw " + e.getCause());
                    continue;
                }
                if (!f.driver.received(iface, m, args)) {
                    problems.add(describe(iface, m) + " did not reach the driver's " + iface.getSimpleName() + " with the caller's arguments");
                }
                if (result != null && Proxy.isProxyClass(result.getClass()) && !m.getName().equals("unwrap")) {
                    problems.add(describe(iface, m) + " returned the driver's " + result + ", not a proxy");
                }
                if (m.getReturnType() == Connection.class && result != f.connection) {
                    problems.add(describe(iface, m) + " returned " + result + ", not the caller's connection");
                }
                if (m.getReturnType() == Statement.class && iface == ResultSet.class && result != f.statement) {
                    problems.add(describe(iface, m) + " returned " + result + ", not the statement that made the result set");
                }
            }
        }
        assertThat(problems).isEmpty();
    }

    @Test
    void everyFailureOfTheDriverGoesThroughTheFatalErrorCheck() throws Exception {
        List<String> problems = new ArrayList<>();
        for (Class<?> iface : PROXIED) {
            for (Method m : methodsOf(iface)) {
                Class<? extends SQLException> declared = declaredSqlFailure(m);
                if (declared == null || iface == Connection.class && m.getName().equals("close")) {
                    continue;
                }
                Fixture f = new Fixture();
                Object proxy = f.proxyOf(iface);
                SQLException fatal = declared == SQLClientInfoException.class
                        ? new SQLClientInfoException("connection lost", "08006", 0, Map.of())
                        : new SQLException("connection lost", "08006");
                f.driver.fail(iface, m, fatal);
                try {
                    m.invoke(proxy, arguments(m));
                    problems.add(describe(iface, m) + " did not throw the driver's failure");
                    continue;
                } catch (InvocationTargetException e) {
                    if (e.getCause() != fatal) {
                        problems.add(describe(iface, m) + " threw " + e.getCause() + " instead of the driver's failure");
                        continue;
                    }
                }
                f.connection.close();
                if (!f.lease.invalidated) {
                    problems.add(describe(iface, m) + ": a fatal failure (SQLState 08006) did not get the connection destroyed");
                }
            }
        }
        assertThat(problems).isEmpty();
    }

    @Test
    void everyMethodThatRunsSqlMarksTheTransactionSoTheReturnRollsItBack() throws Exception {
        List<String> problems = new ArrayList<>();
        int marking = 0;
        for (Class<?> iface : PROXIED) {
            for (Method m : methodsOf(iface)) {
                boolean runsSql = m.getName().startsWith("execute")
                        || iface == ResultSet.class && WRITES_THROUGH_RESULT_SET.contains(m.getName())
                        || iface == DatabaseMetaData.class && m.getReturnType() == ResultSet.class;
                if (!runsSql) {
                    continue;
                }
                marking++;
                if (!rolledBackAfter(iface, m)) {
                    problems.add(describe(iface, m) + " runs SQL but the return path did not roll back after it");
                }
            }
        }
        assertThat(problems).isEmpty();
        assertThat(marking).as("executes, result-set writes and metadata queries found").isGreaterThan(40);
        assertThat(rolledBackAfter(Statement.class, Statement.class.getMethod("getFetchSize")))
                .as("the control: a getter leaves nothing to roll back").isFalse();
    }

    /** Calls {@code m} on a fresh proxy whose transaction holds nothing, returns it, and says whether it was rolled back. */
    private static boolean rolledBackAfter(Class<?> iface, Method m) throws Exception {
        Fixture f = new Fixture();
        Object proxy = f.proxyOf(iface);
        f.connection.commit(); // what making the proxy did (getMetaData marks) is committed: start clean
        m.invoke(proxy, arguments(m));
        f.driver.clearCalls();
        f.connection.close();
        return f.driver.received(Connection.class, Connection.class.getMethod("rollback"));
    }

    // ---- the fixture: a connection proxy on the stub driver, recorded ----

    private static final class Fixture {
        final FaultyDriver driver = new FaultyDriver(new StubDriver());
        final RecordingLease lease;
        final ConnectionProxy connection;
        Statement statement;

        Fixture() throws SQLException {
            PooledConnection pc = new PooledConnection(driver.connect(StubDriver.URL, new Properties()), false, null, null, null, null, "stub");
            lease = new RecordingLease(pc);
            PoolContext ctx = new PoolContext("forwarding-test", "stub", FatalErrorClassifier.standard(),
                    Secrets.of(null, null, Map.of()));
            connection = ConnectionProxy.of(ctx, lease);
        }

        Object proxyOf(Class<?> iface) throws SQLException {
            if (iface == Connection.class) {
                return connection;
            } else if (iface == Statement.class) {
                return connection.createStatement();
            } else if (iface == PreparedStatement.class) {
                return connection.prepareStatement("select 1");
            } else if (iface == CallableStatement.class) {
                return connection.prepareCall("call p()");
            } else if (iface == ResultSet.class) {
                statement = connection.createStatement();
                return statement.getResultSet(); // not an execute: the result set's own methods are what is measured
            } else if (iface == DatabaseMetaData.class) {
                return connection.getMetaData();
            }
            throw new IllegalArgumentException(iface.getName());
        }
    }

    private static final class RecordingLease implements Lease<PooledConnection> {
        private final PooledConnection pc;
        boolean closed;
        boolean invalidated;

        RecordingLease(PooledConnection pc) {
            this.pc = pc;
        }

        @Override
        public PooledConnection get() {
            return pc;
        }

        @Override
        public void close() {
            closed = true;
        }

        @Override
        public void invalidate() {
            invalidated = true;
        }

        @Override
        public Duration held() {
            return Duration.ZERO;
        }

        @Override
        public boolean isRetiring() {
            return false;
        }
    }

    // ---- the API, by reflection ----

    /** Every instance method a caller can invoke through {@code iface}, inherited ones included, one per signature. */
    private static List<Method> methodsOf(Class<?> iface) {
        Set<String> seen = new HashSet<>();
        return Arrays.stream(iface.getMethods())
                .filter(m -> !Modifier.isStatic(m.getModifiers()))
                .filter(m -> seen.add(m.getName() + Arrays.toString(m.getParameterTypes())))
                .sorted((a, b) -> describe(iface, a).compareTo(describe(iface, b)))
                .collect(Collectors.toList());
    }

    private static Object[] arguments(Method m) {
        Class<?>[] types = m.getParameterTypes();
        Object[] args = new Object[types.length];
        for (int i = 0; i < types.length; i++) {
            Class<?> t = types[i];
            if (t == String.class) {
                args[i] = "arg" + i;
            } else if (t == Class.class) {
                args[i] = StubDriver.Stub.class; // what the driver's objects are and the pool's proxies are not: unwrap asks the driver
            } else if (t == int[].class) {
                args[i] = new int[] {i + 1};
            } else if (t == String[].class) {
                args[i] = new String[] {"col" + i};
            } else if (t.isArray()) {
                args[i] = Array.newInstance(t.getComponentType(), 1);
            } else if (t == int.class || t == long.class || t == short.class || t == byte.class) {
                args[i] = castNumber(t, i + 1); // distinct per position: a swapped argument shows
            } else {
                args[i] = zero(t);
            }
        }
        return args;
    }

    private static Object castNumber(Class<?> t, int n) {
        if (t == long.class) {
            return (long) n;
        } else if (t == short.class) {
            return (short) n;
        } else if (t == byte.class) {
            return (byte) n;
        }
        return n;
    }

    private static Object zero(Class<?> t) {
        if (!t.isPrimitive() || t == void.class) {
            return null;
        }
        return Array.get(Array.newInstance(t, 1), 0);
    }

    @SuppressWarnings("unchecked")
    private static Class<? extends SQLException> declaredSqlFailure(Method m) {
        for (Class<?> e : m.getExceptionTypes()) {
            if (SQLException.class.isAssignableFrom(e)) {
                return (Class<? extends SQLException>) e;
            }
        }
        return null;
    }

    private static String describe(Class<?> iface, Method m) {
        return iface.getSimpleName() + "." + m.getName()
                + Arrays.stream(m.getParameterTypes()).map(Class::getSimpleName).collect(Collectors.joining(", ", "(", ")"));
    }

    /**
     * The java.sql API of the release pool-jdbc was compiled for (read from a leaf's class file), as
     * the compiler sees it: on a newer JDK, the methods it adds cannot be forwarded by code compiled
     * for the older release, and are reported rather than failed.
     */
    private static final class ReleaseApi {
        private static Set<String> api;

        static synchronized boolean has(Class<?> iface, Method m) throws IOException {
            int release = compiledRelease();
            if (Runtime.version().feature() == release) {
                return true;
            }
            if (api == null) {
                api = read(release);
            }
            return api.contains(iface.getName() + "." + m.getName() + Arrays.stream(m.getParameterTypes())
                    .map(Class::getTypeName).collect(Collectors.joining(",", "(", ")")));
        }

        private static int compiledRelease() throws IOException {
            try (InputStream in = ConnectionProxy.class.getResourceAsStream("ForwardingConnection.class")) {
                byte[] head = in.readNBytes(8);
                return ((head[6] & 0xff) << 8 | head[7] & 0xff) - 44;
            }
        }

        private static Set<String> read(int release) {
            JavacTask javac = (JavacTask) ToolProvider.getSystemJavaCompiler()
                    .getTask(null, null, null, List.of("--release", Integer.toString(release), "-proc:none"), null, null);
            Set<String> methods = new HashSet<>();
            for (Class<?> iface : PROXIED) {
                TypeElement type = javac.getElements().getTypeElement(iface.getName());
                for (ExecutableElement m : ElementFilter.methodsIn(javac.getElements().getAllMembers(type))) {
                    methods.add(iface.getName() + "." + m.getSimpleName() + m.getParameters().stream()
                            .map(p -> javac.getTypes().erasure(p.asType()).toString()).collect(Collectors.joining(",", "(", ")")));
                }
            }
            return methods;
        }
    }
}
