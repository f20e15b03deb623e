/**
 * poolkit sessions: pre-warmed, sandboxed JShell or Python worker processes ({@code SecureSession}) and a
 * thread-safe pool of them ({@code SecureSessionPool}) on the poolkit core.
 *
 * <p>The worker code ({@code io.poolkit.session.internal.worker}, {@code .wire} and the snippet-side
 * {@code io.poolkit.session.snippet}) runs in a child JVM from a read-only copy of these classes, so
 * it uses nothing but the JDK; none of it is exported. In the child it is a module of its own,
 * {@code io.poolkit.session.worker}, which exports only the snippet-side package to snippet code.
 */
module io.poolkit.session {
    requires transitive io.poolkit;
    requires org.slf4j;
    requires jdk.jshell;
    // compile time only: the worker's NotificationTrap, which adds the read itself in the worker JVM
    requires static java.management;

    exports io.poolkit.session;
}
