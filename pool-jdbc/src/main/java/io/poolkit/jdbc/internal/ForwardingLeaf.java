package io.poolkit.jdbc.internal;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a hand-written JDBC proxy whose pass-through leaf the build writes: {@code final class <value>
 * extends} the proxy, forwarding every {@code java.sql} method the proxy leaves abstract to its
 * {@code delegate} through {@code check(..)}. The generator is the pool-jdbc-processor module
 * ({@code ForwardingLeafProcessor}); its output lands in {@code target/generated-sources/annotations}
 * and is never committed. Behaviour belongs in the proxy: the generator refuses to forward
 * {@code unwrap}, {@code execute*} and any method returning a connection, statement,
 * result set or metadata.
 */
@Retention(RetentionPolicy.SOURCE)
@Target(ElementType.TYPE)
@interface ForwardingLeaf {
    /** @return the simple name of the generated leaf, in the proxy's package */
    String value();
}
